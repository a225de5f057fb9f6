"""The cast on stage: where each character stands, their figures, shadows and lantern glows, and a rowing boat."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...contracts import CharacterLook, KeyframeRequest
from .creatures import SIDE_VIEW
from .designs import CreatureDesign, Design, design_of
from .figures import figure_sprite, paint_figure, pose_of
from .paint import SEA, WOOD, box, darken, glow, lighten, mix, rgba, stroke
from .stage import Stage, scene_side, scenery_seed, seeded_rng, supersample
from .words import Scenery


@dataclass(frozen=True)
class Placement:
    character: CharacterLook
    x: float  # centre of the feet, in final pixels
    feet: float  # in final pixels
    height: float  # figure height, in final pixels
    facing: int = 1  # 1 right, -1 left: side-on animals look this way
    back: bool = False  # turned away from us (the near shoulder of an over-the-shoulder shot)
    label: bool = True  # its name is written over it (not on a back or a face that fills the frame)


CLOSE_FRAMINGS = {"medium", "close_up", "reaction", "over_the_shoulder"}


def shown_framing(request: KeyframeRequest) -> str:
    """The framing actually drawn: the Base frame is always wide; a shot with nobody (or no prop) to frame falls
    back to what it can show, so a close-up of no one is a wide shot and an over-the-shoulder of one is a medium."""
    if request.scene_id == "base":
        return "wide"
    framing, n = request.framing, len(request.characters)
    if framing == "insert":
        return "insert" if insert_prop(request) else "close_up" if n else "wide"
    if framing == "over_the_shoulder" and n < 2:
        return "medium" if n else "wide"
    return framing if n else "wide"


def insert_prop(request: KeyframeRequest) -> str:
    """What an insert shows: the shot's prop, else what its subject carries."""
    if request.prop.strip():
        return request.prop.strip()
    for character in request.characters:
        if character.props:
            return character.props[0]
    return ""


def _width_of(design: Design | CreatureDesign, facing: int) -> tuple[float, float]:
    """A figure's width and the left edge's offset from its feet, per pixel of height."""
    sprite = figure_sprite(design, 100, 1.0, facing)
    return sprite.image.width / 100, sprite.foot[0] / 100


def _wide_layout(request: KeyframeRequest) -> list[Placement]:
    """Everyone full length, side by side, leaning away from the scene's big thing; small animals stay readable."""
    W, H, n = request.width, request.height, len(request.characters)
    base = request.scene_id == "base"
    rng = seeded_rng(request.seed, 2)
    side = scene_side(scenery_seed(request.scene_id))
    designs = [design_of(c) for c in request.characters]
    tallest = max(d.height for d in designs)
    norm = max(tallest, 0.6)  # a cast of small animals is drawn larger; a mouse beside a man stays small
    rel = [max(d.height / norm, 0.36) for d in designs]
    facings = [1 if (i + 0.5) < n / 2 or (n == 1 and side > 0) else -1 for i in range(n)]
    top = 0.42 * H if base else 0.46 * H
    widths = [_width_of(d, f) for d, f in zip(designs, facings)]
    gap = 0.12 if base else 0.02
    total = sum(w * r * top + gap * top for (w, _), r in zip(widths, rel)) - gap * top
    room = (0.8 if base else 0.7) * W
    fit = min(1.0, room / max(1.0, total))
    centre = 0.5 * W if base else (0.5 - side * 0.08 + rng.uniform(-0.05, 0.05)) * W
    feet = (0.72 if base else 0.755) * H  # the model sheet writes names under the feet
    x = centre - total * fit / 2
    placements = []
    for i, (character, r, (w, left), facing) in enumerate(zip(request.characters, rel, widths, facings)):
        height = top * r * fit
        jitter = 0 if base else rng.uniform(-0.015, 0.015) * W
        placements.append(Placement(character, x + left * height + jitter, feet + (0 if base else (i % 2) * 0.01 * H),
                                    height, facing))
        x += (w * height) + gap * top * fit
    return placements


def _by_head(character: CharacterLook, head: tuple[float, float], radius: float, facing: int,
             back: bool = False, label: bool = True, ground: float = 0.0) -> Placement:
    """Place a figure so that its head is centred at `head` with the given radius (final pixels); a short animal
    whose feet would then hang in the air is lowered until they reach `ground`."""
    design = design_of(character)
    turned = back and isinstance(design, CreatureDesign) and design.kind in SIDE_VIEW
    pose = pose_of(design, facing)  # a side-on animal seen from behind is drawn facing the other way round
    height = 100 * radius / pose.head_r
    feet = max(head[1] - pose.head[1] * height / 100, ground)
    return Placement(character, head[0] - pose.head[0] * height / 100, feet, height, -facing if turned else facing,
                     back, label)


def cast_layout(request: KeyframeRequest) -> list[Placement]:
    """Where each character stands, as the shot's framing says.

    wide: the place with everyone full length; medium: those in frame from the waist up; close_up: the subject's
    face and shoulders (an animal's head) fills the frame; reaction: the same for the listener, off centre;
    over_the_shoulder: the second character's back and shoulder near us, the first facing us past it;
    insert: nobody (the prop fills the frame)."""
    W, H, n = request.width, request.height, len(request.characters)
    if n == 0:
        return []
    framing = shown_framing(request)
    side = scene_side(scenery_seed(request.scene_id))
    cast = request.characters
    if framing == "wide":
        return _wide_layout(request)
    if framing == "insert":
        return []
    if framing == "close_up":
        animal = isinstance(design_of(cast[0]), CreatureDesign)  # an animal's head alone fills the frame
        return [_by_head(cast[0], (0.5 * W - side * 0.04 * W, 0.47 * H), (0.32 if animal else 0.29) * H, side,
                         ground=H)]
    if framing == "reaction":
        return [_by_head(cast[0], (0.5 * W + side * 0.13 * W, 0.48 * H), 0.25 * H, -side, ground=H)]
    if framing == "over_the_shoulder":
        subject = _by_head(cast[0], (0.5 * W + side * 0.17 * W, 0.37 * H), 0.12 * H, -side, ground=0.8 * H)
        near = _by_head(cast[1], (0.5 * W - side * 0.3 * W, 0.66 * H), 0.22 * H, side, back=True, label=False)
        return [subject, near]
    shown = cast[:4]  # medium: waist up, side by side, turned towards each other
    k = len(shown)
    radius = min(0.13 * H, 0.2 * W / k)
    placements = []
    for i, character in enumerate(shown):
        x = W * (0.5 + (i - (k - 1) / 2) * min(0.3, 0.84 / k))
        facing = 1 if x < 0.5 * W or (k == 1 and side < 0) else -1
        placements.append(_by_head(character, (x, 0.34 * H + (i % 2) * 0.02 * H), radius, facing, ground=0.95 * H))
    return placements


def figure_boxes(request: KeyframeRequest) -> dict[str, tuple[int, int, int, int]]:
    """Each character's bounding box (x0, y0, x1, y1) in the keyframe: for tests and face-consistency crops."""
    boxes, scale = {}, supersample(request.height)
    wide = shown_framing(request) == "wide"
    for p in cast_layout(request):
        # a wide shot's sprite as drawn; a closer shot's figure (larger than the frame) from a small one, scaled
        size = max(1, int(p.height * scale)) if wide else 100
        sprite = figure_sprite(design_of(p.character), size, 1.0, p.facing)
        k = p.height / size if not wide else 1 / scale
        fx, fy = sprite.foot
        x0, y0 = p.x - fx * k, p.feet - fy * k
        box_ = (int(x0), int(y0), int(x0 + sprite.image.width * k), int(y0 + sprite.image.height * k))
        boxes[p.character.id] = box_ if wide else (max(0, box_[0]), max(0, box_[1]), min(request.width, box_[2]),
                                                    min(request.height, box_[3]))
    return boxes


def paint_cast(stage: Stage, placements: list[Placement], scenery: Scenery, line_scale: float,
               close: bool = False) -> list[tuple[Placement, float]]:
    """Shadows, figures and lantern glows; returns each placement with the y of its head's top (final pixels).

    A wide shot pastes each character's cached sprite (the same pixels in every scene); a closer shot draws the
    figure straight onto the stage, clipped by the frame, so a face that fills the frame costs no giant sprite."""
    heads = []
    for p in sorted(placements, key=lambda p: (p.back, p.feet)):
        design = design_of(p.character)
        x, feet = p.x * stage.scale, p.feet * stage.scale
        if close:
            pose = paint_figure(stage.draw, design, x, feet, p.height * stage.scale, line_scale, p.facing, p.back,
                                max_line=stage.H / 180)
            glow_at, head_top = pose.glow, pose.top
        else:
            sprite = figure_sprite(design, int(p.height * stage.scale), line_scale, p.facing)
            w = p.height * stage.scale * 0.22
            stage.draw.ellipse(box(x, feet, w, w * 0.16), fill=(20, 16, 30, 70))
            ox, oy = int(round(x - sprite.foot[0])), int(round(feet - sprite.foot[1]))
            stage.img.paste(sprite.image, (ox, oy), sprite.image)
            glow_at = None if sprite.glow is None else (ox + sprite.glow[0], oy + sprite.glow[1])
            head_top = oy + sprite.head_top
        if glow_at and stage.light.dark:
            glow(stage.img, glow_at, p.height * stage.scale * 0.3, (255, 220, 130), 0.55)
        if p.label:
            heads.append((p, head_top / stage.scale))
    if scenery.in_boat and placements and not close:
        _rowing_boat(stage, placements, scenery)
    return heads


def _rowing_boat(stage: Stage, placements: list[Placement], scenery: Scenery) -> None:
    """The hull drawn over the cast from the waist down, seen from the side, with oars in the water."""
    u, draw = stage.u, stage.draw
    xs = [p.x * stage.scale for p in placements]
    top = min(p.feet - p.height * 0.42 for p in placements) * stage.scale
    depth = max(p.feet for p in placements) * stage.scale - top + 3 * u  # deep enough to hide the legs
    x0, x1 = min(xs) - 24 * u, max(xs) + 24 * u
    hull = stage.shade(mix((196, 62, 48), stage.pal(2), 0.3))
    wood = stage.shade(WOOD)
    for s, x in ((-1, min(xs) - 6 * u), (1, max(xs) + 6 * u)):  # oars from the oarlocks out into the water
        tip = (x + s * 30 * u, top + depth * 0.75)
        draw.line([(x, top - 2 * u), tip], fill=wood, width=stroke(1.3 * u))
        draw.ellipse((tip[0] - 3.5 * u, tip[1] - 1.2 * u, tip[0] + 3.5 * u, tip[1] + 1.2 * u), fill=wood,
                     **stage.ink(0.5))
    gunwale = [(x0 - 4 * u, top - 4 * u), (x0 + 8 * u, top), (x1 - 8 * u, top), (x1 + 5 * u, top - 5 * u)]
    keel = [(x1 + 5 * u - (x1 - x0 + 9 * u) * t,
             top + depth * math.sin(math.pi * t) ** 0.45 - (5 * u if t < 0.02 else 0))
            for t in np.linspace(0.02, 0.98, 24)]
    draw.polygon(gunwale + keel, fill=hull, **stage.ink())
    draw.line(gunwale, fill=lighten(hull, 0.45), width=stroke(1.4 * u))
    draw.line([(x0 + 2 * u, top + depth * 0.35), (x1 - 2 * u, top + depth * 0.35)], fill=darken(hull, 0.15),
              width=stroke(0.6 * u))
    water = stage.shade(mix(SEA, (46, 64, 80), 0.5 if scenery.weather.clouds == 3 else 0.0))
    for k in range(4):
        y = top + depth * 0.8 + k * 1.6 * u
        draw.line([(x0 - 8 * u + k * 5 * u, y), (x1 + 8 * u - k * 5 * u, y)],
                  fill=rgba(lighten(water, 0.45), 150 - 30 * k), width=stroke(0.6 * u))
