"""Paint: the named colours, how to mix them, and the small drawing helpers every layer uses."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw


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
DARK: RGB = (34, 28, 34)  # pupils, noses


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
    img.paste(colour, (int(centre[0] - w / 2), int(centre[1] - h / 2)), _glow_sized(w, h, round(strength, 3)))


@lru_cache(maxsize=64)  # a town's lit windows share one size: their mask is made once
def _glow_sized(w: int, h: int, strength: float) -> Image.Image:
    mask = _glow_mask().resize((w, h), Image.BILINEAR)
    if strength < 1:
        mask = mask.point([int(v * strength) for v in range(256)])
    return mask


def gradient(size: tuple[int, int], top: RGB, bottom: RGB, power: float = 1.0) -> Image.Image:
    w, h = size
    t = (np.linspace(0.0, 1.0, max(1, h)) ** power)[:, None, None]
    column = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return Image.fromarray(column.astype(np.uint8), "RGB").resize((max(1, w), max(1, h)), Image.NEAREST)


class Pen:
    """Draws on a 100-unit grid scaled to `height` pixels: x forward (mirrored when facing left), y up from the
    base at (cx, foot). Creatures and props are drawn with it, so one drawing serves every size."""

    def __init__(self, draw: ImageDraw.ImageDraw, cx: float, foot: float, height: float, facing: int,
                 line: float) -> None:
        self.draw, self.cx, self.foot, self.u, self.f = draw, cx, foot, height / 100, facing
        self.lw = line
        self.ink = {"outline": INK, "width": stroke(round(line))}

    def p(self, x: float, y: float) -> tuple[float, float]:
        return self.cx + self.f * x * self.u, self.foot - y * self.u

    def ellipse(self, x: float, y: float, rx: float, ry: float, fill: RGB, ink: bool = True) -> None:
        px, py = self.p(x, y)
        self.draw.ellipse((px - rx * self.u, py - ry * self.u, px + rx * self.u, py + ry * self.u), fill=fill,
                          **(self.ink if ink else {}))

    def polygon(self, points: list[tuple[float, float]], fill: RGB, ink: bool = True) -> None:
        self.draw.polygon([self.p(x, y) for x, y in points], fill=fill, **(self.ink if ink else {}))

    def line(self, points: list[tuple[float, float]], fill: RGB, width: float) -> None:
        self.draw.line([self.p(x, y) for x, y in points], fill=fill, width=stroke(width * self.u), joint="curve")

    def limb(self, points: list[tuple[float, float]], width: float, fill: RGB) -> None:
        """A rounded, outlined stroke along points: legs, tails, arms, necks."""
        pts = [self.p(x, y) for x, y in points]
        for colour, w in ((INK, width * self.u + 2 * self.lw), (fill, width * self.u)):
            self.draw.line(pts, fill=colour, width=stroke(w), joint="curve")
            for x, y in (pts[0], pts[-1]):
                self.draw.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=colour)

    def eye(self, x: float, y: float, r: float, iris: RGB | None = None, slit: bool = False) -> None:
        """A cartoon eye: an iris with a pupil (or a slit) and a glint; a bead when no iris is given."""
        if iris is None:
            self.ellipse(x, y, r, r * 1.1, DARK, ink=False)
        else:
            self.ellipse(x, y, r, r * 1.1, iris)
            self.ellipse(x, y, r * (0.3 if slit else 0.55), r * (0.95 if slit else 0.6), DARK, ink=False)
        self.ellipse(x + 0.3 * r, y + 0.35 * r, r * 0.28, r * 0.28, (255, 255, 255), ink=False)

    def whiskers(self, x: float, y: float, length: float) -> None:
        for s in (-1, 1):
            for k in (-1, 0, 1):
                self.line([(s * x, y + k * 1.2), (s * (x + length), y + k * 3.2 + 1)], INK, 0.45)
