"""Creatures: animals, robots, dragons and other beings, each drawn as its kind's silhouette in its own colours.

Every kind is drawn on a grid of 100 units from the ground to the top of its ears, facing +x (right); `Pen`
mirrors it for a creature that faces left and scales it to any size, so one drawing serves a wide shot's small
figure and a close-up's head alike. Kinds are told apart by silhouette first (ears, tail, snout, wings, spines,
fins, antenna), colour second.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import ImageDraw

from .designs import CreatureDesign
from .paint import DARK, INK, RGB, Pen, darken, lighten, mix
from .props import read_prop

PINK: RGB = (236, 140, 156)
HORN: RGB = (236, 224, 190)
BEAK: RGB = (238, 168, 52)


@dataclass(frozen=True)
class Pose:
    """Where a drawn figure's parts are, in the canvas it was drawn on."""

    head: tuple[float, float]  # the head's (or face's) centre
    head_r: float  # its radius: a close-up fills the frame with it
    top: float  # the top of ears, hat or antenna
    glow: tuple[float, float] | None = None  # a lit lantern


def _spikes(pen: Pen, cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, count: int,
            out: float) -> list[tuple[float, float]]:
    """Points round part of an ellipse, every other one pushed out: a hedgehog's spines, a dragon's ridge."""
    points = []
    for k in range(count * 2 + 1):
        a = math.radians(a0 + (a1 - a0) * k / (count * 2))
        grow = out if k % 2 else 1.0
        points.append((cx + rx * grow * math.cos(a), cy + ry * grow * math.sin(a)))
    return points


# --- sitting, seen from the front ------------------------------------------------------------------------------

def _cat(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    pen.limb([(16, 6), (32, 8), (40, 22), (37, 38), (31, 46)], 7, d.body)  # the tail curls up beside it
    pen.ellipse(0, 27, 21, 27, d.body)
    if not back:
        pen.ellipse(0, 22, 11, 18, d.belly, ink=False)
    for s in (-1, 1):
        pen.ellipse(s * 8, 3, 6.5, 4, d.belly)
        pen.polygon([(s * 19, 72), (s * 16, 99), (s * 3, 85)], d.body)
        pen.polygon([(s * 15.5, 77), (s * 14.8, 93), (s * 7, 85)], d.accent, ink=False)
    pen.ellipse(0, 69, 21, 17, d.body)
    if d.marks == "stripes" or back:
        for x in (-5, 0, 5):
            pen.line([(x, 85), (x * 0.8, 79)], darken(d.body, 0.35), 1.6)
        for s in (-1, 1):
            for y in (20, 30, 40):
                pen.line([(s * 20, y), (s * 13, y + 2)], darken(d.body, 0.35), 1.6)
    if not back:
        for s in (-1, 1):
            pen.ellipse(s * 4.5, 61.5, 5.5, 4, d.belly, ink=False)
            pen.eye(s * 8, 71, 4.2, d.eyes, slit=True)
        pen.polygon([(-2.4, 65), (2.4, 65), (0, 62.3)], PINK, ink=False)
        pen.whiskers(9, 62, 17)
    return Pose(pen.p(0, 69), 21 * pen.u, pen.p(0, 99)[1])


def _fox(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    pen.ellipse(33, 11, 24, 10, d.body)  # the brush lies along the ground, white-tipped
    pen.ellipse(52, 13, 7, 7.5, d.belly)
    pen.ellipse(0, 26, 16, 26, d.body)
    if not back:
        pen.polygon([(-9, 46), (9, 46), (0, 16)], d.belly, ink=False)
    for s in (-1, 1):
        pen.limb([(s * 6, 22), (s * 6, 3)], 6.5, d.accent)  # black socks
        pen.polygon([(s * 19, 70), (s * 20, 100), (s * 4, 81)], d.body)
        pen.polygon([(s * 19.6, 91), (s * 20, 100), (s * 15.5, 93)], d.accent, ink=False)
        pen.polygon([(s * 16.5, 74), (s * 17.5, 91), (s * 8.5, 81)], (70, 46, 44), ink=False)
    face = [(-20, 73), (-17, 80), (-8, 84), (8, 84), (17, 80), (20, 73), (13, 62), (3.5, 53), (-3.5, 53), (-13, 62)]
    pen.polygon(face, d.body)
    if not back:
        pen.polygon([(-19, 71), (-12, 62), (-3.5, 54), (0, 55), (3.5, 54), (12, 62), (19, 71), (9, 66.5), (0, 63.5),
                     (-9, 66.5)], d.belly, ink=False)
        for s in (-1, 1):
            pen.eye(s * 7.5, 72, 3.2, d.eyes, slit=True)
        pen.ellipse(0, 55, 2.8, 2.1, DARK, ink=False)
    return Pose(pen.p(0, 70), 20 * pen.u, pen.p(0, 100)[1])


def _rabbit(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    pen.ellipse(18, 9, 6.5, 6.5, (246, 244, 240))  # the cotton tail
    pen.ellipse(0, 24, 20, 24, d.body)
    if not back:
        pen.ellipse(0, 20, 12, 16, d.belly, ink=False)
    for s in (-1, 1):
        pen.ellipse(s * 12, 3, 10, 4, d.body)
        pen.ellipse(s * 6, 24, 3.8, 3.2, d.belly)
        pen.ellipse(s * 7.5, 84, 5.5, 17, d.body)
        pen.ellipse(s * 7.5, 85, 2.8, 13, d.accent, ink=False)
    pen.ellipse(0, 58, 16, 14, d.body)
    if not back:
        for s in (-1, 1):
            pen.eye(s * 6.5, 61, 3.2)
        pen.ellipse(0, 54.5, 2.2, 1.6, PINK, ink=False)
        pen.polygon([(-1.8, 51.5), (1.8, 51.5), (1.8, 48.5), (-1.8, 48.5)], (252, 252, 248))
        pen.whiskers(5, 53, 12)
    return Pose(pen.p(0, 58), 16 * pen.u, pen.p(0, 101)[1])


def _mouse(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    pen.limb([(12, 4), (30, 2), (44, 8), (48, 20), (43, 30)], 2.2, d.accent)  # the long thin tail
    pen.ellipse(0, 24, 17, 24, d.body)
    if not back:
        pen.ellipse(0, 20, 10, 16, d.belly, ink=False)
    for s in (-1, 1):
        pen.ellipse(s * 7, 2, 6, 3, d.accent)
        pen.ellipse(s * 7, 34, 3, 3, d.accent)
        pen.ellipse(s * 14, 80, 13, 13, d.body)
        pen.ellipse(s * 14, 80, 8.5, 8.5, d.accent, ink=False)
    pen.polygon([(-15, 66), (-12, 74), (0, 77), (12, 74), (15, 66), (9, 56), (0, 50), (-9, 56)], d.body)
    if not back:
        for s in (-1, 1):
            pen.eye(s * 6, 65, 2.9)
        pen.ellipse(0, 51.5, 3, 2.4, PINK)
        pen.whiskers(4, 53, 14)
    return Pose(pen.p(0, 64), 15 * pen.u, pen.p(0, 93)[1])


def _owl(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    for s in (-1, 1):
        pen.polygon([(s * 17, 74), (s * 25, 98), (s * 7, 82)], d.body)
    pen.ellipse(0, 42, 30, 42, d.body)
    for s in (-1, 1):
        pen.ellipse(s * 25, 38, 10, 25, d.accent)
        for y in (26, 36, 46):
            pen.line([(s * 30, y), (s * 24, y - 3), (s * 19, y)], darken(d.accent, 0.3), 1)
        pen.ellipse(s * 8, 1.5, 4, 2.5, BEAK)
    if back:
        for y in (30, 44, 58):
            pen.line([(-10, y), (0, y - 4), (10, y)], darken(d.body, 0.3), 1.2)
        return Pose(pen.p(0, 64), 28 * pen.u, pen.p(0, 98)[1])
    pen.ellipse(0, 28, 19, 22, d.belly, ink=False)
    for x, y in ((-8, 36), (0, 30), (8, 36), (-6, 22), (6, 22), (0, 16)):
        pen.line([(x - 2.5, y + 1.5), (x, y - 1), (x + 2.5, y + 1.5)], darken(d.body, 0.2), 0.9)
    for s in (-1, 1):
        pen.ellipse(s * 12, 64, 13, 12.5, lighten(d.belly, 0.25))
        pen.eye(s * 12, 64, 7.5, d.eyes)
        pen.line([(s * 3, 72), (s * 20, 79)], darken(d.body, 0.3), 2)
    pen.polygon([(-3.5, 61), (3.5, 61), (0, 51)], BEAK)
    return Pose(pen.p(0, 64), 28 * pen.u, pen.p(0, 98)[1])


def _robot(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    steel = darken(d.body, 0.3)
    for s in (-1, 1):
        pen.polygon([(s * 4, 24), (s * 12, 24), (s * 12, 4), (s * 4, 4)], steel)
        pen.polygon([(s * 2, 4), (s * 15, 4), (s * 15, 0), (s * 2, 0)], darken(steel, 0.2))
        pen.limb([(s * 23, 55), (s * 29, 42), (s * 28, 30)], 6, steel)
        pen.ellipse(s * 28, 28, 4.5, 4.5, d.body)
        pen.polygon([(s * 17, 78), (s * 20, 78), (s * 20, 70), (s * 17, 70)], steel)
    pen.polygon([(-22, 22), (22, 22), (23, 60), (-23, 60)], d.body)
    pen.polygon([(-4, 60), (4, 60), (4, 64), (-4, 64)], steel)
    pen.polygon([(-17, 64), (17, 64), (17, 90), (-17, 90)], d.body)
    pen.line([(0, 90), (0, 97)], INK, 1.2)
    pen.ellipse(0, 98.5, 3, 3, d.accent)
    if not back:
        pen.polygon([(-13, 29), (13, 29), (13, 51), (-13, 51)], d.belly)
        for k, colour in enumerate(((230, 70, 60), (246, 200, 52), (90, 200, 110))):
            pen.ellipse(-7 + 7 * k, 45, 2.4, 2.4, colour)
        pen.ellipse(0, 35, 4.5, 4.5, lighten(d.belly, 0.5))
        pen.line([(0, 35), (2.5, 38)], INK, 0.8)
        for s in (-1, 1):
            pen.ellipse(s * 7.5, 80, 5, 5, DARK)
            pen.ellipse(s * 7.5, 80, 3.4, 3.4, d.eyes, ink=False)
            pen.ellipse(s * 7.5 + 1, 81, 1.1, 1.1, (255, 255, 255), ink=False)
        pen.polygon([(-8, 67), (8, 67), (8, 72), (-8, 72)], DARK)
        for x in (-4, 0, 4):
            pen.line([(x, 67.5), (x, 71.5)], d.body, 0.8)
    else:
        pen.polygon([(-12, 30), (12, 30), (12, 52), (-12, 52)], darken(d.body, 0.12))
    if d.dented:  # a crumpled corner and a scuffed head
        dent = darken(d.body, 0.45)
        pen.line([(-22, 48), (-15, 43), (-18, 36), (-12, 32)], dent, 1.1)
        pen.line([(9, 88), (12, 83), (17, 85)], dent, 1.1)
        pen.ellipse(-16, 40, 3, 2.2, darken(d.body, 0.2), ink=False)
    return Pose(pen.p(0, 78), 18 * pen.u, pen.p(0, 102)[1])


# --- standing, seen from the side (facing +x) -------------------------------------------------------------------

def _legs(pen: Pen, xs: tuple[float, ...], top: float, width: float, colour: RGB, hoof: RGB | None = None) -> None:
    for k, x in enumerate(xs):
        far = k % 2 == 1  # the legs on the far side, a shade darker
        c = darken(colour, 0.18) if far else colour
        pen.limb([(x, top), (x + (1.5 if k < 2 else -1), top * 0.45), (x, 2)], width, c)
        if hoof is not None:
            pen.polygon([(x - width * 0.55, 4), (x + width * 0.55, 4), (x + width * 0.6, 0), (x - width * 0.6, 0)],
                        hoof)


def _dog(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    pen.limb([(-30, 54), (-40, 66), (-41, 80)], 5, d.body)  # the tail up, wagging
    _legs(pen, (-24, -16, 12, 20), 46, 8, d.body)
    pen.ellipse(-4, 50, 31, 15, d.body)
    pen.ellipse(0, 42, 20, 7, d.belly, ink=False)
    pen.limb([(18, 56), (28, 70)], 15, d.body)
    pen.ellipse(30, 74, 14, 13, d.body)
    pen.ellipse(44, 68, 10.5, 7, d.belly)
    pen.ellipse(53.5, 70, 3.4, 2.8, DARK)
    if d.marks == "spots":
        for x, y in ((-16, 54), (-2, 58), (8, 50)):
            pen.ellipse(x, y, 4.5, 3.5, darken(d.body, 0.5), ink=False)
    pen.eye(35, 78, 2.6)
    pen.ellipse(48, 62, 3, 2.5, PINK, ink=False)  # the tongue
    pen.polygon([(22, 82), (27, 84), (25, 64), (18, 66)], darken(d.body, 0.3))  # a floppy ear
    return Pose(pen.p(34, 73), 17 * pen.u, pen.p(0, 87)[1])


def _wolf(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    pen.polygon([(-34, 56), (-46, 46), (-53, 28), (-49, 20), (-43, 30), (-32, 46)], d.body)  # the bushy tail, low
    pen.polygon([(-53, 28), (-49, 20), (-46, 27)], d.belly, ink=False)
    _legs(pen, (-26, -18, 12, 20), 46, 7, d.body)
    pen.ellipse(-6, 50, 33, 14.5, d.body)
    pen.ellipse(-2, 42, 22, 6, d.belly, ink=False)
    pen.polygon([(14, 58), (22, 48), (34, 66), (28, 78), (18, 72)], d.body)
    pen.polygon([(22, 50), (30, 60), (24, 64)], d.belly, ink=False)  # the ruff
    pen.polygon([(24, 78), (27, 96), (33, 80)], d.body)
    pen.polygon([(30, 78), (35, 94), (39, 77)], d.body)
    pen.ellipse(32, 71, 12, 10, d.body)
    pen.polygon([(36, 76), (59, 68), (60, 64), (38, 60)], d.body)
    pen.polygon([(38, 62), (58, 64.5), (56, 62), (40, 58)], d.belly)
    pen.ellipse(59, 66.5, 2.6, 2.4, DARK, ink=False)
    pen.eye(38, 73, 2.3, d.eyes, slit=True)
    return Pose(pen.p(38, 70), 18 * pen.u, pen.p(0, 96)[1])


def _horse(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    pen.polygon([(-36, 68), (-44, 56), (-49, 34), (-44, 32), (-40, 46), (-32, 62)], d.accent)  # the tail
    _legs(pen, (-28, -20, 16, 24), 58, 6.5, d.body, hoof=darken(d.accent, 0.2))
    pen.ellipse(-4, 62, 35, 14, d.body)
    pen.polygon([(14, 70), (28, 58), (44, 86), (32, 94)], d.body)
    pen.limb([(36, 90), (54, 75)], 12, d.body)
    pen.ellipse(55, 75, 6.5, 6.5, mix(d.body, d.belly, 0.3))
    pen.ellipse(58, 76, 1.3, 1.3, DARK, ink=False)
    pen.polygon([(30, 94), (32, 102), (37, 95)], d.body)
    pen.polygon([(12, 72), (28, 96), (34, 96), (22, 70)], d.accent)  # the mane
    pen.eye(40, 87, 2.2)
    return Pose(pen.p(44, 84), 14 * pen.u, pen.p(0, 102)[1])


def _bear(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    _legs(pen, (-30, -20, 12, 22), 30, 13, d.body)
    pen.ellipse(-40, 44, 4, 4, d.body)
    pen.ellipse(-6, 42, 38, 26, d.body)
    pen.ellipse(28, 72, 5.5, 5.5, d.body)
    pen.ellipse(38, 72, 5, 5, d.body)
    pen.ellipse(34, 56, 16, 15, d.body)
    pen.ellipse(48, 52, 9, 7, d.belly)
    pen.ellipse(56, 54, 3, 2.6, DARK, ink=False)
    pen.eye(38, 61, 2.2)
    return Pose(pen.p(36, 58), 17 * pen.u, pen.p(0, 77)[1])


def _dragon(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    pen.polygon([(-4, 58), (-30, 98), (-20, 88), (-10, 100), (-2, 86), (10, 96), (10, 60)], d.accent)  # a wing
    for x, y in ((-30, 98), (-10, 100), (10, 96)):
        pen.line([(2, 60), (x, y)], darken(d.accent, 0.35), 0.8)
    pen.limb([(-30, 40), (-48, 30), (-64, 14), (-74, 8)], 8, d.body)
    pen.polygon([(-72, 14), (-86, 8), (-72, 2)], d.accent)
    _legs(pen, (-24, -14, 10, 18), 36, 9, d.body)
    pen.ellipse(-6, 42, 30, 16, d.body)
    pen.ellipse(-4, 34, 22, 7, d.belly, ink=False)
    ridge = _spikes(pen, -6, 42, 30, 16, 160, 30, 5, 1.25)
    pen.polygon(ridge, d.accent)
    pen.ellipse(-6, 42, 29, 15, d.body, ink=False)
    pen.ellipse(-4, 34, 22, 7, d.belly, ink=False)
    pen.limb([(16, 48), (30, 72)], 13, d.body)
    pen.polygon([(30, 82), (22, 96), (35, 84)], HORN)
    pen.polygon([(26, 80), (16, 90), (30, 83)], HORN)
    pen.ellipse(35, 76, 11, 8.5, d.body)
    pen.ellipse(46, 73, 9.5, 5.8, d.body)
    pen.line([(40, 70.5), (54, 71)], INK, 0.7)
    pen.ellipse(52, 75.5, 1.4, 1.2, DARK, ink=False)
    pen.eye(37, 79, 2.8, d.eyes, slit=True)
    return Pose(pen.p(40, 76), 15 * pen.u, pen.p(0, 100)[1])


def _hedgehog(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    for x in (-24, 14):
        pen.ellipse(x, 3, 5.5, 3.2, darken(d.belly, 0.3))
    pen.polygon(_spikes(pen, -6, 30, 42, 34, 178, 8, 11, 1.28), d.accent)
    pen.ellipse(-6, 30, 40, 30, d.body)
    for k in range(9):
        a = math.radians(170 - k * 18)
        x, y = -6 + 30 * math.cos(a), 30 + 22 * math.sin(a)
        pen.line([(x, y), (x + 7 * math.cos(a + 0.4), y + 7 * math.sin(a + 0.4))], darken(d.body, 0.35), 1.2)
    pen.polygon([(16, 52), (34, 38), (54, 22), (52, 16), (32, 6), (14, 8)], d.belly)
    pen.ellipse(53.5, 19.5, 3.6, 3.2, DARK)
    pen.ellipse(22, 46, 4, 4, d.belly)
    pen.eye(33, 32, 2.7)
    return Pose(pen.p(30, 30), 22 * pen.u, pen.p(0, 74)[1])


def _bird(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    pen.polygon([(-20, 38), (-52, 52), (-54, 40), (-24, 28)], d.accent)
    for x in (-4, 6):
        pen.line([(x, 20), (x - 1, 1)], BEAK, 1.6)
        pen.line([(x - 5, 0.5), (x + 5, 0.5)], BEAK, 1.4)
    pen.ellipse(-2, 38, 28, 21, d.body)
    pen.ellipse(8, 32, 16, 13, d.belly, ink=False)
    pen.ellipse(-8, 42, 17, 10, d.accent)
    pen.ellipse(20, 60, 15, 15, d.body)
    pen.polygon([(32, 64), (48, 60), (33, 56)], BEAK)
    pen.eye(25, 63, 3.2)
    return Pose(pen.p(22, 58), 17 * pen.u, pen.p(0, 75)[1])


def _fish(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    for x, y, r in ((50, 70, 3.2), (56, 80, 2.4), (52, 89, 1.7)):
        pen.ellipse(x, y, r, r, lighten(d.body, 0.7))
    pen.polygon([(-34, 50), (-62, 74), (-54, 50), (-62, 26)], d.accent)
    pen.polygon([(-16, 70), (2, 88), (16, 70)], d.accent)
    pen.ellipse(0, 50, 40, 24, d.body)
    pen.ellipse(4, 39, 28, 10, d.belly, ink=False)
    for k in range(3):
        for j in range(2):
            x, y = -18 + 10 * k, 46 + 10 * j
            pen.line([(x, y + 4), (x + 4, y), (x, y - 4)], darken(d.body, 0.2), 0.8)
    pen.line([(18, 64), (22, 50), (18, 36)], darken(d.body, 0.35), 1.1)
    pen.polygon([(8, 42), (-4, 30), (2, 42)], d.accent)
    pen.ellipse(26, 56, 6, 6, (252, 252, 248))
    pen.eye(27, 56, 3.4)
    pen.line([(36, 45), (39, 47)], INK, 1)
    return Pose(pen.p(14, 50), 26 * pen.u, pen.p(0, 90)[1])


# --- the other body plans, for any species of them: a generic four-legged animal, a lizard, a snake, a frog, a bug ---

def _quadruped(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    """Any four-legged animal without a drawing of its own: long legs, an upright neck, pricked ears, a short tail."""
    pen.limb([(-30, 60), (-38, 66)], 4, d.accent)  # a short tail, flicked up
    _legs(pen, (-22, -14, 12, 20), 50, 6.5, d.body, hoof=darken(d.body, 0.5))
    pen.ellipse(-2, 55, 30, 13, d.body)
    pen.ellipse(0, 48, 19, 5, d.belly, ink=False)
    pen.limb([(18, 60), (26, 80)], 11, d.body)
    pen.polygon([(22, 92), (18, 102), (28, 93)], d.body)  # pricked ears
    pen.polygon([(30, 93), (33, 103), (35, 91)], d.body)
    pen.ellipse(28, 86, 9, 8, d.body)
    pen.polygon([(32, 90), (46, 82), (45, 76), (32, 78)], d.body)  # the muzzle
    pen.ellipse(44, 79, 3.5, 3, d.belly, ink=False)
    pen.ellipse(46, 80, 1.5, 1.3, DARK, ink=False)
    if d.marks:
        for x, y in ((-16, 58), (-2, 62), (8, 54)):
            pen.ellipse(x, y, 4.5, 3.5, d.accent, ink=False)
    pen.eye(32, 88, 2.2, d.eyes)
    return Pose(pen.p(30, 85), 13 * pen.u, pen.p(0, 103)[1])


def _reptile(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    pen.polygon([(-22, 14), (-60, 8), (-84, 4), (-60, 2), (-22, 4)], d.body)  # the long tail along the ground
    for x, s in ((-14, -1), (-8, 1), (14, -1), (20, 1)):  # splayed legs, elbows out
        pen.limb([(x, 10), (x + s * 6, 5), (x + s * 8, 0)], 5, darken(d.body, 0.15 if s > 0 else 0))
    pen.ellipse(0, 12, 26, 10, d.body)
    pen.ellipse(2, 7, 18, 4, d.belly, ink=False)
    for x in range(-18, 20, 6):  # a ridge of scales
        pen.polygon([(x - 2.5, 20), (x, 24), (x + 2.5, 20)], d.accent)
    pen.ellipse(30, 16, 12, 8, d.body)
    pen.polygon([(36, 20), (50, 15), (48, 11), (36, 10)], d.body)
    pen.line([(38, 13), (49, 13)], INK, 0.7)
    pen.eye(33, 19, 2.4, d.eyes, slit=True)
    return Pose(pen.p(34, 16), 10 * pen.u, pen.p(0, 26)[1])


def _serpent(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    for k, (y, r) in enumerate(((8, 30), (20, 24), (31, 18))):  # coils, the largest at the bottom
        pen.ellipse(0, y, r, 7, d.body if k % 2 == 0 else darken(d.body, 0.1))
        pen.ellipse(0, y - 2, r * 0.7, 2.5, d.belly, ink=False)
    pen.limb([(6, 36), (14, 52), (10, 66), (18, 74)], 10, d.body)  # the raised neck
    pen.ellipse(24, 76, 11, 7, d.body)
    for x, y in ((-16, 9), (4, 10), (20, 8), (-10, 21), (10, 21), (0, 32)):  # its markings
        pen.ellipse(x, y, 2.6, 1.6, d.accent, ink=False)
    pen.line([(34, 74), (40, 74), (43, 76)], (220, 50, 60), 0.8)  # the forked tongue
    pen.line([(40, 74), (43, 72)], (220, 50, 60), 0.8)
    pen.eye(27, 79, 2.4, d.eyes, slit=True)
    return Pose(pen.p(24, 76), 11 * pen.u, pen.p(0, 84)[1])


def _amphibian(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    for s in (-1, 1):  # folded back legs and webbed feet, seen from the front
        pen.ellipse(s * 22, 14, 13, 12, darken(d.body, 0.1))
        pen.polygon([(s * 18, 2), (s * 34, 0), (s * 36, 5), (s * 22, 6)], darken(d.body, 0.1))
    pen.ellipse(0, 26, 26, 22, d.body)
    if not back:
        pen.ellipse(0, 20, 17, 14, d.belly, ink=False)
    for s in (-1, 1):
        pen.limb([(s * 12, 18), (s * 12, 3)], 5, d.body)
        pen.ellipse(s * 14, 48, 9, 9, d.body)
        if not back:
            pen.eye(s * 14, 49, 5.5, d.eyes)
    if not back:
        pen.line([(-15, 36), (0, 33), (15, 36)], INK, 1)
    if d.marks:
        for x, y in ((-16, 32), (14, 28), (-4, 42)):
            pen.ellipse(x, y, 3, 2.4, d.accent, ink=False)
    return Pose(pen.p(0, 40), 20 * pen.u, pen.p(0, 57)[1])


def _insect(pen: Pen, d: CreatureDesign, back: bool) -> Pose:
    for k, x in enumerate((-14, 2, 14)):  # six thin legs
        for s in (0, 1):
            c = darken(d.body, 0.3) if s else INK
            pen.line([(x, 30), (x + (4 if k < 2 else 6), 18), (x + (-2 if k < 2 else 8), 0)], c, 1.3)
    pen.ellipse(-22, 30, 24, 16, d.body)  # abdomen
    if d.marks:
        for x in (-32, -22, -12):
            pen.polygon([(x - 2, 15), (x + 2, 15), (x + 2, 45), (x - 2, 45)], d.accent, ink=False)
    pen.polygon([(-4, 44), (-20, 62), (-36, 68), (-42, 62), (-34, 52), (-10, 40)], (226, 236, 246))  # a wing
    pen.ellipse(6, 34, 11, 10, darken(d.body, 0.1))  # thorax
    pen.ellipse(22, 38, 9, 9, d.body)  # head
    for dx in (0, 4):
        pen.line([(24 + dx, 45), (30 + dx, 60), (36 + dx, 64)], INK, 0.8)
    pen.eye(26, 40, 3.6, d.eyes)
    return Pose(pen.p(22, 38), 9 * pen.u, pen.p(0, 66)[1])


KINDS: dict[str, Callable[[Pen, CreatureDesign, bool], Pose]] = {
    "cat": _cat, "fox": _fox, "rabbit": _rabbit, "mouse": _mouse, "owl": _owl, "robot": _robot,
    "dog": _dog, "wolf": _wolf, "horse": _horse, "bear": _bear, "dragon": _dragon, "hedgehog": _hedgehog,
    "bird": _bird, "fish": _fish, "quadruped": _quadruped, "reptile": _reptile, "serpent": _serpent,
    "amphibian": _amphibian, "insect": _insect,
}
SIDE_VIEW = {"dog", "wolf", "horse", "bear", "dragon", "hedgehog", "bird", "fish", "quadruped", "reptile", "serpent",
             "insect"}


# Where a waistcoat sits on a kind seen from the front (x, y, rx, ry in its units): the chest, clear of face and
# feet; and the body a coat is laid over on a kind seen from the side.
VESTS = {"cat": (0, 36, 19, 14), "fox": (0, 36, 14, 12), "rabbit": (0, 32, 17, 13), "mouse": (0, 32, 14, 12),
         "owl": (0, 36, 24, 18)}
BODIES = {"dog": (-4, 50, 31, 15), "wolf": (-6, 50, 33, 14.5), "horse": (-4, 62, 35, 14), "bear": (-6, 42, 38, 26),
          "bird": (-2, 38, 28, 21), "quadruped": (-2, 55, 30, 13)}


def _coat(pen: Pen, d: CreatureDesign, back: bool) -> None:
    """A waistcoat open at the neck with buttons (front view), or a coat laid over the back (side view)."""
    if d.top is None:
        return
    if d.kind in VESTS:
        x, y, rx, ry = VESTS[d.kind]
        pen.ellipse(x, y, rx, ry, d.top)
        if not back:
            pen.polygon([(x - rx * 0.45, y + ry * 0.9), (x, y - ry * 0.4), (x + rx * 0.45, y + ry * 0.9)], d.belly)
            for k in range(2):
                pen.ellipse(x, y - ry * (0.55 + 0.3 * k), 1.1, 1.1, darken(d.top, 0.45), ink=False)
    elif d.kind in BODIES:
        x, y, rx, ry = BODIES[d.kind]
        arc = [(x + rx * 0.72 * math.cos(a), y + ry * 1.04 * math.sin(a))
               for a in np.linspace(0.25, math.pi - 0.25, 12)]
        pen.polygon(arc + [(x - rx * 0.7, y - ry * 0.45), (x + rx * 0.7, y - ry * 0.45)], d.top)
        pen.line([(x - rx * 0.66, y - ry * 0.3), (x + rx * 0.66, y - ry * 0.3)], lighten(d.top, 0.4), 1.2)


def paint_creature(draw: ImageDraw.ImageDraw, d: CreatureDesign, cx: float, foot: float, height: float,
                   line: float, facing: int = 1, back: bool = False) -> Pose:
    """Draw the creature with its feet at (cx, foot), `height` pixels tall; a back view turns away from us."""
    if back and d.kind in SIDE_VIEW:
        facing, back = -facing, False  # seen from behind, a side-on animal simply faces the other way
    pen = Pen(draw, cx, foot, height, facing, line)
    pose = KINDS.get(d.kind, _quadruped)(pen, d, back)
    _coat(pen, d, back)
    hx, hy = pose.head
    r = pose.head_r
    if d.collar is not None:  # round the neck, under the head
        w = r * 0.62
        draw.rounded_rectangle((hx - w, hy + r * 0.78, hx + w, hy + r * 1.02), radius=r * 0.1, fill=d.collar,
                               **pen.ink)
    glow_at = pose.glow
    for k, (kind, colour) in enumerate(d.props):  # what it carries stands at its front feet, the same every scene
        size = (0.3 if d.height < 0.6 else 0.22) * height
        x = hx + facing * (r * 0.6 + size * 0.45) if d.kind in SIDE_VIEW else cx + (1 - 2 * k) * facing * 0.42 * height
        drawer, _, _ = read_prop(kind)
        drawer(Pen(draw, x, foot, size, facing, line * 0.8), colour)
        if re.search(r"\b(?:lantern|lamp|torch)", kind):
            glow_at = (x, foot - 0.45 * size)
    top = pose.top
    if d.hat is not None:
        colour = d.hat[1]
        draw.rounded_rectangle((hx - 0.5 * r, hy - 1.55 * r, hx + 0.5 * r, hy - 0.8 * r), radius=r * 0.15, fill=colour,
                               **pen.ink)
        draw.ellipse((hx - 0.9 * r, hy - 1.0 * r, hx + 0.9 * r, hy - 0.7 * r), fill=colour, **pen.ink)
        top = min(top, hy - 1.55 * r)
    return Pose(pose.head, pose.head_r, top, glow_at)
