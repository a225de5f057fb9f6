"""The animatic renderer: deterministic storyboard keyframes that tell the story, and camera-move clips in H.264."""

from __future__ import annotations

import io
import inspect
import re
import subprocess
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image, ImageDraw

from dreamfactory.errors import RenderError
from dreamfactory.renderers import animatic
from dreamfactory.renderers.animatic.figures import pose_of
from dreamfactory.renderers.animatic import (
    AnimaticClips, AnimaticKeyframes, caption_box, caption_layout, design_of, figure_boxes,
    figure_sprite, read_scenery, supersample,
)
from dreamfactory.renderers.base import ClipRenderer, KeyframeRenderer, render_key
from dreamfactory.contracts import CharacterLook, ClipRequest, KeyframeRequest
from dreamfactory.renderers.fonts import font, font_family

W, H = 320, 180

MIRA = CharacterLook(id="mira", name="Mira", appearance="a girl of ten with short red hair and freckles",
                     wardrobe="yellow raincoat and green boots", props=["brass lantern"])
TOMAS = CharacterLook(id="tomas", name="Tomas", appearance="an old keeper with a white beard",
                      wardrobe="blue wool sweater and dark trousers")
ELENA = CharacterLook(id="elena", name="Elena", appearance="a tall woman with black braids",
                      wardrobe="leather apron over a green dress")
PALETTE = ("#f4c430", "#1d3557", "#e63946", "#a8dadc")


def keyframe_request(**changes) -> KeyframeRequest:
    fields = dict(scene_id="s04", prompt="Storybook watercolour. Mira walks through the harbour market.",
                  caption="Mira walks through the busy market.", setting="the harbour town market",
                  time_of_day="afternoon", environment="busy stalls, baskets of silver fish", context="",
                  look="storybook watercolour", palette=PALETTE, characters=(MIRA,), seed=7, width=W, height=H)
    return KeyframeRequest(**{**fields, **changes})


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)


@pytest.fixture(scope="module")
def keyframes() -> AnimaticKeyframes:
    return AnimaticKeyframes()


# ---------------------------------------------------------------------------------------------------------------
# Keyframes
# ---------------------------------------------------------------------------------------------------------------

def test_renderers_meet_the_protocols():
    pairs = ((AnimaticKeyframes(), KeyframeRenderer, KeyframeRequest), (AnimaticClips(), ClipRenderer, ClipRequest))
    for renderer, protocol, request_type in pairs:
        assert renderer.name == "animatic"
        assert renderer.reads <= set(request_type.model_fields)
        identity = renderer.identity()
        assert identity["backend"].startswith("animatic-") and isinstance(identity["version"], int)
        ours, theirs = inspect.signature(type(renderer).render), inspect.signature(protocol.render)
        assert list(ours.parameters) == list(theirs.parameters)


def test_same_request_gives_byte_identical_png(keyframes):
    request = keyframe_request(characters=(MIRA, TOMAS))
    first = png(keyframes.render(request, None))
    keyframes.render(keyframe_request(setting="a pine forest", seed=99), None)  # other work in between
    figure_sprite.cache_clear()  # and from a cold cache
    assert png(AnimaticKeyframes().render(request, None)) == first


def test_keyframe_has_the_asked_size_and_mode(keyframes):
    image = keyframes.render(keyframe_request(width=400, height=224), None)
    assert image.mode == "RGB" and image.size == (400, 224)


def test_character_looks_the_same_in_two_scenes(keyframes):
    """Same id and colour words: the figure's pixels are identical over a market and over a forest at dusk."""
    market = keyframe_request(characters=(MIRA,), caption="")
    forest = keyframe_request(characters=(MIRA,), caption="", setting="a pine forest", environment="ferns and moss",
                              prompt="Mira among the trees")
    a, b = pixels(keyframes.render(market, None)), pixels(keyframes.render(forest, None))
    assert figure_boxes(market) == figure_boxes(forest)
    # the figure's solid pixels: its sprite's alpha, placed as the renderer places it, reduced to the keyframe's size
    scale = supersample(H)
    place = animatic.cast_layout(market)[0]
    sprite = figure_sprite(design_of(MIRA), int(place.height * scale), animatic.read_look(market.look).line)
    canvas = Image.new("L", (W * scale, H * scale))
    corner = (int(round(place.x * scale - sprite.foot[0])), int(round(place.feet * scale - sprite.foot[1])))
    canvas.paste(sprite.image.getchannel("A"), corner)
    solid = np.asarray(canvas.reduce(scale)) == 255
    assert solid.sum() > 300, "the figure should cover a good patch of the frame"
    assert np.array_equal(a[solid], b[solid])
    # and the background around it did change
    assert np.abs(a[~solid] - b[~solid]).mean() > 10
    # the raincoat is yellow: its body is mostly red+green, little blue
    coat = a[solid]
    yellow = (coat[:, 0] > 170) & (coat[:, 1] > 130) & (coat[:, 2] < 110)
    assert yellow.mean() > 0.25


def test_designs_follow_the_colour_words_and_the_id():
    mira, tomas, elena = design_of(MIRA), design_of(TOMAS), design_of(ELENA)
    assert mira.top == animatic.COLOURS["yellow"] and mira.shoes == animatic.COLOURS["green"]
    assert mira.hair == animatic.HAIR_COLOURS["red"] and mira.child and mira.freckles
    assert [kind for kind, _ in mira.props] == ["lantern"]
    assert tomas.beard == ("beard", animatic.HAIR_COLOURS["white"])
    assert tomas.top == animatic.COLOURS["blue"] and tomas.elder
    assert elena.apron == animatic.COLOURS["leather"] and elena.hair_style == "braids"
    assert elena.hair == animatic.HAIR_COLOURS["black"] and elena.top == animatic.COLOURS["green"]
    assert design_of(MIRA.model_copy(update={"name": "Mirabel"})) == mira  # the name is a label, not a design
    twin = MIRA.model_copy(update={"id": "mira-2"})
    assert design_of(twin) != mira  # a different id draws a different person, even in the same clothes


def test_time_of_day_changes_the_sky(keyframes):
    def sky(time_of_day: str) -> np.ndarray:
        image = pixels(keyframes.render(keyframe_request(time_of_day=time_of_day, characters=()), None))
        return image[2:int(0.08 * H), int(0.6 * W):].reshape(-1, 3).mean(0)  # top right: clear of the scene tag

    noon, night, dawn, dusk = sky("noon"), sky("night"), sky("dawn"), sky("dusk")
    assert noon.sum() > night.sum() + 150, (noon, night)
    assert night[2] > night[0], "night is navy: more blue than red"
    assert noon[2] > noon[0] + 40, "noon is blue"
    assert np.abs(dawn - noon).sum() > 40 and np.abs(dusk - noon).sum() > 40


def test_caption_is_drawn_inside_the_safe_band(keyframes):
    with_caption = pixels(keyframes.render(keyframe_request(), None))
    without = pixels(keyframes.render(keyframe_request(caption=""), None))
    x0, y0, x1, y1 = caption_box(keyframe_request().caption, W, H)
    assert 0.76 * H - 1 <= y0 < y1 <= 0.90 * H + 1
    assert (x1 - x0) <= 0.84 * W + 1 and abs((x0 + x1) / 2 - W / 2) <= 1
    band = np.abs(with_caption[y0:y1, x0:x1] - without[y0:y1, x0:x1]).sum(-1)
    assert (band > 60).mean() > 0.3, "the band and its text change the pixels under them"
    outside = np.abs(with_caption[: int(0.7 * H)] - without[: int(0.7 * H)]).sum(-1)
    assert (outside > 0).mean() < 0.01, "the caption stays in its band"
    bright = with_caption[y0:y1, x0:x1].min(-1) > 170  # the white letters
    assert bright.sum() > 40


@pytest.mark.parametrize("width,height", [(320, 180), (1280, 720)])
def test_long_captions_wrap_to_two_lines_within_80_percent(width, height):
    text = "Mira pushes her little red rowing boat into the grey sea at dawn, with her grandfather's brass lantern " * 3
    face, lines = caption_layout(text, width, height)
    assert 1 <= len(lines) <= 2 and lines[-1].endswith("…")
    assert all(face.getlength(line) <= 0.8 * width for line in lines)
    x0, y0, x1, y1 = caption_box(text, width, height)
    assert 0.76 * height - 1 <= y0 and y1 <= 0.90 * height + 1


def test_accented_names_render_as_letters():
    assert font_family() == "roboto"
    face = font(40, bold=True)

    def ink(text: str) -> bytes:
        image = Image.new("L", (200, 60))
        ImageDraw.Draw(image).text((5, 5), text, font=face, fill=255)
        return image.tobytes()

    missing = ink("\U0001F600")  # no glyph in Roboto: the .notdef box
    for letter, plain in (("ë", "e"), ("é", "e"), ("ñ", "n")):
        assert ink(letter) != ink(plain) and ink(letter) != missing
    assert ink("Zoë") != ink("Zoe") and ink("José") != ink("Jose")


def test_base_frame_is_a_model_sheet_of_the_whole_cast(keyframes):
    request = keyframe_request(scene_id="base", caption="", characters=(MIRA, TOMAS, ELENA),
                               setting="a lighthouse on a rocky island")
    image = pixels(keyframes.render(request, None))
    boxes = [figure_boxes(request)[c] for c in ("mira", "tomas", "elena")]
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes), "side by side, in cast order"
    assert all(0 <= b[0] and b[2] <= W for b in boxes)
    title = image[int(0.08 * H):int(0.16 * H), int(0.3 * W):int(0.7 * W)]
    assert (title.sum(-1) < 200).sum() > 30, "the look's title is written in dark letters"
    # the palette swatches: each colour appears as a solid patch
    for colour in PALETTE:
        rgb = np.asarray([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(image[: int(0.35 * H)] - rgb).sum(-1) < 12).sum() >= 6, colour
    scene = pixels(keyframes.render(request.model_copy(update={"scene_id": "s01"}), None))
    assert np.abs(image - scene).mean() > 5


def test_scenery_is_read_from_the_words():
    lighthouse = read_scenery(keyframe_request(setting="a lighthouse on a rocky island",
                                               environment="a storm: thunder, rain",
                                               caption="The lamp flickers and goes dark."))
    assert "sea" in lighthouse.places and "hero_lighthouse" in lighthouse.things and not lighthouse.interior
    assert lighthouse.weather.clouds == 3 and lighthouse.weather.rain and lighthouse.weather.lightning
    assert not lighthouse.lamp_lit
    workshop = read_scenery(keyframe_request(setting="the glass-maker's workshop", environment="a roaring furnace"))
    assert workshop.interior and {"furnace", "sparks", "workbench"} <= workshop.things
    after = read_scenery(keyframe_request(setting="the open sea", environment="the storm had passed; calm grey water"))
    assert after.weather.clouds == 1 and not after.weather.rain, "a passing storm leaves only a few clouds"
    traces = read_scenery(keyframe_request(setting="a village street", environment="", context="heavy snow all night"))
    assert traces.weather.snow_ground and not traces.weather.snow, "C(t-1) leaves snow on the ground, none falling"
    rowing = read_scenery(keyframe_request(setting="the grey sea", environment="",
                                           caption="Mira rows towards the town."))
    assert rowing.in_boat


def test_reads_lists_exactly_what_the_drawing_uses(keyframes):
    """A field it reads changes the picture; a field it does not read changes neither the picture nor the key."""
    request = keyframe_request(setting="the open sea by a rocky shore", environment="calm water", caption="Mira waits.")
    image = png(keyframes.render(request, None))
    key = render_key(keyframes, request)
    read_changes = {
        "scene_id": "s05", "prompt": request.prompt + " Fishing boats and seagulls.", "caption": "Mira waves.",
        "setting": "a pine forest", "time_of_day": "night", "environment": "a storm with rain",
        "context": "heavy snow all night", "look": "bold ink comic", "palette": ("#2a9d8f", "#264653", "#e9c46a"),
        "characters": (MIRA, TOMAS), "seed": 8, "width": 336, "height": 192, "framing": "close_up",
        "prop": "a red book",
    }
    assert set(read_changes) == set(keyframes.reads)
    for field, value in read_changes.items():
        before = request.model_copy(update={"framing": "insert", "prop": "a brass key"}) if field == "prop" else request
        other = before.model_copy(update={field: value})
        assert png(keyframes.render(other, None)) != png(keyframes.render(before, None)), \
            f"{field} is in reads but does not change the picture"
        assert render_key(keyframes, other) != render_key(keyframes, before)
    unread = {"negative_prompt": "blurry, text", "base_frame_sha": "ab" * 32, "tie_strength": 0.9, "shot_id": "b"}
    assert set(unread) == set(KeyframeRequest.model_fields) - keyframes.reads
    for field, value in unread.items():
        other = request.model_copy(update={field: value})
        assert render_key(keyframes, other) == key
        assert png(keyframes.render(other, None)) == image


def test_base_frame_argument_is_not_read(keyframes):
    request = keyframe_request()
    assert png(keyframes.render(request, Image.new("RGB", (64, 64), "red"))) == png(keyframes.render(request, None))


def test_keyframe_at_720p_is_fast(keyframes):
    request = keyframe_request(width=1280, height=720, characters=(MIRA, TOMAS), environment="a storm with rain")
    keyframes.render(request, None)  # warm the caches (fonts, textures, sprites)
    times = []
    for seed in (1, 2, 3):
        start = time.perf_counter()
        keyframes.render(request.model_copy(update={"seed": seed}), None)
        times.append(time.perf_counter() - start)
    assert sorted(times)[1] < 1.0, times  # about 0.1 s on an idle core; generous for a shared CI machine


# ---------------------------------------------------------------------------------------------------------------
# Clips
# ---------------------------------------------------------------------------------------------------------------

def clip_request(**changes) -> ClipRequest:
    fields = dict(scene_id="s04", keyframe_sha="0" * 64, camera="zoom_in", action="Mira walks.", duration=1.5, fps=8,
                  width=W, height=H, seed=1)
    return ClipRequest(**{**fields, **changes})


def target(width: int = W, height: int = H) -> Image.Image:
    """A keyframe with marks to follow: a red vertical bar in the middle, a blue horizontal bar, a square."""
    image = Image.new("RGB", (width, height), (128, 128, 128))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 2 - 3, 0, width // 2 + 3, height), fill=(230, 30, 30))
    draw.rectangle((0, height // 2 - 3, width, height // 2 + 3), fill=(30, 30, 230))
    draw.rectangle((width // 2 - 30, height // 2 - 30, width // 2 + 30, height // 2 + 30), outline=(255, 255, 255),
                   width=3)
    return image


def decode(path: Path) -> tuple[dict, list[np.ndarray]]:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    frames = [np.frombuffer(f, np.uint8).reshape(h, w, 3).astype(np.int16) for f in reader]
    return meta, frames


def red_column(frame: np.ndarray) -> float:
    red = (frame[..., 0] > 150) & (frame[..., 1] < 100) & (frame[..., 2] < 100)
    return float(np.nonzero(red.any(0))[0].mean())


def blue_row(frame: np.ndarray) -> float:
    blue = (frame[..., 2] > 150) & (frame[..., 0] < 100) & (frame[..., 1] < 100)
    return float(np.nonzero(blue.any(1))[0].mean())


def test_clip_has_exact_frames_size_fps_and_h264(tmp_path):
    request = clip_request(duration=1.0, fps=8)
    result = AnimaticClips().render(request, target(), tmp_path / "s04.mp4")
    assert result.frames == 8 and result.seconds == pytest.approx(1.0)
    assert imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "s04.mp4")) == (8, 1.0)
    meta, frames = decode(tmp_path / "s04.mp4")
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p")
    assert meta["size"] == (W, H) and meta["fps"] == 8
    assert len(frames) == 8
    assert not list(tmp_path.glob("*.partial*")), "no half-written file is left behind"


@pytest.mark.parametrize("duration,fps", [(1.3, 8), (0.5, 12), (2.0, 5)])
def test_frame_count_is_round_duration_times_fps(tmp_path, duration, fps):
    request = clip_request(duration=duration, fps=fps, camera="hold")
    result = AnimaticClips().render(request, target(), tmp_path / "c.mp4")
    assert result.frames == round(duration * fps)
    assert imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "c.mp4"))[0] == round(duration * fps)


def test_zoom_in_grows_and_zoom_out_shrinks(tmp_path):
    sizes = {}
    for camera in ("zoom_in", "zoom_out", "push_in", "pull_back"):
        AnimaticClips().render(clip_request(camera=camera), target(), tmp_path / f"{camera}.mp4")
        _, frames = decode(tmp_path / f"{camera}.mp4")
        first, last = frames[2], frames[-3]
        assert np.abs(first - last).mean() > 1
        white = [np.nonzero(((f.min(-1) > 200)).any(0))[0] for f in (first, last)]
        sizes[camera] = [w.max() - w.min() for w in white]  # the square's width
    assert sizes["zoom_in"][1] > sizes["zoom_in"][0] + 3 and sizes["push_in"][1] > sizes["push_in"][0] + 3
    assert sizes["zoom_out"][1] < sizes["zoom_out"][0] - 3 and sizes["pull_back"][1] < sizes["pull_back"][0] - 3


@pytest.mark.parametrize("camera,moves",
                         [("pan_right", "left"), ("pan_left", "right"), ("tilt_up", "down"), ("tilt_down", "up")])
def test_pans_and_tilts_move_the_right_way(tmp_path, camera, moves):
    AnimaticClips().render(clip_request(camera=camera), target(), tmp_path / "c.mp4")
    _, frames = decode(tmp_path / "c.mp4")
    first, last = frames[2], frames[-3]
    if moves in ("left", "right"):
        shift = red_column(last) - red_column(first)  # the scene slides opposite to the camera
        assert (shift < -5) if moves == "left" else (shift > 5), shift
    else:
        shift = blue_row(last) - blue_row(first)
        assert (shift > 3) if moves == "down" else (shift < -3), shift


def test_motion_is_smooth_and_eased(tmp_path):
    AnimaticClips().render(clip_request(camera="pan_right", duration=2.0, fps=12), target(), tmp_path / "c.mp4")
    _, frames = decode(tmp_path / "c.mp4")
    xs = np.array([red_column(f) for f in frames[3:-3]])
    steps = -np.diff(xs)
    assert (steps > -0.5).all(), "the pan never goes back"
    assert steps.max() < 4, "no jumps: a 92% window crosses 8% of 320 px in 24 frames"
    assert steps[len(steps) // 2] > steps[0] and steps[len(steps) // 2] > steps[-1], "ease in and out"


def test_hold_drifts_a_little_and_cuts_without_fades(tmp_path):
    AnimaticClips().render(clip_request(camera="hold", duration=2.0, fps=8), target(), tmp_path / "c.mp4")
    _, frames = decode(tmp_path / "c.mp4")
    middle = frames[len(frames) // 2]
    # A clip starts and ends on its picture: shots are hard cuts, and a scene's transition is the assembly's.
    assert abs(frames[0].mean() - middle.mean()) < 3 and abs(frames[-1].mean() - middle.mean()) < 3, "no fade to black"
    difference = np.abs(frames[3] - frames[-4]).mean()
    assert 0.2 < difference < 12, "a slow drift, not a still and not a zoom"


def test_keyframe_of_another_size_is_cover_fitted(tmp_path):
    square = target(512, 512)
    result = AnimaticClips().render(clip_request(camera="hold"), square, tmp_path / "c.mp4")
    meta, frames = decode(tmp_path / "c.mp4")
    assert meta["size"] == (W, H) and len(frames) == result.frames
    middle = frames[len(frames) // 2]
    assert abs(red_column(middle) - W / 2) < 4, "cropped around the middle, not squashed"
    assert middle[:, :5].std() < 20, "no letterbox or pillarbox bars of another colour"


def test_odd_sizes_are_refused_with_a_clear_error(tmp_path):
    with pytest.raises(RenderError, match="even"):
        AnimaticClips().render(clip_request(width=321), target(), tmp_path / "c.mp4")


def test_frames_are_streamed_one_at_a_time():
    from dreamfactory.renderers.animatic.clips import camera_frames_yuv

    assert inspect.isgeneratorfunction(camera_frames_yuv)


@pytest.mark.parametrize("camera", ["hold", "zoom_in", "pan_left", "tilt_down"])
def test_the_fast_frames_are_the_reference_move(camera):
    """The clip's frames (yuv420p planes warped by OpenCV, a picture shown again while the camera moved less than a
    quarter pixel) match PIL's box resize of the same window (the reference move) in every frame."""
    from dreamfactory.renderers.animatic.clips import _LUMA, camera_frames, camera_frames_yuv

    still = target()
    count = 40
    ours = list(camera_frames_yuv(still, camera, count))
    reference = [np.asarray(f.convert("YCbCr").split()[0].point(_LUMA), float)
                 for f in camera_frames(still, camera, count, 24)]
    for i, (frame, ref) in enumerate(zip(ours, reference)):
        luma = np.frombuffer(frame[:W * H], np.uint8).reshape(H, W).astype(float)
        assert np.abs(luma - ref).mean() < 1.5, (camera, i)
    repeats = sum(a == b for a, b in zip(ours, ours[1:]))
    if camera == "hold":
        assert 0 < repeats < count - 1, "a slow drift repeats some pictures, and still moves"
    else:
        assert repeats < count // 3, "a move draws most of its frames"


def test_clips_concatenate_without_reencoding(tmp_path):
    clips = AnimaticClips()
    a = clips.render(clip_request(camera="pan_left", duration=1.0), target(), tmp_path / "a.mp4")
    b = clips.render(clip_request(camera="zoom_out", duration=1.5), target(W * 2, H * 2), tmp_path / "b.mp4")
    listing = tmp_path / "list.txt"
    listing.write_text(f"file '{tmp_path / 'a.mp4'}'\nfile '{tmp_path / 'b.mp4'}'\n")
    film = tmp_path / "film.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "concat", "-safe", "0", "-i",
                    str(listing),
                    "-c", "copy", str(film)], check=True)
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(film))
    assert frames == a.frames + b.frames and seconds == pytest.approx(2.5, abs=0.05)


def test_clip_key_follows_its_reads():
    clips = AnimaticClips()
    request = clip_request()
    key = render_key(clips, request)
    changes = {"keyframe_sha": "1" * 64, "camera": "pan_left", "duration": 2.0, "fps": 12, "width": 640, "height": 360}
    assert set(changes) == set(clips.reads)
    for field, value in changes.items():
        assert render_key(clips, request.model_copy(update={field: value})) != key, field
    for field, value in {"scene_id": "s09", "action": "Mira runs.", "seed": 5}.items():
        assert render_key(clips, request.model_copy(update={field: value})) == key, field


def test_clip_reads_change_the_file(tmp_path):
    clips = AnimaticClips()
    clips.render(clip_request(), target(), tmp_path / "base.mp4")
    _, base_frames = decode(tmp_path / "base.mp4")
    for field, value in {"camera": "pan_left", "duration": 2.0, "fps": 12, "width": 256, "height": 144}.items():
        clips.render(clip_request(**{field: value}), target(), tmp_path / f"{field}.mp4")
        meta, frames = decode(tmp_path / f"{field}.mp4")
        differs = len(frames) != len(base_frames) or meta["size"] != (W, H) or meta["fps"] != 8 or any(
            np.abs(f - g).mean() > 1 for f, g in zip(frames, base_frames))
        assert differs, field


# ---------------------------------------------------------------------------------------------------------------
# What the story has: kinds, colours, framings, places
# ---------------------------------------------------------------------------------------------------------------

KINDS = {
    "cat": "a black cat with a white chest", "dog": "a brown dog", "fox": "a rust-red fox", "wolf": "a grey wolf",
    "owl": "a grey owl", "bird": "a robin with a red breast", "rabbit": "a white rabbit",
    "hedgehog": "a small hedgehog", "mouse": "a brown mouse", "horse": "a chestnut horse with a black mane",
    "fish": "a golden fish", "bear": "a big brown bear", "dragon": "a green dragon",
    "robot": "a dented silver robot",
}
# Beings of the other body plans as a screenplay names them: a creature whose looks say what it is (or nothing: four
# legs, as beings.py draws a being it does not know).
OTHER_PLANS = {"quadruped": "a furry purple creature", "reptile": "a lizard", "serpent": "a snake",
               "amphibian": "a frog", "insect": "a beetle"}
FOX = CharacterLook(id="vix", name="Vix", kind="fox", appearance="a rust-red fox", wardrobe="a blue scarf")
OWL = CharacterLook(id="hoot", name="Hoot", kind="owl", appearance="a grey owl", wardrobe="")


def creature(kind: str) -> CharacterLook:
    return CharacterLook(id=f"{kind}-1", name=kind.title(), kind=kind, appearance=KINDS[kind], wardrobe="")


def silhouette(character: CharacterLook, size: int = 40) -> np.ndarray:
    """The figure's opaque shape, cropped to its box and squashed to size x size: shape alone, not size."""
    sprite = figure_sprite(design_of(character), 240, 1.0)
    alpha = sprite.image.getchannel("A")
    return np.asarray(alpha.crop(alpha.getbbox()).resize((size, size), Image.BILINEAR)) > 127


def test_every_kind_has_its_own_silhouette():
    shapes = {kind: silhouette(creature(kind)) for kind in KINDS}
    shapes |= {plan: silhouette(CharacterLook(id=plan, name=plan, kind="creature", appearance=looks, wardrobe=""))
               for plan, looks in OTHER_PLANS.items()}
    shapes["human"] = silhouette(TOMAS)
    kinds = sorted(shapes)
    for i, a in enumerate(kinds):
        for b in kinds[i + 1:]:
            differ = (shapes[a] ^ shapes[b]).mean()
            assert differ > 0.1, f"{a} and {b} have nearly the same outline ({differ:.2f} of the box differs)"


def test_a_creature_is_drawn_in_its_colour_words():
    def body(character: CharacterLook) -> np.ndarray:
        image = np.asarray(figure_sprite(design_of(character), 200, 1.0).image.convert("RGBA"), np.int16)
        solid = image[..., 3] == 255
        colours, counts = np.unique(image[solid][:, :3], axis=0, return_counts=True)
        return colours[counts.argmax()]  # the colour covering most of the figure

    r, g, b = body(creature("fox"))
    assert r > g + 40 > b + 40, "a rust-red fox is mostly red-orange"
    grey = body(OWL)
    assert np.ptp(grey) < 25 and 90 < grey.mean() < 200, "a grey owl is mostly grey"
    r, g, b = body(creature("dragon"))
    assert g > r + 30 and g > b + 30, "a green dragon is mostly green"
    robot = design_of(creature("robot"))
    assert robot.dented and robot.body == animatic.COLOURS["silver"]
    cat = design_of(creature("cat"))
    assert max(cat.body) < 90 and min(cat.belly) > 200, "a black cat with a white chest"
    assert design_of(FOX).collar == animatic.COLOURS["blue"], "the scarf from its wardrobe"
    raven, swan, blue_duck = (design_of(CharacterLook(id=f"b{i}", name="B", kind="bird", appearance=a, wardrobe=""))
                              for i, a in enumerate(("an old raven", "a swan", "a blue duck")))
    assert max(raven.body) < 60 and min(swan.body) > 230, "a species' name brings its colours"
    assert blue_duck.body == animatic.COLOURS["blue"], "colour words win over the species'"
    bolt = design_of(CharacterLook(id="bolt", name="Bolt", kind="robot", wardrobe="",
                                   appearance="a small delivery robot, one blue lamp for an eye",
                                   props=["dented copper shell", "blue lamp"]))
    assert bolt.body == animatic.COLOURS["copper"] and bolt.dented, "its shell, not its lamp, colours the robot"
    assert [text for text, _ in bolt.props] == ["blue lamp"], "a shell it is made of is not a thing it carries"
    bare, dressed = (CharacterLook(id="clover", name="Clover", kind="rabbit", appearance="a white rabbit",
                                   wardrobe=w) for w in ("", "a patched blue waistcoat"))
    blue = []
    for rabbit in (bare, dressed):
        image = np.asarray(figure_sprite(design_of(rabbit), 200, 1.0).image.convert("RGBA"), np.int16)
        solid = image[image[..., 3] == 255][:, :3]
        blue.append(((solid[:, 2] > solid[:, 0] + 60) & (solid[:, 2] > 150)).mean())
    assert blue[0] < 0.02 and blue[1] > 0.1, f"the waistcoat is worn and blue {blue}"


def test_the_kind_field_decides_what_is_drawn():
    looks_robotic = CharacterLook(id="bolt", name="Bolt", kind="human", appearance="a small robot", wardrobe="")
    assert silhouette(looks_robotic).tolist() != silhouette(creature("robot")).tolist()
    assert not hasattr(design_of(looks_robotic), "kind")  # a human design: kind wins over the words
    assert design_of(creature("owl")) == design_of(creature("owl").model_copy(update={"name": "Other"}))
    cats = [design_of(CharacterLook(id=f"cat{i}", name="C", kind="cat", appearance="a cat", wardrobe="")).body
            for i in range(8)]
    assert len(set(cats)) > 1, "no colour words: a cat's coat comes from its id, so two cats differ"


def test_humans_by_age_hair_beard_glasses_and_headwear():
    child = design_of(CharacterLook(id="a", name="A", appearance="a boy of seven with curly black hair",
                                    wardrobe="a green hoodie with the hood up"))
    elder = design_of(CharacterLook(id="b", name="B", appearance="an old woman with grey hair in a bun and glasses",
                                    wardrobe="a lilac cardigan and a straw hat"))
    assert child.child and child.height < 0.8 and child.hair_style == "curly"
    assert child.hat == ("hood", animatic.COLOURS["green"]), "a hood is the colour of its hoodie"
    assert elder.elder and elder.glasses and elder.hair_style == "bun" and elder.hat[0] == "hat"
    assert elder.hair == animatic.HAIR_COLOURS["grey"]
    adult = design_of(TOMAS.model_copy(update={"appearance": "a keeper with a white beard"}))
    assert pose_of(child).head_r > pose_of(adult).head_r, "a child's head is bigger for its size"
    assert pose_of(elder).head[1] > pose_of(adult).head[1], "an old back bends: the head sits lower"
    assert child.height < design_of(TOMAS).height < adult.height


def _steady(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pixels that did not change between two renders whose places differ: the cast's own pixels."""
    return np.abs(a - b).sum(-1) <= 3


def _cast_cover(keyframes, **changes) -> float:
    """How much of the frame the cast covers: render over two unlike places and count the pixels that stayed."""
    a = pixels(keyframes.render(keyframe_request(caption="", setting="a pine forest", time_of_day="noon", **changes),
                                None))
    b = pixels(keyframes.render(keyframe_request(caption="", setting="the harbour town", time_of_day="night",
                                                 **changes), None))
    return float(_steady(a, b)[int(0.12 * H):].mean())  # below the scene tag, whose words name the place


def test_framing_sets_how_much_of_the_frame_the_subject_fills(keyframes):
    pair = (FOX, TOMAS)
    for subject, fills in ((FOX, 0.22), (TOMAS, 0.3)):
        wide = _cast_cover(keyframes, characters=(subject,), framing="wide")
        medium = _cast_cover(keyframes, characters=(subject,), framing="medium")
        close = _cast_cover(keyframes, characters=(subject, MIRA), framing="close_up")
        assert wide < 0.1 and wide * 2 < medium < close, (subject.id, wide, medium, close)
        assert close > fills, (subject.id, close)
    reaction = _cast_cover(keyframes, characters=(TOMAS, FOX), framing="reaction")
    assert reaction > 0.25, reaction
    # the close-up is of the first character only: its colours, not the second's
    image = pixels(keyframes.render(keyframe_request(characters=pair, framing="close_up", caption=""), None))
    centre = image[int(0.2 * H):int(0.7 * H), int(0.3 * W):int(0.7 * W)].reshape(-1, 3)
    orange = (centre[:, 0] > centre[:, 1] + 50) & (centre[:, 1] > centre[:, 2] + 20)
    blue_sweater = (centre[:, 2] > centre[:, 0] + 60)
    assert orange.mean() > 0.2 and blue_sweater.mean() < 0.05


def test_over_the_shoulder_shows_a_back_near_us_and_the_subject_facing_us(keyframes):
    request = keyframe_request(characters=(TOMAS, MIRA), framing="over_the_shoulder", caption="")
    subject, near = animatic.cast_layout(request)
    assert near.back and not subject.back and near.character.id == "mira"
    def head(p) -> float:
        return pose_of(design_of(p.character), p.facing).head_r * p.height / 100

    assert head(near) > 1.5 * head(subject), "the near shoulder is big, the subject further away"
    assert (near.x - W / 2) * (subject.x - W / 2) < 0, "on opposite sides of the frame"
    a = pixels(keyframes.render(request, None))
    b = pixels(keyframes.render(request.model_copy(update={"setting": "the harbour town", "time_of_day": "night"}),
                                None))
    steady = _steady(a, b)
    near_side = slice(0, W // 2) if near.x < W / 2 else slice(W // 2, W)
    assert steady[int(0.6 * H):, near_side].mean() > 0.35, "the back and shoulder fill the near lower corner"
    medium = pixels(keyframes.render(request.model_copy(update={"framing": "medium"}), None))
    assert np.abs(a - medium).mean() > 10


def test_insert_shows_the_prop_large(keyframes):
    wide = pixels(keyframes.render(keyframe_request(caption=""), None))
    key = pixels(keyframes.render(keyframe_request(caption="", framing="insert", prop="a brass key"), None))
    book = pixels(keyframes.render(keyframe_request(caption="", framing="insert", prop="a red book"), None))
    assert np.abs(wide - key).mean() > 20
    middle = (slice(int(0.25 * H), int(0.7 * H)), slice(int(0.3 * W), int(0.7 * W)))
    assert np.abs(key[middle] - book[middle]).mean() > 15, "a key and a book are drawn differently"
    red = book[middle].reshape(-1, 3)
    assert ((red[:, 0] > 150) & (red[:, 1] < 90)).mean() > 0.1, "the red book is red and large"
    odd = [pixels(keyframes.render(keyframe_request(caption="", framing="insert", prop=p), None))
           for p in ("a strange gadget", "a whirligig")]
    label = (slice(int(0.6 * H), int(0.76 * H)), slice(int(0.25 * W), int(0.75 * W)))
    assert np.abs(odd[0][label] - odd[1][label]).mean() > 3, "an unknown prop is labelled with its name"
    assert animatic.props.read_prop("a whirligig")[2] and not animatic.props.read_prop("an old brass lantern")[2]


def test_shots_of_one_scene_share_its_place(keyframes):
    """Each shot has its own seed; the scenery follows the scene, so a cut does not move the houses."""
    a = pixels(keyframes.render(keyframe_request(characters=(), caption="", seed=1), None))
    b = pixels(keyframes.render(keyframe_request(characters=(), caption="", seed=2), None))
    assert np.array_equal(a, b)
    other_scene = pixels(keyframes.render(keyframe_request(characters=(), caption="", seed=1, scene_id="s05"), None))
    assert np.abs(a - other_scene).mean() > 3, "another scene in the same place is laid out afresh"


def test_a_shot_with_nobody_to_frame_falls_back_to_what_it_can_show():
    assert animatic.shown_framing(keyframe_request(characters=(), framing="close_up")) == "wide"
    assert animatic.shown_framing(keyframe_request(characters=(FOX,), framing="over_the_shoulder")) == "medium"
    assert animatic.shown_framing(keyframe_request(characters=(FOX,), framing="insert")) == "close_up"
    assert animatic.shown_framing(keyframe_request(characters=(MIRA,), framing="insert")) == "insert", \
        "what the subject carries"
    assert animatic.shown_framing(keyframe_request(scene_id="base", framing="close_up")) == "wide"


def test_a_creature_looks_the_same_in_every_scene_and_framing(keyframes):
    market = keyframe_request(characters=(FOX,), caption="")
    forest = keyframe_request(characters=(FOX,), caption="", setting="a snowy pine forest", time_of_day="dusk")
    a, b = pixels(keyframes.render(market, None)), pixels(keyframes.render(forest, None))
    x0, y0, x1, y1 = figure_boxes(market)["vix"]
    assert figure_boxes(market) == figure_boxes(forest)
    assert _steady(a[y0:y1, x0:x1], b[y0:y1, x0:x1]).mean() > 0.3
    assert np.abs(a - b).mean() > 10, "the places differ"

    def palette(image: np.ndarray) -> np.ndarray:  # the fox's main colour in a close-up
        centre = image[int(0.3 * H):int(0.7 * H), int(0.35 * W):int(0.65 * W)].reshape(-1, 3) // 16
        colours, counts = np.unique(centre, axis=0, return_counts=True)
        return colours[counts.argmax()]

    close_market = pixels(keyframes.render(market.model_copy(update={"framing": "close_up"}), None))
    close_forest = pixels(keyframes.render(forest.model_copy(update={"framing": "close_up", "seed": 99}), None))
    assert np.abs(palette(close_market) - palette(close_forest)).max() <= 1


@pytest.mark.parametrize("setting,places", [
    ("the kitchen", set()), ("a log cabin by a frozen fjord", {"ice", "cabin"}), ("a still lake", {"lake"}),
    ("the village pond", {"pond"}), ("a farm with a red barn", {"farm"}), ("the old stone tower", {"tower"}),
    ("a rooftop over the city", {"rooftop"}), ("the market square", {"square", "market"}),
    ("the harbour", {"sea", "town"}), ("a sandy beach", {"beach", "sea"}), ("a snowy mountain pass", {"mountains"}),
    ("the castle courtyard", {"castle"}), ("a space station orbiting a planet", {"space"}), ("the schoolyard", {"school"}),
])
def test_places_are_read_from_the_setting(setting, places):
    scenery = read_scenery(keyframe_request(setting=setting, environment="", caption=""))
    assert places <= scenery.places, scenery.places
    if "space" in places:
        assert not scenery.in_boat and "sea" not in scenery.places, "a ship in space is not at sea"


@pytest.mark.parametrize("setting,room", [
    ("the kitchen", "kitchen"), ("a cluttered garage", "garage"), ("the greenhouse", "greenhouse"),
    ("the school classroom", "school"), ("a dark cave", "cave"), ("Grandma's house", "home"),
    ("inside the log cabin", "cabin"), ("the castle's great hall", "hall"), ("somewhere inside", "home"),
    ("the tiny silver ship, on the observation deck", "spaceship"),
])
def test_rooms_are_read_from_the_setting(setting, room):
    scenery = read_scenery(keyframe_request(setting=setting, environment="", caption=""))
    assert scenery.interior and scenery.room == room
    for outdoors in ("somewhere outside", "the schoolyard", "outside Grandma's house", "a log cabin by the lake"):
        assert not read_scenery(keyframe_request(setting=outdoors, environment="", caption="")).interior, outdoors


# Settings whose place the drawing vocabulary names in no word: chosen by what they mean (the sentence embedder).
BY_MEANING = [
    ("Nurse Adebayo's ward", "hospital", "indoors"), ("the back seat of Dad's car", "car", "vehicle"),
    ("the night train to Inverness", "train", "vehicle"), ("the galley of the trawler", "ship", "vehicle"),
    ("the bridge of the starship Endeavour", "spaceship", "vehicle"), ("the coral reef", "seabed", "underwater"),
    ("the old mine", "cave", "underground"), ("the dentist's waiting room", "hospital", "indoors"),
    ("a second-hand bookshop", "library", "indoors"), ("the office on the fourteenth floor", "office", "indoors"),
    ("the art gallery", "museum", "indoors"), ("the bakery on the corner", "shop", "indoors"),
    ("the kitchen of the farmhouse", "kitchen", "indoors"), ("the meadow behind the school", "meadow", "outdoors"),
    ("the ferry's deck", "coast", "outdoors"), ("Grandma's parlour", "living_room", "indoors"),
    ("the dining car", "train", "vehicle"), ("the car park", "town", "outdoors"),
    ("colony ship, in the bay", "ship", "vehicle"), ("quarry, at the pump house door", "mountains", "outdoors"),
    ("tunnel, at the rusted iron door", "cave", "underground"), ("the village common", "meadow", "outdoors"),
    ("the lighthouse gallery", "lamp_room", "indoors"), ("the spaceship, in the galley", "spaceship", "vehicle"),
]


@pytest.mark.parametrize("setting,design,cls", BY_MEANING)
def test_a_place_is_chosen_by_meaning_with_its_class(setting, design, cls):
    place = read_scenery(keyframe_request(setting=setting, environment="", caption="")).place
    assert (place.name, place.cls) == (design, cls)


@pytest.mark.parametrize("setting", [
    "inside the old windmill", "the waiting room", "in the attic of the house on the hill", "the stairwell",
    "the school corridor", "inside the castle", "the ward", "the hotel lobby", "the platform's waiting room",
])
def test_an_indoor_setting_is_never_drawn_outdoors(keyframes, setting):
    request = keyframe_request(setting=setting, environment="", caption="", characters=(), time_of_day="noon")
    scenery = read_scenery(request)
    assert scenery.interior and scenery.place.indoors, scenery.place.name
    keyframes.render(request, None)
    assert keyframes.last_notes["drawn"]["indoors"] is True and keyframes.last_notes["drawn"]["class"] != "outdoors"


def rooms_all_different(keyframes, settings) -> dict[str, np.ndarray]:
    """Each setting drawn empty at noon; no two alike (over 8% of the frame differs between any two)."""
    images = {s: pixels(keyframes.render(keyframe_request(setting=s, environment="", caption="", characters=(),
                                                          time_of_day="noon", width=160, height=90), None))
              for s in settings}
    names = list(images)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            differ = (np.abs(images[a] - images[b]).sum(-1) > 40).mean()
            assert differ > 0.08, f"{a} and {b} look alike ({differ:.2f} of the frame differs)"
    return images


def test_the_vehicles_and_new_rooms_look_like_themselves(keyframes):
    """Each new design draws its own room: no two alike, and none a copy of the plain living room."""
    settings = ("Nurse Adebayo's ward", "the back seat of Dad's car", "the night train to Inverness",
                "the galley of the trawler", "the bridge of the starship", "the coral reef", "the art gallery",
                "the bakery", "the office", "St Mark's church", "the cellar", "an aeroplane cabin", "Grandma's parlour")
    images = rooms_all_different(keyframes, settings)
    green = lambda r, g, b: (g > r + 15) & (g > b + 10)  # noqa: E731
    for s in settings[:5] + settings[6:]:
        assert _share(images[s], green) < 0.2, f"{s} is drawn as fields"


def test_every_place_looks_different(keyframes):
    settings = ("the kitchen", "a cluttered garage", "a log cabin by a frozen fjord", "a still lake", "a farm",
                "the old stone tower", "the greenhouse", "a rooftop over the city", "the market square",
                "a sandy beach", "a dark cave", "the castle courtyard", "the school classroom", "outer space",
                "a pine forest", "a grassy hill")
    rooms_all_different(keyframes, settings)


def _share(image: np.ndarray, test) -> float:
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    return float(test(r, g, b)[int(0.12 * H):int(0.76 * H)].mean())


def test_a_frozen_fjord_is_white_and_blue_not_green(keyframes):
    green = lambda r, g, b: (g > r + 15) & (g > b + 10)  # noqa: E731
    def cold(r, g, b):  # sky, water and ice are bluer than red; snow is bright and nearly grey
        pale = (r + g + b > 420) & (np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b) < 50)
        return (b > r) | pale

    for time_of_day in ("morning", "noon", "afternoon"):
        fjord = pixels(keyframes.render(keyframe_request(setting="a log cabin by a frozen fjord", environment="",
                                                         caption="", characters=(), time_of_day=time_of_day), None))
        assert _share(fjord, green) < 0.03 and _share(fjord, cold) > 0.5, time_of_day
    meadow = pixels(keyframes.render(keyframe_request(setting="a grassy hill", environment="", caption="",
                                                      characters=(), time_of_day="noon"), None))
    assert _share(meadow, green) > 0.25, "the same measure finds a green field green"


@pytest.mark.parametrize("setting", ["a pine forest", "the kitchen", "a still lake", "the castle courtyard",
                                     "somewhere outside", "a cluttered garage"])
def test_night_is_dark_and_dawn_and_dusk_are_warm(keyframes, setting):
    def render(time_of_day: str) -> np.ndarray:
        return pixels(keyframes.render(keyframe_request(setting=setting, environment="", caption="", characters=(),
                                                        time_of_day=time_of_day), None))

    noon, night, dusk = render("noon"), render("night"), render("dusk")
    interior = read_scenery(keyframe_request(setting=setting, environment="", caption="")).interior
    assert night.mean() < noon.mean() * (0.8 if interior else 0.55), "lamplight indoors, darkness outdoors"
    if not interior:
        assert night.mean() < 80
        sky = (slice(2, int(0.3 * H)), slice(int(0.6 * W), W))
        assert dusk[sky][..., 0].mean() > noon[sky][..., 0].mean() - 5 and \
            dusk[sky][..., 0].mean() - dusk[sky][..., 2].mean() > noon[sky][..., 0].mean() - noon[sky][..., 2].mean()


def test_the_sky_follows_the_words(keyframes):
    gone = keyframe_request(setting="the hilltop", time_of_day="night", environment="the moon had vanished",
                            caption="", characters=())
    assert "no_moon" in read_scenery(gone).things
    moonlit = pixels(keyframes.render(gone.model_copy(update={"environment": "a clear sky"}), None))
    dark = pixels(keyframes.render(gone, None))
    corner = (slice(0, int(0.35 * H)), slice(int(0.6 * W), W))  # where the moon rises, clear of the scene tag
    bright = [(image[corner].min(-1) > 200).sum() for image in (moonlit, dark)]
    assert bright[0] > bright[1] + 20, f"no moon disc when the moon is gone {bright}"
    aurora = pixels(keyframes.render(gone.model_copy(update={"environment": "the northern lights dance"}), None))
    sky = (slice(int(0.1 * H), int(0.4 * H)), slice(0, W))
    greener = aurora[sky][..., 1] - aurora[sky][..., 2]
    assert greener.mean() > (moonlit[sky][..., 1] - moonlit[sky][..., 2]).mean() + 5, "green curtains in the sky"


def test_words_with_line_breaks_are_lettered_on_one_line(keyframes):
    odd = MIRA.model_copy(update={"name": "Mira\nthe brave"})
    request = keyframe_request(setting="the harbour\ntown", characters=(odd,), framing="insert", prop="a\nstrange thing")
    image = keyframes.render(request, None)
    assert image.size == (W, H)
    assert png(image) == png(keyframes.render(request.model_copy(update={"setting": "the harbour town",
                                                                          "prop": "a strange thing"}), None))


# ---------------------------------------------------------------------------------------------------------------
# Beings in their family's body plan and the story's colours; the record of what was drawn
# ---------------------------------------------------------------------------------------------------------------

PLANS = {"human", "quadruped", "bird", "fish", "reptile", "serpent", "amphibian", "insect", "dragon", "robot"}
BEINGS = [  # (kind as the screenplay gives it, looks, wardrobe, body plan, {part: the basic colour it must read as})
    ("creature", "a grey goose", "", "bird", {"feathers": "grey"}),
    ("creature", "a sleek brown ferret", "a blue collar", "quadruped", {"fur": "brown", "collar": "blue"}),
    ("dog", "a black spaniel", "a red collar", "quadruped", {"fur": "black", "collar": "red"}),
    ("creature", "a large white farmyard goose", "", "bird", {"feathers": "white"}),  # modifiers between colour
    ("dog", "a sleek black racing greyhound", "", "quadruped", {"fur": "black"}),  # and kind: still its colour
    ("creature", "a green snake with yellow eyes", "", "serpent", {"scales": "green", "eyes": "yellow"}),
    ("creature", "a lizard with blue scales", "", "reptile", {"scales": "blue"}),
    ("creature", "a fat brown toad", "", "amphibian", {"skin": "brown"}),
    ("creature", "a striped bee", "", "insect", {}),
    ("robot", "a metal face with lamp eyes, copper plating", "", "robot", {"metal": "orange"}),
    ("dragon", "a dragon with red scales", "", "dragon", {"scales": "red"}),
    ("cat", "a ginger cat with white paws", "", "quadruped", {"paws": "white"}),
    ("owl", "a white owl", "", "bird", {"feathers": "white"}),
    ("human", "a girl with short black hair and green eyes", "a purple dress, a yellow scarf", "human",
     {"hair": "black", "eyes": "green", "dress": "purple", "scarf": "yellow"}),
    ("human", "a huge orc with green skin", "a black leather jerkin", "human", {"skin": "green", "jerkin": "black"}),
]
BASIC = {"black": (0, 0, 0), "white": (255, 255, 255), "grey": (128, 128, 128), "red": (200, 30, 30),
         "orange": (240, 130, 30), "yellow": (245, 210, 40), "green": (50, 150, 60), "blue": (40, 90, 200),
         "purple": (128, 50, 150), "pink": (245, 150, 180), "brown": (120, 75, 40)}


def basic_colour(code: str) -> str:
    """The nearest of the 11 basic colour terms, as the story-facts scorer reads a drawn colour."""
    rgb = np.asarray([int(code[i:i + 2], 16) for i in (1, 3, 5)])
    return min(BASIC, key=lambda name: float(((np.asarray(BASIC[name]) - rgb) ** 2).sum()))


@pytest.mark.parametrize("kind,looks,wardrobe,plan,colours", BEINGS)
def test_a_being_is_drawn_with_its_body_plan_in_its_colours(keyframes, kind, looks, wardrobe, plan, colours):
    being = CharacterLook(id="b1", name="Bo", kind=kind, appearance=looks, wardrobe=wardrobe)
    keyframes.render(keyframe_request(characters=(being,)), None)
    figure, = keyframes.last_notes["drawn"]["figures"]
    assert figure["body"] == plan and figure["character"] == "b1"
    for part, colour in colours.items():
        assert basic_colour(figure["colours"][part]) == colour, (part, figure["colours"])
    if plan != "human":
        assert not isinstance(design_of(being), animatic.designs.Design), "an animal is never drawn as a person"


def test_an_unknown_animal_gets_its_familys_drawing_not_a_generic_one():
    goose, ferret, toad = (CharacterLook(id=w, name=w, kind="creature", appearance=f"a {w}", wardrobe="")
                           for w in ("goose", "ferret", "toad"))
    assert design_of(goose).kind == "bird" and design_of(ferret).kind == "quadruped"
    assert design_of(toad).kind == "amphibian"
    assert not np.array_equal(silhouette(goose), silhouette(ferret))


def test_the_record_says_what_was_drawn(tmp_path):
    """notes.drawn in the stored render record, in the agreed form; a record, so the render's key is unchanged."""
    from dreamfactory import renders
    from dreamfactory.settings import FilmOptions, RenderSettings
    from dreamfactory.store import open_store

    store = open_store(str(tmp_path))
    goose = CharacterLook(id="gus", name="Gus", kind="creature", appearance="a grey goose", wardrobe="a red scarf")
    request = keyframe_request(setting="Nurse Adebayo's ward", characters=(MIRA, goose))
    options = FilmOptions(render=RenderSettings(width=W, height=H))
    made = renders.make_keyframe(store, "p", request, options)
    record = store.read_json(renders.layout.record(made.key))
    drawn = record["notes"]["drawn"]
    assert set(drawn) == {"place", "class", "indoors", "place_words", "figures"}
    assert (drawn["place"], drawn["class"], drawn["indoors"]) == ("hospital", "indoors", True)
    assert drawn["place_words"] == ["ward"]
    assert [f["character"] for f in drawn["figures"]] == ["mira", "gus"]
    for figure in drawn["figures"]:
        assert set(figure) == {"character", "body", "colours", "words"} and figure["body"] in PLANS
        assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in figure["colours"].values())
    mira, gus = drawn["figures"]
    assert mira["body"] == "human" and basic_colour(mira["colours"]["raincoat"]) == "yellow"
    assert "yellow raincoat" in mira["words"] and "short red hair" in mira["words"]
    assert gus["body"] == "bird" and basic_colour(gus["colours"]["scarf"]) == "red"
    assert record["render_key"] == render_key(AnimaticKeyframes(), request), "the notes are not in the key"


def test_without_the_embedder_the_place_words_decide(monkeypatch):
    """A machine without the sentence embedder still draws a ward as a hospital and a setting that says it is
    inside as a room; only settings with no place word lose their meaning."""
    from dreamfactory.renderers.animatic import place_designs

    monkeypatch.setattr(place_designs.embedder, "available", lambda: False)
    place_designs.choose_place.cache_clear()
    try:
        for setting, design in (("Nurse Adebayo's ward", "hospital"), ("the back seat of Dad's car", "car"),
                                ("somewhere inside", "living_room"), ("the meadow behind the school", "meadow"),
                                ("lighthouse, on the spiral stairs", "tower_inside")):
            assert place_designs.choose_place(setting).design.name == design, setting
    finally:
        place_designs.choose_place.cache_clear()


# ---------------------------------------------------------------------------------------------------------------
# The pictures follow the screenplay: the reader's settings and the places, props and colours drawn from them
# ---------------------------------------------------------------------------------------------------------------


def test_a_colour_before_a_noun_is_no_place_and_a_passing_vehicle_is_not_where_the_story_is():
    """'in a dark blue tunic' names no dark, 'on the green shade' no village green (the dictionary has both as
    places); 'Ward Nine of St Jude's was quiet' opens in the ward; 'the bus came round' is not the story's world."""
    from types import SimpleNamespace

    from dreamfactory.writers.draft.beats import Sentence
    from dreamfactory.writers.draft.places import first_place, places_in

    def words(text: str) -> list[str]:
        return [p.word for p in places_in([Sentence(0, text, [], [], [])])]

    assert words("The sister came round, a small woman in a dark blue tunic.") == []
    assert words("A moth sat on the green shade of the lamp.") == []
    assert words("They met at the quarry gate.") == ["quarry"], "a noun before a noun is still the place"
    assert words("Ward Nine of St Jude's Hospital was quiet after lunch.")[0] == "ward"
    story = SimpleNamespace(sentences=[(0, "Rain hammered the shelter."), (0, "The number nine bus came round.")])
    assert "bus" not in first_place(story)
    assert "bus" in first_place(SimpleNamespace(sentences=[(0, "Priya sat on the number nine bus.")]))


@pytest.mark.parametrize("setting,scene_words,design", [
    ("cabin", "night, oil lamp, the narrowboat", "ship"), ("the narrowboat's cabin", "", "ship"),
    ("the wheelhouse", "rain, the old trawler", "ship"), ("cabin", "the rocket hummed", "spaceship"),
    ("cabin", "pine trees, snow", "cabin"), ("a log cabin by the lake", "a rowing boat", "cabin"),
    ("the bay", "fishing boats", "coast"), ("the kitchen", "a boat out at sea", "kitchen"),
])
def test_a_compartment_in_a_scene_aboard_a_vehicle_is_the_vehicles(setting, scene_words, design):
    """A cabin, a wheelhouse, a galley (compartments by the dictionary) in a scene that names the boat or the rocket
    are its inside; a cabin among pines, a log cabin, a bay and a kitchen stay what they are."""
    assert read_scenery(keyframe_request(setting=setting, environment=scene_words, caption="")).place.name == design


@pytest.mark.parametrize("prop,shape", [
    ("a cane", "_rod"), ("an old walking stick", "_rod"), ("a sack of flour", "_bag"), ("the watering can", "_container"),
    ("a trowel", "_tool"), ("a silver brooch", "_gem"), ("a wedge of cheese", "_dish"), ("a pair of boots", "_boot"),
    ("a wool blanket", "_cloth"), ("a ticket", "_letter"), ("a wooden desk", "_furniture"), ("a whirligig", "_ball"),
])
def test_a_prop_with_no_drawing_is_drawn_by_its_broad_shape_and_labelled(keyframes, prop, shape):
    """A thing the drawings do not name is drawn by what the dictionary says it is (a cane is a stick, a trowel a
    tool), never as some other object such as a gift parcel, and the insert writes its own name under it."""
    drawer, _, labelled = animatic.props.read_prop(prop)
    assert (drawer.__name__, labelled) == (shape, True)
    assert animatic.props.read_prop("a splendid frobnicator")[0].__name__ == "_card", "no class: a card, no object"
    assert animatic.props.read_prop("a parcel")[:3:2] == (animatic.props._parcel, False), "a parcel is a parcel"
    cane = pixels(keyframes.render(keyframe_request(caption="", framing="insert", prop="a cane"), None))
    sack = pixels(keyframes.render(keyframe_request(caption="", framing="insert", prop="a sack"), None))
    middle = (slice(int(0.25 * H), int(0.6 * H)), slice(int(0.3 * W), int(0.7 * W)))
    assert np.abs(cane[middle] - sack[middle]).mean() > 10, "a stick and a sack are drawn differently"


def test_the_dictionary_reads_a_shop_as_a_place_and_a_ticket_as_a_thing():
    """The drawings read WordNet through beings' public `ancestry`: a ticket is written communication (a thing a
    picture shows); a bookshop or a bakery is an establishment, a spot one can be at, like a room or a building."""
    from dreamfactory import beings
    assert "written communication" in {lemma for lemmas in beings.ancestry("ticket") for lemma in lemmas}
    assert beings.ancestry("cane")[:2] == (("cane",), ("walking stick",)) and beings.ancestry("frobnicator") == ()
    assert [beings.place_kind(w) for w in ("bookshop", "bakery", "kitchen", "lagoon")] == ["spot"] * 3 + ["area"]


@pytest.mark.parametrize("wardrobe,part,colour", [
    ("a wedding ring, a blue sunhat", "sunhat", "blue"), ("a purple sarong", "sarong", "purple"),
    ("green moccasins", "moccasins", "green"), ("a red balaclava", "balaclava", "red"),
])
def test_a_garment_outside_the_word_lists_is_worn_in_its_colour(keyframes, wardrobe, part, colour):
    """What the dictionary calls headwear, footwear, a skirt or a garment is drawn and recorded in the colour the
    story gives it, on a person and on an animal alike."""
    for kind in ("human", "cat"):
        being = CharacterLook(id="w1", name="Wren", kind=kind, appearance="Wren", wardrobe=wardrobe)
        keyframes.render(keyframe_request(characters=(being,)), None)
        figure, = keyframes.last_notes["drawn"]["figures"]
        if kind == "human" or part in ("sunhat", "balaclava"):  # an animal wears hats, collars and coats
            assert basic_colour(figure["colours"][part]) == colour, (kind, figure["colours"])
    sarong = design_of(CharacterLook(id="w2", name="Wren", appearance="a woman", wardrobe="a purple sarong"))
    assert sarong.skirt and basic_colour("#%02x%02x%02x" % sarong.bottom) == "purple"


def test_a_scene_is_where_its_journey_ends_and_under_the_water_is_underwater():
    """'walked back to the farmhouse kitchen, where ...' is in the kitchen (the head of the phrase they went to, not
    its first word); 'Under the water ...' is underwater, drawn on the seabed, not on the lake's shore; a person
    opening a sentence ('Sam Treloar was nine') is no place, whatever else the dictionary says 'sam' is."""
    from dreamfactory.writers.draft.beats import Continuity, Sentence
    from dreamfactory.writers.draft.places import places_in, setting_of

    def setting(text: str) -> str:
        state = Continuity(world="the farm", base="the dark field")
        return setting_of([Sentence(0, text, ["sam"], [], ["sam"])], state)[0]

    assert setting("They walked back to the farmhouse kitchen together, where Nan made cocoa.") == "farmhouse kitchen"
    assert setting("Under the water everything was green and slow.") == "underwater"
    assert read_scenery(keyframe_request(setting="underwater", environment="", caption="")).place.cls == "underwater"
    assert read_scenery(keyframe_request(setting="under the lake", environment="", caption="")).place.name == "seabed"
    assert places_in([Sentence(0, "Sam Treloar was nine.", ["sam-treloar"], [], ["sam-treloar"])]) == []


@pytest.mark.parametrize("setting,environment,cls", [
    ("the well", "soft morning light, water, golden ball", "outdoors"), ("the well", "soft morning light", "outdoors"),
    ("the antechamber", "deep night darkness", "indoors"), ("the vestry", "", "indoors"),
])
def test_a_place_near_no_design_keeps_its_side_of_the_wall(setting, environment, cls):
    """A setting the embedder finds near no design is not drawn by its light ('soft morning light' is no lamp room)
    nor by chance under the sea: a room by the dictionary (a vestry, an antechamber) is indoors, else outdoors."""
    place = read_scenery(keyframe_request(setting=setting, environment=environment, caption="")).place
    assert place.cls == cls, place.name


def test_a_compartment_of_a_story_told_aboard_a_craft_is_in_that_craft(keyframes):
    """'the cabin' of a story aboard a narrowboat is the narrowboat's, drawn inside a vessel; in a story with only a
    car it stays a cabin (a car is no craft with cabins)."""
    from dreamfactory.writers.draft.beats import Continuity, Sentence
    from dreamfactory.writers.draft.places import setting_of

    def setting(story: list[str]) -> str:
        state = Continuity(world="the river", base="the tall house", story=story)
        return setting_of([Sentence(0, "That night June lit the oil lamp in the cabin.", ["june"], [], ["june"])],
                          state)[0]

    aboard = setting(["We took the narrowboat north in May.", "That night June lit the oil lamp in the cabin."])
    assert aboard == "narrowboat, in the cabin"
    assert read_scenery(keyframe_request(setting=aboard, environment="", caption="")).place.cls == "vehicle"
    assert setting(["They drove the car to the woods.", "That night June lit the oil lamp in the cabin."]) == "cabin"


@pytest.mark.parametrize("looks,part", [("a fox with red fur", "fur"), ("a red squirrel", "fur"), ("a red hen", "feathers")])
def test_a_red_coat_is_drawn_red_not_orange(keyframes, looks, part):
    """Fur or feathers the story calls red read as red (a russet red), not as the orange of ginger."""
    from tests.writers.test_story_corpus import basic_colour as scored

    being = CharacterLook(id="r1", name="Rufus", kind="creature", appearance=looks, wardrobe="")
    keyframes.render(keyframe_request(characters=(being,)), None)
    figure, = keyframes.last_notes["drawn"]["figures"]
    assert scored(figure["colours"][part]) == "red", figure["colours"]


def test_a_place_word_inside_a_longer_name_is_not_the_place():
    """'arrived at Hollins Lane Primary' is at a school whose classroom the sentence names, not in a lane; 'Station
    Nine', 'the River Thames' and 'Quay Street' are still places."""
    from dreamfactory.writers.draft.beats import Sentence
    from dreamfactory.writers.draft.places import places_in

    def words(text: str) -> list[str]:
        return [p.word for p in places_in([Sentence(0, text, ["lowe"], [], ["lowe"])])]

    assert words("The teacher arrived at Hollins Lane Primary and dripped on the classroom floor.") == ["classroom"]
    assert words("The shuttle docked at Station Nine.")[-1] == "station"
    assert words("They rowed down the River Thames.") == ["river"]
    assert words("She waited on Quay Street.")[-1] == "street"  # (a shop on it is the shop: see below)


def test_a_place_in_a_simile_or_left_behind_is_not_where_the_scene_is():
    """'the belt wheeling behind him like a slow grey river' names no river the scene is at; 'four weeks out from
    Ceres Station' is where they are not."""
    from dreamfactory.writers.draft.beats import Sentence
    from dreamfactory.writers.draft.places import places_in

    def ranks(text: str) -> dict[str, int]:
        return {p.word: p.rank for p in places_in([Sentence(0, text, ["cask"], [], ["cask"])])}

    assert ranks("Cask crawled on, the belt wheeling behind him like a slow grey river.") == {"river": 4}
    assert ranks("The ship is four weeks out from the station.") == {"ship": 1, "station": 4}
    assert ranks("Cask rowed down the river.") == {"river": 1}


def test_a_tree_someone_is_in_or_under_is_a_place():
    """'caught in the top of an old oak', 'lived under the roots of a beech tree', 'climbed to the top of a palm
    tree' are at the tree (drawn outdoors); 'found a key under an old oak tree' says only where the key was; 'with
    two coffees' names drinks, not coffee trees."""
    from dreamfactory.writers.draft.beats import Sentence
    from dreamfactory.writers.draft.places import places_in

    def words(text: str) -> list[str]:
        return [p.phrase for p in places_in([Sentence(0, text, ["pip"], [], ["pip"])])]

    assert words("The kite caught in the top of an old oak.") == ["old oak"]
    assert words("Pip lived under the roots of a beech tree.") == ["beech tree"]
    assert words("He climbed to the top of a palm tree.") == ["palm tree"]
    assert words("Rufus found a silver key under an old oak tree.") == []
    assert words("She met him at the gate with two coffees.") == []
    assert read_scenery(keyframe_request(setting="old oak", environment="", caption="")).place.cls == "outdoors"


def test_a_place_on_the_moon_or_a_planet_is_drawn_in_space():
    """A crater or hills of a story told on the Moon (or any celestial body, by the dictionary) are in space: the
    draft reader says where ('crater on the moon') and the animatic draws space; a crater on Earth, the moon on the
    water and the Star Ferry stay where they are."""
    from dreamfactory.writers.draft.beats import Continuity, Sentence
    from dreamfactory.writers.draft.places import setting_of

    def setting(story: str, text: str) -> str:
        return setting_of([Sentence(0, text, [], [], [])], Continuity(world="the base", story=[story, text]))[0]

    assert setting("I live on the Moon at the base.", "In the crater the dust was grey.") == "crater on the moon"
    assert setting("We landed on a small blue planet.", "Up in the hills the wind was thin.") == "hills on the planet"
    assert setting("The moon shone on the water.", "In the crater the dust was grey.") == "crater"

    def cls(setting_: str) -> str:
        return read_scenery(keyframe_request(setting=setting_, environment="", caption="")).place.cls

    assert [cls(s) for s in ("crater on the moon", "hills on a small cold planet", "a rock on the asteroid")] == \
        ["space"] * 3
    assert [cls(s) for s in ("the lake with the moon on the water", "on the star ferry", "the hill on the farm")] == \
        ["outdoors", "vehicle", "outdoors"]


def test_a_shop_on_a_street_is_where_the_scene_is_not_the_street():
    """'a secondhand bookshop on Quay Street' sets the scene in the bookshop (a building or business, by the
    dictionary, whose address the street is, a way), drawn indoors; a walk down a street is still on the street."""
    from dreamfactory.writers.draft.beats import Sentence
    from dreamfactory.writers.draft.places import places_in

    def phrases(text: str) -> list[str]:
        return [p.phrase for p in places_in([Sentence(0, text, [], [], [])])]

    assert phrases("Rose kept a secondhand bookshop on Quay Street called The Lantern.") == \
        ["secondhand bookshop on Quay Street"]
    assert phrases("Nan ran the bakery in Mill Lane.") == ["bakery in Mill Lane"]
    assert phrases("She lived in a little house on the High Street.") == ["little house on the High Street"]
    assert phrases("The Lantern was on Quay Street.") == ["Quay Street"]
    scenery = read_scenery(keyframe_request(setting="secondhand bookshop on Quay Street", environment="", caption=""))
    assert scenery.place.indoors and scenery.place.name == "library"


def test_an_aisle_of_a_story_that_opens_on_a_plane_is_the_planes():
    """A passage (by the dictionary: an aisle, a corridor, a gangway) of a story that opens aboard a craft is the
    craft's, drawn as its inside; a tunnel of a story that finds a rowing boat later is still a tunnel."""
    from dreamfactory.writers.draft.beats import Continuity, Sentence
    from dreamfactory.writers.draft.places import setting_of

    def setting(story: list[str], text: str) -> str:
        return setting_of([Sentence(0, text, [], [], [])], Continuity(world="x", story=story + [text]))[0]

    aboard = setting(["Seat 31C", "I was flying home in a seat at the back of the plane."], "Down the aisle the cat ran.")
    assert aboard == "plane, in the aisle"
    assert read_scenery(keyframe_request(setting=aboard, environment="", caption="")).place.cls == "vehicle"
    cave = ["We came to the cave.", "It was dark.", "Water dripped.", "We found a rowing boat."]
    assert setting(cave, "Down the tunnel the water ran.") == "tunnel"


@pytest.mark.parametrize("setting,scene_words", [
    ("court", "rain, front row"), ("court, at the door", "rain"), ("the vestry", "candles"),
])
def test_a_room_of_a_building_is_never_drawn_as_a_vehicle(setting, scene_words):
    """A room the dictionary knows that is not a compartment ('the court' is a courtroom, 'the vestry' a room) is a
    building's, drawn indoors, never as a car or a plane cabin; a compartment (a wheelhouse) may still be a vehicle's."""
    assert read_scenery(keyframe_request(setting=setting, environment=scene_words, caption="")).place.cls == "indoors"


def test_a_compound_garment_the_dictionary_lacks_is_worn_in_its_colour():
    """'a yellow drysuit' (no word of the dictionary) is the garment it ends in, a suit, drawn and recorded yellow;
    a word ending in no garment stays no garment."""
    diver = design_of(CharacterLook(id="d1", name="Sal", appearance="a diver", wardrobe="a yellow drysuit, a mask"))
    assert [(part, basic_colour("#%02x%02x%02x" % colour)) for part, colour, _ in diver.colours][-1:] == \
        [("drysuit", "yellow")]
    assert basic_colour("#%02x%02x%02x" % diver.top) == "yellow"
    assert animatic.designs.garment("frobnicator") == "" and animatic.designs.garment("courtyard") == ""


@pytest.mark.parametrize("setting,scene_words,design", [
    ("escalator by the Bank", "bench, tube station", "station"), ("the platform of the tube station", "", "station"),
    ("the quarry gate by the sea", "", "mountains"), ("the ward of the hospital", "", "hospital"),
])
def test_a_place_of_its_own_is_not_the_place_it_is_by(setting, scene_words, design):
    """'the escalator by the Bank' is at an escalator (a place by the dictionary that no design names), an
    underground station's by its meaning, not in a bank; a tube or subway station is underground; a head noun a
    design names still decides ('the quarry gate by the sea' is the quarry)."""
    place = read_scenery(keyframe_request(setting=setting, environment=scene_words, caption="")).place
    assert place.name == design
    assert place.cls == {"station": "underground", "mountains": "outdoors", "hospital": "indoors"}[design]
