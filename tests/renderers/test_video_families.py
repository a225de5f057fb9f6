"""HunyuanVideo image-to-video and LTX-2 through the clip renderer, on tiny random pipelines (CPU); and which models'
clips are keyed by the next shot's keyframe (only those that can end on it), decided from config files alone.

Each model is saved with save_pretrained and loaded by the product's own code from its model_index.json.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess

import diffusers
import imageio_ffmpeg
import numpy as np
import pytest
import torch
from PIL import Image

from dreamfactory.errors import SettingsError
from dreamfactory.renderers import devices
from dreamfactory.renderers import prompt_budget as budget
from dreamfactory.renderers.base import render_key
from dreamfactory.renderers.encoding import cut_frames
from dreamfactory.renderers.video_clips import DiffusersClips, as_images, generations, in_prompt_template, soundtrack
from dreamfactory.renders import wants_end_keyframe
from dreamfactory.settings import FilmOptions, RenderSettings
from tests.renderers.test_diffusers_families import clip, clip_settings, frames_in, spy

LONG = " ".join(["Mira runs up the stairs of the lighthouse."] + ["The storm lashes the sea and the lamp room glows."] * 8)
ORANGE = (200, 100, 50)


pytestmark = pytest.mark.usefixtures("one_torch_thread", "fresh_pipelines")


def ffmpeg(*args: str) -> str:
    """ffmpeg's log (stderr) of a run that decodes to nothing."""
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", *args], capture_output=True, text=True)
    return done.stderr


def key_frames(path) -> list[int]:
    log = ffmpeg("-i", str(path), "-map", "0:v", "-vf", "showinfo", "-f", "null", "-")
    return [int(line.split("n:")[1].split()[0]) for line in log.splitlines() if "iskey:1" in line]


def cut_warnings(capfd, caplog) -> list[str]:
    """Warnings of a prompt cut or too long, printed (transformers) or logged (diffusers) since the last call."""
    lines = capfd.readouterr().err.splitlines() + [r.getMessage() for r in caplog.records]
    caplog.clear()
    return [line for line in lines if "truncated" in line or "longer than the specified maximum" in line]


def audio_samples(path) -> int:
    """Samples per channel of the clip's decoded sound track."""
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-map", "0:a",
                           "-f", "f32le", "-ac", "1", "-"], capture_output=True, check=True)
    return len(done.stdout) // 4


# -- HunyuanVideo image-to-video -----------------------------------------------------------------------------------
def test_hunyuan_prompt_fits_its_template_and_clip_and_chains_to_the_shot(models, tmp_path, monkeypatch, capfd, caplog):
    renderer = DiffusersClips(clip_settings(models("hunyuan_i2v")))
    calls = spy(monkeypatch, diffusers.HunyuanVideoImageToVideoPipeline)
    result = renderer.render(clip(prompt=LONG), Image.new("RGB", (64, 36), ORANGE), tmp_path / "hy.mp4")
    # 1 s at 8 fps = 8 film frames; at HunyuanVideo's 24 fps 22 source frames: 9, then 8 more twice from the last one.
    assert result.frames == 8 and frames_in(tmp_path / "hy.mp4") == 8
    assert [c["num_frames"] for c in calls] == result.notes["generations"] == [9, 9, 9]
    assert result.notes["model_fps"] == 24 and "frame_rate" not in calls[0]  # its rate is the family's: no such parameter
    assert (calls[0]["width"], calls[0]["height"]) == (32, 16)  # its input check: sides a multiple of 16
    assert calls[1]["image"].size == (32, 16) and "negative_prompt" not in calls[0]

    pipe = devices.load_pipeline(renderer.spec()).pipe
    template = budget.call_default(pipe, "prompt_template")
    sent = calls[0]["prompt"]
    llama, clip_read = result.notes["prompt_read"]
    assert (llama["encoder"], clip_read["encoder"]) == ("text_encoder", "text_encoder_2")
    assert all(r["text"] == sent and r["tokens"] <= r["max_tokens"] for r in (llama, clip_read))
    # The Llava-Llama reads the prompt inside its template and the pipeline cuts the whole at max_sequence_length +
    # crop_start: the prompt's budget is what the template's own tokens leave of that.
    overhead = len(pipe.tokenizer(template["template"].format(""))["input_ids"])
    assert llama["template_tokens"] == overhead and llama["max_tokens"] == 256 + template["crop_start"] - overhead
    templated = len(pipe.tokenizer(template["template"].format(sent))["input_ids"])
    assert templated <= calls[0]["max_sequence_length"] + template["crop_start"]
    assert clip_read["max_tokens"] == 77 and len(pipe.tokenizer_2(sent)["input_ids"]) <= 77
    assert result.notes["prompt_left_out"]  # the long prompt lost whole sentences, not its end to a cut
    assert not cut_warnings(capfd, caplog)
    pipe._get_clip_prompt_embeds(LONG)  # what the uncomposed prompt would have done: the warnings show here
    assert any("truncated because CLIP can only handle" in w for w in cut_warnings(capfd, caplog))


def test_hunyuan_frames_size_and_a_short_sequence_come_from_the_model(models):
    renderer = DiffusersClips(clip_settings(models("hunyuan_i2v")).model_copy(
        update={"video_frames": None, "video_short_side": None}))
    pipe = devices.load_pipeline(renderer.spec()).pipe
    # 129 frames at 24 fps, 720 px short side, frames of the form 4k + 1: its call's defaults and its VAE's step.
    assert renderer.native(pipe) == (129, 24, 720, 4)
    template = budget.call_default(pipe, "prompt_template")
    budgets = in_prompt_template(budget.encoder_budgets(pipe, 16), template)
    composed = budget.compose_text(LONG, budgets)
    assert composed.text and len(pipe.tokenizer(template["template"].format(composed.text))["input_ids"]) <= 16 + 103
    with pytest.raises(SettingsError, match="leaves no room for the prompt"):
        in_prompt_template(budget.encoder_budgets(pipe, 4), template)


def test_hunyuan_33ch_drops_its_first_frames_and_still_fills_the_shot(models, tmp_path, monkeypatch):
    renderer = DiffusersClips(clip_settings(models("hunyuan_i2v", image_condition="latent_concat")))
    calls = spy(monkeypatch, diffusers.HunyuanVideoImageToVideoPipeline)
    result = renderer.render(clip(duration=0.5), Image.new("RGB", (64, 36), ORANGE), tmp_path / "hy33.mp4")
    # 0.5 s = 4 film frames = 10 source frames; each generation of 9 returns 5, none of them its conditioning image.
    assert result.notes["generations"] == [9, 9] == [c["num_frames"] for c in calls]
    assert generations(10, 9, 4, dropped=4) == [9, 9] and generations(10, 9, 4) == [9, 5]
    assert frames_in(tmp_path / "hy33.mp4") == 4


# -- LTX-2 ---------------------------------------------------------------------------------------------------------
def ltx2_settings(models, **kw) -> RenderSettings:
    return clip_settings(models("ltx2_i2v")).model_copy(update={"video_frames": 17, "max_sequence_length": 32, **kw})


def test_ltx2_clip_carries_its_own_sound(models, tmp_path, monkeypatch):
    renderer = DiffusersClips(ltx2_settings(models, video_audio=True))
    calls = spy(monkeypatch, diffusers.LTX2ImageToVideoPipeline)
    out = tmp_path / "ltx2.mp4"
    result = renderer.render(clip(prompt=LONG, duration=1.25), Image.new("RGB", (64, 36), ORANGE), out)
    # 1.25 s = 10 film frames = 28 source frames at 24 fps: 17, then 16 more (frames 8k + 1: its VAE is 8x in time).
    assert result.frames == 10 and frames_in(out) == 10
    assert [c["num_frames"] for c in calls] == result.notes["generations"] == [17, 17]
    assert calls[0]["frame_rate"] == result.notes["model_fps"] == 24
    assert calls[0]["width"] % 32 == 0 and calls[0]["height"] % 32 == 0  # its input check, and its VAE's 32x
    assert calls[0]["max_sequence_length"] == 32 and result.notes["prompt_left_out"]
    read = result.notes["prompt_read"][0]
    assert read["tokenizer"] == "GemmaTokenizer" and read["text"] == calls[0]["prompt"] and read["tokens"] <= 32
    # Its first frame is re-compressed as it was trained (H.264 at CRF 33) by our ffmpeg, not the pipeline's PyAV.
    assert calls[0]["image_crf"] == 0 and result.notes["image_crf"] == 33
    assert calls[0]["image"].size == (calls[0]["width"], calls[0]["height"])

    assert result.notes["audio"] == {"sample_rate": 16000, "seconds": 1.25, "channels": 2}
    assert "Audio: aac (LC)" in ffmpeg("-i", str(out)) and "16000 Hz, stereo" in ffmpeg("-i", str(out))
    assert abs(audio_samples(out) - 1.25 * 16000) <= 1024  # at most one AAC frame off the clip's length
    # The video stream was copied when the sound was muxed in: its closed-GOP cut points are still where they were.
    assert result.notes["cuts"] == cut_frames(10, 8) == [5] and key_frames(out) == [0, 5]

    silent = DiffusersClips(ltx2_settings(models))  # the setting keys the clip
    assert silent.identity()["video_audio"] is False and renderer.identity()["video_audio"] == {"codec": "aac", "bitrate": "128k"}
    assert render_key(renderer, clip()) != render_key(silent, clip())


def test_ltx2_sound_off_is_dropped_and_said(models, tmp_path, monkeypatch):
    renderer = DiffusersClips(ltx2_settings(models))
    calls = spy(monkeypatch, diffusers.LTX2ImageToVideoPipeline)
    out = tmp_path / "silent.mp4"
    result = renderer.render(clip(duration=0.5), Image.new("RGB", (64, 36), ORANGE), out)
    assert frames_in(out) == 4 and [c["num_frames"] for c in calls] == [17]
    assert "audio" not in result.notes and "Audio:" not in ffmpeg("-i", str(out))
    assert "no switch to skip it, so it is dropped" in result.notes["audio_off"]
    # A pipeline whose call can skip its sound is asked to.
    call, notes = {}, {}
    assert renderer.audio_plan(frozenset({"prompt", "sample_audio"}), call, notes) is False
    assert call == {"sample_audio": False} and "not made" in notes["audio_off"]


def test_ltx2_frames_and_size_come_from_the_model(models):
    renderer = DiffusersClips(ltx2_settings(models, video_frames=None))
    pipe = devices.load_pipeline(renderer.spec()).pipe
    # Its call gives no frame count (a duration head may choose one): 121, its own choice without one; 8x in time.
    assert renderer.native(pipe) == (121, 24, 16, 8)


def test_chained_sound_overlaps_as_the_frames_do():
    fps, rate = 24, 2400  # 100 samples a frame
    first = np.tile(np.linspace(-0.5, 0.5, 1700, dtype=np.float32), (2, 1))  # 17 frames' span
    second = np.full((2, 1650), 0.25, dtype=np.float32)  # a few ms short, as a causal vocoder's is
    second[:, :97] = 0.9  # the span of its first frame (1650 / 17), which repeats the first generation's last
    sound = soundtrack([(torch.from_numpy(first), 17, 0), (second, 17, 1)], fps, rate, seconds=3000 / rate)
    assert sound.samples.shape == (2, 3000) and sound.rate == rate
    assert np.allclose(sound.samples[:, :1700], first)
    assert np.allclose(sound.samples[:, 1700:], 0.25)  # stretched to 1700, then its first frame's span not kept
    padded = soundtrack([(first[:1, :], 17, 0)], fps, rate, seconds=1.0)  # mono, a clip longer than the sound
    assert padded.samples.shape == (1, 2400) and not padded.samples[:, 1700:].any()


# -- which clips read the next shot's keyframe -----------------------------------------------------------------------
def test_only_models_that_end_on_a_frame_are_keyed_by_the_next_keyframe(models, tmp_path):
    plain = clip_settings(models("wan_i2v"))
    flf = clip_settings(models("wan_i2v", first_last_frame=True))
    wan22 = shutil.copytree(models("wan_i2v"), tmp_path / "wan22")  # Wan 2.2's layout: no image encoder
    index = json.loads((wan22 / "model_index.json").read_text())
    (wan22 / "model_index.json").write_text(json.dumps({**index, "image_encoder": [None, None], "image_processor": [None, None]}))
    request, ending_elsewhere = clip(), clip(end_keyframe_sha="e" * 64)
    for settings, ends in [(plain, False), (flf, True), (plain.model_copy(update={"video_model": str(wan22)}), True),
                           (clip_settings(models("hunyuan_i2v")), False), (clip_settings(models("ltx2_i2v")), False)]:
        renderer = DiffusersClips(settings)
        assert ("end_keyframe_sha" in renderer.reads) is ends, settings.video_model
        assert (render_key(renderer, ending_elsewhere) != render_key(renderer, request)) is ends, settings.video_model
        assert wants_end_keyframe(FilmOptions(render=settings)) is ends  # the flow hands end keyframes only then
    assert devices.loaded_pipelines() == []  # decided from config files: no weights loaded
    # A model whose configs are not here (a hub model not downloaded yet; a Wan without its transformer's config) may
    # end on a frame: keyed by the next keyframe too, one input too many rather than one too few.
    (wan22 / "transformer" / "config.json").unlink()
    for model in ("nobody/not-here", str(wan22)):
        assert "end_keyframe_sha" in DiffusersClips(RenderSettings(clip_backend="diffusers", video_model=model)).reads


@pytest.mark.parametrize("name, declared, loaded, ending", [
    ("ltx2_i2v", "LTX2Pipeline", diffusers.LTX2ConditionPipeline, "optional"),  # its conditions can pin a last frame
    ("ltx_i2v", "LTXPipeline", diffusers.LTXImageToVideoPipeline, "none")])
def test_a_checkpoint_that_declares_text_to_video_renders_clips_image_to_video(models, tmp_path, name, declared, loaded,
                                                                              ending):
    """The hub's Lightricks/LTX-Video and Lightricks/LTX-2 declare their text-to-video class; the same weights hold
    the image-to-video pipeline, which clips load."""
    folder = tmp_path / declared
    shutil.copytree(models(name), folder)
    index = json.loads((folder / "model_index.json").read_text())
    (folder / "model_index.json").write_text(json.dumps({**index, "_class_name": declared}))
    settings = (ltx2_settings(models) if name == "ltx2_i2v" else clip_settings(models(name)))
    renderer = DiffusersClips(settings.model_copy(update={"video_model": str(folder)}))
    assert renderer.identity()["pipeline"] == loaded.__name__ and renderer.ending() == ending
    result = renderer.render(clip(duration=0.5), Image.new("RGB", (64, 36), ORANGE), tmp_path / "clip.mp4")
    assert result.frames == 4 and isinstance(devices.load_pipeline(renderer.spec()).pipe, loaded)


def test_ltx2_goes_on_from_its_last_frames_with_its_own_sound(models, tmp_path, monkeypatch):
    """LTX-2 as its condition pipeline (how the hub's checkpoint loads): the first generation opens on the keyframe
    (re-compressed here, crf 0 to the pipeline), each later one continues the last 9 frames made (two latent frames
    of its 8x VAE) as a video condition; the sound is chained at the same overlap."""
    folder = tmp_path / "ltx2-condition"
    shutil.copytree(models("ltx2_i2v"), folder)
    index = json.loads((folder / "model_index.json").read_text())
    (folder / "model_index.json").write_text(json.dumps({**index, "_class_name": "LTX2ConditionPipeline"}))
    renderer = DiffusersClips(ltx2_settings(models, video_audio=True).model_copy(update={"video_model": str(folder)}))
    calls, made = [], []
    real = diffusers.LTX2ConditionPipeline.__call__

    @functools.wraps(real)  # the call's own signature: the renderer reads its parameters
    def recording(self, **kw):
        calls.append(kw)
        output = real(self, **kw)
        made.append(output.frames[0])
        return output

    monkeypatch.setattr(diffusers.LTX2ConditionPipeline, "__call__", recording)
    out = tmp_path / "ltx2.mp4"
    assert renderer.ending() == "optional"  # its conditions can pin the last frame too: keyed by the next keyframe
    end = Image.new("RGB", (64, 36), (20, 40, 200))
    result = renderer.render(clip(duration=1.25), Image.new("RGB", (64, 36), ORANGE), out, end_image=end)
    assert result.frames == 10 and frames_in(out) == 10
    assert result.notes["extend"] == "ltx2_conditions" and result.notes["overlap"] == 9
    # 28 source frames at 24 fps: 17, then 8 new ones per generation after the 9 it goes on from.
    assert result.notes["generations"] == [17, 17, 17] and len(calls) == 3
    first, later = calls[0]["conditions"][0], calls[1]["conditions"][0]
    assert isinstance(first.frames, Image.Image) and first.crf == 0 and first.index == 0
    assert len(later.frames) == 9 and later.index == 0
    assert [f.tobytes() for f in later.frames] == [f.tobytes() for f in as_images(made[0])[-9:]]
    assert result.notes["audio"]["seconds"] == pytest.approx(1.25, abs=0.03)
    # The shot ends on the next keyframe: a condition at the last latent index, re-compressed as its first frame is.
    assert [len(c["conditions"]) for c in calls] == [1, 1, 2] and result.notes["end_frame"] is True
    last = calls[-1]["conditions"][-1]
    assert last.index == -1 and isinstance(last.frames, Image.Image) and last.crf == 0
    assert np.abs(np.asarray(last.frames, dtype=int) - (20, 40, 200)).mean() < 8
