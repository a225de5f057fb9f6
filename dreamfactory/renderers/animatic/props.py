"""Props for insert shots: the object a shot shows, drawn large and recognisable; the rest by their broad shape
(a stick, a container, a tool...), labelled with their own name.

Each prop is drawn on the creatures' 100-unit grid (x from -50 to 50, y up from 0 at its base), so one drawing
serves any frame size. Its colour comes from the prop's own words ("a rusty iron key", "a blue book").
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Callable

from ... import beings
from .paint import COLOURS, DARK, RGB, Pen, darken, lighten, mix

PAPER: RGB = (244, 234, 208)
FLAME: RGB = (255, 196, 70)


def _lantern(p: Pen, c: RGB) -> None:
    p.line([(-14, 86), (-10, 98), (10, 98), (14, 86)], darken(c, 0.3), 3)
    p.polygon([(-22, 78), (22, 78), (16, 88), (-16, 88)], c)
    p.polygon([(-18, 14), (18, 14), (18, 78), (-18, 78)], (255, 226, 140))
    p.ellipse(0, 42, 6, 12, FLAME, ink=False)
    p.ellipse(0, 39, 3, 6, (255, 250, 220), ink=False)
    for x in (-18, 0, 18):
        p.line([(x, 14), (x, 78)], c, 2.5)
    p.polygon([(-24, 4), (24, 4), (22, 14), (-22, 14)], c)


def _key(p: Pen, c: RGB) -> None:
    p.ellipse(-28, 50, 19, 19, c)
    p.ellipse(-28, 50, 8, 8, (70, 60, 60))
    p.polygon([(-10, 46), (46, 46), (46, 54), (-10, 54)], c)
    p.polygon([(28, 46), (34, 46), (34, 32), (28, 32)], c)
    p.polygon([(38, 46), (45, 46), (45, 36), (38, 36)], c)
    p.line([(-40, 58), (-34, 64)], lighten(c, 0.5), 2)


def _letter(p: Pen, c: RGB) -> None:
    p.polygon([(-46, 18), (46, 18), (46, 82), (-46, 82)], PAPER)
    p.line([(-46, 82), (0, 46), (46, 82)], darken(PAPER, 0.3), 1.5)
    p.line([(-46, 18), (-12, 50)], darken(PAPER, 0.2), 1)
    p.line([(46, 18), (12, 50)], darken(PAPER, 0.2), 1)
    p.ellipse(0, 46, 8, 8, c)
    p.polygon([(28, 66), (40, 66), (40, 78), (28, 78)], lighten(c, 0.3))


def _book(p: Pen, c: RGB) -> None:
    p.polygon([(-28, 8), (34, 12), (34, 92), (-28, 88)], (250, 246, 232))
    p.polygon([(-34, 6), (28, 6), (28, 90), (-34, 90)], c)
    p.polygon([(-34, 6), (-24, 6), (-24, 90), (-34, 90)], darken(c, 0.25))
    p.polygon([(-12, 60), (18, 60), (18, 74), (-12, 74)], lighten(c, 0.55))
    p.line([(8, 90), (8, 100), (12, 96), (16, 100), (16, 90)], (220, 60, 60), 1.5)


def _plant(p: Pen, c: RGB) -> None:
    green = COLOURS["green"]
    p.line([(0, 40), (2, 64), (0, 86)], darken(green, 0.2), 3)
    p.polygon([(0, 70), (-20, 82), (-30, 74), (-14, 66)], green)
    p.polygon([(1, 80), (20, 94), (30, 86), (14, 76)], lighten(green, 0.15))
    p.polygon([(-30, 4), (30, 4), (36, 44), (-36, 44)], c)
    p.polygon([(-38, 44), (38, 44), (38, 52), (-38, 52)], darken(c, 0.1))
    p.ellipse(0, 50, 34, 3, (92, 64, 44), ink=False)
    p.ellipse(-12, 51, 4, 2.5, (200, 160, 90))  # the seed it grew from


def _map(p: Pen, c: RGB) -> None:
    edge = [(-48, 14), (-16, 18), (16, 12), (48, 16), (46, 86), (16, 82), (-16, 88), (-46, 84)]
    p.polygon(edge, c)
    p.line([(-16, 18), (-16, 88)], darken(c, 0.2), 1)
    p.line([(16, 12), (16, 82)], darken(c, 0.2), 1)
    p.polygon([(-36, 30), (-20, 26), (-10, 40), (-24, 52), (-40, 46)], (150, 190, 120))
    for k in range(7):
        x, y = -26 + k * 7, 40 + 12 * math.sin(k * 0.9)
        p.ellipse(x, y, 1.4, 1.4, (150, 50, 40), ink=False)
    p.line([(24, 56), (34, 66)], (200, 40, 40), 3)
    p.line([(34, 56), (24, 66)], (200, 40, 40), 3)
    p.line([(34, 24), (34, 40)], DARK, 1)
    p.polygon([(31, 36), (37, 36), (34, 42)], DARK)


def _boat(p: Pen, c: RGB) -> None:
    p.line([(0, 34), (0, 96)], (110, 80, 50), 2.5)
    p.polygon([(2, 94), (2, 40), (36, 40)], PAPER)
    p.polygon([(-2, 86), (-2, 42), (-28, 42)], lighten(PAPER, 0.2))
    p.polygon([(-46, 36), (46, 36), (32, 14), (-34, 14)], c)
    p.line([(-44, 30), (44, 30)], lighten(c, 0.5), 2)
    for x in (-40, -14, 12, 38):
        p.line([(x - 10, 8), (x, 12), (x + 10, 8)], (90, 150, 210), 2)


def _cup(p: Pen, c: RGB) -> None:
    p.ellipse(30, 48, 14, 16, c)
    p.ellipse(30, 48, 7, 9, (200, 200, 200), ink=False)
    p.polygon([(-30, 80), (30, 80), (26, 8), (-26, 8)], c)
    p.ellipse(0, 80, 30, 6, darken(c, 0.3))
    p.ellipse(0, 80, 26, 4, (120, 76, 46), ink=False)
    p.ellipse(0, 4, 44, 5, (246, 246, 240))
    for x in (-10, 4):
        p.line([(x, 88), (x + 5, 94), (x, 100)], (255, 255, 255), 1.5)


def _flower(p: Pen, c: RGB) -> None:
    green = COLOURS["green"]
    p.line([(0, 0), (2, 40), (0, 62)], darken(green, 0.15), 3)
    p.polygon([(1, 26), (-22, 38), (-26, 28), (-6, 22)], green)
    for k in range(7):
        a = 2 * math.pi * k / 7
        p.ellipse(17 * math.cos(a), 76 + 17 * math.sin(a), 11, 11, c)
    p.ellipse(0, 76, 10, 10, COLOURS["yellow"])


def _sword(p: Pen, c: RGB) -> None:
    p.polygon([(-5, 32), (5, 32), (5, 90), (0, 100), (-5, 90)], (214, 220, 230))
    p.line([(0, 34), (0, 92)], (170, 176, 188), 1)
    p.polygon([(-22, 26), (22, 26), (22, 32), (-22, 32)], c)
    p.polygon([(-4, 8), (4, 8), (4, 26), (-4, 26)], (110, 64, 40))
    p.ellipse(0, 6, 6, 6, c)


def _phone(p: Pen, c: RGB) -> None:
    p.polygon([(-24, 2), (24, 2), (24, 98), (-24, 98)], c)
    p.polygon([(-20, 12), (20, 12), (20, 88), (-20, 88)], (120, 190, 230))
    p.polygon([(-20, 60), (20, 60), (20, 88), (-20, 88)], (150, 210, 240), ink=False)
    p.ellipse(0, 93, 2, 2, DARK, ink=False)
    p.line([(-8, 7), (8, 7)], (200, 200, 200), 1.5)
    for k, y in enumerate((76, 66, 50, 40, 30)):
        p.polygon([(-16 + 4 * (k % 2), y), (8 + 4 * (k % 2), y), (8 + 4 * (k % 2), y + 6), (-16 + 4 * (k % 2), y + 6)],
                  (255, 255, 255), ink=False)


def _shell(p: Pen, c: RGB) -> None:
    points = [(0, 8)] + [(40 * math.cos(a), 40 + 44 * math.sin(a)) for a in
                         [math.radians(t) for t in range(-10, 191, 10)]]
    p.polygon(points, c)
    for t in range(10, 180, 20):
        a = math.radians(t)
        p.line([(0, 10), (36 * math.cos(a), 40 + 40 * math.sin(a))], darken(c, 0.25), 1.2)
    p.polygon([(-10, 2), (10, 2), (6, 12), (-6, 12)], darken(c, 0.1))


def _coin(p: Pen, c: RGB) -> None:
    p.ellipse(0, 50, 40, 40, c)
    p.ellipse(0, 50, 32, 32, lighten(c, 0.15))
    star = [(18 * (1 if k % 2 == 0 else 0.45) * math.sin(k * math.pi / 5),
             50 + 18 * (1 if k % 2 == 0 else 0.45) * math.cos(k * math.pi / 5)) for k in range(10)]
    p.polygon(star, darken(c, 0.15))


def _ring(p: Pen, c: RGB) -> None:
    p.ellipse(0, 40, 36, 30, c)
    p.ellipse(0, 40, 26, 21, (60, 56, 60))
    p.polygon([(-12, 66), (12, 66), (18, 78), (0, 94), (-18, 78)], (150, 220, 240))
    p.line([(-18, 78), (18, 78)], (90, 160, 200), 1)


def _bottle(p: Pen, c: RGB) -> None:
    glass = mix(c, (170, 220, 200), 0.5)
    p.polygon([(-20, 4), (20, 4), (20, 56), (8, 70), (8, 88), (-8, 88), (-8, 70), (-20, 56)], glass)
    p.polygon([(-7, 88), (7, 88), (6, 98), (-6, 98)], (180, 130, 80))
    p.polygon([(-10, 14), (10, 18), (8, 46), (-12, 42)], PAPER)
    p.line([(-14, 10), (-14, 50)], (255, 255, 255), 2)


def _clock(p: Pen, c: RGB) -> None:
    p.ellipse(0, 92, 6, 6, c)
    p.ellipse(0, 46, 40, 40, c)
    p.ellipse(0, 46, 33, 33, (250, 248, 238))
    for k in range(12):
        a = k * math.pi / 6
        p.line([(28 * math.sin(a), 46 + 28 * math.cos(a)), (32 * math.sin(a), 46 + 32 * math.cos(a))], DARK, 1.4)
    p.line([(0, 46), (0, 70)], DARK, 2.2)
    p.line([(0, 46), (16, 38)], DARK, 2.2)


def _candle(p: Pen, c: RGB) -> None:
    p.ellipse(0, 6, 34, 7, (200, 180, 120))
    p.polygon([(-12, 6), (12, 6), (12, 70), (-12, 70)], c)
    p.line([(0, 70), (0, 76)], DARK, 1.2)
    p.ellipse(0, 86, 6, 11, FLAME)
    p.ellipse(0, 83, 2.5, 5, (255, 250, 220), ink=False)


def _apple(p: Pen, c: RGB) -> None:
    p.ellipse(-14, 44, 28, 34, c)
    p.ellipse(14, 44, 28, 34, c)
    p.ellipse(0, 44, 22, 30, c, ink=False)
    p.line([(0, 74), (4, 92)], (100, 70, 40), 3)
    p.polygon([(4, 86), (24, 94), (10, 80)], COLOURS["green"])
    p.ellipse(-18, 56, 5, 8, lighten(c, 0.4), ink=False)


def _crown(p: Pen, c: RGB) -> None:
    p.polygon([(-40, 20), (40, 20), (44, 76), (24, 50), (0, 84), (-24, 50), (-44, 76)], c)
    p.polygon([(-40, 14), (40, 14), (40, 26), (-40, 26)], darken(c, 0.15))
    for x, colour in ((-20, (200, 40, 60)), (0, (60, 120, 210)), (20, (60, 170, 90))):
        p.ellipse(x, 20, 4, 4, colour)
    for x, y in ((-44, 76), (0, 84), (44, 76)):
        p.ellipse(x, y, 4, 4, lighten(c, 0.3))


def _gem(p: Pen, c: RGB) -> None:
    p.polygon([(-30, 62), (-16, 80), (16, 80), (30, 62), (0, 8)], c)
    p.line([(-30, 62), (30, 62)], lighten(c, 0.4), 1.2)
    p.line([(-16, 80), (-8, 62), (0, 8), (8, 62), (16, 80)], lighten(c, 0.3), 1)


def _chest(p: Pen, c: RGB) -> None:
    p.polygon([(-44, 4), (44, 4), (44, 54), (-44, 54)], c)
    p.polygon([(-44, 54), (44, 54), (40, 78), (0, 84), (-40, 78)], lighten(c, 0.1))
    for x in (-30, 30):
        p.polygon([(x - 4, 4), (x + 4, 4), (x + 4, 80), (x - 4, 80)], COLOURS["gold"])
    p.polygon([(-7, 40), (7, 40), (7, 58), (-7, 58)], COLOURS["gold"])
    p.ellipse(0, 48, 2, 3, DARK, ink=False)


def _feather(p: Pen, c: RGB) -> None:
    p.polygon([(-4, 10), (-22, 40), (-20, 70), (4, 98), (18, 70), (16, 40)], c)
    p.line([(-8, 0), (4, 96)], darken(c, 0.3), 1.4)
    for y in (34, 50, 66):
        p.line([(-2, y), (-16, y + 8)], darken(c, 0.2), 0.8)


def _egg(p: Pen, c: RGB) -> None:
    p.ellipse(0, 44, 30, 40, c)
    p.ellipse(-10, 60, 6, 10, lighten(c, 0.4), ink=False)


def _umbrella(p: Pen, c: RGB) -> None:
    p.line([(0, 80), (0, 14)], DARK, 2.5)
    p.line([(0, 14), (0, 8), (-8, 4), (-12, 10)], DARK, 2.5)
    p.polygon([(-46, 64), (-30, 86), (0, 96), (30, 86), (46, 64), (30, 68), (16, 62), (0, 68), (-16, 62),
               (-30, 68)], c)


def _basket(p: Pen, c: RGB) -> None:
    p.line([(-30, 50), (-24, 80), (0, 90), (24, 80), (30, 50)], darken(c, 0.3), 3)
    p.polygon([(-40, 52), (40, 52), (30, 6), (-30, 6)], c)
    for y in (18, 30, 42):
        p.line([(-36, y), (36, y)], darken(c, 0.25), 1)
    for x, colour in ((-16, (210, 60, 50)), (0, (230, 190, 60)), (16, (210, 60, 50))):
        p.ellipse(x, 56, 9, 8, colour)


def _compass(p: Pen, c: RGB) -> None:
    p.ellipse(0, 48, 40, 40, c)
    p.ellipse(0, 48, 32, 32, (250, 246, 232))
    p.polygon([(0, 76), (6, 48), (0, 20), (-6, 48)], (200, 50, 50))
    p.polygon([(0, 20), (6, 48), (-6, 48)], (80, 80, 90), ink=False)
    p.ellipse(0, 48, 3, 3, DARK)


def _ball(p: Pen, c: RGB) -> None:
    p.ellipse(0, 44, 40, 40, c)
    p.line([(-40, 44), (40, 44)], (250, 250, 250), 4)
    p.ellipse(-14, 60, 7, 5, lighten(c, 0.5), ink=False)


def _drum(p: Pen, c: RGB) -> None:
    p.polygon([(-36, 14), (36, 14), (36, 64), (-36, 64)], c)
    for k in range(4):
        x = -36 + k * 18
        p.line([(x, 60), (x + 18, 18)], (240, 220, 150), 1.2)
    p.ellipse(0, 64, 36, 9, (244, 236, 214))
    p.ellipse(0, 14, 36, 9, darken(c, 0.2))
    p.polygon([(-36, 10), (36, 10), (36, 18), (-36, 18)], darken(c, 0.2), ink=False)


def _sticks(p: Pen, c: RGB) -> None:
    for s in (-1, 1):
        p.line([(s * 30, 8), (s * -6, 92)], DARK, 5)
        p.line([(s * 30, 8), (s * -6, 92)], c, 3.4)
        p.ellipse(s * -6, 92, 4, 4, lighten(c, 0.2))


def _guitar(p: Pen, c: RGB) -> None:
    p.polygon([(-4, 60), (4, 60), (4, 96), (-4, 96)], (110, 70, 40))
    p.ellipse(0, 24, 26, 22, c)
    p.ellipse(0, 50, 18, 16, c)
    p.ellipse(0, 24, 26, 22, c, ink=False)
    p.ellipse(0, 36, 6, 6, DARK)
    for x in (-1.5, 1.5):
        p.line([(x, 14), (x, 94)], (230, 230, 230), 0.5)


def _trumpet(p: Pen, c: RGB) -> None:
    p.polygon([(-40, 46), (20, 48), (20, 52), (-40, 54)], c)
    p.polygon([(18, 46), (44, 30), (44, 70), (18, 54)], c)
    for x in (-14, -6, 2):
        p.polygon([(x - 2, 54), (x + 2, 54), (x + 2, 66), (x - 2, 66)], lighten(c, 0.2))
    p.polygon([(-30, 54), (0, 54), (0, 40), (-30, 40)], c, ink=True)


def _bell(p: Pen, c: RGB) -> None:
    p.ellipse(0, 88, 6, 6, c)
    p.polygon([(-6, 82), (6, 82), (14, 62), (20, 30), (32, 16), (-32, 16), (-20, 30), (-14, 62)], c)
    p.polygon([(-36, 12), (36, 12), (32, 18), (-32, 18)], darken(c, 0.2))
    p.ellipse(0, 8, 7, 7, darken(c, 0.4))


def _microphone(p: Pen, c: RGB) -> None:
    p.polygon([(-5, 4), (5, 4), (7, 60), (-7, 60)], (60, 60, 66))
    p.ellipse(0, 74, 16, 18, c)
    for y in (66, 74, 82):
        p.line([(-14, y), (14, y)], darken(c, 0.3), 0.8)


def _kite(p: Pen, c: RGB) -> None:
    p.polygon([(10, 98), (36, 66), (10, 30), (-16, 66)], c)
    p.line([(10, 98), (10, 30)], darken(c, 0.3), 1)
    p.line([(-16, 66), (36, 66)], darken(c, 0.3), 1)
    p.line([(10, 30), (0, 20), (12, 12), (-2, 2)], DARK, 1)
    for x, y in ((0, 20), (12, 12)):
        p.polygon([(x - 4, y + 2), (x + 4, y - 2), (x + 4, y + 2), (x - 4, y - 2)], (240, 200, 60))


def _cake(p: Pen, c: RGB) -> None:
    p.ellipse(0, 8, 44, 8, (240, 240, 236))
    p.polygon([(-34, 10), (34, 10), (34, 52), (-34, 52)], c)
    p.ellipse(0, 52, 34, 8, lighten(c, 0.4))
    p.line([(-34, 30), (34, 30)], lighten(c, 0.5), 3)
    p.polygon([(-2, 56), (2, 56), (2, 74), (-2, 74)], (240, 220, 180))
    p.ellipse(0, 80, 3, 5, FLAME, ink=False)


def _loaf(p: Pen, c: RGB) -> None:
    p.ellipse(0, 30, 44, 24, c)
    p.polygon([(-44, 30), (44, 30), (44, 10), (-44, 10)], c, ink=False)
    p.line([(-44, 10), (44, 10)], DARK, 1)
    for x in (-20, 0, 20):
        p.line([(x - 6, 40), (x + 6, 50)], lighten(c, 0.35), 2)


def _fish(p: Pen, c: RGB) -> None:
    p.polygon([(-30, 40), (-50, 58), (-50, 22)], darken(c, 0.1))
    p.ellipse(0, 40, 34, 16, c)
    p.ellipse(20, 44, 3, 3, DARK)
    p.line([(8, 52), (12, 40), (8, 28)], darken(c, 0.3), 1)


def _camera(p: Pen, c: RGB) -> None:
    p.polygon([(-40, 14), (40, 14), (40, 66), (-40, 66)], c)
    p.polygon([(-14, 66), (14, 66), (10, 76), (-10, 76)], c)
    p.ellipse(0, 40, 18, 18, (60, 60, 70))
    p.ellipse(0, 40, 11, 11, (120, 160, 200))
    p.ellipse(28, 58, 4, 3, (250, 250, 240))


def _lens(p: Pen, c: RGB) -> None:
    """A lighthouse lens: a glass disc of rings in a brass frame, on its stand."""
    p.polygon([(-8, 2), (8, 2), (6, 16), (-6, 16)], c)
    p.ellipse(0, 56, 34, 40, c)
    p.ellipse(0, 56, 29, 35, (200, 226, 236))
    for k in (0.75, 0.5, 0.25):
        p.ellipse(0, 56, 29 * k, 35 * k, (200, 226, 236))
    p.line([(-14, 78), (-20, 64)], (255, 255, 255), 2)


def _spectacles(p: Pen, c: RGB) -> None:
    for s in (-1, 1):
        p.ellipse(s * 20, 50, 16, 14, (220, 236, 244))
    p.line([(-5, 54), (0, 57), (5, 54)], c, 2)
    for s in (-1, 1):
        p.line([(s * 36, 54), (s * 46, 60)], c, 2)


def _parcel(p: Pen, c: RGB) -> None:
    """A parcel, a package or a gift: a box tied with string and a bow."""
    p.polygon([(-40, 6), (40, 6), (40, 70), (-40, 70)], c)
    p.polygon([(-40, 70), (40, 70), (28, 84), (-28, 84)], lighten(c, 0.15))
    p.line([(0, 6), (0, 84)], (200, 60, 60), 3)
    p.line([(-40, 40), (40, 40)], (200, 60, 60), 3)
    p.ellipse(-6, 88, 7, 5, (200, 60, 60))
    p.ellipse(6, 88, 7, 5, (200, 60, 60))


def _card(p: Pen, c: RGB) -> None:
    """The labelled fallback for a thing of no shape class the drawings know: a plain card on a string for its name
    (drawn over it), never some other object."""
    p.line([(-6, 84), (0, 98), (6, 84)], DARK, 1.2)
    p.polygon([(-40, 14), (40, 14), (40, 70), (10, 84), (-10, 84), (-40, 70)], lighten(c, 0.55))
    p.ellipse(0, 76, 4, 4, (250, 250, 246))


def _rod(p: Pen, c: RGB) -> None:
    """A stick, staff, cane, rod or pole: long and thin, a crook or knob at the top."""
    p.polygon([(-4, 4), (4, 4), (6, 84), (-2, 84)], c)
    p.line([(2, 84), (8, 94), (20, 96), (26, 88)], c, 7)
    p.line([(-1, 20), (1, 60)], lighten(c, 0.3), 1.2)


def _container(p: Pen, c: RGB) -> None:
    """A tin, pot, bucket or can: a cylinder with a rim and a handle."""
    p.polygon([(-30, 6), (30, 6), (34, 70), (-34, 70)], c)
    p.ellipse(0, 70, 34, 8, darken(c, 0.25))
    p.ellipse(0, 70, 28, 5, darken(c, 0.5), ink=False)
    p.line([(-34, 70), (-24, 96), (24, 96), (34, 70)], DARK, 2)
    p.line([(-28, 40), (28, 40)], lighten(c, 0.25), 2)


def _bag(p: Pen, c: RGB) -> None:
    """A bag, sack, satchel or purse: a soft body gathered at the neck."""
    p.polygon([(-34, 6), (34, 6), (40, 40), (22, 66), (-22, 66), (-40, 40)], c)
    p.polygon([(-14, 66), (14, 66), (20, 80), (-20, 80)], lighten(c, 0.15))
    p.line([(-16, 68), (16, 68)], darken(c, 0.4), 2.5)


def _tool(p: Pen, c: RGB) -> None:
    """A hand tool: a wooden handle and a metal head."""
    p.polygon([(-4, 4), (4, 4), (4, 66), (-4, 66)], COLOURS["wooden"])
    p.polygon([(-26, 66), (26, 66), (22, 84), (-22, 84)], c)
    p.polygon([(26, 66), (36, 70), (36, 80), (22, 84)], darken(c, 0.2))


def _dish(p: Pen, c: RGB) -> None:
    """Food: a helping on a plate."""
    p.ellipse(0, 20, 46, 10, (240, 240, 236))
    p.ellipse(0, 22, 34, 6, (224, 224, 220), ink=False)
    p.polygon([(-30, 24), (-22, 44), (0, 54), (22, 44), (30, 24)], c)
    p.ellipse(-8, 40, 6, 4, lighten(c, 0.3), ink=False)


def _cloth(p: Pen, c: RGB) -> None:
    """Clothing, a blanket, a ribbon: folded cloth."""
    p.polygon([(-42, 6), (42, 6), (42, 56), (-42, 56)], c)
    p.polygon([(-42, 56), (42, 56), (36, 70), (-36, 70)], lighten(c, 0.2))
    for y in (22, 40):
        p.line([(-42, y), (42, y)], darken(c, 0.25), 1.5)


def _boot(p: Pen, c: RGB) -> None:
    """Footwear: a boot."""
    p.polygon([(-20, 90), (8, 90), (8, 26), (40, 18), (40, 4), (-22, 4)], c)
    p.line([(-22, 12), (40, 12)], darken(c, 0.35), 3)


def _furniture(p: Pen, c: RGB) -> None:
    """Furniture: a table top on four legs."""
    p.polygon([(-46, 56), (46, 56), (40, 66), (-40, 66)], c)
    for x in (-38, -24, 24, 38):
        p.polygon([(x - 3, 4), (x + 3, 4), (x + 3, 56), (x - 3, 56)], darken(c, 0.2))


def _device(p: Pen, c: RGB) -> None:
    """A device or machine: a box with dials and a screen."""
    p.polygon([(-40, 6), (40, 6), (40, 70), (-40, 70)], c)
    p.polygon([(-32, 20), (6, 20), (6, 60), (-32, 60)], (120, 190, 210))
    for y in (24, 46):
        p.ellipse(24, y + 6, 8, 8, darken(c, 0.4))
        p.line([(24, y + 6), (28, y + 12)], (250, 250, 246), 1.5)


PROPS: tuple[tuple[str, Callable[[Pen, RGB], None], RGB], ...] = (
    (r"lantern|lamp|torch", _lantern, COLOURS["brass"]),
    (r"key", _key, COLOURS["brass"]),
    (r"letter|envelope|note|message|postcard|invitation", _letter, (200, 50, 50)),
    (r"book|diary|journal|notebook|album|spellbook", _book, (160, 52, 48)),
    (r"seeds?|sprout|seedling|plant|pot|sapling|bulb", _plant, (196, 104, 64)),
    (r"map|chart|plan", _map, PAPER),
    (r"boat|ship|yacht|canoe", _boat, (200, 60, 50)),
    (r"glasses|spectacles", _spectacles, (60, 50, 50)),
    (r"lens|magnifying glass|magnifier|monocle", _lens, COLOURS["brass"]),
    (r"cup|mug|tea|coffee|cocoa|teacup|glass", _cup, (70, 120, 190)),
    (r"flower|rose|daisy|tulip|sunflower|bouquet|blossom|poppy", _flower, (230, 90, 120)),
    (r"sword|dagger|blade|knife", _sword, COLOURS["gold"]),
    (r"phone|smartphone|mobile|tablet", _phone, (40, 40, 48)),
    (r"shell|seashell|conch", _shell, (240, 200, 180)),
    (r"coin|medal|penny|token", _coin, COLOURS["gold"]),
    (r"ring", _ring, COLOURS["gold"]),
    (r"bottle|jar|potion|flask|vial", _bottle, (120, 180, 150)),
    (r"clock|watch|timer", _clock, COLOURS["brass"]),
    (r"candle", _candle, (246, 240, 220)),
    (r"apple|fruit|pear|peach|orange", _apple, (206, 52, 48)),
    (r"crown|tiara", _crown, COLOURS["gold"]),
    (r"gem|jewel|crystal|diamond|stone|pebble|ruby|emerald|sapphire", _gem, (100, 170, 220)),
    (r"chest|treasure|box|casket|trunk", _chest, (140, 92, 54)),
    (r"feather|quill", _feather, (120, 150, 200)),
    (r"egg", _egg, (246, 236, 214)),
    (r"umbrella|parasol", _umbrella, (200, 50, 60)),
    (r"basket|hamper", _basket, (204, 164, 112)),
    (r"compass", _compass, COLOURS["brass"]),

    (r"ball", _ball, (220, 60, 60)),
    (r"drumsticks|sticks", _sticks, COLOURS["wooden"]),
    (r"drum|tambourine", _drum, (200, 60, 50)),
    (r"guitar|violin|fiddle|lute|ukulele|cello", _guitar, (190, 120, 60)),
    (r"trumpet|horn|bugle|trombone|flute|whistle", _trumpet, COLOURS["brass"]),
    (r"bell", _bell, COLOURS["gold"]),
    (r"microphone|mic", _microphone, (150, 150, 160)),
    (r"kite", _kite, (220, 70, 60)),
    (r"bread|loaf|bun|baguette", _loaf, (200, 140, 70)),
    (r"cake|pie|biscuit|cookie|muffin", _cake, (240, 180, 200)),
    (r"fish", _fish, (170, 180, 200)),
    (r"camera|radio", _camera, (50, 50, 56)),
    (r"parcel|package|gift|present", _parcel, (196, 156, 106)),
)


# A prop none of the drawings above names is drawn by its broad shape, found by what the dictionary says it is (its
# commonest sense's hypernyms, nearest class first): a cane is a stick, a trowel a tool, a brooch jewellery. The
# insert still labels it with its own name, so the picture never claims it is some other object.
SHAPES: tuple[tuple[str, Callable[[Pen, RGB], None], RGB], ...] = (
    ("jewelry", _gem, COLOURS["gold"]), ("timepiece", _clock, COLOURS["brass"]),
    ("source of illumination", _lantern, COLOURS["brass"]), ("weapon", _sword, COLOURS["silver"]),
    ("stringed instrument", _guitar, (190, 120, 60)), ("percussion instrument", _drum, (200, 60, 50)),
    ("musical instrument", _trumpet, COLOURS["brass"]), ("publication", _book, (160, 52, 48)),
    ("document", _letter, (200, 50, 50)), ("paper", _letter, (200, 50, 50)), ("food", _dish, (214, 170, 90)),
    ("foodstuff", _dish, (214, 170, 90)), ("hand tool", _tool, COLOURS["silver"]), ("stick", _rod, COLOURS["wooden"]),
    ("rod", _rod, COLOURS["wooden"]), ("bag", _bag, COLOURS["leather"]), ("box", _chest, (140, 92, 54)),
    ("container", _container, COLOURS["silver"]), ("tool", _tool, COLOURS["silver"]),
    ("footwear", _boot, COLOURS["leather"]), ("clothing", _cloth, (90, 120, 170)),
    ("cloth covering", _cloth, (90, 120, 170)), ("fabric", _cloth, (90, 120, 170)), ("strip", _cloth, (200, 60, 60)),
    ("writing implement", _rod, COLOURS["wooden"]), ("cutlery", _tool, COLOURS["silver"]),
    ("appliance", _device, (236, 236, 232)), ("toy", _ball, (220, 60, 60)), ("furniture", _furniture, COLOURS["wooden"]),
    ("plant", _plant, (196, 104, 64)), ("device", _device, (150, 150, 160)),
)


@lru_cache(maxsize=1024)
def shape_of(noun: str) -> tuple[Callable[[Pen, RGB], None], RGB] | None:
    """The broad shape a noun's commonest sense has by the dictionary, or None where it says nothing we can draw."""
    return next(((drawer, colour) for lemmas in beings.ancestry(noun) for name, drawer, colour in SHAPES
                 if name in lemmas), None)


def read_prop(text: str) -> tuple[Callable[[Pen, RGB], None], RGB, bool]:
    """The drawing, its colour and whether it is labelled with its name (a thing drawn by its shape class, or a
    card for one of no class we know), for a prop named in words."""
    lower = text.lower()
    words = re.findall(r"[a-z]+", lower.replace("-", " "))
    found = next(((drawer, colour) for pattern, drawer, colour in PROPS  # the table is in order of preference
                  if re.search(rf"\b(?:{pattern})(?:s|es)?\b", lower)), None)
    colour = next((COLOURS[w] for w in words if w in COLOURS and w not in {"dark", "light"}), None)
    if found is not None:
        return found[0], colour or found[1], False
    nouns = []  # 'walking stick', else 'stick'; then what 'a pair of boots' or 'a wedge of cheese' is of
    for phrase in re.split(r"\b(?:of|with|for|from)\b", re.sub(r"[^a-z ]", " ", lower))[:2]:
        head = phrase.split()
        nouns += [" ".join(head[-2:])] * (len(head) > 1) + head[-1:]
    nouns += [n[:-1] for n in nouns if n.endswith("s")]  # 'boots' is a bellhop before it is two boots
    shape = next((found for noun in nouns if (found := shape_of(noun))), None)
    drawer, default = shape or (_card, (196, 156, 106))
    return drawer, colour or default, True


def paint_prop(pen: Pen, text: str) -> bool:
    """Draw the prop named by `text` on the pen's grid; True when it is the labelled fallback."""
    drawer, colour, fallback = read_prop(text)
    drawer(pen, colour)
    return fallback
