"""The sky by time of day and weather, and the weather over a scene: fog behind the cast, rain and snow before."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from .paint import RGB, box, darken, glow, gradient, lighten, mix, rgba, stroke
from .stage import Light, Stage
from .words import Weather


def _cloud(draw: ImageDraw.ImageDraw, x: float, y: float, s: float, colour: RGB, alpha: int = 255) -> None:
    shadow = rgba(darken(colour, 0.14), alpha)
    for dy, c in ((0.18 * s, shadow), (0.0, rgba(colour, alpha))):
        draw.rounded_rectangle((x - 2.1 * s, y - 0.45 * s + dy, x + 2.1 * s, y + 0.45 * s + dy), radius=0.45 * s,
                               fill=c)
        for px, py, pr in ((-1.1, -0.35, 0.8), (0.1, -0.75, 1.1), (1.2, -0.35, 0.75)):
            cx, cy, r = x + px * s, y + py * s + dy, pr * s
            draw.ellipse(box(cx, cy, r), fill=c)


def sky_image(size: tuple[int, int], light: Light, weather: Weather, rng: np.random.Generator, u: float,
              sea_at: float | None = None, sea: RGB = (40, 104, 160), aurora: bool = False) -> Image.Image:
    """The sky by time of day and weather (and, through a window, a strip of sea)."""
    w, h = size
    if h > 480:  # soft shapes only: painted at half size and enlarged, a quarter of the filling
        return sky_image((w // 2, h // 2), light, weather, rng, u / 2, sea_at, sea, aurora).resize(size,
                                                                                                  Image.NEAREST)
    img = gradient(size, light.top, light.bottom, 0.9)
    draw = ImageDraw.Draw(img, "RGBA")
    area = (w * h) / (2560 * 1440)
    for _ in range(int(light.stars * area * (0.3 if weather.clouds >= 2 else 1))):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h * 0.62) ** 1.0, rng.uniform(0.1, 0.32) * u
        draw.ellipse(box(x, y, r), fill=(255, 250, 228, int(rng.uniform(120, 255))))
    if light.body:
        bx, by = light.body_at[0] * w, light.body_at[1] * h
        big = light.body_at[1] > 0.4
        r = (7.5 if big else 5.0) * u if light.body == "sun" else 4.2 * u
        glow(img, (bx, by), r * (5 if light.body == "sun" else 3.5), light.body_colour, 0.55)
        draw.ellipse(box(bx, by, r), fill=light.body_colour)
        if light.body == "moon":
            for cx, cy, cr in ((-0.3, -0.2, 0.22), (0.25, 0.3, 0.16), (0.35, -0.35, 0.1)):
                draw.ellipse(box(bx + cx * r, by + cy * r, cr * r), fill=darken(light.body_colour, 0.08))
    base = mix((255, 255, 255), light.haze, 0.35)
    base = tuple(int(c * a / 255) for c, a in zip(base, light.ambient))  # type: ignore[assignment]
    if weather.clouds == 1:
        for _ in range(3 + int(rng.integers(0, 3))):
            _cloud(draw, rng.uniform(0.05, 0.95) * w, rng.uniform(0.1, 0.42) * h, rng.uniform(2.5, 4.5) * u, base, 235)
    elif weather.clouds >= 2:
        storm = weather.clouds == 3
        tone = mix(light.top, (104, 110, 126) if storm else (176, 180, 190), 0.55)
        tone = darken(tone, 0.45 if light.dark else 0.1 if storm else 0.0)
        if storm:  # a low ceiling of cloud
            img.paste(tone, (0, 0), gradient((w, int(0.35 * h)), (255, 255, 255), (0, 0, 0), 1.6).convert("L"))
        for row in range(3):
            count = max(2, int(w / (26 * u)) + 2)
            for k in range(count):
                x = (k + rng.uniform(-0.3, 0.3)) * w / (count - 1)
                s = rng.uniform(6, 9) * u * (1.25 - 0.2 * row)
                _cloud(draw, x, (0.05 + row * 0.1 + rng.uniform(0, 0.05)) * h, s, lighten(tone, 0.07 * row),
                       255 if storm else 230)
    if aurora and light.dark:  # the northern lights: green curtains waving over the sky
        for band in range(3):
            y0 = (0.1 + 0.08 * band) * h
            phase = rng.uniform(0, 6)
            for x in np.arange(0, w, 0.8 * u):
                y = y0 + 4 * u * np.sin(x / w * 7 + phase)
                height = (10 + 6 * np.sin(x / w * 13 + phase)) * u
                draw.line([(x, y), (x, y + height)], fill=(90, 240, 150, 46 - 10 * band), width=stroke(0.9 * u))
    if weather.lightning:
        x = rng.uniform(0.3, 0.7) * w
        points, y = [(x, 0.0)], 0.0
        while y < h * 0.55:
            y += rng.uniform(3, 6) * u
            x += rng.uniform(-3, 3) * u
            points.append((x, y))
        draw.rectangle((0, 0, w, h), fill=(220, 226, 255, 34))
        draw.line(points, fill=(210, 220, 255, 120), width=stroke(2.4 * u))
        draw.line(points, fill=(255, 255, 240, 255), width=stroke(0.8 * u))
    if sea_at is not None:
        top = int(sea_at * h)
        img.paste(gradient((w, h - top), mix(sea, light.haze, 0.45), darken(sea, 0.35)), (0, top))
        for _ in range(int(w / (3 * u))):
            x, y = rng.uniform(0, w), rng.uniform(top + 0.5 * u, h)
            draw.line([(x, y), (x + 2.5 * u, y)], fill=rgba(lighten(sea, 0.3), 140), width=stroke(0.4 * u))
    return img


def paint_weather(stage: Stage, weather: Weather) -> None:
    """Rain and snow fall in front of everything; fog was laid behind the cast."""
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    if weather.rain:
        for _ in range(420 if weather.clouds == 3 else 260):
            x, y, length = rng.uniform(-0.1, 1.05) * W, rng.uniform(0, 1) * H, rng.uniform(2.5, 5) * u
            draw.line([(x, y), (x - 0.3 * length, y + length)], fill=(214, 222, 240, 90), width=stroke(0.25 * u))
    if weather.snow:
        for _ in range(220):
            x, y, r = rng.uniform(0, W), rng.uniform(0, H), rng.uniform(0.2, 0.7) * u
            draw.ellipse(box(x, y, r), fill=(255, 255, 255, 210))


def paint_fog(stage: Stage, weather: Weather) -> None:
    if weather.fog <= 0:
        return
    W, H = stage.W, stage.H
    haze = lighten(stage.light.haze, 0.35)
    stage.draw.rectangle((0, 0, W, H), fill=rgba(haze, int(50 * weather.fog)))
    for _ in range(7):
        x, y = stage.rng.uniform(0.1, 0.9) * W, stage.rng.uniform(0.45, 0.75) * H
        glow(stage.img, (x, y), stage.rng.uniform(0.35, 0.6) * W, haze, 0.8 * weather.fog, squash=0.09)
