"""A whole film through the Prefect flow with diffusers keyframes and SVD clips (tiny random models built here,
saved with save_pretrained and loaded by the product's own loading code), and the Reviewer's metric gate."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from dreamfactory.cli import main
from dreamfactory.metrics import GateThresholds
from dreamfactory.contracts import RenderRecord
from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
from tests.conftest import SAMPLE
from tests.tiny_models import build_tiny_flux_kontext, build_tiny_sd, build_tiny_svd, build_tiny_wan_i2v

pytestmark = pytest.mark.usefixtures("prefect_harness")

TINY = ["--width", "128", "--height", "64", "--fps", "4", "--no-sound", "--scenes", "2"]


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    torch.set_num_threads(1)  # two torch threads on this 2-core machine make tiny models ~15x slower
    root = tmp_path_factory.mktemp("models")
    return build_tiny_sd(root / "sd"), build_tiny_svd(root / "svd")


@pytest.fixture
def tiny_env(monkeypatch):
    for name, value in {"KEYFRAME_SIZE": "64", "STEPS": "2", "SVD_STEPS": "2", "SVD_FRAMES": "4", "SVD_FPS": "4",
                        "DECODE_CHUNK_SIZE": "2"}.items():
        monkeypatch.setenv(f"DREAMFACTORY_RENDER__{name}", value)


@pytest.mark.slow  # a whole film through the flow with real (tiny, random) diffusers models on the CPU
def test_film_with_diffusers_keyframes_and_svd_clips(tmp_path, capsys, tiny_models, tiny_env):
    sd, svd = tiny_models
    store = tmp_path / "store"
    argv = ["make", str(SAMPLE), "--store", str(store), "--json", "--image-model", str(sd), "--video-model", str(svd), *TINY]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    # One keyframe and one clip per shot (two scenes, a few shots each), nothing from a cache.
    assert result["keyframes"]["rendered"] >= 2 and result["clips"]["rendered"] >= 2
    assert result["keyframes"]["cached"] == result["clips"]["cached"] == 0
    assert "diffusers text-to-image" in result["backends"] and "image-to-video" in result["backends"]
    records = [RenderRecord.model_validate_json(p.read_text()) for p in store.rglob("keyframes/**/*.json")]
    assert {r.renderer for r in records} == {"diffusers"}
    assert all(r.identity["weights"] for r in records)  # the local model's content hash is in every key
    for record in records:  # what each text encoder read is in the record, within what it reads
        reads = record.notes["prompt_read"]
        assert reads and all(r["tokens"] <= r["max_tokens"] == 77 and r["text"] for r in reads), reads
    clips = [RenderRecord.model_validate_json(p.read_text()) for p in store.rglob("clips/**/*.json")]
    assert {r.renderer for r in clips} == {"svd"}
    assert all(r.notes["frames"] == round(r.inputs["duration"] * 4) for r in clips)
    # The second run loads nothing and renders nothing.
    assert main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["keyframes"]["rendered"] == 0 and again["clips"]["rendered"] == 0


@pytest.mark.slow  # a whole film through the flow with real (tiny, random) diffusers models on the CPU
def test_reviewer_re_renders_keyframes_that_drift_from_the_base_frame(tmp_path, tiny_models, tiny_env):
    from flows.make_film import make_film

    sd, _ = tiny_models
    story = SAMPLE.read_text(encoding="utf-8")
    # Thresholds no random-weight keyframe can meet: every scene gets its re-renders, and the closest is kept.
    options = FilmOptions(
        scenes=2, store=str(tmp_path / "store"), review_attempts=2,
        thresholds=GateThresholds(style_min_similarity={"gram-v1": 0.9999, "clip": 0.9999}),
        render=RenderSettings(keyframe_backend="diffusers", image_model=str(sd), width=128, height=64, fps=4,
                              keyframe_size=64, steps=4, svd_frames=4),
        sound=SoundSettings(enabled=False),
    )
    result = make_film(story, options)
    by_shot: dict[tuple[str, str], list[RenderRecord]] = {}
    for path in (tmp_path / "store").rglob("keyframes/**/*.json"):
        record = RenderRecord.model_validate_json(path.read_text())
        by_shot.setdefault((record.scene_id, record.shot_id), []).append(record)
    assert result.keyframes.rendered == len(by_shot) >= 2
    assert sorted({scene for scene, _ in by_shot}) == ["s01", "s02"]
    for attempts in by_shot.values():
        assert len(attempts) == 3  # the first render and two re-renders
        assert all(r.scores and r.scores[0]["style_embedding"] == "gram-v1" for r in attempts)
        assert len({r.seed for r in attempts}) == 3
        ties = sorted(r.inputs["tie_strength"] or 1.0 for r in attempts)
        assert ties[0] < ties[1] < ties[2]  # each retry is tied closer to the Base frame
        # A review round is not a Prefect retry: every draw is the task's first try, with no out-of-memory back-off.
        assert all(r.attempts == 1 and "out_of_memory_retry" not in r.notes for r in attempts)
    # Each shot's clip was made from its closest attempt.
    clips = [RenderRecord.model_validate_json(p.read_text()) for p in (tmp_path / "store").rglob("clips/**/*.json")]
    assert clips
    for clip in clips:
        attempts = by_shot[(clip.scene_id, clip.shot_id)]
        best = min(attempts, key=lambda r: r.scores[0]["style_distance"] + (r.scores[0]["face_distance"] or 0))
        assert clip.inputs["keyframe_sha"] == best.sha256


@pytest.mark.slow  # a whole film through the flow with real (tiny, random) diffusers models on the CPU
def test_without_keyframe_iteration_each_keyframe_is_drawn_on_its_own(tmp_path, capsys, tiny_models, tiny_env):
    sd, _ = tiny_models
    store = tmp_path / "store"
    assert main(["make", str(SAMPLE), "--store", str(store), "--json", "--image-model", str(sd), "--clips", "animatic",
                 "--no-keyframe-iteration", *TINY]) == 0
    capsys.readouterr()
    records = [RenderRecord.model_validate_json(p.read_text()) for p in store.rglob("keyframes/**/*.json")]
    assert len(records) >= 2
    for record in records:
        assert record.inputs["base_frame_sha"] is None and record.inputs["context"] == ""
        assert record.scores == []  # nothing to compare with: the gate does not run


@pytest.mark.slow
def test_film_with_kontext_edits_and_wan_clips(tmp_path, capsys, tiny_models, tiny_env, monkeypatch):
    """Today's open models end to end: FLUX.1 Kontext edits the Base frame into every shot, Wan 2.1 sets them moving."""
    root = tmp_path / "models"
    kontext, wan = build_tiny_flux_kontext(root / "kontext"), build_tiny_wan_i2v(root / "wan")
    for name, value in {"VIDEO_FRAMES": "5", "VIDEO_STEPS": "2", "VIDEO_SHORT_SIDE": "16"}.items():
        monkeypatch.setenv(f"DREAMFACTORY_RENDER__{name}", value)
    store = tmp_path / "store"
    argv = ["make", str(SAMPLE), "--store", str(store), "--json", "--image-model", str(kontext), "--video-model", str(wan), *TINY]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["keyframes"]["rendered"] >= 2 and result["clips"]["rendered"] >= 2
    keyframes = [RenderRecord.model_validate_json(p.read_text()) for p in store.rglob("keyframes/**/*.json")]
    assert {r.identity["family"] for r in keyframes} == {"flux-kontext"}
    clips = [RenderRecord.model_validate_json(p.read_text()) for p in store.rglob("clips/**/*.json")]
    assert {r.renderer for r in clips} == {"diffusers-video"} and {r.identity["family"] for r in clips} == {"wan-i2v"}
    for record in clips:
        assert record.notes["frames"] == round(record.inputs["duration"] * 4)
        read = record.notes["prompt_read"][0]
        assert read["encoder"] == "text_encoder" and read["tokens"] <= read["max_tokens"] and read["text"]


@pytest.mark.slow
def test_film_with_ltx2_clips_keeps_their_own_sound(tmp_path, capsys, tiny_models, tiny_env, monkeypatch):
    """LTX-2 end to end with --video-audio: every clip carries the model's sound, and the film lays it under the
    speech in film time (the mix says so, and the film's sound is not silent where the clips have sound)."""
    from dreamfactory.voices.audio import decode_audio
    from dreamfactory.voices.mix import streams
    from tests.tiny_video_models import build_tiny_ltx2_i2v

    sd, _ = tiny_models
    ltx2 = build_tiny_ltx2_i2v(tmp_path / "models" / "ltx2")
    for name, value in {"VIDEO_FRAMES": "9", "VIDEO_STEPS": "2", "VIDEO_SHORT_SIDE": "32"}.items():
        monkeypatch.setenv(f"DREAMFACTORY_RENDER__{name}", value)
    store = tmp_path / "store"
    argv = ["make", str(SAMPLE), "--store", str(store), "--json", "--image-model", str(sd), "--video-model", str(ltx2),
            "--video-audio", *TINY]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    clips = [RenderRecord.model_validate_json(p.read_text()) for p in store.rglob("clips/**/*.json")]
    assert clips and {r.identity["family"] for r in clips} == {"ltx2-i2v"}
    for record in clips:
        assert record.notes["audio"]["seconds"] == pytest.approx(record.notes["frames"] / 4, abs=0.03)
        assert streams(store / record.object_key) == ["video", "audio"]
    film = RenderRecord.model_validate_json((store / (result["film_key"].rsplit(".", 1)[0] + ".json")).read_text())
    assert film.notes["mix"]["scene_sound"] is True  # --no-sound: no speech, the clips' own sound alone
    sound = decode_audio(str(store / result["film_key"]), 48_000)
    assert len(sound) / 48_000 == pytest.approx(result["duration"], abs=0.05) and np.abs(sound).max() > 0.001


# The families no other film test covers, paired so that each pair is one short film through `dreamfactory make`:
# keyframes by a text-to-image or editing model, clips by an image-to-video model (and its own way to extend).
FAMILY_FILMS = [
    ("tests.tiny_models:build_tiny_flux2_klein", "tests.tiny_extension_models:build_tiny_ltx_condition",
     "flux2-klein", "ltx-i2v", "ltx_conditions"),
    ("tests.tiny_models:build_tiny_qwen_image", "tests.tiny_extension_models:build_tiny_wan_vace",
     "qwen-image", "wan-vace", "vace"),
    ("tests.tiny_models:build_tiny_sd3", "tests.tiny_video_models:build_tiny_hunyuan_i2v",
     "sd3", "hunyuan-i2v", "last_frame"),
    ("tests.tiny_models:build_tiny_sdxl", "tests.tiny_models:build_tiny_cogvideox_i2v",
     "sdxl", "cogvideox-i2v", "last_frame"),
    ("tests.tiny_models:build_tiny_flux", "tests.tiny_video_models:build_tiny_wan22_ti2v",  # saved as the hub declares it
     "flux", "wan2.2-ti2v", "last_frame"),
]


@pytest.mark.slow
@pytest.mark.parametrize("image, video, image_family, video_family, extend", FAMILY_FILMS,
                         ids=[f"{f[2]}+{f[3]}" for f in FAMILY_FILMS])
def test_film_with_each_remaining_family(tmp_path, capsys, tiny_env, monkeypatch, image, video, image_family,
                                         video_family, extend):
    import importlib

    def build(spec: str, folder):
        module, name = spec.split(":")
        return getattr(importlib.import_module(module), name)(folder)

    torch.set_num_threads(1)
    keyframes_model, clips_model = build(image, tmp_path / "image"), build(video, tmp_path / "video")
    for name, value in {"KEYFRAME_SIZE": "64", "VIDEO_FRAMES": "9", "VIDEO_STEPS": "2", "VIDEO_SHORT_SIDE": "16"}.items():
        monkeypatch.setenv(f"DREAMFACTORY_RENDER__{name}", value)
    store = tmp_path / "store"
    argv = ["make", str(SAMPLE), "--store", str(store), "--json", "--image-model", str(keyframes_model),
            "--video-model", str(clips_model), "--clips", "diffusers", "--width", "128", "--height", "64", "--fps", "4",
            "--no-sound", "--scenes", "1"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["keyframes"]["rendered"] >= 2 and result["clips"]["rendered"] == result["keyframes"]["rendered"]
    keyframes = [RenderRecord.model_validate_json(p.read_text()) for p in store.rglob("keyframes/**/*.json")]
    assert {r.identity["family"] for r in keyframes} == {image_family}
    clips = [RenderRecord.model_validate_json(p.read_text()) for p in store.rglob("clips/**/*.json")]
    assert {r.identity["family"] for r in clips} == {video_family}
    for record in clips:
        assert record.notes["frames"] == round(record.inputs["duration"] * 4)
        assert all(r["tokens"] <= r["max_tokens"] for r in record.notes["prompt_read"])
        if len(record.notes["generations"]) > 1:  # a shot longer than one generation goes on the model's own way
            assert record.notes["extend"] == extend
    if video_family in ("wan-vace", "ltx-i2v"):  # each ends a shot on the next shot's keyframe: the flow hands it over
        assert any(r.notes["end_frame"] for r in clips)
    if video_family == "wan2.2-ti2v":  # the hub's layout (WanPipeline declared), its card's rate; no last frame
        assert {r.identity["pipeline"] for r in clips} == {"WanImageToVideoPipeline"}
        assert all(r.notes["model_fps"] == 24 and not r.notes["end_frame"] for r in clips)
