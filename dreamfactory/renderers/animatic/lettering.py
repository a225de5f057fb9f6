"""The words drawn on a keyframe: the caption, the scene tag, name labels and the model sheet's header."""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageDraw

from ...contracts import KeyframeRequest
from ..fonts import font
from .cast import Placement
from .paint import INK, hex_rgb, stroke


def _wrap(text: str, face: Any, max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        while face.getlength(word) > max_width and len(word) > 1:  # a word wider than the band: break it
            cut = max(1, int(len(word) * max_width / face.getlength(word)) - 1)
            if lines and face.getlength(lines[-1] + " " + word[:cut]) <= max_width:
                lines[-1] += " " + word[:cut]
            else:
                lines.append(word[:cut])
            word = word[cut:]
        if lines and face.getlength(lines[-1] + " " + word) <= max_width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def caption_layout(text: str, width: int, height: int) -> tuple[Any, list[str]]:
    """The caption's font and at most two lines, each no wider than 80% of the frame."""
    max_width = 0.8 * width
    face, lines = None, []
    for share in (0.042, 0.037, 0.032, 0.028):
        size = max(8, round(share * height))
        face = font(size, bold=size < 14)  # thin strokes vanish in small frames
        lines = _wrap(text, face, max_width)
        if len(lines) <= 2:
            return face, lines
    lines = lines[:2]
    while lines[1] and face.getlength(lines[1] + "…") > max_width:
        lines[1] = lines[1][:-1].rstrip()
    lines[1] += "…"
    return face, lines


def caption_box(text: str, width: int, height: int) -> tuple[int, int, int, int] | None:
    """Where the caption band goes: centred, inside 76%-90% of the height, so camera moves never crop it."""
    if not text.strip():
        return None
    face, lines = caption_layout(text, width, height)
    line_h = face.size * 1.22
    band_w = min(0.84 * width, max(face.getlength(line) for line in lines) + 1.4 * face.size)
    band_h = len(lines) * line_h + 0.55 * face.size
    top = max(0.76 * height, min(0.83 * height - band_h / 2, 0.90 * height - band_h))
    x0 = (width - band_w) / 2
    return int(x0), int(top), int(x0 + band_w), int(top + band_h)


def draw_caption(img: Image.Image, text: str) -> None:
    band = caption_box(text, img.width, img.height)
    if band is None:
        return
    face, lines = caption_layout(text, img.width, img.height)
    draw = ImageDraw.Draw(img, "RGBA")
    draw.rounded_rectangle(band, radius=int(face.size * 0.5), fill=(16, 14, 26, 165))
    line_h = face.size * 1.22
    y = band[1] + 0.275 * face.size
    for line in lines:
        x = (img.width - face.getlength(line)) / 2
        draw.text((x + 1, y + 1), line, font=face, fill=(0, 0, 0, 160))
        draw.text((x, y), line, font=face, fill=(255, 250, 240, 255))
        y += line_h


def _pill(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, face: Any, anchor_centre: bool,
          fill: tuple[int, ...]) -> None:
    w, pad = face.getlength(text), face.size * 0.45
    x, y = (xy[0] - w / 2, xy[1]) if anchor_centre else xy
    draw.rounded_rectangle((x - pad, y - pad * 0.55, x + w + pad, y + face.size * 1.05 + pad * 0.45),
                           radius=int(face.size * 0.6), fill=fill)
    draw.text((x, y), text, font=face, fill=(255, 252, 244, 255))


def draw_scene_tag(img: Image.Image, request: KeyframeRequest, framing: str = "wide") -> None:
    """'s03 · harbour town · afternoon', small, inside the title-safe corner; a closer shot names its framing."""
    face = font(max(7, round(0.026 * img.height)))
    shot = "" if framing == "wide" else f" · {framing.replace('_', ' ')}"
    text = " ".join(f"{request.scene_id}{shot} · {request.setting} · {request.time_of_day}".split())  # one line
    while face.getlength(text) > 0.55 * img.width and len(text) > 4:
        text = text[:-2].rstrip() + "…"
        text = text[:-1] if text.endswith("……") else text
    _pill(ImageDraw.Draw(img, "RGBA"), (0.09 * img.width, 0.09 * img.height), text, face, False, (12, 12, 24, 120))


def draw_labels(img: Image.Image, heads: list[tuple[Placement, float]], under_feet: bool = False) -> None:
    """A small name over each head (under the feet on the model sheet, where the palette is above)."""
    face = font(max(7, round(0.024 * img.height)), bold=True)
    draw = ImageDraw.Draw(img, "RGBA")
    for p, head_top in heads:
        y = p.feet + 0.6 * face.size if under_feet else max(0.02 * img.height, head_top - face.size * 1.9)
        name = " ".join(p.character.name.split())
        x = min(max(p.x, face.getlength(name) / 2 + 0.03 * img.width),
                img.width - face.getlength(name) / 2 - 0.03 * img.width)
        _pill(draw, (x, y), name, face, True, (22, 18, 34, 150))


def draw_model_sheet_header(img: Image.Image, request: KeyframeRequest) -> None:
    """The Base frame's title (the look) and palette swatches."""
    W, H = img.size
    draw = ImageDraw.Draw(img, "RGBA")
    title = request.look.strip() or "Model sheet"
    title = title[0].upper() + title[1:]
    face = font(max(10, round(0.058 * H)), bold=True)
    while face.getlength(title) > 0.8 * W and face.size > 10:
        face = font(face.size - 2, bold=True)
    x = (W - face.getlength(title)) / 2
    draw.text((x + 2, 0.085 * H + 2), title, font=face, fill=(0, 0, 0, 90))
    draw.text((x, 0.085 * H), title, font=face, fill=(40, 32, 48, 255))
    y = 0.085 * H + face.size * 1.3
    if H >= 300:  # a subtitle only where there is room for it
        sub = font(round(0.026 * H))
        subtitle = "model sheet · palette · cast"
        draw.text(((W - sub.getlength(subtitle)) / 2, y), subtitle, font=sub, fill=(60, 52, 70, 230))
        y += sub.size * 1.6
    colours = [hex_rgb(c) for c in request.palette]
    r = 0.024 * H
    gap = r * 2.8
    swatches = Image.new("RGBA", (int(len(colours) * gap * 4) + 8, int(r * 8) + 8), (0, 0, 0, 0))
    sd = ImageDraw.Draw(swatches)
    for k, colour in enumerate(colours):  # drawn at 4x and reduced: round, not jagged
        cx = (k * gap + r) * 4 + 4
        sd.ellipse((cx - r * 4, 4, cx + r * 4, 4 + r * 8), fill=colour, outline=INK, width=stroke(r * 0.5))
    swatches = swatches.reduce(4)
    img.paste(swatches, (int((W - ((len(colours) - 1) * gap + 2 * r)) / 2), int(y)), swatches)


def draw_prop_label(img: Image.Image, prop: str) -> None:
    """The name under an insert's prop, for a prop drawn by its broad shape (a cane as a stick) or as a plain card."""
    face = font(max(8, round(0.04 * img.height)), bold=True)
    prop = " ".join(prop.split())
    text = prop if face.getlength(prop) < 0.6 * img.width else prop[: max(4, int(len(prop) * 0.6 * img.width /
                                                                                   face.getlength(prop)) - 1)] + "…"
    _pill(ImageDraw.Draw(img, "RGBA"), (img.width / 2, 0.68 * img.height), text, face, True, (22, 18, 34, 200))
