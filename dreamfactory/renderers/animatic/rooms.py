"""More rooms: a cave, a greenhouse and a garage drawn whole; a kitchen, cabin, classroom, castle hall and living
room furnished on `interior.paint_interior`'s walls and floor."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from .paint import INK, RGB, ROCK, WOOD, box, darken, glow, gradient, lighten, mix, rgba, stroke
from .sky import sky_image
from .stage import Light, Stage
from .words import Scenery

FLOOR = 0.64  # where the back wall meets the floor, as a share of the height


def paint_cave(stage: Stage, scenery: Scenery, outside: Light) -> dict[str, Any]:
    """Dark rock all round, the bright mouth of the cave on one side, stalactites and a rocky floor."""
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    rock = stage.shade(mix(ROCK, (70, 60, 58), 0.5))
    stage.img.paste(gradient((W, H), darken(rock, 0.45), darken(rock, 0.15)))
    mx = (0.5 + stage.side * 0.3) * W
    mouth = [(mx + 16 * u * math.cos(a) * (1 + 0.1 * math.sin(5 * a)), 0.5 * H - 22 * u * math.sin(a))
             for a in np.linspace(0, math.pi, 16)]
    view = sky_image((W, H), outside, scenery.weather, stage.rng, u)
    mask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mask).polygon(mouth + [(mx - 16 * u, 0.64 * H), (mx + 16 * u, 0.64 * H)], fill=255)
    stage.img.paste(view, (0, 0), mask)
    if not outside.dark:
        glow(stage.img, (mx, 0.5 * H), 0.45 * H, lighten(outside.ambient, 0.3), 0.4)
    for _ in range(14):  # stalactites
        x, length = rng.uniform(0, W), rng.uniform(6, 18) * u
        w = rng.uniform(1.5, 3.5) * u
        draw.polygon([(x - w, 0), (x + w, 0), (x, length)], fill=lighten(rock, 0.1), **stage.ink(0.5))
    floor = FLOOR * H
    points = [(x, floor + rng.uniform(-2, 2) * u) for x in np.linspace(0, W, 24)]
    draw.polygon(points + [(W, H), (0, H)], fill=darken(rock, 0.05))
    stage.img.paste(gradient((W, int(H - floor - 3 * u)), darken(rock, 0.05), darken(rock, 0.4)),
                    (0, int(floor + 3 * u)))
    for _ in range(7):
        x, y, r = rng.uniform(0, W), rng.uniform(floor + 4 * u, H), rng.uniform(2, 6) * u
        draw.ellipse(box(x, y, r * 1.4, r * 0.7), fill=lighten(rock, 0.08), **stage.ink(0.5))
    return {"stand": 0.76 * H, "side": stage.side}


def paint_greenhouse(stage: Stage, scenery: Scenery, outside: Light) -> dict[str, Any]:
    """Glass walls onto the sky in white frames, a bench of potted plants and hanging greenery."""
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    floor = FLOOR * H
    stage.img.paste(sky_image((W, int(floor)), outside, scenery.weather, rng, u))
    draw.rectangle((0, 0, W, floor), fill=rgba((220, 240, 230), 50))
    frame = stage.shade((244, 244, 240))
    for x in np.arange(0, W + 1, 14 * u):
        draw.line([(x, 0), (x, floor)], fill=frame, width=stroke(1.2 * u))
    for y in (0.2 * H, 0.42 * H):
        draw.line([(0, y), (W, y)], fill=frame, width=stroke(1.0 * u))
    tiles = stage.shade((184, 150, 120))
    stage.img.paste(gradient((W, int(H - floor)), tiles, darken(tiles, 0.3)), (0, int(floor)))
    for row in range(6):
        y = floor + (H - floor) * ((row + 1) / 7) ** 1.3
        draw.line([(0, y), (W, y)], fill=darken(tiles, 0.2), width=stroke(0.4 * u))
    bench = stage.shade(WOOD)
    top = floor - 4 * u
    draw.rectangle((0, top, W, top + 2.4 * u), fill=bench, **stage.ink(0.7))
    for x in np.arange(6 * u, W, 30 * u):
        draw.rectangle((x, top + 2.4 * u, x + 1.6 * u, floor + 6 * u), fill=darken(bench, 0.2))
    for x in np.arange(5 * u, W, 11 * u):
        pot = stage.shade((196, 104, 64))
        draw.polygon([(x - 3 * u, top), (x + 3 * u, top), (x + 3.6 * u, top - 5 * u), (x - 3.6 * u, top - 5 * u)],
                     fill=pot, **stage.ink(0.5))
        green = stage.shade(mix((60, 140, 70), stage.pal(2), 0.15))
        for k in range(5):
            a = math.pi * (0.15 + 0.7 * k / 4)
            draw.ellipse(box(x + 5 * u * math.cos(a), top - 7 * u - 5 * u * math.sin(a), 2.4 * u, 1.4 * u),
                         fill=lighten(green, 0.1 * (k % 2)), **stage.ink(0.3))
        if rng.uniform() < 0.5:
            draw.ellipse(box(x, top - 12 * u, 1.5 * u), fill=stage.shade(stage.pal(int(rng.integers(0, 6)))))
    for x in (0.25 * W, 0.75 * W):  # hanging baskets
        draw.line([(x, 0), (x, 0.12 * H)], fill=stage.shade(INK), width=stroke(0.3 * u))
        for k in range(6):
            draw.line([(x + (k - 2.5) * 1.5 * u, 0.14 * H),
                       (x + (k - 2.5) * 2.2 * u, 0.14 * H + rng.uniform(6, 12) * u)],
                      fill=stage.shade((70, 140, 70)), width=stroke(0.8 * u))
        draw.chord(box(x, 0.13 * H, 5 * u, 3 * u), 0, 180, fill=stage.shade((160, 110, 60)), **stage.ink(0.4))
    return {"stand": 0.76 * H, "side": stage.side}


def paint_garage(stage: Stage, scenery: Scenery, outside: Light) -> dict[str, Any]:
    """Grey block walls, a roll-up door, a pegboard of tools, tyres and a concrete floor with an oil stain."""
    W, H, u, draw = stage.W, stage.H, stage.u, stage.draw
    floor = FLOOR * H
    wall = stage.shade(mix((170, 172, 176), stage.pal(3), 0.1))
    stage.img.paste(gradient((W, int(floor)), darken(wall, 0.2), wall))
    for row in range(int(floor / (5 * u)) + 1):
        y = row * 5 * u
        draw.line([(0, y), (W, y)], fill=darken(wall, 0.1), width=stroke(0.3 * u))
    dx = (0.5 + stage.side * 0.27) * W
    door = stage.shade((206, 208, 212))
    draw.rectangle((dx - 22 * u, 0.14 * H, dx + 22 * u, floor), fill=door, **stage.ink())
    for k in range(1, 12):
        y = 0.14 * H + k * (floor - 0.14 * H) / 12
        draw.line([(dx - 22 * u, y), (dx + 22 * u, y)], fill=darken(door, 0.2), width=stroke(0.5 * u))
    draw.rectangle((dx - 3 * u, floor - 4 * u, dx + 3 * u, floor - 2.6 * u), fill=stage.shade(INK))
    bx = (0.5 - stage.side * 0.25) * W
    board = stage.shade((190, 150, 110))
    draw.rectangle((bx - 18 * u, 0.16 * H, bx + 18 * u, 0.42 * H), fill=board, **stage.ink(0.7))
    metal, handle = stage.shade((150, 156, 166)), stage.shade((200, 60, 50))
    tools = 0
    for x in np.arange(bx - 14 * u, bx + 15 * u, 7 * u):
        kind = tools % 3
        if kind == 0:  # a hammer
            draw.rectangle((x - 0.6 * u, 0.22 * H, x + 0.6 * u, 0.36 * H), fill=stage.shade(WOOD))
            draw.rectangle((x - 2.5 * u, 0.2 * H, x + 2.5 * u, 0.23 * H), fill=metal, **stage.ink(0.4))
        elif kind == 1:  # a spanner
            draw.line([(x, 0.21 * H), (x, 0.36 * H)], fill=metal, width=stroke(1.3 * u))
            draw.ellipse(box(x, 0.21 * H, 1.8 * u), fill=metal, **stage.ink(0.4))
        else:  # a screwdriver
            draw.rectangle((x - 1 * u, 0.2 * H, x + 1 * u, 0.27 * H), fill=handle, **stage.ink(0.4))
            draw.line([(x, 0.27 * H), (x, 0.37 * H)], fill=metal, width=stroke(0.6 * u))
        tools += 1
    concrete = stage.shade((150, 150, 152))
    stage.img.paste(gradient((W, int(H - floor)), concrete, darken(concrete, 0.3)), (0, int(floor)))
    draw.line([(0, floor), (W, floor)], fill=stage.shade(INK), width=stroke(stage.line))
    draw.ellipse(box(0.5 * W, 0.9 * H, 16 * u, 2.5 * u), fill=rgba((40, 40, 48), 90))
    tx = bx + 24 * u * (1 if stage.side < 0 else -1)
    for k in range(3):
        y = floor + 2 * u - k * 5.5 * u
        draw.ellipse(box(tx, y, 7 * u, 3 * u), fill=stage.shade((46, 44, 48)), **stage.ink(0.6))
        draw.ellipse(box(tx, y - 0.4 * u, 3 * u, 1.2 * u), fill=stage.shade((90, 90, 96)))
    if outside.dark:
        glow(stage.img, (0.5 * W, 0.05 * H), 0.5 * H, (240, 244, 255), 0.3)
        draw.rectangle((0.4 * W, 0.03 * H, 0.6 * W, 0.045 * H), fill=(246, 248, 255), **stage.ink(0.4))
    return {"stand": 0.76 * H, "side": stage.side}


def log_walls(stage: Stage, floor: float, wall: RGB) -> None:
    """A cabin's walls: logs laid one on another, their ends round at the corners."""
    u, draw = stage.u, stage.draw
    wood = stage.shade(mix(WOOD, (130, 88, 54), 0.5))
    stage.img.paste(gradient((stage.W, int(floor)), darken(wood, 0.25), wood))
    for y in np.arange(0, floor, 5 * u):
        draw.line([(0, y), (stage.W, y)], fill=darken(wood, 0.35), width=stroke(0.6 * u))
        draw.line([(0, y + 1.2 * u), (stage.W, y + 1.2 * u)], fill=rgba(lighten(wood, 0.2), 90), width=stroke(0.5 * u))


def furnish(stage: Stage, room: str, floor: float, big_x: float, other_x: float, busy: bool) -> None:
    """What makes the room this room: a stove, a blackboard and desks, banners, an armchair and rug."""
    W, H, u, draw = stage.W, stage.H, stage.u, stage.draw
    if room == "kitchen" and not busy:
        steel = stage.shade((220, 222, 226))
        draw.rectangle((big_x - 12 * u, floor - 18 * u, big_x + 12 * u, floor + 4 * u), fill=steel, **stage.ink())
        draw.rectangle((big_x - 9 * u, floor - 10 * u, big_x + 9 * u, floor + 1 * u), fill=stage.shade((60, 60, 68)),
                       **stage.ink(0.6))
        for k in (-6, 6):
            draw.ellipse(box(big_x + k * u, floor - 18.5 * u, 4 * u, 1.2 * u), fill=stage.shade((50, 50, 56)))
        cupboard = stage.shade(lighten(stage.pal(3), 0.2))
        for k in range(3):
            x = big_x - 18 * u + k * 12 * u
            draw.rectangle((x, 0.08 * H, x + 12 * u, 0.3 * H), fill=cupboard, **stage.ink(0.7))
            draw.ellipse(box(x + 10 * u, 0.26 * H, 0.8 * u), fill=stage.shade(INK))
    elif room == "school":
        board = stage.shade((46, 74, 60))
        bx = big_x
        draw.rectangle((bx - 22 * u, 0.1 * H, bx + 22 * u, 0.4 * H), fill=board, outline=stage.shade(WOOD),
                       width=stroke(1.4 * u))
        chalk = (236, 240, 236)
        for k, text_w in enumerate((24, 18, 28)):
            y = 0.16 * H + k * 6 * u
            draw.line([(bx - 18 * u, y), (bx - 18 * u + text_w * u, y)], fill=chalk, width=stroke(0.6 * u))
        draw.text((bx + 10 * u, 0.14 * H), "ABC", fill=chalk)
        for k, x in enumerate((0.2 * W, 0.5 * W, 0.8 * W)):
            desk = stage.shade(lighten(WOOD, 0.15))
            draw.rectangle((x - 10 * u, floor + 18 * u, x + 10 * u, floor + 20 * u), fill=desk, **stage.ink(0.6))
            for lx in (x - 9 * u, x + 8 * u):
                draw.rectangle((lx, floor + 20 * u, lx + 1.2 * u, floor + 30 * u), fill=darken(desk, 0.3))
    elif room == "hall":
        for x in (0.3 * W, 0.7 * W):
            colour = stage.shade(stage.pal(2 if x < 0.5 * W else 1))
            draw.polygon([(x - 5 * u, 0.06 * H), (x + 5 * u, 0.06 * H), (x + 5 * u, 0.4 * H), (x, 0.36 * H),
                          (x - 5 * u, 0.4 * H)], fill=colour, **stage.ink(0.6))
            draw.ellipse(box(x, 0.18 * H, 2.4 * u), fill=stage.shade((230, 190, 70)), **stage.ink(0.4))
    elif room in {"home", "room"} and not busy:
        rug = stage.shade(lighten(stage.pal(2), 0.2))
        draw.ellipse(box(0.5 * W, floor + 20 * u, 30 * u, 6 * u), fill=rug, **stage.ink(0.6))
        chair = stage.shade(darken(stage.pal(1), 0.05))
        draw.rounded_rectangle((big_x - 10 * u, floor - 14 * u, big_x + 10 * u, floor + 6 * u), radius=3 * u,
                               fill=chair, **stage.ink())
        for s in (-1, 1):
            draw.rounded_rectangle((big_x + s * 10 * u - 3 * u, floor - 6 * u, big_x + s * 10 * u + 3 * u,
                                    floor + 6 * u), radius=2 * u, fill=lighten(chair, 0.1), **stage.ink(0.7))
        draw.rectangle((big_x - 7 * u, floor - 2 * u, big_x + 7 * u, floor + 2 * u), fill=lighten(chair, 0.15),
                       **stage.ink(0.5))
        frame_x = other_x
        draw.rectangle((frame_x - 6 * u, 0.14 * H, frame_x + 6 * u, 0.26 * H), fill=stage.shade(WOOD), **stage.ink(0.6))
        draw.rectangle((frame_x - 4.5 * u, 0.155 * H, frame_x + 4.5 * u, 0.245 * H),
                       fill=stage.shade(lighten(stage.pal(0), 0.3)))


# Rooms of public life, furnished on the same walls and floor: what each room's wall is painted, and its things.
WALLS: dict[str, RGB] = {"hospital": (214, 236, 226), "museum": (150, 60, 60), "office": (226, 228, 232),
                         "shop": (236, 222, 196), "church": (200, 192, 176), "cellar": (120, 112, 104),
                         "library": (196, 170, 140)}
NO_WINDOW = {"museum", "cellar", "church"}  # lit from above or by lamps; a church has its own stained glass


def furnish_public(stage: Stage, room: str, floor: float, big_x: float, other_x: float) -> None:
    """A shop's counter and goods, a gallery's paintings and plinth, a ward's bed and drip, an office's desks and
    screens, a church's stained glass and pews, a cellar's barrels."""
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    if room in ("shop", "library"):
        for y in (0.2 * H, 0.32 * H, 0.44 * H):  # shelves of goods (or books) along the wall
            draw.rectangle((0.05 * W, y, 0.95 * W, y + 1.2 * u), fill=stage.shade(WOOD), **stage.ink(0.5))
            for x in np.arange(0.06 * W, 0.94 * W, 4.5 * u):
                colour = stage.shade(stage.pal(int(rng.integers(0, 6))))
                h = rng.uniform(4, 8) * u
                draw.rectangle((x, y - h, x + 3.4 * u, y), fill=colour, **stage.ink(0.3))
    if room == "shop":
        counter = stage.shade(mix(WOOD, stage.pal(1), 0.2))
        draw.rectangle((0.15 * W, floor - 6 * u, 0.85 * W, floor + 10 * u), fill=counter, **stage.ink())
        draw.rectangle((0.14 * W, floor - 8 * u, 0.86 * W, floor - 6 * u), fill=lighten(counter, 0.2), **stage.ink(0.6))
        draw.rectangle((big_x - 5 * u, floor - 14 * u, big_x + 5 * u, floor - 8 * u), fill=stage.shade((70, 70, 76)),
                       **stage.ink(0.6))  # the till
    if room == "museum":
        for k, x in enumerate((0.2 * W, 0.5 * W, 0.8 * W)):  # paintings in gold frames
            gold = stage.shade((214, 178, 80))
            draw.rectangle((x - 11 * u, 0.12 * H, x + 11 * u, 0.42 * H), fill=gold, **stage.ink())
            art = gradient((int(18 * u), int(0.26 * H)), stage.shade(lighten(stage.pal(k), 0.3)),
                           stage.shade(darken(stage.pal(k + 2), 0.1)))
            stage.img.paste(art, (int(x - 9 * u), int(0.14 * H)))
            draw.ellipse(box(x + (k - 1) * 3 * u, 0.26 * H, 4 * u), fill=stage.shade(stage.pal(k + 1)))
            draw.line([(x - 9 * u, 0.36 * H), (x + 9 * u, 0.33 * H)], fill=stage.shade(darken(stage.pal(k), 0.3)),
                      width=stroke(1.2 * u))
        plinth = stage.shade((236, 234, 228))
        draw.rectangle((other_x - 5 * u, floor - 10 * u, other_x + 5 * u, floor + 8 * u), fill=plinth, **stage.ink())
        draw.ellipse(box(other_x, floor - 15 * u, 4 * u, 5 * u), fill=stage.shade(stage.pal(1)), **stage.ink(0.6))
        for x in (0.3 * W, 0.7 * W):  # the rope keeping visitors back
            draw.line([(x, floor + 4 * u), (x, floor + 14 * u)], fill=stage.shade((200, 170, 70)), width=stroke(u))
        draw.arc((0.3 * W, floor + 2 * u, 0.7 * W, floor + 12 * u), 0, 180, fill=stage.shade((170, 40, 40)),
                 width=stroke(0.9 * u))
    elif room == "hospital":
        rail, sheet = stage.shade((190, 196, 204)), stage.shade((246, 248, 250))
        draw.rectangle((big_x - 22 * u, floor - 4 * u, big_x + 22 * u, floor + 4 * u), fill=sheet, **stage.ink())
        draw.rounded_rectangle((big_x - 20 * u, floor - 8 * u, big_x - 10 * u, floor - 3 * u), radius=2 * u,
                               fill=sheet, **stage.ink(0.6))
        draw.rectangle((big_x - 22 * u, floor - 12 * u, big_x - 20 * u, floor + 14 * u), fill=rail, **stage.ink(0.6))
        draw.rectangle((big_x + 20 * u, floor - 8 * u, big_x + 22 * u, floor + 14 * u), fill=rail, **stage.ink(0.6))
        draw.rectangle((big_x - 10 * u, floor - 5 * u, big_x + 22 * u, floor + 2 * u),
                       fill=stage.shade(lighten(stage.pal(0), 0.4)), **stage.ink(0.6))  # the blanket
        sx = big_x + 28 * u * (1 if big_x < 0.5 * W else -1)  # the drip stand
        draw.line([(sx, 0.2 * H), (sx, floor + 12 * u)], fill=rail, width=stroke(0.8 * u))
        draw.rounded_rectangle((sx - 2 * u, 0.2 * H, sx + 2 * u, 0.2 * H + 6 * u), radius=u,
                               fill=(230, 240, 250, 200), **stage.ink(0.4))
        draw.rectangle((other_x - 12 * u, 0.04 * H, other_x + 12 * u, 0.05 * H), fill=rail)  # the curtain rail
        for k in range(6):
            x = other_x - 12 * u + k * 4.6 * u
            draw.rectangle((x, 0.05 * H, x + 4 * u, floor - 4 * u), fill=stage.shade((150, 200, 196)))
        draw.line([(0, floor - 22 * u), (W, floor - 22 * u)], fill=stage.shade((120, 180, 170)), width=stroke(1.2 * u))
    elif room == "office":
        for x in (0.25 * W, 0.75 * W):  # desks with screens
            desk = stage.shade((200, 200, 204))
            draw.rectangle((x - 16 * u, floor - 2 * u, x + 16 * u, floor), fill=desk, **stage.ink(0.7))
            for lx in (x - 15 * u, x + 13 * u):
                draw.rectangle((lx, floor, lx + 2 * u, floor + 12 * u), fill=darken(desk, 0.3))
            draw.rectangle((x - 7 * u, floor - 14 * u, x + 7 * u, floor - 5 * u), fill=stage.shade((40, 42, 50)),
                           **stage.ink(0.6))
            draw.rectangle((x - 6 * u, floor - 13 * u, x + 6 * u, floor - 6 * u),
                           fill=stage.shade(mix((120, 180, 230), stage.pal(0), 0.2)))
            draw.rectangle((x - u, floor - 5 * u, x + u, floor - 2 * u), fill=stage.shade((40, 42, 50)))
        cab = stage.shade((150, 156, 166))
        draw.rectangle((0.5 * W - 5 * u, floor - 20 * u, 0.5 * W + 5 * u, floor + 6 * u), fill=cab, **stage.ink())
        for k in range(3):
            y = floor - 18 * u + k * 8 * u
            draw.line([(0.5 * W - 2 * u, y + 3 * u), (0.5 * W + 2 * u, y + 3 * u)], fill=darken(cab, 0.4),
                      width=stroke(0.6 * u))
        for x in np.arange(0.1 * W, W, 0.2 * W):  # strip lights
            draw.rectangle((x, 0.02 * H, x + 0.1 * W, 0.035 * H), fill=(240, 246, 255), **stage.ink(0.3))
    elif room == "church":
        cx = 0.5 * W  # a tall arched window of coloured glass
        draw.rounded_rectangle((cx - 12 * u, 0.06 * H, cx + 12 * u, 0.5 * H), radius=12 * u,
                               fill=stage.shade((70, 60, 60)), **stage.ink())
        for row in range(6):
            for col in range(4):
                colour = ((200, 50, 50), (60, 90, 200), (240, 200, 60), (60, 160, 90))[(row + col) % 4]
                x, y = cx - 10 * u + col * 5 * u, 0.12 * H + row * 6 * u
                draw.rectangle((x, y, x + 4.4 * u, y + 5.4 * u), fill=stage.shade(lighten(colour, 0.2)))
        for k in range(3):  # pews
            y = floor + 6 * u + k * 9 * u
            for s in (-1, 1):
                pew = stage.shade(darken(WOOD, 0.1))
                x0 = cx + s * 8 * u
                draw.rectangle((min(x0, x0 + s * 60 * u), y, max(x0, x0 + s * 60 * u), y + 3 * u), fill=pew,
                               **stage.ink(0.6))
    elif room == "cellar":
        for x in (big_x, other_x):  # barrels
            oak = stage.shade(darken(WOOD, 0.15))
            draw.ellipse(box(x, floor + 2 * u, 9 * u, 11 * u), fill=oak, **stage.ink())
            for dy in (-6, 6):
                draw.line([(x - 8 * u, floor + (2 + dy) * u), (x + 8 * u, floor + (2 + dy) * u)],
                          fill=stage.shade((70, 70, 76)), width=stroke(0.8 * u))
