"""More outdoor places: space, lakes and fjords, ponds, farms, towers, castles, cabins, houses, squares, rooftops.

Each painter adds its place's big thing to the stage in the scenery's light; `exterior.paint_exterior` calls them
in depth order (far water before the ground, buildings on the ground, the cast in front).
"""

from __future__ import annotations

import math

import numpy as np

from .paint import INK, RGB, SEA, STONE, WOOD, box, darken, glow, gradient, lighten, mix, rgba, stroke
from .stage import Stage
from .words import Scenery

SNOW: RGB = (238, 242, 250)
ICE: RGB = (196, 222, 238)


def paint_space(stage: Stage) -> None:
    """Black sky thick with stars, a ringed planet, a small moon, and grey cratered ground to stand on."""
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    stage.img.paste(gradient((W, H), (4, 4, 16), (26, 20, 58), 1.2))
    for _ in range(int(260 * W * H / (2560 * 1440)) + 40):
        x, y, r = rng.uniform(0, W), rng.uniform(0, 0.7 * H), rng.uniform(0.1, 0.35) * u
        draw.ellipse(box(x, y, r), fill=(255, 250, 236, int(rng.uniform(120, 255))))
    px, py, pr = (0.78 if stage.side > 0 else 0.22) * W, 0.28 * H, 16 * u
    planet = mix((210, 120, 80), stage.pal(1), 0.25)
    draw.ellipse(box(px, py, pr * 2.1, pr * 0.45), outline=(230, 210, 170), width=stroke(1.4 * u))
    draw.ellipse(box(px, py, pr), fill=planet, outline=INK, width=stroke(stage.line))
    for k in (-0.4, 0.05, 0.45):
        draw.chord(box(px, py + k * pr, pr * 0.95, pr * 0.12), 0, 360, fill=darken(planet, 0.15))
    draw.arc(box(px, py, pr * 2.1, pr * 0.45), 0, 180, fill=(230, 210, 170), width=stroke(1.4 * u))
    draw.ellipse(box((1 - px / W) * W, 0.16 * H, 4 * u), fill=(220, 220, 230))
    ground = (150, 150, 160)
    top = 0.66 * H
    points = [(x, top + 1.5 * u * math.sin(x / W * 9 + 1)) for x in np.linspace(0, W, 30)]
    draw.polygon(points + [(W, H), (0, H)], fill=ground)
    stage.img.paste(gradient((W, int(H - top - 2 * u)), ground, (80, 80, 92)), (0, int(top + 2 * u)))
    for _ in range(9):
        x, y = rng.uniform(0, W), rng.uniform(top + 4 * u, H)
        r = (2 + 6 * (y - top) / (H - top)) * u
        draw.ellipse(box(x, y, r, r * 0.35), fill=(110, 110, 122), outline=(90, 90, 100), width=stroke(0.4 * u))


def paint_water_body(stage: Stage, scenery: Scenery, horizon: float, shore: float, frozen: bool) -> None:
    """A lake or a fjord from the far shore to the near one; frozen, it is ice with cracks and drifts of snow."""
    W, u, draw, rng = stage.W, stage.u, stage.draw, stage.rng
    if frozen:
        far, near = stage.shade(lighten(ICE, 0.3), 0.4), stage.shade(ICE, 0.1)
    else:
        far, near = stage.shade(mix(SEA, stage.light.haze, 0.35), 0.4), stage.shade(darken(SEA, 0.2))
    stage.img.paste(gradient((W, int(shore - horizon) + 1), far, near), (0, int(horizon)))
    for _ in range(24):
        x, y = rng.uniform(0, W), rng.uniform(horizon + u, shore)
        length = (3 + 9 * (y - horizon) / max(1.0, shore - horizon)) * u
        if frozen:
            points = [(x, y)]
            for _ in range(3):
                x, y = x + rng.uniform(0.3, 1) * length / 2, y + rng.uniform(-0.6, 0.6) * u
                points.append((x, y))
            draw.line(points, fill=rgba(darken(ICE, 0.3), 160), width=stroke(0.35 * u))
        else:
            draw.line([(x, y), (x + length, y)], fill=rgba(lighten(near, 0.4), 130), width=stroke(0.4 * u))
    if frozen:
        for _ in range(6):
            x, y = rng.uniform(0, W), rng.uniform(horizon + 2 * u, shore)
            draw.ellipse(box(x, y, rng.uniform(4, 10) * u, rng.uniform(0.6, 1.4) * u), fill=stage.shade(SNOW, 0.1))
    elif stage.light.body:
        bx = stage.light.body_at[0] * W
        for k in range(10):
            y = horizon + (shore - horizon) * (k + 0.5) / 10
            draw.line([(bx - (1 + k * 0.4) * u, y), (bx + (1 + k * 0.4) * u, y)],
                      fill=rgba(stage.light.body_colour, 120), width=stroke(0.35 * u))


def paint_pond(stage: Stage, cx: float, cy: float, rx: float) -> None:
    """An oval pond in the grass with lily pads and reeds."""
    u, draw, rng = stage.u, stage.draw, stage.rng
    water = stage.shade(mix(SEA, (60, 120, 110), 0.4))
    draw.ellipse(box(cx, cy, rx * 1.03, rx * 0.24), fill=stage.shade((110, 96, 70)))
    draw.ellipse(box(cx, cy, rx, rx * 0.22), fill=water, **stage.ink(0.6))
    draw.arc(box(cx, cy - 0.05 * rx, rx * 0.7, rx * 0.12), 200, 340, fill=rgba(lighten(water, 0.4), 160),
             width=stroke(0.5 * u))
    for _ in range(5):
        x, y = cx + rng.uniform(-0.7, 0.7) * rx, cy + rng.uniform(-0.12, 0.12) * rx
        draw.pieslice(box(x, y, 2.4 * u, 0.8 * u), 30, 350, fill=stage.shade((80, 150, 80)))
    for s in (-1, 1):
        for k in range(5):
            x = cx + s * (rx * 0.9 + k * 1.2 * u)
            draw.line([(x, cy), (x + s * 0.8 * u, cy - rng.uniform(6, 10) * u)], fill=stage.shade((70, 120, 60)),
                      width=stroke(0.5 * u))
            if k % 2 == 0:
                draw.ellipse(box(x + s * 0.7 * u, cy - 8 * u, 0.6 * u, 1.8 * u), fill=stage.shade((110, 76, 46)))


def _roof(stage: Stage, x0: float, x1: float, eave: float, peak: float, colour: RGB, snow: bool) -> None:
    u = stage.u
    stage.draw.polygon([(x0 - 2 * u, eave), ((x0 + x1) / 2, peak), (x1 + 2 * u, eave)],
                       fill=stage.shade(SNOW if snow else colour), **stage.ink(0.8))


def _lit_window(stage: Stage, x: float, y: float, w: float, h: float) -> None:
    lit = stage.light.dark
    pane = (255, 214, 120) if lit else stage.shade((150, 190, 214))
    stage.draw.rectangle((x, y, x + w, y + h), fill=pane, **stage.ink(0.6))
    stage.draw.line([(x + w / 2, y), (x + w / 2, y + h)], fill=stage.shade(INK), width=stroke(stage.line * 0.5))
    if lit:
        glow(stage.img, (x + w / 2, y + h / 2), w * 2, (255, 214, 130), 0.4)


def paint_barn(stage: Stage, x: float, base: float, snow: bool) -> None:
    """A red barn with a white-crossed door, a fence along the field and rows of crops."""
    W, u, draw = stage.W, stage.u, stage.draw
    for k in range(6):  # furrows towards the horizon
        y = base + (2 + k * 2.2) * u
        draw.line([(0, y), (W, y)], fill=rgba(stage.shade((96, 120, 60) if not snow else (210, 216, 228)), 140),
                  width=stroke(0.6 * u))
    w, h = 30 * u, 18 * u
    red = stage.shade(mix((176, 48, 40), stage.pal(2), 0.15), 0.1)
    draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=red, **stage.ink(0.8))
    _roof(stage, x - w / 2, x + w / 2, base - h, base - h - 12 * u, (90, 60, 50), snow)
    dw = 8 * u
    draw.rectangle((x - dw, base - 12 * u, x + dw, base), fill=darken(red, 0.15), **stage.ink(0.6))
    for a, b in (((x - dw, base - 12 * u), (x + dw, base)), ((x + dw, base - 12 * u), (x - dw, base))):
        draw.line([a, b], fill=stage.shade((240, 236, 228)), width=stroke(1.1 * u))
    draw.rectangle((x - 2.5 * u, base - h - 6 * u, x + 2.5 * u, base - h - 1.5 * u), fill=stage.shade((240, 236, 228)),
                   **stage.ink(0.5))
    rail = stage.shade(WOOD)
    fy = base + 14 * u
    for post in np.arange(0, W + 1, 9 * u):
        draw.rectangle((post - 0.6 * u, fy - 6 * u, post + 0.6 * u, fy + 1 * u), fill=rail, **stage.ink(0.4))
    for dy in (4.5, 2):
        draw.line([(0, fy - dy * u), (W, fy - dy * u)], fill=rail, width=stroke(0.8 * u))


def paint_tower(stage: Stage, x: float, base: float, snow: bool) -> None:
    """A tall round stone tower with slit windows and a pointed roof."""
    u, draw = stage.u, stage.draw
    w, top = 11 * u, base - 52 * u
    stone = stage.shade(mix(STONE, stage.pal(3), 0.15), 0.1)
    draw.rectangle((x - w, top, x + w, base), fill=stone, **stage.ink())
    for row in range(int((base - top) / (4 * u))):
        y = top + row * 4 * u
        draw.line([(x - w, y), (x + w, y)], fill=darken(stone, 0.12), width=stroke(0.35 * u))
    for k in range(4):
        bx = x - w + k * (2 * w / 3.5)
        draw.rectangle((bx, top - 3 * u, bx + 3.2 * u, top), fill=stone, **stage.ink(0.6))
    draw.polygon([(x - w - 2 * u, top - 3 * u), (x, top - 24 * u), (x + w + 2 * u, top - 3 * u)],
                 fill=stage.shade(SNOW if snow else mix((90, 70, 110), stage.pal(1), 0.3)), **stage.ink(0.8))
    for y in (top + 12 * u, top + 28 * u):
        _lit_window(stage, x - 1.8 * u, y, 3.6 * u, 6 * u)
    draw.rounded_rectangle((x - 3.5 * u, base - 10 * u, x + 3.5 * u, base), radius=3 * u, fill=stage.shade(WOOD),
                           **stage.ink(0.6))


def paint_castle(stage: Stage, base: float, snow: bool) -> None:
    """A castle wall with battlements across the back, two towers with flags and a gate."""
    W, u, draw = stage.W, stage.u, stage.draw
    stone = stage.shade(mix(STONE, stage.pal(3), 0.2), 0.2)
    wall_top = base - 24 * u
    draw.rectangle((0.15 * W, wall_top, 0.85 * W, base), fill=stone, **stage.ink())
    for bx in np.arange(0.15 * W, 0.85 * W, 5 * u):
        draw.rectangle((bx, wall_top - 3 * u, bx + 2.6 * u, wall_top), fill=stone, **stage.ink(0.5))
    for tx in (0.15 * W, 0.85 * W):
        draw.rectangle((tx - 8 * u, base - 44 * u, tx + 8 * u, base), fill=lighten(stone, 0.05), **stage.ink())
        draw.polygon([(tx - 10 * u, base - 44 * u), (tx, base - 62 * u), (tx + 10 * u, base - 44 * u)],
                     fill=stage.shade(SNOW if snow else mix((60, 70, 130), stage.pal(1), 0.3)), **stage.ink(0.8))
        draw.line([(tx, base - 62 * u), (tx, base - 70 * u)], fill=stage.shade(INK), width=stroke(0.5 * u))
        draw.polygon([(tx, base - 70 * u), (tx + 7 * u, base - 68 * u), (tx, base - 66 * u)],
                     fill=stage.shade(stage.pal(2)))
        _lit_window(stage, tx - 2 * u, base - 36 * u, 4 * u, 6 * u)
    gx = 0.5 * W
    draw.chord((gx - 8 * u, base - 22 * u, gx + 8 * u, base - 6 * u), 180, 360, fill=stage.shade((60, 44, 36)))
    draw.rectangle((gx - 8 * u, base - 14 * u, gx + 8 * u, base), fill=stage.shade((60, 44, 36)))
    for k in range(-3, 4):
        draw.line([(gx + k * 2.2 * u, base - 20 * u), (gx + k * 2.2 * u, base)], fill=stage.shade((40, 36, 40)),
                  width=stroke(0.6 * u))


def paint_cabin(stage: Stage, x: float, base: float, snow: bool) -> None:
    """A log cabin: stacked logs, a snowy or shingled roof, a lit window at night and smoke from the chimney."""
    u, draw = stage.u, stage.draw
    w, h = 34 * u, 16 * u
    wood = stage.shade(mix(WOOD, (120, 80, 50), 0.4), 0.05)
    draw.rectangle((x + 6 * u, base - h - 16 * u, x + 10 * u, base - h), fill=stage.shade((120, 100, 90)),
                   **stage.ink(0.6))
    for k in range(4):
        sx, sy = x + 8 * u + k * 2 * u, base - h - 19 * u - k * 4 * u
        draw.ellipse(box(sx, sy, (1.6 + k * 0.6) * u), fill=rgba(stage.shade((220, 220, 226)), 160 - 30 * k))
    draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=wood, **stage.ink(0.8))
    for k in range(1, 6):
        y = base - h + k * h / 6
        draw.line([(x - w / 2, y), (x + w / 2, y)], fill=darken(wood, 0.3), width=stroke(0.5 * u))
    for ex in (x - w / 2, x + w / 2):
        for k in range(6):
            draw.ellipse(box(ex, base - h + (k + 0.5) * h / 6, 1.3 * u, h / 13), fill=lighten(wood, 0.2),
                         **stage.ink(0.3))
    _roof(stage, x - w / 2, x + w / 2, base - h, base - h - 13 * u, (110, 70, 50), snow)
    draw.rectangle((x - 12 * u, base - 11 * u, x - 5 * u, base), fill=darken(wood, 0.35), **stage.ink(0.6))
    _lit_window(stage, x + 2 * u, base - 12 * u, 7 * u, 6 * u)


def paint_house(stage: Stage, x: float, base: float, snow: bool) -> None:
    """One house with a garden fence: 'outside Grandma's house'."""
    u, draw = stage.u, stage.draw
    w, h = 30 * u, 22 * u
    wall = stage.shade(lighten(stage.pal(0), 0.5), 0.05)
    draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=wall, **stage.ink(0.8))
    _roof(stage, x - w / 2, x + w / 2, base - h, base - h - 14 * u, darken(stage.pal(2), 0.2), snow)
    draw.rectangle((x - 3.5 * u, base - 11 * u, x + 3.5 * u, base), fill=stage.shade(darken(stage.pal(1), 0.1)),
                   **stage.ink(0.6))
    for wx in (x - 12 * u, x + 6 * u):
        _lit_window(stage, wx, base - 17 * u, 6 * u, 5.5 * u)
    for post in np.arange(x - w, x + w, 3 * u):
        draw.polygon([(post, base + 3 * u), (post, base - 3 * u), (post + 1 * u, base - 4.2 * u),
                      (post + 2 * u, base - 3 * u), (post + 2 * u, base + 3 * u)], fill=stage.shade((244, 240, 232)),
                     **stage.ink(0.3))


def paint_fountain(stage: Stage, x: float, base: float) -> None:
    """A town square's round fountain."""
    u, draw = stage.u, stage.draw
    stone = stage.shade(STONE, 0.1)
    draw.ellipse(box(x, base - 2 * u, 18 * u, 3.5 * u), fill=stone, **stage.ink(0.7))
    draw.rectangle((x - 18 * u, base - 6 * u, x + 18 * u, base - 2 * u), fill=stone)
    draw.ellipse(box(x, base - 6 * u, 18 * u, 3.5 * u), fill=stage.shade(mix(SEA, (150, 200, 220), 0.5)),
                 **stage.ink(0.7))
    draw.rectangle((x - 1.5 * u, base - 16 * u, x + 1.5 * u, base - 6 * u), fill=stone, **stage.ink(0.5))
    draw.ellipse(box(x, base - 16 * u, 6 * u, 1.5 * u), fill=stone, **stage.ink(0.5))
    for s in (-1, 1):
        draw.arc((x - 4 * u + s * 4 * u, base - 22 * u, x + 4 * u + s * 4 * u, base - 10 * u), 180 if s < 0 else 270,
                 270 if s < 0 else 360, fill=(200, 230, 250), width=stroke(0.8 * u))


def paint_rooftop(stage: Stage, snow: bool) -> None:
    """A city's skyline below, and the tiled roof and chimney the cast stands on."""
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    x = 0.0
    far = stage.shade(mix((90, 96, 120), stage.pal(1), 0.3), 0.6)
    while x < W:
        w, h = rng.uniform(6, 14) * u, rng.uniform(10, 34) * u
        draw.rectangle((x, 0.66 * H - h, x + w, 0.7 * H), fill=far)
        for wy in np.arange(0.66 * H - h + 2 * u, 0.66 * H - 2 * u, 4 * u):
            for wx in np.arange(x + 1.5 * u, x + w - 2 * u, 3.5 * u):
                if rng.uniform() < (0.55 if stage.light.dark else 0.25):
                    draw.rectangle((wx, wy, wx + 1.4 * u, wy + 1.8 * u),
                                   fill=(255, 214, 120) if stage.light.dark else lighten(far, 0.25))
        x += w + rng.uniform(0.5, 2) * u
    tiles = stage.shade(SNOW if snow else mix((170, 80, 60), stage.pal(2), 0.2))
    top = 0.7 * H
    draw.polygon([(0, top + 2 * u), (W, top - 2 * u), (W, H), (0, H)], fill=tiles, **stage.ink())
    for k in range(1, 8):
        y = top + k * 4.5 * u
        draw.line([(0, y + 2 * u), (W, y - 2 * u)], fill=darken(tiles, 0.2), width=stroke(0.5 * u))
        for tx in np.arange((k % 2) * 3 * u, W, 6 * u):
            draw.line([(tx, y + 2 * u - 4 * u * tx / W), (tx, y - 2.5 * u - 4 * u * tx / W)], fill=darken(tiles, 0.2),
                      width=stroke(0.4 * u))
    cx = (0.85 if stage.side > 0 else 0.15) * W
    draw.rectangle((cx - 4 * u, top - 16 * u, cx + 4 * u, top + 2 * u), fill=stage.shade((150, 80, 60)),
                   **stage.ink(0.7))
    draw.rectangle((cx - 5 * u, top - 18 * u, cx + 5 * u, top - 15 * u), fill=stage.shade((120, 70, 56)),
                   **stage.ink(0.6))


def paint_school(stage: Stage, x: float, base: float, snow: bool) -> None:
    """A schoolhouse seen from its yard: a long building, a bell tower with a clock, rows of windows."""
    u, draw = stage.u, stage.draw
    w, h = 56 * u, 18 * u
    brick = stage.shade(mix((176, 84, 62), stage.pal(1), 0.15), 0.1)
    draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=brick, **stage.ink(0.8))
    _roof(stage, x - w / 2, x + w / 2, base - h, base - h - 8 * u, (70, 70, 80), snow)
    draw.rectangle((x - 6 * u, base - h - 22 * u, x + 6 * u, base - h), fill=brick, **stage.ink(0.7))
    _roof(stage, x - 6 * u, x + 6 * u, base - h - 22 * u, base - h - 30 * u, (70, 70, 80), snow)
    draw.ellipse(box(x, base - h - 14 * u, 4 * u), fill=stage.shade((246, 244, 236)), **stage.ink(0.5))
    draw.line([(x, base - h - 14 * u), (x, base - h - 17 * u)], fill=stage.shade(INK), width=stroke(0.5 * u))
    draw.line([(x, base - h - 14 * u), (x + 2 * u, base - h - 14 * u)], fill=stage.shade(INK), width=stroke(0.5 * u))
    for k in range(-3, 4):
        if k:
            _lit_window(stage, x + k * 7.5 * u - 2.5 * u, base - 14 * u, 5 * u, 6 * u)
    draw.rectangle((x - 3 * u, base - 10 * u, x + 3 * u, base), fill=stage.shade(WOOD), **stage.ink(0.6))


def paint_hill(stage: Stage, x: float, base: float, colour: RGB, snow: bool) -> None:
    """A big round hill rising behind the cast, a path winding up it and a lone tree on its top."""
    W, u, draw = stage.W, stage.u, stage.draw
    green = stage.shade(SNOW if snow else lighten(colour, 0.08), 0.25)
    top = base - 26 * u
    points = [(x + 0.42 * W * math.cos(a), base - (base - top) * math.sin(a)) for a in np.linspace(0, math.pi, 32)]
    draw.polygon(points, fill=green, **stage.ink(0.6))
    path = [(x + 0.2 * W * math.sin(t * 5) * (1 - t), base - (base - top) * t) for t in np.linspace(0, 0.95, 14)]
    draw.line(path, fill=stage.shade((206, 184, 140), 0.25), width=stroke(1.6 * u), joint="curve")
    trunk, leaves = stage.shade((110, 74, 48), 0.25), stage.shade((52, 118, 72) if not snow else SNOW, 0.25)
    draw.rectangle((x - 0.8 * u, top - 9 * u, x + 0.8 * u, top + 1 * u), fill=trunk)
    draw.ellipse(box(x, top - 11 * u, 6 * u, 5 * u), fill=leaves, **stage.ink(0.5))
