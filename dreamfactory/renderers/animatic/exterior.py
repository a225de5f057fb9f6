"""Outdoor scenery: far ridges, sea, coast, town and market, trees and the ground the cast stands on."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .paint import (
    GRASS, INK, RGB, ROCK, SAND, SEA, STONE, WOOD, box, darken, glow, gradient, lighten, mix, rgba, stroke,
)
from .places import (
    paint_barn, paint_cabin, paint_castle, paint_fountain, paint_hill, paint_house, paint_pond, paint_rooftop,
    paint_school, paint_space, paint_tower, paint_water_body,
)
from .sky import sky_image
from .stage import Stage
from .vehicles import paint_seabed
from .words import Scenery


def _ridge(stage: Stage, base_y: float, height: float, bumps: int, colour: RGB,
           smooth: bool) -> list[tuple[float, float]]:
    """A skyline from left to right: rolling hills (smooth) or mountain peaks."""
    W, rng = stage.W, stage.rng
    if smooth:
        phases, freqs = rng.uniform(0, 2 * math.pi, 3), (1.0, 2.3, 4.1)
        points = [(x, base_y - height * (0.55 + 0.3 * math.sin(freqs[0] * x / W * math.pi * bumps / 2 + phases[0])
                                        + 0.15 * math.sin(freqs[1] * x / W * math.pi * bumps + phases[1])))
                  for x in np.linspace(0, W, 48)]
    else:
        xs = np.sort(rng.uniform(0, W, bumps * 2 + 1))
        points = [(0.0, base_y - height * 0.3)]
        for i, x in enumerate(xs):
            points.append((float(x),
                           base_y - height * (rng.uniform(0.7, 1.0) if i % 2 == 0 else rng.uniform(0.25, 0.5))))
        points.append((float(W), base_y - height * 0.35))
    stage.draw.polygon(points + [(W, stage.H), (0, stage.H)], fill=colour)
    return points


def _trees(stage: Stage, y: float, size: float, count: int, depth: float, snow: bool,
           x_range: tuple[float, float] = (0, 1)) -> None:
    draw, rng, u = stage.draw, stage.rng, stage.u
    for x in np.sort(rng.uniform(x_range[0], x_range[1], count)) * stage.W:
        s = size * rng.uniform(0.8, 1.2) * u
        base = y + rng.uniform(-0.5, 0.5) * u * size / 4
        green = stage.shade(mix((52, 118, 72), stage.pal(2), 0.15), depth)
        trunk = stage.shade((110, 74, 48), depth)
        draw.rectangle((x - 0.12 * s, base - 0.5 * s, x + 0.12 * s, base), fill=trunk)
        if rng.uniform() < 0.55:  # a pine
            for k in range(3):
                top, wide = base - s * (1.6 - 0.4 * k) - 0.4 * s, s * (0.45 + 0.18 * k)
                tier = [(x, top), (x - wide, base - 0.45 * s - k * 0.25 * s),
                        (x + wide, base - 0.45 * s - k * 0.25 * s)]
                draw.polygon(tier, fill=lighten(green, 0.05 * k), **(stage.ink(0.6) if depth < 0.3 else {}))
                if snow:
                    draw.polygon([(x, top), (x - wide * 0.35, top + 0.35 * s), (x + wide * 0.35, top + 0.35 * s)],
                                 fill=stage.shade((240, 244, 250), depth))
        else:
            for dx, dy, r in ((-0.32, -0.8, 0.5), (0.32, -0.8, 0.5), (0.0, -1.15, 0.6)):
                draw.ellipse(box(x + dx * s, base + dy * s, r * s), fill=green,
                             **(stage.ink(0.6) if depth < 0.3 else {}))
            if snow:
                draw.chord((x - 0.6 * s, base - 1.75 * s, x + 0.6 * s, base - 0.9 * s), 180, 360,
                           fill=stage.shade((240, 244, 250), depth))


def _sea(stage: Stage, horizon: float, scenery: Scenery) -> None:
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    storm = scenery.weather.clouds == 3
    water = mix(SEA, (46, 64, 80), 0.55) if storm else mix(SEA, stage.pal(0), 0.12)
    far, near = stage.shade(water, 0.55), stage.shade(darken(water, 0.25), 0.0)
    stage.img.paste(gradient((W, H - int(horizon)), far, near, 0.7), (0, int(horizon)))
    crest = lighten(stage.shade(water, 0.2), 0.35 if not storm else 0.55)
    for row in range(22):
        t = (row + 1) / 22
        y = horizon + (H - horizon) * t ** 1.6
        under = mix(far, near, min(1.0, ((y - horizon) / max(1.0, H - horizon)) ** 0.7))
        foam = mix(under, crest, 170 / 255)  # the crest as it looks over this row's water: no blending needed
        for _ in range(int(4 + 10 * (1 - t)) + (6 if storm else 0)):
            x, length = rng.uniform(-0.05, 1.05) * W, (1.5 + 7 * t) * u * rng.uniform(0.6, 1.3)
            height = (0.4 + 1.6 * t) * u * (2.2 if storm else 1)
            draw.arc((x, y - height, x + length, y + height), 200, 340, fill=foam, width=stroke((0.25 + 0.5 * t) * u))
    if stage.light.body and stage.light.body_at[1] < 0.9:  # the sun's or moon's road on the water
        bx = stage.light.body_at[0] * W
        for k in range(26):
            t = k / 26
            y = horizon + (H - horizon) * t ** 1.5 * 0.8 + u
            x = bx + rng.uniform(-1, 1) * (2 + 14 * t) * u
            draw.line([(x - (1 + 3 * t) * u, y), (x + (1 + 3 * t) * u, y)], fill=rgba(stage.light.body_colour, 120),
                      width=stroke((0.2 + 0.3 * t) * u))


def _lighthouse(stage: Stage, x: float, base: float, height: float, scenery: Scenery, depth: float) -> tuple[float,
        float]:
    """A striped tower with a lamp room; returns the lamp's centre."""
    draw = stage.draw
    half_base, half_top = height * 0.13, height * 0.085
    top = base - height * 0.78
    white, red = stage.shade((240, 236, 226), depth), stage.shade(mix((200, 56, 48), stage.pal(1), 0.2), depth)
    draw.polygon([(x - half_base, base), (x - half_top, top), (x + half_top, top), (x + half_base, base)], fill=white,
                 **stage.ink(0.8))
    for k in range(4):  # red bands
        y0, y1 = base - (k * 2 + 1) * (base - top) / 8, base - (k * 2 + 2) * (base - top) / 8
        w0 = half_base + (half_top - half_base) * (base - y0) / (base - top)
        w1 = half_base + (half_top - half_base) * (base - y1) / (base - top)
        draw.polygon([(x - w0, y0), (x - w1, y1), (x + w1, y1), (x + w0, y0)], fill=red)
    draw.polygon([(x - half_base, base), (x - half_top, top), (x + half_top, top), (x + half_base, base)],
                 outline=stage.shade(INK), width=stroke(stage.line))
    door_w = half_base * 0.35
    draw.rounded_rectangle((x - door_w, base - height * 0.1, x + door_w, base), radius=door_w,
                           fill=stage.shade((90, 60, 44), depth), **stage.ink(0.6))
    gallery = top - height * 0.02
    draw.rectangle((x - half_top * 1.5, gallery, x + half_top * 1.5, top + height * 0.01),
                   fill=stage.shade((60, 56, 60), depth), **stage.ink(0.6))
    lit = scenery.lamp_lit and stage.light.dark
    glass = (255, 232, 140) if lit else stage.shade((150, 176, 190), depth)
    room_top = gallery - height * 0.1
    draw.rectangle((x - half_top * 0.9, room_top, x + half_top * 0.9, gallery), fill=glass, **stage.ink(0.6))
    for k in (-0.3, 0.3):
        draw.line([(x + k * half_top * 1.8, room_top), (x + k * half_top * 1.8, gallery)], fill=stage.shade(INK),
                  width=stroke(stage.line * 0.5))
    draw.pieslice(box(x, room_top, half_top * 1.1, height * 0.08), 180, 360, fill=red, **stage.ink(0.6))
    lamp = (x, (room_top + gallery) / 2)
    if lit:
        glow(stage.img, lamp, height * 0.35, (255, 236, 160), 0.7)
        if "beam" in scenery.things or stage.light.dark:
            for side in (-1, 1):
                far_x = x + side * stage.W * 1.1
                draw.polygon([lamp, (far_x, lamp[1] - height * 0.16), (far_x, lamp[1] + height * 0.1)],
                             fill=(255, 240, 180, 52))
    return lamp


def _boat(stage: Stage, x: float, waterline: float, size: float, depth: float, sail: bool) -> None:
    draw = stage.draw
    hull = stage.shade(mix((190, 60, 50), stage.pal(1), 0.4), depth)
    draw.polygon([(x - size, waterline - 0.35 * size), (x + size, waterline - 0.35 * size),
                  (x + 0.7 * size, waterline), (x - 0.7 * size, waterline)],
                 fill=hull, **(stage.ink(0.5) if depth < 0.5 else {}))
    if sail:
        draw.line([(x, waterline - 0.35 * size), (x, waterline - 1.9 * size)], fill=stage.shade((90, 70, 50), depth),
                  width=stroke(size * 0.06))
        draw.polygon([(x + 0.05 * size, waterline - 1.85 * size), (x + 0.05 * size, waterline - 0.5 * size),
                      (x + 0.9 * size, waterline - 0.5 * size)],
                     fill=stage.shade((244, 236, 214), depth))
    else:
        draw.rectangle((x - 0.4 * size, waterline - 0.85 * size, x + 0.1 * size, waterline - 0.35 * size),
                       fill=stage.shade((236, 230, 214), depth))
    if stage.light.dark:
        glow(stage.img, (x - 0.15 * size, waterline - 0.7 * size), size * 0.9, (255, 220, 120), 0.8)


def _gulls(stage: Stage, count: int) -> None:
    """Gulls as a child draws them: two arcs, an 'm' in the sky."""
    rng = stage.rng
    colour = (240, 240, 236) if sum(stage.light.top) < 300 else (60, 60, 70)
    for _ in range(count):
        x, y = rng.uniform(0.1, 0.9) * stage.W, rng.uniform(0.12, 0.38) * stage.H
        s = rng.uniform(1.5, 2.6) * stage.u
        for wing in (x - s, x):
            stage.draw.arc((wing, y - 0.45 * s, wing + s, y + 0.55 * s), 200, 340, fill=colour, width=stroke(0.3 * s))


def _houses(stage: Stage, x0: float, x1: float, base: float, scenery: Scenery) -> None:
    draw, rng, u = stage.draw, stage.rng, stage.u
    snow = scenery.weather.snow_ground
    far = stage.shade(mix(stage.pal(1), (150, 156, 170), 0.6), 0.75)
    x = x0
    while x < x1:  # far rooftops
        w = rng.uniform(6, 12) * u
        h = rng.uniform(20, 30) * u
        draw.polygon([(x, base), (x, base - h), (x + w / 2, base - h - 4 * u), (x + w, base - h), (x + w, base)],
                     fill=far)
        x += w
    x = x0 - rng.uniform(0, 6) * u
    i = int(rng.integers(0, 6))
    while x < x1:
        w, h = rng.uniform(12, 20) * u, rng.uniform(16, 28) * u
        wall = stage.shade(lighten(stage.pal(i), 0.45 + 0.1 * (i % 2)), 0.15)
        roof = stage.shade(darken(stage.pal(i + 1), 0.25), 0.15)
        draw.rectangle((x, base - h, x + w, base), fill=wall, **stage.ink(0.7))
        peak = base - h - rng.uniform(5, 9) * u
        if rng.uniform() < 0.5:  # a chimney, standing on the roof's slope
            cx = x + w * 0.7
            slope_y = peak + (base - h - peak) * (cx - x - w / 2) / (w / 2 + 1.2 * u)
            draw.rectangle((cx, slope_y - 4 * u, cx + 2.4 * u, slope_y + 2 * u), fill=roof, **stage.ink(0.5))
        draw.polygon([(x - 1.2 * u, base - h), (x + w / 2, peak), (x + w + 1.2 * u, base - h)],
                     fill=(240, 244, 250) if snow else roof, **stage.ink(0.7))
        lit = stage.light.dark
        for row in range(int((h - 8 * u) // (7 * u)) + 1):
            for col in range(2):
                wx, wy = x + w * (0.22 + 0.4 * col), base - h + 3 * u + row * 7 * u
                pane = (255, 214, 120) if lit and rng.uniform() < 0.7 else stage.shade((150, 190, 214), 0.1)
                draw.rectangle((wx, wy, wx + w * 0.2, wy + 4 * u), fill=pane, **stage.ink(0.5))
                if lit and pane[0] == 255:
                    glow(stage.img, (wx + w * 0.1, wy + 2 * u), 5 * u, (255, 210, 120), 0.35)
        dx = x + w * 0.4
        draw.rounded_rectangle((dx, base - 7.5 * u, dx + w * 0.22, base), radius=1.5 * u,
                               fill=stage.shade(darken(stage.pal(i + 2), 0.3)), **stage.ink(0.5))
        x += w + rng.uniform(0, 1.5) * u
        i += 1


def _market(stage: Stage, base: float, xs: list[float]) -> None:
    draw, u, rng = stage.draw, stage.u, stage.rng
    for k, x in enumerate(xs):
        w = 24 * u
        stripe_a, stripe_b = stage.shade(stage.pal(k)), stage.shade((244, 236, 220))
        post = stage.shade((120, 84, 56))
        for px in (x - w / 2 + u, x + w / 2 - u):
            draw.rectangle((px - 0.6 * u, base - 26 * u, px + 0.6 * u, base), fill=post)
        for s in range(6):
            sx = x - w / 2 + s * w / 6
            draw.polygon([(sx, base - 30 * u), (sx + w / 6, base - 30 * u), (sx + w / 6 + 0.6 * u, base - 24 * u),
                          (sx - 0.6 * u, base - 24 * u)],
                         fill=stripe_a if s % 2 == 0 else stripe_b)
            draw.pieslice((sx - 0.6 * u, base - 26.5 * u, sx + w / 6 + 0.6 * u, base - 21.5 * u), 0, 180,
                          fill=stripe_a if s % 2 == 0 else stripe_b)
        draw.rectangle((x - w / 2, base - 30 * u, x + w / 2, base - 24 * u), outline=stage.shade(INK),
                       width=stroke(stage.line * 0.6))
        draw.rectangle((x - w / 2, base - 10 * u, x + w / 2, base), fill=stage.shade(WOOD), **stage.ink(0.7))
        for b in range(3):  # baskets of fish and fruit
            bx = x - w / 3 + b * w / 3
            draw.chord((bx - 3.6 * u, base - 14 * u, bx + 3.6 * u, base - 8 * u), 0, 180,
                       fill=stage.shade((200, 160, 100)), **stage.ink(0.5))
            for f in range(4):
                fx, fy = bx + rng.uniform(-2.4, 2.4) * u, base - 11.5 * u + rng.uniform(-0.6, 0.3) * u
                if (b + k) % 2 == 0:
                    draw.ellipse(box(fx, fy, 1.4 * u, 0.5 * u), fill=stage.shade((200, 210, 220)), **stage.ink(0.3))
                else:
                    draw.ellipse(box(fx, fy, 0.9 * u), fill=stage.shade(stage.pal(k + f + 1)), **stage.ink(0.3))


def _bunting(stage: Stage) -> None:
    W, u = stage.W, stage.u
    points = [(x, 9 * u + 5 * u * math.sin(math.pi * x / W)) for x in np.linspace(0, W, 24)]
    stage.draw.line(points, fill=stage.shade((80, 70, 70)), width=stroke(0.4 * u))
    for k, (x, y) in enumerate(points[:-1]):
        stage.draw.polygon([(x, y), (x + 2.6 * u, y + 0.3 * u), (x + 1.3 * u, y + 4 * u)],
                           fill=stage.shade(stage.pal(k)))


def _ground(stage: Stage, top: float, colour: RGB, rough: bool) -> None:
    W, H, u, rng, draw = stage.W, stage.H, stage.u, stage.rng, stage.draw
    if rough:
        points = [(x, top + rng.uniform(-1.5, 1.5) * u) for x in np.linspace(0, W, 30)]
    else:
        points = [(0, top), (W, top)]
    near = stage.shade(colour)
    draw.polygon(points + [(W, H), (0, H)], fill=stage.shade(colour, 0.12))
    stage.img.paste(gradient((W, int(H - top - 2 * u)), stage.shade(colour, 0.12), darken(near, 0.12)),
                    (0, int(top + 2 * u)))


def _rocks(stage: Stage, top: float, x0: float = 0.0, x1: float = 1.0) -> None:
    rng, u, draw = stage.rng, stage.u, stage.draw
    x = x0 * stage.W - 4 * u
    while x < x1 * stage.W:
        r = rng.uniform(4, 9) * u
        y = top + rng.uniform(-1, 2) * u
        c = stage.shade(mix(ROCK, stage.pal(2), 0.1))
        draw.ellipse((x - r * 1.4, y - r * 0.8, x + r * 1.4, y + r), fill=c, **stage.ink(0.6))
        draw.arc((x - r * 1.0, y - r * 0.6, x + r * 0.8, y + r * 0.4), 200, 290, fill=lighten(c, 0.25),
                 width=stroke(0.6 * u))
        x += r * rng.uniform(1.6, 2.4)


def _quay(stage: Stage, top: float, snow: bool) -> None:
    """A harbour's stone quay along the front, boats moored at it, bollards on its edge."""
    W, u, draw, rng = stage.W, stage.u, stage.draw, stage.rng
    for k in range(2):
        _boat(stage, (rng.uniform(0.08, 0.3) if k == 0 else rng.uniform(0.7, 0.92)) * W, top - 0.5 * u, 5 * u, 0.15,
              sail=k == 1)
    stone = stage.shade(mix(STONE, stage.pal(3), 0.15))
    _ground(stage, top + 4 * u, (236, 240, 248) if snow else mix(STONE, SAND, 0.4), rough=False)
    draw.rectangle((0, top, W, top + 4 * u), fill=stone, **stage.ink(0.7))
    for x in np.arange(0, W, 8 * u):
        draw.line([(x, top), (x, top + 4 * u)], fill=darken(stone, 0.2), width=stroke(0.4 * u))
    for x in (0.22 * W, 0.78 * W):
        draw.rounded_rectangle((x - 1.6 * u, top - 3 * u, x + 1.6 * u, top + 1 * u), radius=1.2 * u,
                               fill=stage.shade((60, 60, 66)), **stage.ink(0.6))


def paint_exterior(stage: Stage, scenery: Scenery) -> dict[str, Any]:
    """Sky, far layers, water, town, trees and the foreground ground; returns where the cast stands."""
    W, H, u, rng = stage.W, stage.H, stage.u, stage.rng
    places, things, weather = scenery.places, scenery.things, scenery.weather
    sea = "sea" in places
    horizon = (0.54 if sea else 0.60) * H
    snow = weather.snow_ground
    grass = (236, 240, 248) if snow else mix(GRASS, stage.pal(2), 0.12)
    if "space" in places:
        paint_space(stage)
        return {"stand": 0.755 * H, "side": stage.side}
    if "underwater" in places:
        return paint_seabed(stage, scenery)
    stage.img.paste(sky_image((W, H), stage.light, weather, rng, u, aurora="aurora" in things))
    if "rooftop" in places:
        paint_rooftop(stage, snow)
        return {"stand": 0.755 * H, "side": stage.side}
    if "gulls" in things and weather.clouds < 3 and not stage.light.dark:
        _gulls(stage, int(rng.integers(3, 6)))
    if "mountains" in places:
        peaks = _ridge(stage, horizon, 0.32 * H, 4, stage.shade((140, 150, 176), 0.75), smooth=False)
        snowcap = stage.shade((244, 246, 252), 0.5)
        for k in range(1, len(peaks) - 1, 2):  # every other point is a peak
            (xa, ya), (xp, yp), (xb, yb) = peaks[k - 1], peaks[k], peaks[k + 1]
            t = min(0.3, 5 * u / max(1.0, min(ya, yb) - yp))
            stage.draw.polygon([(xp, yp), (xp + (xb - xp) * t, yp + (yb - yp) * t),
                                (xp + (xa - xp) * t * 0.5, yp + (ya - yp) * t * 0.8),
                                (xp + (xa - xp) * t, yp + (ya - yp) * t)], fill=snowcap)
        _ridge(stage, horizon, 0.2 * H, 5, stage.shade((112, 128, 150), 0.5), smooth=False)
    elif not sea and "town" not in places:
        _ridge(stage, horizon, 0.12 * H, 3, stage.shade(grass, 0.7), smooth=True)
    stand = 0.755 * H
    side = stage.side
    shore = 0.69 * H
    lake = not sea and ("lake" in places or "ice" in places)
    if "hill" in things and not places & {"town", "sea", "castle", "farm", "forest", "river"} and not lake:
        paint_hill(stage, (0.5 + side * 0.22) * W, horizon + 4 * u, grass, snow)  # its foot hidden by the ground
    if lake:  # a lake, or a fjord between its mountains: water (or ice) from the far shore to the near one
        paint_water_body(stage, scenery, horizon, shore, frozen="frozen" in things)
        _trees(stage, horizon + 0.5 * u, 5, 12, 0.65, snow)
        _ground(stage, shore, grass, rough=True)
    if sea:
        _sea(stage, horizon, scenery)
        if ("island" in things or "lighthouse" in things or "rocks" in things) and "hero_lighthouse" not in things:
            ix = (0.2 if side > 0 else 0.8) * W
            bumps = [(ix - 12 * u, horizon + 0.4 * u), (ix - 8 * u, horizon - 2.5 * u), (ix - 2 * u, horizon - 4 * u),
                     (ix + 5 * u, horizon - 3 * u), (ix + 11 * u, horizon + 0.4 * u)]
            stage.draw.polygon(bumps, fill=stage.shade(ROCK, 0.55))
            if "lighthouse" in things:
                _lighthouse(stage, ix - 1 * u, horizon - 3 * u, 16 * u, scenery, 0.5)
        if "boat" in things and not scenery.in_boat:
            for k in range(1 + int(rng.integers(0, 2))):
                bx = rng.uniform(0.3, 0.75) * W
                _boat(stage, bx, horizon + rng.uniform(2, 6) * u, rng.uniform(2.5, 3.5) * u, 0.45, sail=k == 0)
    if "river" in places and not sea:
        _ground(stage, horizon, grass, rough=False)
        t = np.linspace(0, W, 40)
        phase = rng.uniform(0, 6)
        upper = [(x, horizon + 4 * u + 1.5 * u * math.sin(x / W * 7 + phase)) for x in t]
        lower = [(x, horizon + 11 * u + 2 * u * math.sin(x / W * 5 + phase)) for x in t]
        water = stage.shade(mix(SEA, stage.pal(0), 0.1), 0.2)
        stage.draw.polygon(upper + lower[::-1], fill=water)
        for x, y in upper[::3]:
            stage.draw.line([(x, y + 3 * u), (x + 4 * u, y + 3 * u)], fill=rgba(lighten(water, 0.4), 150),
                            width=stroke(0.5 * u))
    if "town" in places:
        base = 0.63 * H
        if sea:  # a harbour: houses on one side, the quay across the front
            x0, x1 = (0.42 * W, W * 1.02) if side > 0 else (-0.02 * W, 0.58 * W)
            _houses(stage, x0, x1, base, scenery)
            for k in range(2):
                _boat(stage, (0.1 + 0.18 * k if side > 0 else 0.72 + 0.16 * k) * W, base - 1 * u, 4 * u, 0.2,
                      sail=k == 1)
        else:
            _houses(stage, -0.02 * W, 1.02 * W, base, scenery)
        _ground(stage, base, (238, 242, 248) if snow else (176, 160, 140), rough=False)
        stage.draw.line([(0, base), (W, base)], fill=stage.shade(INK), width=stroke(stage.line))
        for row in range(7):  # cobbles in perspective
            y = base + (H - base) * ((row + 1) / 8) ** 1.4
            for x in np.arange(-(row % 2) * 3 * u, W, (4 + row) * u):
                stage.draw.arc((x, y - 0.8 * u, x + (3.4 + row) * u, y + 0.8 * u), 0, 180,
                               fill=rgba(stage.shade((120, 104, 90)), 120), width=stroke(0.35 * u))
        if "market" in places:
            _bunting(stage)
            _market(stage, 0.70 * H, [0.15 * W, 0.85 * W] if rng.uniform() < 0.5 else [0.12 * W, 0.88 * W])
    elif sea:
        if not scenery.in_boat and "quay" in things:
            _quay(stage, 0.68 * H, snow)
        elif not scenery.in_boat:
            _ground(stage, 0.68 * H, (236, 240, 248) if snow else mix(SAND, ROCK, 0.35 if "rocks" in things else 0.0),
                    rough=True)
            if "rocks" in things or "island" in things or "hero_lighthouse" in things:
                _rocks(stage, 0.68 * H)
    if "hero_lighthouse" in things:
        lx = (0.16 if side < 0 else 0.84) * W
        stage.draw.polygon([(lx - 20 * u, 0.72 * H), (lx - 12 * u, 0.6 * H), (lx + 10 * u, 0.58 * H),
                            (lx + 22 * u, 0.72 * H)], fill=stage.shade(ROCK, 0.2), **stage.ink(0.7))
        _lighthouse(stage, lx, 0.62 * H, 0.62 * H, scenery, 0.1)
        _rocks(stage, 0.7 * H, (lx - 20 * u) / W, (lx + 20 * u) / W)
    if "forest" in places:
        _ground(stage, horizon, grass, rough=True)
        _trees(stage, horizon + 1 * u, 7, 18, 0.65, snow)
        _trees(stage, horizon + 6 * u, 12, 8, 0.35, snow)
        _trees(stage, 0.8 * H, 26, 2, 0.0, snow, (0.0, 0.12))
        _trees(stage, 0.8 * H, 26, 2, 0.0, snow, (0.88, 1.0))
    elif not sea and "town" not in places and "river" not in places and not lake:
        _ground(stage, horizon + 2 * u, grass, rough=True)
        if not places & {"farm", "castle", "pond", "cabin", "home", "school"}:
            _trees(stage, horizon + 3 * u, 8, 4, 0.45, snow)
    big_x = (0.5 + side * 0.3) * W  # the place's big thing stands on the side the cast leans away from
    if "castle" in places:
        paint_castle(stage, horizon + 4 * u, snow)
    elif "tower" in places:
        paint_tower(stage, big_x, horizon + 8 * u, snow)
    if "farm" in places:
        paint_barn(stage, big_x, horizon + 4 * u, snow)
    if "cabin" in places:
        paint_cabin(stage, big_x, shore + 2 * u if lake else horizon + 8 * u, snow)
    elif "home" in places:
        paint_house(stage, big_x, horizon + 8 * u, snow)
    if "school" in places:
        paint_school(stage, (0.5 + side * 0.2) * W, horizon + 8 * u, snow)
    if "pond" in places:
        paint_pond(stage, (0.5 + side * 0.2) * W, 0.72 * H, 0.17 * W)
    if "square" in places:
        paint_fountain(stage, (0.5 + side * 0.28) * W, 0.69 * H)
    return {"stand": stand, "side": side}
