"""Indoor scenery: walls, a window onto the time of day, the floor and the room's things."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PIL import ImageDraw

from .paint import COLOURS, INK, STONE, WOOD, box, darken, glow, gradient, lighten, mix, rgba, stroke
from .rooms import NO_WINDOW, WALLS, furnish, furnish_public, log_walls, paint_cave, paint_garage, paint_greenhouse
from .sky import sky_image
from .stage import Light, Stage
from .vehicles import VEHICLES
from .words import Scenery


def _window(stage: Stage, frame: tuple[float, float, float, float], scenery: Scenery, outside: Light,
            panes: int = 2) -> None:
    x0, y0, x1, y1 = frame
    u, draw = stage.u, stage.draw
    sea_at = 0.55 if "sea_view" in scenery.things else None
    view = sky_image((int(x1 - x0), int(y1 - y0)), outside, scenery.weather, stage.rng, u, sea_at)
    if scenery.weather.rain:
        vd = ImageDraw.Draw(view, "RGBA")
        for _ in range(int((x1 - x0) * (y1 - y0) / (14 * u * u))):
            x, y = stage.rng.uniform(0, x1 - x0), stage.rng.uniform(0, y1 - y0)
            vd.line([(x, y), (x - 0.6 * u, y + 3 * u)], fill=(210, 220, 240, 110), width=stroke(0.3 * u))
    stage.img.paste(view, (int(x0), int(y0)))
    frame = stage.shade(lighten(WOOD, 0.1))
    for k in range(1, panes):
        x = x0 + (x1 - x0) * k / panes
        draw.line([(x, y0), (x, y1)], fill=frame, width=stroke(1.4 * u))
    draw.line([(x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)], fill=frame, width=stroke(1.2 * u))
    draw.rectangle((x0, y0, x1, y1), outline=frame, width=stroke(1.8 * u))
    draw.rectangle((x0 - 2 * u, y1, x1 + 2 * u, y1 + 2 * u), fill=frame, **stage.ink(0.6))


def _furnace(stage: Stage, cx: float, floor: float) -> None:
    W, H, u, draw = stage.W, stage.H, stage.u, stage.draw
    w, top = 0.26 * W, 0.3 * H
    brick = stage.shade(mix((166, 84, 62), stage.pal(1), 0.15))
    draw.rectangle((cx - 0.03 * W, 0, cx + 0.03 * W, top), fill=darken(brick, 0.15), **stage.ink(0.7))
    radius = w * 0.3
    draw.rounded_rectangle((cx - w / 2, top, cx + w / 2, floor + 3 * u), radius=radius, fill=brick, **stage.ink())
    for row in range(int((floor - top) / (3 * u))):
        y = top + 3 * u + row * 3 * u
        into = max(0.0, radius - (y - top)) if y - top < radius else max(0.0, y - (floor + 3 * u - radius))
        inset = radius - math.sqrt(max(0.0, radius ** 2 - into ** 2)) + 1.5 * u
        draw.line([(cx - w / 2 + inset, y), (cx + w / 2 - inset, y)], fill=darken(brick, 0.2), width=stroke(0.35 * u))
        for x in np.arange(cx - w / 2 + inset + (row % 2) * 3 * u, cx + w / 2 - inset - u, 6 * u):
            draw.line([(x, y), (x, y + 3 * u)], fill=darken(brick, 0.2), width=stroke(0.35 * u))
    mouth = (cx - 0.065 * W, floor - 0.17 * H, cx + 0.065 * W, floor - 0.01 * H)
    draw.rounded_rectangle(mouth, radius=0.06 * W, fill=(255, 120, 40), **stage.ink())
    for k, colour in enumerate(((255, 168, 60), (255, 214, 110), (255, 246, 200))):
        shrink = (k + 1) * 1.8 * u
        draw.rounded_rectangle((mouth[0] + shrink, mouth[1] + shrink * 1.3, mouth[2] - shrink,
                                mouth[3] - shrink * 0.3), radius=0.05 * W, fill=colour)
    glow(stage.img, (cx, (mouth[1] + mouth[3]) / 2), 0.55 * H, (255, 150, 60), 0.45)


def paint_sparks(stage: Stage, cx: float, cy: float, spread: float) -> None:
    """Sparks flying up from the furnace, drawn over the cast."""
    for _ in range(40):
        x, y = cx + stage.rng.normal(0, spread), cy - abs(stage.rng.normal(0, spread * 1.2))
        r = stage.rng.uniform(0.2, 0.6) * stage.u
        stage.draw.ellipse(box(x, y, r), fill=(255, int(stage.rng.uniform(170, 240)), 90, 230))


def _fireplace(stage: Stage, cx: float, floor: float) -> None:
    u, draw = stage.u, stage.draw
    stone = stage.shade(STONE)
    draw.rectangle((cx - 16 * u, floor - 24 * u, cx + 16 * u, floor + 2 * u), fill=stone, **stage.ink())
    draw.rectangle((cx - 19 * u, floor - 27 * u, cx + 19 * u, floor - 24 * u), fill=stage.shade(WOOD), **stage.ink())
    draw.rounded_rectangle((cx - 10 * u, floor - 16 * u, cx + 10 * u, floor + 1 * u), radius=5 * u, fill=(40, 26, 24),
                           **stage.ink())
    for k, colour in enumerate(((240, 100, 40), (255, 170, 60), (255, 230, 140))):
        s = 1 - 0.28 * k
        draw.polygon([(cx - 7 * u * s, floor), (cx - 3 * u * s, floor - 11 * u * s), (cx, floor - 7 * u * s),
                      (cx + 3 * u * s, floor - 13 * u * s), (cx + 7 * u * s, floor)], fill=colour)
    glow(stage.img, (cx, floor - 6 * u), 45 * u, (255, 160, 70), 0.4)


def _stairs(stage: Stage, cx: float, floor: float, side: int) -> None:
    """A flight of stone steps climbing the wall from the floor into the shadows above, with a wooden banister."""
    u, draw, W = stage.u, stage.draw, stage.W
    stone = stage.shade(mix(STONE, stage.pal(3), 0.15))
    steps, top = 11, 0.06 * stage.H
    rise, run = (floor - top) / steps, 0.036 * W * side
    x0 = cx - side * 0.14 * W  # the first step, nearest the middle of the room
    profile = [(x0, floor)]
    for k in range(steps):
        x, y = x0 + k * run, floor - k * rise
        profile += [(x, y - rise), (x + run, y - rise)]
    end_x = x0 + steps * run
    profile += [(end_x, top - rise * 2), (end_x + side * 0.2 * W, top - rise * 2), (end_x + side * 0.2 * W, floor),
                (x0, floor)]
    draw.polygon(profile, fill=stone, **stage.ink())
    draw.polygon([(x0, floor), (end_x, top - rise), (end_x, top + 3 * rise), (x0 + 3 * run, floor)],
                 fill=darken(stone, 0.15))
    for k in range(steps):
        x, y = x0 + k * run, floor - (k + 1) * rise
        draw.line([(x, y), (x + run, y)], fill=lighten(stone, 0.3), width=stroke(0.9 * u))
        draw.line([(x + run * 0.5, y), (x + run * 0.5, y - 10 * u)], fill=stage.shade(WOOD), width=stroke(0.7 * u))
    rail = [(x0 + run * 0.5, floor - rise - 10 * u), (end_x - run * 0.5, top - 10 * u)]
    draw.line(rail, fill=stage.shade(darken(WOOD, 0.1)), width=stroke(1.6 * u))


def _workbench(stage: Stage, cx: float, floor: float, glass: bool) -> None:
    """A bench with glass vessels (a workshop) or a table with a pot and mugs (a kitchen)."""
    u, draw, rng = stage.u, stage.draw, stage.rng
    wood = stage.shade(WOOD)
    top = floor - 14 * u
    draw.rectangle((cx - 18 * u, top, cx + 18 * u, top + 2.4 * u), fill=wood, **stage.ink())
    for lx in (cx - 16 * u, cx + 14 * u):
        draw.rectangle((lx, top + 2.4 * u, lx + 2 * u, floor + 4 * u), fill=darken(wood, 0.15), **stage.ink(0.6))
    if not glass:
        pot = stage.shade((70, 70, 78))
        draw.chord((cx - 8 * u, top - 11 * u, cx + 4 * u, top + 1 * u), 0, 180, fill=pot, **stage.ink(0.7))
        draw.rectangle((cx - 8.5 * u, top - 6 * u, cx + 4.5 * u, top - 4.8 * u), fill=lighten(pot, 0.2),
                       **stage.ink(0.5))
        for k, mx in enumerate((cx + 8 * u, cx + 13 * u)):
            colour = stage.shade(lighten(stage.pal(k), 0.2))
            draw.rounded_rectangle((mx - 1.8 * u, top - 4.5 * u, mx + 1.8 * u, top), radius=0.6 * u, fill=colour,
                                   **stage.ink(0.5))
            draw.arc((mx + 1 * u, top - 3.6 * u, mx + 3.6 * u, top - 1 * u), 270, 90, fill=stage.shade(INK),
                     width=stroke(0.5 * u))
        for k in range(3):  # steam
            sx = cx - 2 * u + (k - 1) * 2.5 * u
            draw.arc((sx - 1.2 * u, top - 17 * u, sx + 1.2 * u, top - 12 * u), 90, 270, fill=(255, 255, 255, 110),
                     width=stroke(0.5 * u))
        return
    x = cx - 14 * u
    for k in range(5):  # glass vessels
        colour = stage.shade(lighten(stage.pal(k), 0.35))
        h, w = rng.uniform(4, 8) * u, rng.uniform(2, 3.2) * u
        draw.rounded_rectangle((x, top - h, x + w, top), radius=w * 0.45, fill=rgba(colour, 210), **stage.ink(0.5))
        draw.rectangle((x + w * 0.3, top - h - 1.6 * u, x + w * 0.7, top - h + 0.5 * u), fill=rgba(colour, 210),
                       **stage.ink(0.4))
        draw.line([(x + w * 0.25, top - h * 0.8), (x + w * 0.25, top - h * 0.3)], fill=(255, 255, 255, 160),
                  width=stroke(0.5 * u))
        x += w + rng.uniform(1.5, 3) * u


def _shelves(stage: Stage, x0: float, x1: float, ys: tuple[float, ...]) -> None:
    u, draw, rng = stage.u, stage.draw, stage.rng
    wood = stage.shade(WOOD)
    for y in ys:
        draw.rectangle((x0, y, x1, y + 1.4 * u), fill=wood, **stage.ink(0.6))
        x = x0 + 1.5 * u
        while x < x1 - 4 * u:
            h, w = rng.uniform(3, 6.5) * u, rng.uniform(1.6, 3.2) * u
            colour = stage.shade(stage.pal(int(rng.integers(0, 6))))
            if rng.uniform() < 0.5:
                draw.rectangle((x, y - h, x + w, y), fill=colour, **stage.ink(0.4))
            else:
                draw.rounded_rectangle((x, y - h, x + w * 1.3, y), radius=w * 0.5, fill=lighten(colour, 0.2),
                                       **stage.ink(0.4))
            x += w * 1.4 + rng.uniform(0.3, 1.5) * u


def _bed(stage: Stage, cx: float, floor: float) -> None:
    u, draw = stage.u, stage.draw
    wood, sheet = stage.shade(WOOD), stage.shade(lighten(stage.pal(1), 0.2))
    draw.rounded_rectangle((cx - 20 * u, floor - 22 * u, cx - 17 * u, floor + 4 * u), radius=u, fill=wood,
                           **stage.ink())
    draw.rectangle((cx - 18 * u, floor - 8 * u, cx + 20 * u, floor + 3 * u), fill=wood, **stage.ink())
    draw.rounded_rectangle((cx - 16 * u, floor - 15 * u, cx - 6 * u, floor - 8 * u), radius=2 * u,
                           fill=stage.shade((246, 244, 236)), **stage.ink(0.6))
    draw.rounded_rectangle((cx - 8 * u, floor - 12 * u, cx + 20 * u, floor - 4 * u), radius=2 * u, fill=sheet,
                           **stage.ink(0.7))


def _lens(stage: Stage, cx: float, cy: float, scenery: Scenery) -> None:
    u, draw = stage.u, stage.draw
    lit = scenery.lamp_lit and stage.light.dark
    brass = stage.shade(COLOURS["brass"])
    draw.rectangle((cx - 4 * u, cy + 16 * u, cx + 4 * u, cy + 34 * u), fill=brass, **stage.ink())
    if lit:
        glow(stage.img, (cx, cy), 40 * u, (255, 236, 160), 0.7)
        for s in (-1, 1):  # the beam, out through the glass
            draw.polygon([(cx, cy - 4 * u), (cx + s * 0.6 * stage.W, cy - 16 * u),
                          (cx + s * 0.6 * stage.W, cy + 6 * u)], fill=(255, 244, 190, 60))
    glass = (255, 238, 170) if lit else stage.shade((176, 214, 226))
    draw.ellipse(box(cx, cy, 12 * u, 18 * u), fill=glass, outline=brass, width=stroke(1.6 * u))
    for k in range(1, 4):
        draw.ellipse(box(cx, cy, 12 * u * k / 4, 18 * u * k / 4), outline=darken(glass, 0.2), width=stroke(0.5 * u))


def paint_interior(stage: Stage, scenery: Scenery, outside: Light) -> dict[str, Any]:
    """Walls, a window onto the time of day, the floor, and the room's things."""
    whole = {"cave": paint_cave, "greenhouse": paint_greenhouse, "garage": paint_garage, **VEHICLES}.get(scenery.room)
    if whole is not None:
        return whole(stage, scenery, outside)
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    things, side = scenery.things, stage.side
    floor = 0.64 * H
    stone = "stone" in things
    wall = stage.shade(mix(STONE, lighten(stage.pal(3), 0.3), 0.35) if stone else mix(lighten(stage.pal(0), 0.55),
            WALLS.get(scenery.room, (230, 214, 188)), 0.5 if scenery.room not in WALLS else 0.85))
    stage.img.paste(gradient((W, int(floor)), darken(wall, 0.18), wall), (0, 0))
    if stone:
        for row in range(int(floor / (6 * u)) + 1):
            y = row * 6 * u
            draw.line([(0, y), (W, y)], fill=darken(wall, 0.16), width=stroke(0.4 * u))
            for x in np.arange((row % 2) * 6 * u, W, 12 * u):
                draw.line([(x, y), (x, y + 6 * u)], fill=darken(wall, 0.16), width=stroke(0.4 * u))
    else:
        for x in np.arange(0, W, 6 * u):
            draw.line([(x, 0), (x, floor)], fill=rgba(lighten(wall, 0.3), 40), width=stroke(1.4 * u))
        draw.rectangle((0, floor - 16 * u, W, floor), fill=stage.shade(mix(WOOD, stage.pal(1), 0.2)))
        draw.line([(0, floor - 16 * u), (W, floor - 16 * u)], fill=stage.shade(INK), width=stroke(stage.line))
    if scenery.room == "cabin":
        log_walls(stage, floor, wall)
        if not any(t in things for t in ("furnace", "stairs", "bed")):
            things = things | {"fire"}  # a cabin has a hearth
    big = next((t for t in ("furnace", "fire", "stairs", "bed") if t in things), None)
    big_x = (0.2 if side < 0 else 0.8) * W
    other_x = (0.8 if side < 0 else 0.2) * W
    if "lens" in things:
        _window(stage, (0.04 * W, 0.08 * H, 0.96 * W, 0.46 * H), scenery, outside, panes=5)
    elif scenery.room not in NO_WINDOW:
        wx = other_x if big or scenery.room in {"kitchen", "school"} else 0.5 * W + side * 0.18 * W
        _window(stage, (wx - 0.09 * W, 0.1 * H, wx + 0.09 * W, 0.4 * H), scenery, outside)
        curtain = stage.shade(stage.pal(1))
        for s in (-1, 1):
            edge = wx + s * 0.1 * W
            draw.polygon([(edge, 0.07 * H), (edge - s * 0.04 * W, 0.07 * H), (edge - s * 0.01 * W, 0.46 * H),
                          (edge + s * 0.015 * W, 0.46 * H)], fill=curtain, **stage.ink(0.6))
        draw.rectangle((wx - 0.13 * W, 0.06 * H, wx + 0.13 * W, 0.075 * H), fill=stage.shade(WOOD), **stage.ink(0.5))
    floor_colour = stage.shade(mix(STONE, WOOD, 0.2) if stone else WOOD)
    stage.img.paste(gradient((W, int(H - floor)), lighten(floor_colour, 0.05), darken(floor_colour, 0.3)),
                    (0, int(floor)))
    for row in range(8):
        y = floor + (H - floor) * ((row + 1) / 9) ** 1.3
        draw.line([(0, y), (W, y)], fill=darken(floor_colour, 0.25), width=stroke(0.4 * u))
        for x in rng.uniform(0, W, 3):
            draw.line([(x, y), (x, y + (H - floor) / 9)], fill=darken(floor_colour, 0.25), width=stroke(0.4 * u))
    draw.line([(0, floor), (W, floor)], fill=stage.shade(INK), width=stroke(stage.line))
    furnish(stage, scenery.room, floor, big_x, other_x, busy=big is not None)
    if scenery.room in WALLS:
        furnish_public(stage, scenery.room, floor, big_x, other_x)
    if "workbench" in things or "table" in things:
        _workbench(stage, other_x if big else 0.5 * W - side * 0.3 * W, floor + 4 * u, glass="workbench" in things)
    elif "shelves" in things:
        _shelves(stage, other_x - 15 * u, other_x + 15 * u, (0.48 * H,))
    if "lens" in things:
        _lens(stage, 0.5 * W, 0.3 * H, scenery)
    if big == "furnace":
        _furnace(stage, big_x, floor)
    elif big == "fire":
        _fireplace(stage, big_x, floor)
    elif big == "stairs":
        _stairs(stage, big_x, floor + 4 * u, side)
    elif big == "bed":
        _bed(stage, big_x, floor + 8 * u)
    if outside.dark and big not in ("furnace",
                                    "fire") and "lens" not in things:  # a hanging oil lamp lights the room at night
        lx = 0.5 * W - side * 0.06 * W
        draw.line([(lx, 0), (lx, 0.1 * H)], fill=stage.shade(INK), width=stroke(0.4 * u))
        draw.rounded_rectangle((lx - 1.8 * u, 0.1 * H, lx + 1.8 * u, 0.1 * H + 4.5 * u), radius=1.5 * u,
                               fill=(255, 226, 140), **stage.ink(0.5))
        glow(stage.img, (lx, 0.1 * H + 2 * u), 0.5 * H, (255, 214, 140), 0.35)
    return {"stand": 0.76 * H, "side": side,
            "sparks": (big_x, floor - 0.09 * H) if "sparks" in things and big == "furnace" else None}
