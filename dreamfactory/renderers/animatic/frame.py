"""A whole keyframe: scenery, cast and weather composited, graded with the palette, then lettered."""

from __future__ import annotations

import threading
from dataclasses import replace
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from ...errors import RenderError
from ...contracts import KeyframeRequest
from ..fonts import font_family
from .cast import cast_layout, insert_prop, paint_cast, shown_framing
from .designs import body_of, design_of
from .exterior import paint_exterior
from .interior import paint_interior, paint_sparks
from .lettering import draw_caption, draw_labels, draw_model_sheet_header, draw_prop_label, draw_scene_tag
from .paint import Pen, hex_rgb, mix
from .props import paint_prop
from .sky import paint_fog, paint_weather
from .stage import Light, Stage, lighting, scene_side, scenery_seed, seeded_rng, supersample
from .words import Look, Scenery, read_look, read_scenery


KEYFRAME_VERSION = 5  # bump whenever the drawing changes: it is part of every keyframe's key
# 3: places chosen by meaning among designs of every class (vehicles, shops, wards, the seabed...); beings drawn with
#    their family's body plan; eye and skin colours the story gives
# 4: props with no drawing drawn by their broad shape (never a parcel); garments the dictionary knows worn in their
#    colour; a vessel's compartments inside the vessel; unclear places keep their side of the wall; red fur red
# 5: a place on the Moon, a planet or an asteroid drawn in space; a room of a building (a court) never a vehicle;
#    a compound garment the dictionary lacks (a drysuit) worn in its colour; an underground station (a tube
#    platform, an escalator by a station named Bank) drawn underground


@lru_cache(maxsize=4)
def _texture(width: int, height: int, grain: float, vignette: float) -> np.ndarray:
    """Paper grain and a soft vignette as one multiplier per pixel (fixed, so a character looks the same everywhere)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    d2 = ((x / width - 0.5) * 2) ** 2 + ((y / height - 0.5) * 2) ** 2
    field_ = 1 - vignette * np.clip(d2 / 2, 0, 1) ** 1.4
    noise = np.random.default_rng(20240821).normal(0, 1, (max(1, height // 2), max(1, width // 2))).astype(np.float32)
    noise = np.asarray(Image.fromarray(noise, "F").resize((width, height), Image.BILINEAR))
    return (field_ * (1 + grain * noise)).astype(np.float32)


@lru_cache(maxsize=8)
def _wash(width: int, height: int, grain: float, vignette: float, tint: tuple[int, int, int]) -> np.ndarray:
    """The palette's hue shift and the paper texture as one multiplier per pixel and channel."""
    tint_ = np.asarray(tint, np.float32)
    wash = 1 + 0.14 * (tint_ / max(1.0, float(tint_.mean())) - 1)  # shifts the hue, keeps the brightness
    return _texture(width, height, grain, vignette)[..., None] * wash


def grade(img: Image.Image, palette: tuple[str, ...], look: Look) -> Image.Image:
    """One wash of the palette over everything, so every frame of the film shares a colour."""
    colours = np.asarray([hex_rgb(c) for c in palette] or [(255, 255, 255)], np.float32)
    weights = np.linspace(2.0, 1.0, len(colours))[:, None]
    tint = tuple(int(round(v)) for v in (colours * weights).sum(0) / weights.sum())
    a = np.asarray(img, np.float32)
    if look.desaturate:
        lum = a @ np.asarray([0.299, 0.587, 0.114], np.float32)
        a = a * (1 - look.desaturate) + lum[..., None] * look.desaturate
        if look.sepia:
            a *= np.asarray([1.08, 0.96, 0.8], np.float32)
    a *= _wash(img.width, img.height, look.grain, look.vignette, tint)  # type: ignore[arg-type]
    np.minimum(a, 255, out=a)
    return Image.fromarray(a.astype(np.uint8), "RGB")


def draw_keyframe(request: KeyframeRequest) -> Image.Image:
    """The whole keyframe: scenery, cast, weather, the palette wash, then the words."""
    if request.width < 16 or request.height < 16:
        raise RenderError(f"a keyframe of {request.width}x{request.height} is too small to draw; "
                          "ask for at least 16x16")
    scenery = read_scenery(request)
    look = read_look(request.look)
    outside = lighting("night" if "space" in scenery.places else request.time_of_day, scenery.weather)
    if "no_moon" in scenery.things and outside.body == "moon":  # 'the moon had vanished'
        outside = replace(outside, body="")
    light = outside
    if scenery.interior:  # rooms are lit by lamps at night and by the window by day
        warm = (255, 222, 178) if outside.dark else (255, 248, 236)
        light = Light(outside.top, outside.bottom, mix(outside.ambient, warm, 0.6 if outside.dark else 0.5),
                      mix(outside.haze, (120, 96, 80),
                          0.5), outside.body, outside.body_at, outside.body_colour, 0, outside.dark)
    scale = supersample(request.height)
    size = (request.width * scale, request.height * scale)
    place_seed = scenery_seed(request.scene_id)
    stage = Stage(Image.new("RGB", size), light, [hex_rgb(c) for c in request.palette] or [(200, 180, 150)],
                  seeded_rng(place_seed, 1), line=max(1.5, size[1] / 480) * look.line, scale=scale,
                  side=scene_side(place_seed))
    framing = shown_framing(request)
    marks: dict = {}
    if framing == "wide":
        marks = paint_interior(stage, scenery, outside) if scenery.interior else paint_exterior(stage, scenery)
        paint_fog(stage, scenery.weather)
    else:
        _paint_out_of_focus(stage, request, scenery, outside, look, framing)
    base = request.scene_id == "base"
    if base:
        stage.draw.rectangle((0, 0, size[0], size[1]), fill=(250, 246, 238, 150))
    labelled_prop = _paint_insert(stage, insert_prop(request)) if framing == "insert" else False
    heads = paint_cast(stage, cast_layout(request), scenery, look.line, close=framing != "wide")
    if marks.get("sparks"):
        paint_sparks(stage, marks["sparks"][0], marks["sparks"][1], 6 * stage.u)
    if not scenery.interior and "underwater" not in scenery.places:
        paint_weather(stage, scenery.weather)
    img = grade(stage.img.reduce(scale), request.palette, look)
    if base:
        draw_model_sheet_header(img, request)
    else:
        draw_scene_tag(img, request, framing)
    draw_labels(img, heads, under_feet=base)
    if labelled_prop:
        draw_prop_label(img, insert_prop(request))
    draw_caption(img, request.caption)
    return img


# How far a closer shot looks into the scene (zoom) and where (the window's centre height, 0 top .. 1 bottom).
FRAMING_WINDOWS = {"medium": (1.5, 0.5), "close_up": (2.2, 0.48), "reaction": (2.2, 0.5),
                   "over_the_shoulder": (1.6, 0.48), "insert": (2.6, 0.7)}


def _paint_out_of_focus(stage: Stage, request: KeyframeRequest, scenery: Scenery, outside: Light, look: Look,
                        framing: str) -> None:
    """A closer shot's background: the same place painted small, a window of it enlarged and soft behind the
    subject, as a long lens would see it (and cheaper than painting it sharp)."""
    W, H = max(16, request.width // 2), max(16, request.height // 2)
    small = Stage(Image.new("RGB", (W, H)), stage.light, stage.palette,
                  seeded_rng(scenery_seed(request.scene_id), 1), line=max(1.0, H / 480) * look.line, scale=1,
                  side=stage.side)
    if scenery.interior:
        paint_interior(small, scenery, outside)
    else:
        paint_exterior(small, scenery)
    paint_fog(small, scenery.weather)
    zoom, centre_y = FRAMING_WINDOWS[framing]
    w, h = W / zoom, H / zoom
    cx = min(max(W * (0.5 - stage.side * 0.12), w / 2), W - w / 2)
    cy = min(max(H * centre_y, h / 2), H - h / 2)
    window = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    soft = small.img.resize((max(2, int(w / 1.5)), max(2, int(h / 1.5))), Image.BILINEAR, box=window)
    soft = soft.resize((request.width, request.height), Image.BILINEAR)  # enlarged smoothly to the keyframe's size,
    stage.img.paste(soft.resize(stage.img.size, Image.NEAREST))  # then plainly to the canvas (a quarter the cost)


def _paint_insert(stage: Stage, prop: str) -> bool:
    """The prop large in the middle of the frame, on a soft shadow; True when it is drawn by its broad shape or as
    a card, and so must be labelled with its name."""
    size = 0.56 * stage.H
    foot = 0.66 * stage.H
    stage.draw.ellipse((stage.W / 2 - 0.5 * size, foot - 0.06 * size, stage.W / 2 + 0.5 * size, foot + 0.06 * size),
                       fill=(20, 16, 30, 90))
    pen = Pen(stage.draw, stage.W / 2, foot, size, 1, max(2.0, stage.H / 260))
    return paint_prop(pen, prop)


def drawn(request: KeyframeRequest) -> dict[str, Any]:
    """What a keyframe draws and why, for its render record (`notes.drawn`): the place design, its class, the words
    that chose it, and each figure in frame with its body plan, the colours drawn and the words they came from."""
    scenery = read_scenery(request)
    place = scenery.place
    figures = []
    for placement in cast_layout(request):
        character = placement.character
        design = design_of(character)
        colours = {part: "#%02x%02x%02x" % colour for part, colour, _ in design.colours}
        words = [w for _, _, w in design.colours if w]
        figures.append({"character": character.id, "body": body_of(character)[1],
                        "colours": colours, "words": list(dict.fromkeys(words))})
    return {"place": place.name, "class": place.cls, "indoors": place.indoors, "place_words": list(scenery.place_words),
            "figures": figures}


class AnimaticKeyframes:
    """Storyboard keyframes drawn from the request's words: the default renderer, no GPU and no weights."""

    name: ClassVar[str] = "animatic"
    reads: ClassVar[frozenset[str]] = frozenset({
        "scene_id", "framing", "prop", "prompt", "caption", "setting", "time_of_day", "environment", "context", "look",
        "palette", "characters", "seed", "width", "height",
    })  # shot_id is not read: a shot's look follows its framing, prop, cast and seed, not its name

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def last_notes(self) -> dict[str, Any]:
        """What the last keyframe drawn in this thread shows (`drawn`): a record, not an input, so not in the key."""
        return getattr(self._local, "notes", {})

    def identity(self) -> dict[str, Any]:
        return {"backend": "animatic-keyframes", "version": KEYFRAME_VERSION, "font": font_family()}

    def render(self, request: KeyframeRequest, base_frame: Image.Image | None, attempt: int = 1) -> Image.Image:
        # base_frame is not read: the animatic's designs come from character ids, so every frame already matches it
        self._local.notes = {}
        image = draw_keyframe(request)
        self._local.notes = {"drawn": drawn(request)}
        return image
