"""The cast on stage: where each character stands, their figures, shadows and lantern glows, and a rowing boat."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..base import CharacterLook, KeyframeRequest
from .designs import design_of
from .figures import figure_sprite
from .paint import SEA, WOOD, box, darken, glow, lighten, mix, rgba, stroke
from .stage import Stage, scene_side, seeded_rng, supersample
from .words import Scenery


@dataclass(frozen=True)
class Placement:
    character: CharacterLook
    x: float  # centre, in final pixels
    feet: float  # in final pixels
    height: float  # figure height, in final pixels


def cast_layout(request: KeyframeRequest) -> list[Placement]:
    """Where each character stands: spread in the foreground, leaning away from the scene's big thing."""
    W, H, n = request.width, request.height, len(request.characters)
    if n == 0:
        return []
    base = request.scene_id == "base"
    rng = seeded_rng(request.seed, 2)
    side = scene_side(request.seed)
    tallest = 0.42 * H if base else 0.46 * H
    spacing_needed = 0.62 if base else 0.5  # figure widths per height between centres
    room = (0.8 if base else 0.7) * W
    height = min(tallest, room / max(1, n) / spacing_needed) if n > 1 else tallest
    spacing = min(height * (0.9 if base else 0.62), room / max(1, n - 1)) if n > 1 else 0.0
    centre = 0.5 * W if base else (0.5 - side * 0.08 + rng.uniform(-0.05, 0.05)) * W
    feet = (0.72 if base else 0.755) * H  # the model sheet writes names under the feet
    placements = []
    for i, character in enumerate(request.characters):
        x = centre + (i - (n - 1) / 2) * spacing + (0 if base else rng.uniform(-0.015, 0.015) * W)
        d = design_of(character)
        placements.append(Placement(character, x, feet + (0 if base else (i % 2) * 0.01 * H), height * d.height))
    return placements


def figure_boxes(request: KeyframeRequest) -> dict[str, tuple[int, int, int, int]]:
    """Each character's bounding box (x0, y0, x1, y1) in the keyframe: for tests and face-consistency crops."""
    boxes, scale = {}, supersample(request.height)
    for p in cast_layout(request):
        sprite = figure_sprite(design_of(p.character), int(p.height * scale), 1.0)
        fx, fy = sprite.foot
        x0, y0 = p.x - fx / scale, p.feet - fy / scale
        boxes[p.character.id] = (int(x0), int(y0), int(x0 + sprite.image.width / scale),
                                 int(y0 + sprite.image.height / scale))
    return boxes


def paint_cast(stage: Stage, placements: list[Placement], scenery: Scenery,
               line_scale: float) -> list[tuple[Placement, float]]:
    """Shadows, figures and lantern glows; returns each placement with the y of its head's top (final pixels)."""
    heads = []
    for p in sorted(placements, key=lambda p: p.feet):
        sprite = figure_sprite(design_of(p.character), int(p.height * stage.scale), line_scale)
        x, feet = p.x * stage.scale, p.feet * stage.scale
        w = p.height * stage.scale * 0.22
        stage.draw.ellipse(box(x, feet, w, w * 0.16), fill=(20, 16, 30, 70))
        ox, oy = int(round(x - sprite.foot[0])), int(round(feet - sprite.foot[1]))
        stage.img.paste(sprite.image, (ox, oy), sprite.image)
        if sprite.glow and (stage.light.dark or scenery.interior and stage.light.dark):
            glow(stage.img, (ox + sprite.glow[0], oy + sprite.glow[1]), p.height * stage.scale * 0.3, (255, 220, 130),
                 0.55)
        heads.append((p, (oy + sprite.head_top) / stage.scale))
    if scenery.in_boat and placements:
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
