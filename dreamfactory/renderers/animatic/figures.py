"""Figures: a character's design drawn as a standing sprite, with what it carries."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from .creatures import Pose, paint_creature
from .designs import CreatureDesign, Design
from .paint import COLOURS, INK, RGB, box, darken, lighten, mix, stroke


@dataclass(frozen=True)
class Sprite:
    image: Image.Image  # RGBA
    foot: tuple[int, int]  # where the feet touch the ground, in the sprite
    head_top: int  # y of the top of the head (or hat)
    glow: tuple[float, float] | None  # a lit lantern's centre, in the sprite
    head: tuple[float, float]  # the head's centre, in the sprite
    head_r: float


def _capsule(draw: ImageDraw.ImageDraw, a: tuple[float, float], b: tuple[float, float], width: float, fill: RGB,
             line: float) -> None:
    """A rounded stroke with an ink outline: limbs, sleeves, braids."""
    for colour, w in ((INK, width + 2 * line), (fill, width)):
        draw.line([a, b], fill=colour, width=stroke(round(w)))
        for x, y in (a, b):
            r = w / 2
            draw.ellipse(box(x, y, r), fill=colour)


def _fringe(cx: float, hy: float, r: float, style: str, elder: bool) -> list[tuple[float, float]]:
    """The hair over the forehead: the crown's arc, then a scalloped edge (a side sweep, a centre part or curls)."""
    crown = [(cx + 1.05 * r * math.cos(a), hy - 0.05 * r + 1.02 * r * math.sin(a)) for a in np.linspace(math.pi * 0.98,
            math.pi * 2.02, 24)]
    bumps = {"curly": 5, "long": 2, "braids": 2, "bun": 1, "ponytail": 1}.get(style, 3)
    line = -0.42 if elder else -0.3  # the hairline; an old man's is higher
    edge = []
    for t in np.linspace(1.0, -1.0, 25):
        swoop = 0.22 * abs(math.sin(math.pi * bumps * (t + 1) / 2))
        tilt = 0.12 * t if bumps == 3 else 0.0  # a side sweep
        edge.append((cx + t * 1.02 * r, hy + (line + swoop + tilt + 0.3 * t * t) * r))
    return crown + edge


def paint_figure(draw: ImageDraw.ImageDraw, design: Design | CreatureDesign, cx: float, foot_y: float,
                 height: float, line_scale: float, facing: int = 1, back: bool = False,
                 max_line: float = 1e9) -> Pose:
    """Draw any character with its feet at (cx, foot_y), `height` pixels from feet to crown, straight onto `draw`.

    `back` turns it away from us (the near shoulder of an over-the-shoulder shot); `max_line` keeps a close-up's
    outline from growing with the face."""
    line = min(max(1.5, 0.85 * height / 100), max_line) * line_scale
    if isinstance(design, CreatureDesign):
        return paint_creature(draw, design, cx, foot_y, height, line, facing, back)
    return _paint_human(draw, design, cx, foot_y, height, line, back)


@lru_cache(maxsize=32)  # a 720p sprite is about 2 MB; a film has a few characters at a few sizes
def figure_sprite(design: Design | CreatureDesign, height: int, line_scale: float, facing: int = 1) -> Sprite:
    """Draw a standing character `height` pixels tall (feet to crown) on a transparent sprite."""
    u = height / 100
    wide = isinstance(design, CreatureDesign)
    w_px, h_px = int(height * (2.0 if wide else 0.95)), int(height * 1.2)
    img = Image.new("RGBA", (w_px, h_px), (0, 0, 0, 0))
    cx, foot_y = w_px / 2, h_px - 2 * u
    pose = paint_figure(ImageDraw.Draw(img), design, cx, foot_y, height, line_scale, facing)
    x0, y0, x1, y1 = img.getbbox() or (0, 0, w_px, h_px)
    x0, x1 = min(x0, int(cx) - 1), max(x1, int(cx) + 1)
    img = img.crop((x0, y0, x1, h_px))
    glow = None if pose.glow is None else (pose.glow[0] - x0, pose.glow[1] - y0)
    return Sprite(image=img, foot=(int(round(cx - x0)), int(round(foot_y - y0))), head_top=int(pose.top - y0),
                  glow=glow, head=(pose.head[0] - x0, pose.head[1] - y0), head_r=pose.head_r)


@lru_cache(maxsize=256)
def pose_of(design: Design | CreatureDesign, facing: int = 1) -> Pose:
    """Where head and crown are for a figure 100 pixels tall with its feet at (0, 0): for framing a shot on them."""
    return paint_figure(ImageDraw.Draw(Image.new("RGBA", (1, 1))), design, 0.0, 0.0, 100.0, 1.0, facing)


def _paint_human(draw: ImageDraw.ImageDraw, d: Design, cx: float, foot_y: float, height: float, line: float,
                 back: bool) -> Pose:
    u = height / 100
    top_y = foot_y - 100 * u
    r = (14.0 if d.child else 11.0) * u  # head radius: children have bigger heads
    hy = top_y + r + 1.5 * u + (3 * u if d.elder else 0)  # head centre; an old back bends, the head sinks
    neck_y = hy + r * 0.92
    shoulder_y = neck_y + 2.5 * u
    sw = (15.5 if d.child else 13.5 if d.elder else 14.5) * u * d.width  # half shoulder width; old ones round
    hip_y = top_y + (66 if d.child else 60) * u
    hem_y = top_y + (80 if d.child else 79) * u if d.long_top else hip_y + 5 * u
    shoe_top = foot_y - 6.5 * u
    outline = dict(outline=INK, width=stroke(round(line)))

    # 1. hair behind the head, and a raincoat's hood
    if d.hair_style == "long":
        draw.rounded_rectangle((cx - 1.15 * r, hy - 1.12 * r, cx + 1.15 * r, hy + 1.85 * r), radius=r, fill=d.hair,
                               **outline)
    elif d.hair_style == "braids":
        for side in (-1, 1):
            x = cx + side * 0.98 * r
            for k in range(5):
                y = hy + 0.35 * r + k * 0.42 * r
                draw.ellipse(box(x, y, 0.26 * r, 0.24 * r), fill=d.hair, **outline)
            y_end = hy + 0.35 * r + 5 * 0.42 * r
            draw.ellipse((x - 0.16 * r, y_end - 0.2 * r, x + 0.16 * r, y_end + 0.05 * r), fill=COLOURS["red"],
                         **outline)
    elif d.hair_style == "ponytail":
        draw.ellipse((cx + 0.55 * r, hy - 0.5 * r, cx + 1.55 * r, hy + 1.3 * r), fill=d.hair, **outline)
    if d.top_kind in {"raincoat", "parka", "anorak", "oilskin", "hoodie", "cloak", "cape", "poncho"}:
        draw.ellipse((cx - 1.05 * r, neck_y - 0.75 * r, cx + 1.05 * r, neck_y + 0.5 * r), fill=darken(d.top, 0.12),
                     **outline)

    # 2. legs and shoes (a skirt or long coat covers the top of the legs)
    for side in (-1, 1):
        lx = cx + side * 5.2 * u * d.width
        _capsule(draw, (lx, hip_y), (lx, shoe_top), 7.5 * u, d.skin if d.skirt else d.bottom, line)
        draw.rounded_rectangle((lx - 4.6 * u + side * 1.2 * u, shoe_top - 1 * u, lx + 4.6 * u + side * 1.2 * u, foot_y),
                               radius=2.5 * u, fill=d.shoes, **outline)

    # 3. arms, then the body over the shoulders
    hand_y = hip_y + (1 if d.child else 3) * u
    hands = []
    for side in (-1, 1):
        shoulder = (cx + side * (sw - 3.2 * u), shoulder_y + 3.5 * u)
        hand = (cx + side * (sw + 3.2 * u), hand_y)
        _capsule(draw, shoulder, hand, 7.2 * u, d.top, line)
        hands.append(hand)
    draw.rectangle((cx - 3 * u, neck_y - 2 * u, cx + 3 * u, shoulder_y + 1 * u), fill=d.skin, **outline)
    flare = 1.28 if d.long_top else 1.04
    body = [(cx - 4.5 * u, neck_y + 0.5 * u), (cx - sw, shoulder_y + 2 * u), (cx - sw - 0.5 * u, shoulder_y + 6 * u),
            (cx - sw * flare, hem_y), (cx + sw * flare, hem_y), (cx + sw + 0.5 * u, shoulder_y + 6 * u),
            (cx + sw, shoulder_y + 2 * u), (cx + 4.5 * u, neck_y + 0.5 * u)]
    if d.skirt and not d.long_top:
        skirt = [(cx - sw * 0.95, hip_y - 1 * u), (cx - sw * 1.35, hip_y + 15 * u), (cx + sw * 1.35, hip_y + 15 * u),
                 (cx + sw * 0.95, hip_y - 1 * u)]
        draw.polygon(skirt, fill=d.bottom, **outline)
    draw.polygon(body, fill=d.top, **outline)
    if d.inner is not None:  # a glimpse of what is worn under the coat
        draw.polygon([(cx - 4.5 * u, neck_y + 0.5 * u), (cx, shoulder_y + 9 * u), (cx + 4.5 * u, neck_y + 0.5 * u)],
                     fill=d.inner, **outline)
    if d.top_kind in {"sweater", "jumper", "pullover", "cardigan"}:  # a knitted band across the chest
        zig_y = shoulder_y + 10 * u
        points = [(cx - sw + 1.5 * u + k * 3 * u,
                   zig_y + (2 * u if k % 2 else 0)) for k in range(int((2 * sw - 3 * u) / (3 * u)) + 1)]
        draw.line(points, fill=lighten(d.top, 0.45), width=stroke(1.6 * u))
        draw.rectangle((cx - sw * flare + 0.8 * u, hem_y - 3 * u, cx + sw * flare - 0.8 * u, hem_y - 1.2 * u),
                       fill=darken(d.top, 0.18))
    elif d.long_top:  # buttons down the front
        for k in range(4):
            y = shoulder_y + (7 + k * 8) * u
            if y < hem_y - 3 * u:
                draw.ellipse(box(cx, y, 1.2 * u), fill=darken(d.top, 0.45))
        draw.line([(cx, shoulder_y + 4 * u), (cx, hem_y)], fill=darken(d.top, 0.3), width=stroke(0.7 * u))
    if d.apron is not None:
        draw.line([(cx - 4 * u, shoulder_y + 6 * u), (cx - 3 * u, neck_y)], fill=d.apron, width=stroke(1.5 * u))
        draw.line([(cx + 4 * u, shoulder_y + 6 * u), (cx + 3 * u, neck_y)], fill=d.apron, width=stroke(1.5 * u))
        draw.rounded_rectangle((cx - sw * 0.72, shoulder_y + 6 * u, cx + sw * 0.72, max(hem_y, hip_y + 14 * u)),
                               radius=2 * u, fill=d.apron, **outline)
        draw.rounded_rectangle(box(cx, hip_y, 4 * u, 3 * u), radius=u, fill=darken(d.apron, 0.15), **outline)
    if d.scarf is not None:
        draw.rounded_rectangle((cx - 7 * u, neck_y - 0.5 * u, cx + 7 * u, neck_y + 4.5 * u), radius=2 * u,
                               fill=d.scarf, **outline)
        draw.rounded_rectangle((cx + 2 * u, neck_y + 2 * u, cx + 6 * u, neck_y + 15 * u), radius=1.5 * u, fill=d.scarf,
                               **outline)
    for hand in hands:
        hx, hy_ = hand
        draw.ellipse(box(hx, hy_, 3.4 * u), fill=d.skin, **outline)

    # 4. the head: face, hair, eyes, beard, hat (a hood goes round it all)
    if d.hat is not None and d.hat[0] == "hood":
        draw.ellipse((cx - 1.32 * r, hy - 1.38 * r, cx + 1.32 * r, hy + 1.12 * r), fill=d.hat[1], **outline)
    if d.hair_style in {"short", "curly", "bun", "ponytail", "braids"}:
        draw.ellipse((cx - 1.1 * r, hy - 1.14 * r, cx + 1.1 * r, hy + 0.45 * r), fill=d.hair, **outline)
    if d.hair_style == "curly":
        for k in range(9):
            a = math.pi * (0.95 + k * 1.1 / 8)
            x, y = cx + 1.0 * r * math.cos(a), hy - 0.15 * r + 1.0 * r * math.sin(a)
            draw.ellipse(box(x, y, 0.32 * r), fill=d.hair, **outline)
    if d.hair_style == "bun":
        draw.ellipse((cx - 0.45 * r, hy - 1.55 * r, cx + 0.45 * r, hy - 0.7 * r), fill=d.hair, **outline)
    for side in (-1, 1):  # ears
        ex = cx + side * 0.98 * r
        draw.ellipse((ex - 0.2 * r, hy - 0.05 * r, ex + 0.2 * r, hy + 0.38 * r), fill=d.skin, **outline)
    draw.ellipse((cx - r, hy - r, cx + r, hy + r * 1.02), fill=d.skin, **outline)
    if d.hair_style == "bald":
        if d.elder:
            for side in (-1, 1):
                ex = cx + side * 0.92 * r
                draw.ellipse((ex - 0.22 * r, hy - 0.45 * r, ex + 0.22 * r, hy + 0.15 * r), fill=d.hair, **outline)
    else:
        draw.polygon(_fringe(cx, hy, r, d.hair_style, d.elder), fill=d.hair, **outline)
    eye_y = hy + 0.18 * r
    for side in (-1, 1):
        ex = cx + side * 0.38 * r
        if d.eyes is not None:  # the colour the story gives them, round a dark pupil
            draw.ellipse(box(ex, eye_y, 0.16 * r, 0.19 * r), fill=d.eyes, outline=(34, 28, 36), width=stroke(0.03 * r))
            draw.ellipse(box(ex, eye_y, 0.07 * r, 0.09 * r), fill=(34, 28, 36))
        else:
            draw.ellipse(box(ex, eye_y, 0.12 * r, 0.16 * r), fill=(34, 28, 36))
        draw.ellipse((ex - 0.01 * r, eye_y - 0.11 * r, ex + 0.07 * r, eye_y - 0.03 * r), fill=(255, 255, 255))
        brow = d.hair if d.elder else darken(d.hair, 0.2)
        draw.line([(ex - 0.17 * r, eye_y - 0.32 * r), (ex + 0.17 * r, eye_y - 0.35 * r + side * 0.02 * r)], fill=brow,
                  width=stroke(0.09 * r * (1.3 if d.elder else 1)))
        draw.ellipse((ex + side * 0.14 * r - 0.17 * r, eye_y + 0.22 * r, ex + side * 0.14 * r + 0.17 * r,
                      eye_y + 0.38 * r), fill=mix(d.skin, (236, 112, 118), 0.45))
    if d.freckles:
        for side in (-1, 1):
            for fx, fy in ((0.32, 0.42), (0.45, 0.36), (0.5, 0.48), (0.22, 0.5)):
                x, y = cx + side * fx * r, hy + fy * r
                draw.ellipse(box(x, y, 0.035 * r), fill=darken(d.skin, 0.35))
    draw.arc((cx - 0.08 * r, hy + 0.28 * r, cx + 0.08 * r, hy + 0.42 * r), 20, 160, fill=darken(d.skin, 0.3),
             width=stroke(0.06 * r))
    if d.beard is not None:
        kind, colour = d.beard
        if kind == "beard":
            beard = [(cx - 0.92 * r, hy + 0.2 * r), (cx - 0.8 * r, hy + 0.95 * r), (cx - 0.3 * r, hy + 1.55 * r),
                     (cx, hy + 1.7 * r),
                     (cx + 0.3 * r, hy + 1.55 * r), (cx + 0.8 * r, hy + 0.95 * r), (cx + 0.92 * r, hy + 0.2 * r),
                     (cx + 0.5 * r, hy + 0.5 * r), (cx, hy + 0.42 * r), (cx - 0.5 * r, hy + 0.5 * r)]
            draw.polygon(beard, fill=colour, **outline)
        for side in (-1, 1):
            draw.ellipse((cx + side * 0.3 * r - 0.3 * r, hy + 0.38 * r, cx + side * 0.3 * r + 0.3 * r, hy + 0.62 * r),
                         fill=lighten(colour, 0.1), **outline)
        draw.arc((cx - 0.16 * r, hy + 0.62 * r, cx + 0.16 * r, hy + 0.86 * r), 20, 160, fill=INK,
                 width=stroke(0.07 * r))
    else:
        draw.arc((cx - 0.22 * r, hy + 0.42 * r, cx + 0.22 * r, hy + 0.72 * r), 25, 155, fill=(120, 50, 56),
                 width=stroke(0.08 * r))
    if d.glasses:
        for side in (-1, 1):
            ex = cx + side * 0.38 * r
            draw.ellipse(box(ex, eye_y, 0.25 * r, 0.24 * r), outline=INK, width=stroke(0.07 * r))
        draw.line([(cx - 0.13 * r, eye_y), (cx + 0.13 * r, eye_y)], fill=INK, width=stroke(0.07 * r))
    if back:  # seen from behind: the back of the head covers the face
        fill = d.skin if d.hair_style == "bald" else d.hair
        draw.ellipse((cx - 1.06 * r, hy - 1.12 * r, cx + 1.06 * r, hy + 1.05 * r), fill=fill, **outline)
        if d.hair_style in {"long", "braids", "ponytail"}:
            draw.rounded_rectangle((cx - 1.0 * r, hy - 0.4 * r, cx + 1.0 * r, hy + 1.7 * r), radius=0.8 * r,
                                   fill=d.hair, **outline)
    head_top = hy - 1.14 * r
    if d.hat is not None:
        kind, colour = d.hat
        if kind == "hood":
            draw.arc((cx - 1.32 * r, hy - 1.38 * r, cx + 1.32 * r, hy + 1.12 * r), 160, 380, fill=darken(colour, 0.25),
                     width=stroke(0.16 * r))
            head_top = hy - 1.38 * r
        elif kind in {"hat", "bonnet", "helmet", "sou'wester", "souwester"}:
            draw.rounded_rectangle((cx - 0.85 * r, hy - 1.75 * r, cx + 0.85 * r, hy - 0.55 * r), radius=0.3 * r,
                                   fill=colour, **outline)
            draw.ellipse((cx - 1.5 * r, hy - 0.9 * r, cx + 1.5 * r, hy - 0.45 * r), fill=colour, **outline)
            head_top = hy - 1.75 * r
        else:
            draw.chord((cx - 1.1 * r, hy - 1.3 * r, cx + 1.1 * r, hy + 0.1 * r), 180, 360, fill=colour, **outline)
            if kind == "cap":
                draw.chord((cx - 0.2 * r, hy - 0.75 * r, cx + 1.5 * r, hy - 0.35 * r), 180, 360,
                           fill=darken(colour, 0.15), **outline)
            head_top = hy - 1.3 * r

    # 5. what the hands carry
    glow = None
    for (kind, colour), (hx, hand_yy), side in zip(d.props, (hands[1], hands[0]), (1, -1)):
        if kind == "lantern":
            top = hand_yy + 2 * u
            draw.arc((hx - 3 * u, hand_yy - 2 * u, hx + 3 * u, top + 2 * u), 180, 360, fill=INK, width=stroke(0.8 * u))
            draw.rounded_rectangle((hx - 4.5 * u, top, hx + 4.5 * u, top + 2.2 * u), radius=u, fill=colour, **outline)
            draw.rectangle((hx - 3.6 * u, top + 2.2 * u, hx + 3.6 * u, top + 10.5 * u), fill=(255, 222, 120), **outline)
            draw.line([(hx, top + 2.2 * u), (hx, top + 10.5 * u)], fill=colour, width=stroke(0.9 * u))
            draw.rounded_rectangle((hx - 4.5 * u, top + 10.5 * u, hx + 4.5 * u, top + 12.5 * u), radius=u, fill=colour,
                                   **outline)
            glow = (hx, top + 6.3 * u)
        elif kind == "umbrella":
            draw.line([(hx, hand_yy - 3 * u), (hx + side * 2 * u, foot_y)], fill=INK, width=stroke(1.2 * u))
            draw.polygon([(hx, hand_yy + 2 * u), (hx - 3.5 * u, hand_yy + 8 * u),
                          (hx + side * 1.8 * u, foot_y - 6 * u), (hx + 3.5 * u,
                                                                  hand_yy + 8 * u)], fill=colour, **outline)
        elif kind == "basket":
            draw.arc((hx - 6 * u, hand_yy - 2 * u, hx + 6 * u, hand_yy + 10 * u), 180, 360, fill=darken(colour, 0.3),
                     width=stroke(1.2 * u))
            draw.polygon([(hx - 7 * u, hand_yy + 4 * u), (hx + 7 * u, hand_yy + 4 * u),
                          (hx + 5.5 * u, hand_yy + 13 * u), (hx - 5.5 * u, hand_yy + 13 * u)], fill=colour, **outline)
            draw.line([(hx - 6.5 * u, hand_yy + 8 * u), (hx + 6.5 * u, hand_yy + 8 * u)], fill=darken(colour, 0.25),
                      width=stroke(0.7 * u))
        elif kind == "book":
            draw.rectangle((hx - 4 * u, hand_yy - 1 * u, hx + 4 * u, hand_yy + 10 * u), fill=colour, **outline)
            draw.line([(hx - 2.5 * u, hand_yy - u), (hx - 2.5 * u, hand_yy + 10 * u)], fill=lighten(colour, 0.4),
                      width=stroke(0.8 * u))
        elif kind == "stick":
            draw.line([(hx + side * 1.5 * u, hand_yy - 16 * u), (hx - side * 1.0 * u, foot_y)], fill=colour,
                      width=stroke(2 * u))
        elif kind == "bag":
            draw.line([(cx - side * sw * 0.7, shoulder_y + 2 * u), (hx - side * 3 * u, hand_yy - 2 * u)],
                      fill=darken(colour, 0.2), width=stroke(1.5 * u))
            draw.rounded_rectangle((hx - side * 9 * u - 5 * u, hand_yy - 4 * u, hx - side * 9 * u + 5 * u,
                                    hand_yy + 5 * u), radius=u, fill=colour, **outline)
        elif kind == "lens":
            draw.ellipse((hx - 6 * u, hand_yy - 5 * u, hx + 6 * u, hand_yy + 7 * u), fill=lighten(colour, 0.35),
                         **outline)
            draw.arc((hx - 4 * u, hand_yy - 3 * u, hx + 3 * u, hand_yy + 4 * u), 200, 260, fill=(255, 255, 255),
                     width=stroke(u))
        elif kind == "flower":
            draw.line([(hx, hand_yy), (hx, hand_yy - 9 * u)], fill=COLOURS["green"], width=stroke(0.9 * u))
            draw.ellipse((hx - 2.5 * u, hand_yy - 13 * u, hx + 2.5 * u, hand_yy - 8 * u), fill=colour, **outline)
        elif kind == "spyglass":
            draw.line([(hx, hand_yy - 1 * u), (hx + side * 5 * u, hand_yy + 8 * u)], fill=INK, width=stroke(3.6 * u))
            draw.line([(hx, hand_yy - 1 * u), (hx + side * 5 * u, hand_yy + 8 * u)], fill=colour, width=stroke(2.2 * u))
        draw.ellipse(box(hx, hand_yy, 3.4 * u), fill=d.skin, **outline)
    return Pose((cx, hy), r, head_top, glow)
