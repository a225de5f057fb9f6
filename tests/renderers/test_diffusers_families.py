"""Every diffusers family through the renderers, on tiny random pipelines built from configs (CPU).

Keyframes: FLUX.1 (img2img from the Base frame), FLUX.1 Kontext and FLUX.2 klein (edits of the Base frame), SD 3.5
(three text encoders), Qwen-Image (true CFG). Clips: Wan 2.1 image-to-video and its first-last-frame variant, LTX-Video, CogVideoX. Each model is saved
with save_pretrained and loaded by the product's own code from its model_index.json, as a hub checkpoint would be.
"""

from __future__ import annotations

import functools
import json
import shutil

import diffusers
import imageio_ffmpeg
import pytest
import torch
from PIL import Image

from dreamfactory import backends
from dreamfactory.contracts import CharacterLook, ClipRequest, KeyframeRequest
from dreamfactory.errors import SettingsError
from dreamfactory.renderers import devices
from dreamfactory.renderers.base import OutOfMemory, render_key
from dreamfactory.renderers.diffusers_keyframes import EDIT_KEEP, DiffusersKeyframes
from dreamfactory.renderers.families import FAMILIES, family_of_class, model_class
from dreamfactory.renderers.svd_clips import SvdClips
from dreamfactory.renderers.video_clips import DiffusersClips, generations, snap_frames
from dreamfactory.settings import RenderSettings
from tests import tiny_models

MIRA = CharacterLook(id="mira", name="Mira", appearance="curly red hair, freckles", wardrobe="a #f2c94c raincoat")


pytestmark = pytest.mark.usefixtures("one_torch_thread", "fresh_pipelines")


def spy(monkeypatch, cls) -> list[dict]:
    calls, real = [], cls.__call__

    @functools.wraps(real)
    def recording(self, *args, **kwargs):
        calls.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__call__", recording)
    return calls


def keyframe_settings(model) -> RenderSettings:
    return RenderSettings(keyframe_backend="diffusers", image_model=str(model), steps=2, keyframe_size=32,
                          device="cpu", dtype="float32")


def clip_settings(model, **kw) -> RenderSettings:
    return RenderSettings(clip_backend="diffusers", video_model=str(model), video_steps=2, video_frames=9,
                          video_short_side=16, device="cpu", dtype="float32", **kw)


def shot(**kw) -> KeyframeRequest:
    base = dict(scene_id="s01", shot_id="a", framing="close_up", prompt="Mira climbs the stairs. The lamp room glows.",
                negative_prompt="crowds", setting="lighthouse", time_of_day="night", look="storybook watercolour",
                palette=("#1f4e5f", "#f2c94c"), characters=(MIRA,), seed=3, width=1280, height=720, base_frame_sha="b" * 64)
    return KeyframeRequest(**{**base, **kw})


def base_shot() -> KeyframeRequest:
    return shot(scene_id="base", shot_id="", framing="wide", base_frame_sha=None)


def clip(**kw) -> ClipRequest:
    base = dict(scene_id="s01", shot_id="a", keyframe_sha="k" * 64, camera="hold", prompt="Mira runs up the stairs",
                negative_prompt="blur", duration=1.0, fps=8, width=64, height=36, seed=1)
    return ClipRequest(**{**base, **kw})


def frames_in(path) -> int:
    return imageio_ffmpeg.count_frames_and_secs(str(path))[0]


# -- the table ----------------------------------------------------------------------------------------------------
def test_the_family_comes_from_model_index(models, tmp_path):
    assert model_class(str(models("flux")), None) == "FluxPipeline"
    assert family_of_class("FluxKontextPipeline", "keyframes").tie == "edit"
    assert family_of_class("WanImageToVideoPipeline", "clips").end_frame
    assert family_of_class("SomeFutureEditPipeline", "keyframes").tie == "edit"  # a new class still renders
    with pytest.raises(SettingsError, match="image-to-video pipeline, not one for keyframes"):
        family_of_class("WanImageToVideoPipeline", "keyframes")
    with pytest.raises(SettingsError, match="cannot load it as a diffusers pipeline"):
        model_class(str(tmp_path), None)
    classes = [c for f in FAMILIES for c in f.classes]
    assert len(classes) == len(set(classes))
    for family in FAMILIES:  # every class the table names exists in the installed diffusers
        assert all(hasattr(diffusers, c) for c in family.classes), family.name
        assert family.text_to_image is None or hasattr(diffusers, family.text_to_image)


def test_clip_backend_picks_the_module_by_the_models_class(models, tmp_path):
    wan = backends.clip_renderer(clip_settings(models("wan_i2v")).model_copy(update={"clip_backend": "svd"}))
    assert isinstance(wan, DiffusersClips) and wan.family.name == "wan-i2v"
    svd = backends.clip_renderer(clip_settings(tiny_models.build_tiny_svd(tmp_path / "svd")))
    assert isinstance(svd, SvdClips)


# -- keyframes ----------------------------------------------------------------------------------------------------
def test_flux_base_frame_then_img2img_keyframe(models, monkeypatch):
    renderer = DiffusersKeyframes(keyframe_settings(models("flux")))
    text_calls = spy(monkeypatch, diffusers.FluxPipeline)
    img2img_calls = spy(monkeypatch, diffusers.FluxImg2ImgPipeline)
    base = renderer.render(base_shot(), None)
    assert base.size == (56, 32)  # 16:9, short side 32, sides a multiple of the packed latent (2 here)
    keyframe = renderer.render(shot(), base)
    assert keyframe.size == base.size and len(text_calls) == 1 and len(img2img_calls) == 1
    call = img2img_calls[0]
    assert "negative_prompt" not in call  # guidance-distilled: no negative prompt
    assert (call["width"], call["height"]) == (56, 32) and call["max_sequence_length"] == 512
    read = renderer.last_notes["prompt_read"]
    assert [r["encoder"] for r in read] == ["text_encoder", "text_encoder_2"]
    assert all(r["text"] == call["prompt"] and r["tokens"] <= r["max_tokens"] for r in read)
    assert renderer.identity()["family"] == "flux" and renderer.identity()["pipeline"] == "FluxPipeline"
    assert renderer.last_notes["tie"] == {"by": "img2img", "strength": 0.55}


def test_kontext_edits_the_base_frame_by_instruction(models, monkeypatch):
    renderer = DiffusersKeyframes(keyframe_settings(models("flux_kontext")))
    text_calls = spy(monkeypatch, diffusers.FluxPipeline)
    edit_calls = spy(monkeypatch, diffusers.FluxKontextPipeline)
    base = renderer.render(base_shot(), None)
    assert len(text_calls) == 1 and edit_calls == []  # the Base frame from text, the same weights through from_pipe
    keyframe = renderer.render(shot(), base)
    assert keyframe.size == base.size
    edit = edit_calls[-1]
    assert edit["image"].size == base.size and edit["max_area"] == 56 * 32 and edit["_auto_resize"] is False
    assert edit["prompt"].startswith(EDIT_KEEP.split(",")[0]) or edit["prompt"].startswith("Keep the characters")
    assert renderer.last_notes["tie"]["by"] == "edit"
    again = renderer.render(shot(seed=4), base)
    assert again.tobytes() != keyframe.tobytes()
    assert len(devices.loaded_pipelines()) == 1  # one load for the Base frame and every edit


def test_sd3_prompt_fits_all_three_encoders(models, monkeypatch):
    renderer = DiffusersKeyframes(keyframe_settings(models("sd3")))
    calls = spy(monkeypatch, diffusers.StableDiffusion3Pipeline)
    renderer.render(base_shot(), None)
    read = renderer.last_notes["prompt_read"]
    assert [(r["encoder"], r["max_tokens"]) for r in read] == [("text_encoder", 77), ("text_encoder_2", 77), ("text_encoder_3", 256)]
    assert calls[0]["negative_prompt"].startswith("crowds") and calls[0]["max_sequence_length"] == 256
    assert "#" not in calls[0]["prompt"]


def test_sd35_saved_without_its_t5_encoder_loads_and_reads_two_clips(models, tmp_path):
    """SD 3.5's card allows dropping T5; a folder saved so has nulls in its model_index.json, which diffusers writes
    but will not load unless told again (ValueError: expected ... text_encoder_3)."""
    folder = shutil.copytree(models("sd3"), tmp_path / "sd3-no-t5")
    index = json.loads((folder / "model_index.json").read_text())
    (folder / "model_index.json").write_text(json.dumps({**index, "text_encoder_3": [None, None],
                                                         "tokenizer_3": [None, None]}))
    shutil.rmtree(folder / "text_encoder_3")
    shutil.rmtree(folder / "tokenizer_3")
    renderer = DiffusersKeyframes(keyframe_settings(folder))
    base = renderer.render(base_shot(), None)
    assert base.size == (56, 32)
    assert [(r["encoder"], r["max_tokens"]) for r in renderer.last_notes["prompt_read"]] == [("text_encoder", 77),
                                                                                            ("text_encoder_2", 77)]


def test_keyframe_memory_back_off_and_choices_are_recorded(models, monkeypatch):
    settings = keyframe_settings(models("flux")).model_copy(update={"cpu_offload": "model", "attention_backend": "native"})
    renderer = DiffusersKeyframes(settings)
    renderer.render(base_shot(), None, attempt=3)
    notes = renderer.last_notes
    assert notes["out_of_memory_retry"]["attempt"] == 3 and notes["out_of_memory_retry"]["scale"] == 0.75
    assert notes["size"] == "44x24"  # 25% smaller on the third try (sides a multiple of 4 here)
    assert notes["pipeline"]["cpu_offload"] == "model" and notes["pipeline"]["attention_backend"] == "native"
    assert renderer.identity()["attention_backend"] == "native"
    with pytest.raises(SettingsError, match="attention backend 'no-such-kernel'"):
        DiffusersKeyframes(settings.model_copy(update={"attention_backend": "no-such-kernel"})).render(base_shot(), None)

    def oom(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 3.00 GiB")

    monkeypatch.setattr(diffusers.FluxPipeline, "__call__", oom)
    with pytest.raises(OutOfMemory, match="the next try tiles the VAE"):
        DiffusersKeyframes(keyframe_settings(models("flux"))).render(base_shot(), None)


def test_qwen_image_true_cfg_with_a_negative_prompt(models, monkeypatch):
    renderer = DiffusersKeyframes(keyframe_settings(models("qwen_image")).model_copy(update={"guidance": 3.0}))
    calls = spy(monkeypatch, diffusers.QwenImagePipeline)
    img2img = spy(monkeypatch, diffusers.QwenImageImg2ImgPipeline)
    base = renderer.render(base_shot(), None)
    assert calls[0]["true_cfg_scale"] == 3.0 and calls[0]["negative_prompt"].startswith("crowds")
    # Qwen-Image keeps max_sequence_length tokens after its template's dropped system prefix: the prompt and the
    # template's close (<|im_end|>, the assistant turn). The prompt's budget leaves the close its room.
    pipe = devices.load_pipeline(renderer.spec()).pipe
    close = len(pipe.tokenizer(pipe.prompt_template_encode.split("{}")[1], add_special_tokens=False)["input_ids"])
    assert close >= 3 and calls[0]["max_sequence_length"] == 512
    assert renderer.last_notes["prompt_read"][0]["max_tokens"] == 512 - close
    keyframe = renderer.render(shot(), base)
    assert keyframe.size == base.size and img2img[0]["image"].size == base.size
    # Qwen-Image's pipelines refuse more than 1024 text tokens: a longer setting is held to that, not a crash.
    longer = DiffusersKeyframes(keyframe_settings(models("qwen_image")).model_copy(update={"max_sequence_length": 2048}))
    longer.render(base_shot(), None)
    assert calls[-1]["max_sequence_length"] == 1024 and longer.last_notes["prompt_read"][0]["max_tokens"] == 1024 - close


def test_flux2_klein_edits_the_base_frame_within_its_templated_budget(models, monkeypatch):
    renderer = DiffusersKeyframes(keyframe_settings(models("flux2_klein")).model_copy(update={"keyframe_size": 64}))
    calls = spy(monkeypatch, diffusers.Flux2KleinPipeline)
    base = renderer.render(base_shot(), None)  # klein draws from text alone when given no image
    assert "image" not in calls[0]
    renderer.render(shot(), base)
    assert calls[-1]["image"].size == base.size and renderer.last_notes["tie"]["by"] == "edit"
    read = renderer.last_notes["prompt_read"][0]
    # FLUX.2 wraps the prompt in the chat template, then cuts at max_sequence_length: the budget keeps room for it,
    # and the call still gets the whole window (given the smaller number, it would cut the prompt's end).
    assert read["max_tokens"] < 512 and read["tokens"] <= read["max_tokens"]
    assert calls[-1]["max_sequence_length"] == 512


# -- clips ------------------------------------------------------------------------------------------------------
def test_frame_plans():
    assert snap_frames(15, 4) == 17 and snap_frames(9, 4) == 9 and snap_frames(2, 8) == 9
    assert generations(15, 9, 4) == [9, 9]  # 9 new frames, then 8 more from the last one
    assert generations(5, 81, 4) == [5]  # a short shot makes only what it needs
    assert generations(30, 9, 4, exact=True) == [9, 9, 9, 9]


def test_wan_clip_chains_generations_to_the_shot_length(models, tmp_path, monkeypatch):
    renderer = DiffusersClips(clip_settings(models("wan_i2v")))
    calls = spy(monkeypatch, diffusers.WanImageToVideoPipeline)
    result = renderer.render(clip(), Image.new("RGB", (64, 36), (200, 100, 50)), tmp_path / "wan.mp4")
    # 1 s at 8 fps = 8 film frames; at Wan's 16 fps that is 15 source frames: 9, then 8 more from the last frame.
    assert result.frames == 8 and frames_in(tmp_path / "wan.mp4") == 8
    assert [c["num_frames"] for c in calls] == [9, 9] and result.notes["generations"] == [9, 9]
    assert result.notes["model_fps"] == 16 and result.notes["extend"] == "last_frame"
    assert calls[0]["negative_prompt"] == "blur" and "last_image" not in calls[-1]
    assert (calls[0]["width"], calls[0]["height"]) == (32, 16)
    assert result.notes["prompt_read"][0]["text"] == "Mira runs up the stairs"
    assert calls[1]["image"].size == (32, 16)  # the second generation starts from the first one's last frame
    key = render_key(renderer, clip())
    assert render_key(renderer, clip(end_keyframe_sha="e" * 64)) == key  # plain Wan I2V cannot end on the next keyframe
    assert render_key(renderer, clip(prompt="Mira sleeps")) != key


def test_wan_first_last_frame_ends_on_the_next_keyframe(models, tmp_path, monkeypatch):
    renderer = DiffusersClips(clip_settings(models("wan_i2v", first_last_frame=True)))
    calls = spy(monkeypatch, diffusers.WanImageToVideoPipeline)
    start, end = Image.new("RGB", (64, 36), (200, 100, 50)), Image.new("RGB", (64, 36), (20, 40, 200))
    result = renderer.render(clip(duration=0.5), start, tmp_path / "flf.mp4", end_image=end)
    assert result.notes["end_frame"] is True and calls[-1]["last_image"].getpixel((0, 0)) == (20, 40, 200)
    # An FLF2V model cannot run without a last frame: a shot with no next keyframe ends on its own.
    held = renderer.render(clip(duration=0.5), start, tmp_path / "held.mp4")
    assert held.notes["end_frame_is_start"] is True and calls[-1]["last_image"].getpixel((0, 0)) == (200, 100, 50)


def test_ltx_clip_takes_frame_rate_and_its_size_rule(models, tmp_path, monkeypatch):
    renderer = DiffusersClips(clip_settings(models("ltx_i2v")))
    calls = spy(monkeypatch, diffusers.LTXImageToVideoPipeline)
    result = renderer.render(clip(duration=0.5), Image.new("RGB", (64, 36)), tmp_path / "ltx.mp4")
    assert result.frames == 4 and frames_in(tmp_path / "ltx.mp4") == 4
    assert calls[0]["frame_rate"] == result.notes["model_fps"] == 25
    assert calls[0]["width"] % 32 == 0 and calls[0]["height"] % 32 == 0
    assert calls[0]["max_sequence_length"] == 128


def test_cogvideox_keeps_its_trained_size_and_text_length(models, tmp_path, monkeypatch):
    renderer = DiffusersClips(clip_settings(models("cogvideox_i2v")))
    calls = spy(monkeypatch, diffusers.CogVideoXImageToVideoPipeline)
    result = renderer.render(clip(duration=0.5), Image.new("RGB", (64, 36)), tmp_path / "cog.mp4")
    assert (calls[0]["width"], calls[0]["height"]) == (16, 16) and calls[0]["num_frames"] == 9
    assert calls[0]["max_sequence_length"] == 16 and result.notes["prompt_read"][0]["tokens"] <= 16
    assert frames_in(tmp_path / "cog.mp4") == 4


def test_clip_out_of_memory_retry_makes_shorter_generations(models, tmp_path, monkeypatch):
    renderer = DiffusersClips(clip_settings(models("wan_i2v")))
    calls = spy(monkeypatch, diffusers.WanImageToVideoPipeline)
    result = renderer.render(clip(duration=0.5), Image.new("RGB", (64, 36)), tmp_path / "retry.mp4", attempt=2)
    assert result.notes["frames_per_generation"] == 5 and {c["num_frames"] for c in calls} == {5}
    assert "tiling" in result.notes["vae"] and frames_in(tmp_path / "retry.mp4") == 4
