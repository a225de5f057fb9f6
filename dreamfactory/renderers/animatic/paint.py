"""Paint: the named colours, how to mix them, and the small drawing helpers every layer uses."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image


RGB = tuple[int, int, int]


COLOURS: dict[str, RGB] = {
    "yellow": (246, 200, 52), "red": (206, 58, 50), "green": (72, 150, 84), "blue": (56, 104, 186),
    "navy": (34, 48, 96), "white": (242, 240, 232), "black": (42, 38, 44), "grey": (132, 134, 140),
    "gray": (132, 134, 140), "brown": (122, 82, 52), "orange": (238, 130, 44), "purple": (122, 74, 152),
    "pink": (238, 144, 172), "gold": (214, 172, 62), "golden": (222, 178, 72), "silver": (192, 196, 204),
    "brass": (196, 152, 70), "copper": (186, 112, 62), "teal": (42, 140, 140), "turquoise": (64, 190, 188),
    "cream": (242, 230, 204), "beige": (216, 196, 162), "tan": (204, 164, 112), "khaki": (190, 176, 122),
    "crimson": (172, 32, 52), "scarlet": (214, 44, 40), "maroon": (120, 34, 44), "rust": (172, 82, 42),
    "mustard": (216, 172, 44), "ochre": (200, 140, 50), "olive": (120, 122, 56), "violet": (140, 86, 186),
    "lilac": (190, 160, 210), "lavender": (176, 160, 214), "indigo": (64, 56, 140), "denim": (72, 102, 152),
    "leather": (132, 86, 52), "straw": (226, 196, 120), "canvas": (214, 200, 168), "wooden": (150, 104, 62),
    "dark": (62, 50, 46), "light": (222, 214, 200), "sky": (120, 180, 230), "emerald": (40, 150, 100),
}
HAIR_COLOURS: dict[str, RGB] = {
    "red": (198, 82, 40), "ginger": (206, 104, 44), "auburn": (150, 64, 36), "black": (40, 32, 32),
    "white": (240, 238, 232), "grey": (176, 176, 178), "gray": (176, 176, 178), "silver": (206, 208, 214),
    "brown": (112, 72, 42), "chestnut": (132, 70, 38), "blonde": (234, 200, 112), "blond": (234, 200, 112),
    "golden": (226, 182, 82), "fair": (232, 204, 140), "dark": (56, 40, 32), "sandy": (214, 180, 120),
}
SKIN_TONES: tuple[RGB, ...] = (
    (255, 226, 200), (244, 198, 162), (226, 176, 134), (200, 138, 96), (160, 104, 68), (120, 78, 54),
)
INK: RGB = (52, 42, 50)


# Materials of the scenery, before the stage's light falls on them.
GRASS, ROCK, SAND = (108, 160, 84), (110, 104, 104), (222, 200, 150)
WOOD, STONE, SEA = (150, 104, 66), (170, 160, 148), (44, 110, 168)


def hex_rgb(code: str) -> RGB:
    code = code.lstrip("#")
    return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]


def lighten(c: RGB, t: float) -> RGB:
    return mix(c, (255, 255, 255), t)


def darken(c: RGB, t: float) -> RGB:
    return mix(c, (0, 0, 0), t)


def rgba(c: RGB, alpha: int) -> tuple[int, int, int, int]:
    return (c[0], c[1], c[2], alpha)


def box(x: float, y: float, rx: float, ry: float | None = None) -> tuple[float, float, float, float]:
    """The bounding box of an ellipse (or a rectangle) centred on (x, y)."""
    ry = rx if ry is None else ry
    return (x - rx, y - ry, x + rx, y + ry)


def stroke(width: float) -> int:
    """A line width in whole pixels, never zero."""
    return max(1, int(width))


@lru_cache(maxsize=1)
def _glow_mask() -> Image.Image:
    y, x = np.mgrid[-1:1:256j, -1:1:256j]
    falloff = np.clip(1 - (x * x + y * y), 0, 1) ** 2.2
    return Image.fromarray((falloff * 255).astype(np.uint8), "L")


def glow(img: Image.Image, centre: tuple[float, float], radius: float, colour: RGB, strength: float,
         squash: float = 1.0) -> None:
    """A soft light (lanterns, lit windows, the furnace, the sun), or a soft bank of fog when squashed."""
    w, h = int(2 * radius), int(2 * radius * squash)
    if w < 2 or h < 2:
        return
    mask = _glow_mask().resize((w, h), Image.BILINEAR)
    if strength < 1:
        mask = mask.point([int(v * strength) for v in range(256)])
    img.paste(colour, (int(centre[0] - w / 2), int(centre[1] - h / 2)), mask)


def gradient(size: tuple[int, int], top: RGB, bottom: RGB, power: float = 1.0) -> Image.Image:
    w, h = size
    t = (np.linspace(0.0, 1.0, max(1, h)) ** power)[:, None, None]
    column = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return Image.fromarray(column.astype(np.uint8), "RGB").resize((max(1, w), max(1, h)), Image.NEAREST)
