"""Inside vehicles and under the sea: a car, a train or bus, an aeroplane, a ship's cabin, a spaceship; the seabed.

Each is drawn whole, like `rooms.paint_cave`: what makes it read at a glance (a windscreen and steering wheel, a row
of seats under wide windows, round windows onto clouds, portholes in wooden walls, a viewport onto the stars).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from .paint import INK, SEA, WOOD, box, darken, glow, gradient, lighten, mix, rgba, stroke
from .sky import sky_image
from .stage import Light, Stage
from .words import Scenery


def _view(stage: Stage, scenery: Scenery, outside: Light, frame: tuple[float, float, float, float],
          land: bool = True, sea: bool = False) -> None:
    """What a vehicle's window shows: the sky, and land (green) or sea going by, pasted into `frame`."""
    x0, y0, x1, y1 = (int(v) for v in frame)
    view = sky_image((x1 - x0, y1 - y0), outside, scenery.weather, stage.rng, stage.u, 0.62 if sea else None)
    stage.img.paste(view, (x0, y0))
    if land and not sea:
        ground = stage.shade(mix((110, 160, 90), stage.pal(2), 0.15), 0.3)
        stage.draw.rectangle((x0, y0 + 0.68 * (y1 - y0), x1, y1), fill=ground)


def paint_car(stage: Stage, scenery: Scenery, outside: Light) -> dict[str, Any]:
    """From the seats: the windscreen onto the road ahead, the roof and pillars, the dashboard and steering wheel."""
    W, H, u, draw = stage.W, stage.H, stage.u, stage.draw
    trim = stage.shade(mix((60, 62, 70), stage.pal(3), 0.15))
    stage.img.paste(gradient((W, H), darken(trim, 0.3), trim))
    top, dash = 0.12 * H, 0.5 * H
    _view(stage, scenery, outside, (0.1 * W, top, 0.9 * W, dash))
    road = stage.shade((96, 96, 104), 0.2)
    horizon = top + 0.68 * (dash - top)
    draw.polygon([(0.47 * W, horizon), (0.53 * W, horizon), (0.75 * W, dash), (0.25 * W, dash)], fill=road)
    draw.line([(0.5 * W, horizon), (0.5 * W, dash)], fill=(240, 230, 170), width=stroke(0.8 * u))
    for s in (-1, 1):  # the pillars lean in towards the roof
        x_out, x_in = 0.5 * W + s * 0.46 * W, 0.5 * W + s * 0.38 * W
        draw.polygon([(x_out, dash), (0.5 * W + s * 0.6 * W, dash), (0.5 * W + s * 0.6 * W, 0), (x_in - s * 4 * u, 0),
                      (x_in, top)], fill=trim, **stage.ink())
    draw.rectangle((0, 0, W, top), fill=darken(trim, 0.15), **stage.ink())
    draw.rounded_rectangle((0.46 * W, top - 0.5 * u, 0.54 * W, top + 4 * u), radius=u, fill=darken(trim, 0.3),
                           **stage.ink(0.6))  # the mirror
    board = stage.shade(mix((50, 50, 56), stage.pal(0), 0.1))
    draw.rounded_rectangle((-2 * u, dash - 2 * u, W + 2 * u, H + 2 * u), radius=6 * u, fill=board, **stage.ink())
    wx = (0.5 - stage.side * 0.22) * W  # the wheel on the driver's side
    draw.ellipse(box(wx, dash + 14 * u, 15 * u, 13 * u), outline=stage.shade((30, 30, 34)), width=stroke(2.6 * u))
    draw.line([(wx - 14 * u, dash + 14 * u), (wx + 14 * u, dash + 14 * u)], fill=stage.shade((30, 30, 34)),
              width=stroke(2 * u))
    for k in range(3):  # dials
        draw.ellipse(box(wx - 6 * u + k * 6 * u, dash + 5 * u, 2.2 * u), fill=stage.shade((230, 236, 240)),
                     **stage.ink(0.4))
    return {"stand": 0.76 * H, "side": stage.side}


def _seats(stage: Stage, y: float, count: int, colour: tuple[int, int, int]) -> None:
    u, draw = stage.u, stage.draw
    for k in range(count):
        x = (k + 0.5) * stage.W / count
        draw.rounded_rectangle((x - 9 * u, y, x + 9 * u, y + 20 * u), radius=3 * u, fill=colour, **stage.ink())
        draw.rounded_rectangle((x - 7 * u, y - 4 * u, x + 7 * u, y + 1 * u), radius=2 * u,
                               fill=stage.shade((236, 236, 232)), **stage.ink(0.5))


def paint_train(stage: Stage, scenery: Scenery, outside: Light) -> dict[str, Any]:
    """A carriage seen from the aisle: wide windows onto the land going by, a luggage rack, rows of seats."""
    W, H, u, draw = stage.W, stage.H, stage.u, stage.draw
    wall = stage.shade(mix((214, 210, 196), stage.pal(0), 0.15))
    stage.img.paste(gradient((W, H), lighten(wall, 0.1), darken(wall, 0.2)))
    for k in range(3):
        x0 = 0.04 * W + k * 0.32 * W
        frame = (x0, 0.16 * H, x0 + 0.28 * W, 0.44 * H)
        _view(stage, scenery, outside, frame)
        draw.rounded_rectangle(frame, radius=3 * u, outline=stage.shade((120, 124, 130)), width=stroke(1.6 * u))
    rack = stage.shade((160, 164, 172))
    draw.rectangle((0, 0.08 * H, W, 0.1 * H), fill=rack, **stage.ink(0.6))
    for x in np.arange(2 * u, W, 5 * u):
        draw.line([(x, 0.1 * H), (x, 0.13 * H)], fill=rack, width=stroke(0.4 * u))
    floor = stage.shade((90, 90, 96))
    stage.img.paste(gradient((W, int(0.3 * H)), floor, darken(floor, 0.3)), (0, int(0.7 * H)))
    _seats(stage, 0.5 * H, 5, stage.shade(mix((60, 90, 150), stage.pal(1), 0.3)))
    return {"stand": 0.76 * H, "side": stage.side}


def paint_plane(stage: Stage, scenery: Scenery, outside: Light) -> dict[str, Any]:
    """An aeroplane's cabin: a curved wall of small rounded windows onto the clouds, overhead bins, seats."""
    W, H, u, draw = stage.W, stage.H, stage.u, stage.draw
    wall = stage.shade((236, 234, 228))
    stage.img.paste(gradient((W, H), wall, darken(wall, 0.25)))
    draw.rectangle((0, 0, W, 0.14 * H), fill=stage.shade((214, 212, 206)), **stage.ink())
    for x in np.arange(0, W, 30 * u):
        draw.line([(x, 0), (x, 0.14 * H)], fill=stage.shade(INK), width=stroke(0.5 * u))
    for x in np.arange(12 * u, W - 6 * u, 22 * u):
        frame = (x - 5 * u, 0.22 * H, x + 5 * u, 0.38 * H)
        _view(stage, scenery, outside, frame, land=False)
        draw.rounded_rectangle(frame, radius=4.5 * u, outline=stage.shade((190, 190, 186)), width=stroke(1.8 * u))
    _seats(stage, 0.46 * H, 6, stage.shade(mix((50, 70, 120), stage.pal(1), 0.25)))
    carpet = stage.shade(mix((80, 80, 110), stage.pal(2), 0.2))
    stage.img.paste(gradient((W, int(0.3 * H)), carpet, darken(carpet, 0.3)), (0, int(0.7 * H)))
    return {"stand": 0.76 * H, "side": stage.side}


def paint_ship(stage: Stage, scenery: Scenery, outside: Light) -> dict[str, Any]:
    """Below deck: panelled wooden walls with brass-rimmed portholes onto the sea, a bunk and a swinging lamp."""
    W, H, u, draw = stage.W, stage.H, stage.u, stage.draw
    wood = stage.shade(mix(WOOD, (120, 80, 50), 0.4))
    stage.img.paste(gradient((W, H), darken(wood, 0.2), wood))
    for x in np.arange(0, W, 14 * u):
        draw.line([(x, 0), (x, 0.66 * H)], fill=darken(wood, 0.3), width=stroke(0.5 * u))
    for y in (0.06 * H, 0.66 * H):
        draw.rectangle((0, y - u, W, y + u), fill=darken(wood, 0.25), **stage.ink(0.5))
    brass = stage.shade((196, 160, 70))
    for x in (0.3 * W, 0.7 * W):
        frame = (x - 8 * u, 0.2 * H, x + 8 * u, 0.36 * H)
        view = sky_image((int(16 * u), int(16 * u)), outside, scenery.weather, stage.rng, u, 0.55, SEA)
        mask = _round_mask(view.size)
        stage.img.paste(view, (int(frame[0]), int(frame[1])), mask)
        draw.ellipse(frame, outline=brass, width=stroke(2.2 * u))
        for a in range(0, 360, 60):
            bx, by = x + 9.2 * u * math.cos(math.radians(a)), 0.28 * H + 9.2 * u * math.sin(math.radians(a))
            draw.ellipse(box(bx, by, 0.6 * u), fill=darken(brass, 0.3))
    bx = (0.5 + stage.side * 0.36) * W  # the bunk along the wall
    draw.rectangle((bx - 20 * u, 0.5 * H, bx + 20 * u, 0.58 * H), fill=stage.shade(lighten(stage.pal(1), 0.2)),
                   **stage.ink())
    draw.rectangle((bx - 21 * u, 0.58 * H, bx + 21 * u, 0.62 * H), fill=darken(wood, 0.2), **stage.ink())
    planks = stage.shade(lighten(WOOD, 0.05))
    stage.img.paste(gradient((W, int(0.34 * H)), planks, darken(planks, 0.35)), (0, int(0.66 * H)))
    for x in np.arange(-W, 2 * W, 12 * u):
        draw.line([(0.5 * W + (x - 0.5 * W) * 0.5, 0.66 * H), (x, H)], fill=darken(planks, 0.3), width=stroke(0.4 * u))
    lx = 0.5 * W
    draw.line([(lx, 0), (lx + 2 * u, 0.12 * H)], fill=stage.shade(INK), width=stroke(0.4 * u))
    draw.rounded_rectangle((lx, 0.12 * H, lx + 4 * u, 0.12 * H + 5 * u), radius=u, fill=(255, 222, 140),
                           **stage.ink(0.5))
    if outside.dark:
        glow(stage.img, (lx + 2 * u, 0.14 * H), 0.5 * H, (255, 214, 140), 0.35)
    return {"stand": 0.76 * H, "side": stage.side}


def _round_mask(size: tuple[int, int]) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, size[0] - 1, size[1] - 1), fill=255)
    return mask


def paint_spaceship(stage: Stage, scenery: Scenery, outside: Light) -> dict[str, Any]:
    """The bridge: panelled metal walls, a wide viewport onto stars and a planet, a console of coloured lights."""
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    metal = mix((120, 130, 146), stage.pal(0), 0.15)
    stage.img.paste(gradient((W, H), darken(metal, 0.35), darken(metal, 0.05)))
    for x in np.arange(0, W, 24 * u):
        draw.line([(x, 0), (x, H)], fill=darken(metal, 0.45), width=stroke(0.5 * u))
    view = (0.12 * W, 0.08 * H, 0.88 * W, 0.46 * H)
    draw.rounded_rectangle(view, radius=10 * u, fill=(6, 6, 20))
    for _ in range(90):
        x, y = rng.uniform(view[0] + 4 * u, view[2] - 4 * u), rng.uniform(view[1] + 2 * u, view[3] - 2 * u)
        draw.ellipse(box(x, y, rng.uniform(0.15, 0.4) * u), fill=(255, 250, 236, int(rng.uniform(140, 255))))
    px = (0.5 + stage.side * 0.22) * W
    planet = mix((90, 140, 210), stage.pal(1), 0.25)
    draw.ellipse(box(px, 0.3 * H, 12 * u), fill=planet, **stage.ink(0.6))
    draw.chord(box(px, 0.3 * H, 12 * u), 250, 60, fill=darken(planet, 0.3))
    draw.rounded_rectangle(view, radius=10 * u, outline=lighten(metal, 0.2), width=stroke(2.4 * u))
    for x in np.arange(0.02 * W, W, 0.12 * W):  # ceiling lights
        draw.rectangle((x, 0.015 * H, x + 0.06 * W, 0.03 * H), fill=(220, 240, 255))
    console = darken(metal, 0.2)
    draw.polygon([(0.08 * W, 0.62 * H), (0.92 * W, 0.62 * H), (W, 0.72 * H), (0, 0.72 * H)], fill=console,
                 **stage.ink())
    for k in range(24):
        x = 0.1 * W + k * 0.8 * W / 24
        colour = ((90, 230, 250), (250, 90, 90), (120, 240, 120), (250, 210, 80))[k % 4]
        draw.rounded_rectangle((x, 0.645 * H, x + 2.4 * u, 0.665 * H), radius=0.5 * u, fill=colour)
    floor = darken(metal, 0.3)
    stage.img.paste(gradient((W, int(0.28 * H)), floor, darken(floor, 0.4)), (0, int(0.72 * H)))
    return {"stand": 0.76 * H, "side": stage.side}


def paint_seabed(stage: Stage, scenery: Scenery) -> dict[str, Any]:
    """Under the sea: blue water darkening with depth, rays of light, sand, weed and coral, bubbles and fish."""
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    deep = mix(SEA, stage.pal(0), 0.1)
    stage.img.paste(gradient((W, H), stage.shade(lighten(deep, 0.35)), stage.shade(darken(deep, 0.45))))
    for k in range(5):  # light from the surface
        x = rng.uniform(0.1, 0.9) * W
        draw.polygon([(x - 3 * u, 0), (x + 3 * u, 0), (x + 14 * u, 0.7 * H), (x + 4 * u, 0.7 * H)],
                     fill=(255, 255, 255, 22))
    sand = stage.shade(mix((214, 196, 150), stage.pal(3), 0.1))
    top = 0.7 * H
    points = [(x, top + 2 * u * math.sin(x / W * 7 + 2)) for x in np.linspace(0, W, 30)]
    draw.polygon(points + [(W, H), (0, H)], fill=sand)
    for x in rng.uniform(0, W, 9):  # weed swaying up from the sand
        stem = [(x + 2 * u * math.sin(t * 3 + x), top + 2 * u - t * 22 * u) for t in np.linspace(0, 1, 8)]
        draw.line(stem, fill=stage.shade((50, 130, 80)), width=stroke(1.6 * u), joint="curve")
    for x in rng.uniform(0, W, 5):  # coral
        coral = stage.shade(((240, 110, 100), (250, 170, 80), (200, 90, 160))[int(rng.integers(0, 3))])
        for a in (-0.6, 0, 0.6):
            draw.line([(x, top + 3 * u), (x + 7 * u * math.sin(a), top - 8 * u)], fill=coral, width=stroke(1.6 * u))
            draw.ellipse(box(x + 7 * u * math.sin(a), top - 8 * u, 1.4 * u), fill=coral)
    for _ in range(4):  # fish far off
        x, y = rng.uniform(0.1, 0.9) * W, rng.uniform(0.15, 0.5) * H
        fish = stage.shade(lighten(stage.pal(int(rng.integers(0, 4))), 0.2), 0.3)
        draw.ellipse(box(x, y, 3 * u, 1.4 * u), fill=fish)
        draw.polygon([(x - 2.6 * u, y), (x - 5 * u, y - 1.6 * u), (x - 5 * u, y + 1.6 * u)], fill=fish)
    for _ in range(30):
        x, y = rng.uniform(0, W), rng.uniform(0, 0.7 * H)
        draw.ellipse(box(x, y, rng.uniform(0.3, 0.9) * u), outline=rgba((230, 245, 255), 160), width=stroke(0.3 * u))
    return {"stand": 0.755 * H, "side": stage.side}


VEHICLES = {"car": paint_car, "train": paint_train, "plane": paint_plane, "ship": paint_ship,
            "spaceship": paint_spaceship}
