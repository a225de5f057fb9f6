"""The report's chart, drawn with Pillow: per-shot bars of style similarity and face distance to the Base frame."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from ..renderers.fonts import font as _font
from .gate import GateThresholds

if TYPE_CHECKING:
    from .report import EvaluationReport

WIDTH, HEIGHT, LEFT, RIGHT = 1200, 760, 80, 1170
INK, MUTED, GRID = (33, 37, 41), (110, 110, 110), (222, 226, 230)
STYLE_BAR, FACE_BAR, LIMIT = (66, 133, 244), (234, 134, 52), (200, 40, 40)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _shot_labels(draw: ImageDraw.ImageDraw, ids: list[str], slot: float, font) -> list[str]:
    """'scene/shot' labels when they fit under their bars, else their 1-based positions."""
    if all(draw.textlength(i, font=font) <= slot - 6 for i in ids):
        return ids
    return [str(k + 1) for k in range(len(ids))]


def _panel(draw, top, height, title, ids, values, y_max, colour, empty, flagged, limit=None) -> None:
    bottom, small = top + height, _font(14)
    draw.text((LEFT, top - 46), title, font=_font(18, bold=True), fill=INK)

    def y_of(v: float) -> float:
        return bottom - max(0.0, min(v, y_max)) / y_max * height

    for k in range(5):
        tick = y_max * k / 4
        draw.line([(LEFT, y_of(tick)), (RIGHT, y_of(tick))], fill=GRID, width=1)
        draw.text((LEFT - 8, y_of(tick)), f"{tick:.2f}", font=small, fill=INK, anchor="rm")
    slot = (RIGHT - LEFT) / max(len(values), 1)
    bar = max(2.0, min(slot * 0.6, 90))
    labels = _shot_labels(draw, ids, slot, small)
    every = max(1, math.ceil(draw.textlength(max(labels, key=len, default=""), font=small) / max(slot - 4, 1)))
    for k, (label, value) in enumerate(zip(labels, values)):
        cx = LEFT + slot * (k + 0.5)
        if value is None:
            draw.text((cx, bottom - 10), empty if slot >= 60 else "×", font=small, fill=MUTED, anchor="mm")
        else:
            draw.rectangle([cx - bar / 2, y_of(value), cx + bar / 2, bottom], fill=colour)
            if slot >= 40:
                draw.text((cx, y_of(value) - 3), f"{value:.2f}", font=small, fill=INK, anchor="mb")
        if k % every == 0 or flagged[k]:  # a flagged shot's label always shows, in the gate's colour
            draw.text((cx, bottom + 6), label, font=small, fill=LIMIT if flagged[k] else INK, anchor="mt")
    draw.line([(LEFT, bottom), (RIGHT, bottom)], fill=INK, width=2)
    if limit is not None:  # drawn over the bars, its label on a white box at the right
        y, text = y_of(limit[0]), limit[1]
        for x in range(LEFT, RIGHT, 14):
            draw.line([(x, y), (min(x + 7, RIGHT), y)], fill=LIMIT, width=2)
        box = draw.textbbox((RIGHT - 4, y - 5), text, font=small, anchor="rb")
        draw.rectangle([box[0] - 4, box[1] - 2, box[2] + 4, box[3] + 2], fill="white")
        draw.text((RIGHT - 4, y - 5), text, font=small, fill=LIMIT, anchor="rb")


def draw_report(report: EvaluationReport) -> Image.Image:
    """The chart as an image: the film's numbers in the title, two panels of per-shot bars, the gate's limits dashed,
    flagged shots labelled in red."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    title = (f"CSFD {_fmt(report.csfd)} (lower is better)    CSSC {_fmt(report.cssc)}    "
             f"style to Base {_fmt(report.style_to_base)}    CLIP score {_fmt(report.clip_score, 1)}")
    models = (f"faces: {report.face_embedder or 'not evaluated'}    style: {report.style_embedding}    "
              f"CLIP: {report.clip_model or 'none'}    {len(report.shots)} shots, in film order")
    draw.text((LEFT, 16), title, font=_font(24, bold=True), fill=INK)
    draw.text((LEFT, 50), models, font=_font(15), fill=MUTED)
    gate = GateThresholds()
    ids, flagged = [s.label for s in report.shots], [bool(s.flags) for s in report.shots]

    family = "clip" if report.style_embedding.startswith("clip:") else report.style_embedding
    style_limit = gate.style_min_similarity.get(family)
    _panel(draw, 140, 220, "Style similarity to the Base frame (higher = closer)", ids,
           [s.style_similarity_to_base for s in report.shots], 1.0, STYLE_BAR, "", flagged,
           (style_limit, f"Reviewer gate {style_limit}") if style_limit else None)

    face_limit = gate.face_max_distance.get(report.face_embedder or "")
    faces = [s.face_distance_to_base for s in report.shots]
    y_max = math.ceil(max([v for v in faces if v is not None] + [face_limit or 0.0, 0.75]) * 1.1 / 0.25) * 0.25
    _panel(draw, 490, 220, "Face distance to the Base frame (lower = closer)", ids, faces, y_max, FACE_BAR,
           "no face" if report.face_embedder else "n/a", flagged,
           (face_limit, f"same person below {face_limit}") if face_limit else None)
    return image
