"""Checkpoints of one pipeline class that their cards run differently, through the clip renderer, on tiny random
pipelines (CPU), each saved as the hub's checkpoints are:

- TI2V-5B declares the text-to-video WanPipeline (with `expand_timesteps`): clips load WanImageToVideoPipeline from
  it, at the card's 24 fps, 121 frames, 704 short side; it accepts a last frame and ignores it, so it is not given one.
- I2V-A14B has two experts split by noise level (`transformer`, `transformer_2`, `boundary_ratio`) and ends on a
  last frame; a folder may hold the low-noise expert alone.
- A text-to-video Wan (2.1 T2V, 2.2 T2V-A14B) cannot open a clip on a keyframe: a settings error before any render.
- CogVideoX 1.5 shares its class with 1.0: told apart by its transformer's config, it runs at its card's 16 fps, 81
  frames, 768 short side, in frame counts its temporal patch of 2 gives back as asked (8k+1).
"""

from __future__ import annotations

import functools

import diffusers
import pytest
import torch
from PIL import Image

from dreamfactory.errors import SettingsError
from dreamfactory.renderers import devices
from dreamfactory.renderers.base import render_key
from dreamfactory.renderers.devices import cover_fit
from dreamfactory.renderers.video_clips import DiffusersClips
from dreamfactory.settings import RenderSettings
from tests import tiny_video_models
from tests.renderers.test_clip_extension import encoded, pixels
from tests.renderers.test_diffusers_families import clip, clip_settings, frames_in, spy

START, END = Image.new("RGB", (64, 36), (200, 100, 50)), Image.new("RGB", (64, 36), (20, 40, 200))

pytestmark = pytest.mark.usefixtures("one_torch_thread", "fresh_pipelines")


def expert_steps(monkeypatch, pipe) -> dict[str, int]:
    """How many denoising steps each of the pipeline's transformers ran."""
    counts = {}
    for name in ("transformer", "transformer_2"):
        module = getattr(pipe, name)
        if module is None:
            continue
        counts[name], real = 0, module.forward

        def forward(*args, _name=name, _real=real, **kwargs):
            counts[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, "forward", forward)
    return counts


@pytest.mark.parametrize("declared", ["WanPipeline", "WanImageToVideoPipeline"])
def test_ti2v_renders_image_to_video_at_its_cards_rate_and_takes_no_last_frame(models, tmp_path, monkeypatch, declared):
    renderer = DiffusersClips(clip_settings(models("wan22_ti2v", declared=declared)))
    identity = renderer.identity()
    assert identity["pipeline"] == "WanImageToVideoPipeline" and identity["family"] == "wan2.2-ti2v"
    # It would accept a last frame and drop it without a word: the clip is not keyed by the next keyframe.
    assert renderer.ending() == "none" and "end_keyframe_sha" not in renderer.reads
    assert render_key(renderer, clip(end_keyframe_sha="e" * 64)) == render_key(renderer, clip())
    assert devices.loaded_pipelines() == []  # all of that from config files

    pipe = devices.load_pipeline(renderer.spec()).pipe
    assert isinstance(pipe, diffusers.WanImageToVideoPipeline) and pipe.config.expand_timesteps
    card = DiffusersClips(RenderSettings(clip_backend="diffusers", video_model=renderer.settings.video_model,
                                         device="cpu", dtype="float32"))
    assert card.native(pipe) == (121, 24, 704, 4)  # the card's 5 s at 24 fps, 1280x704; not Wan 2.1's 81 at 832x480

    calls, seen = spy(monkeypatch, diffusers.WanImageToVideoPipeline), encoded(monkeypatch, pipe)
    result = renderer.render(clip(duration=0.5), START, tmp_path / "ti2v.mp4", end_image=END)
    assert result.frames == 4 and frames_in(tmp_path / "ti2v.mp4") == 4
    assert result.notes["model_fps"] == 24 and result.notes["generations"] == [9, 5]  # 0.5 s at 24 fps: 12 frames
    assert result.notes["end_frame"] is False and "takes no last frame" in result.notes["end_frame_ignored"]
    assert all("last_image" not in c for c in calls)
    width, height = calls[0]["width"], calls[0]["height"]
    assert width % 32 == 0 and height % 32 == 0  # its VAE's 16x times the transformer's 2x2 patches
    # The clip opens on the keyframe: it is what the VAE encodes as the first latent frame.
    assert torch.allclose(seen[0], pixels([cover_fit(START, width, height)]), atol=1e-5)


def test_a14b_runs_both_experts_and_ends_on_the_next_keyframe(models, tmp_path, monkeypatch):
    renderer = DiffusersClips(clip_settings(models("wan22_a14b")).model_copy(update={"video_steps": 4}))
    assert renderer.identity()["family"] == "wan-i2v" and renderer.ending() == "optional"
    assert render_key(renderer, clip(end_keyframe_sha="e" * 64)) != render_key(renderer, clip())
    pipe = devices.load_pipeline(renderer.spec()).pipe
    steps, seen = expert_steps(monkeypatch, pipe), encoded(monkeypatch, pipe)
    calls = spy(monkeypatch, diffusers.WanImageToVideoPipeline)
    result = renderer.render(clip(duration=0.5), START, tmp_path / "a14b.mp4", end_image=END)
    assert result.frames == 4 and result.notes["end_frame"] is True
    assert result.notes["experts"] == {"boundary_ratio": 0.875, "high_noise": True, "low_noise": True}
    # Each step is one expert's (classifier-free guidance runs it twice): the high-noise one first, then the other.
    assert steps["transformer"] > 0 and steps["transformer_2"] > 0
    assert sum(steps.values()) == 2 * 4 * len(calls)
    width, height = calls[-1]["width"], calls[-1]["height"]
    video = seen[-1]  # first frame, grey between, the next keyframe last
    assert torch.allclose(video[:, :, :1], pixels([cover_fit(START, width, height)]), atol=1e-5)
    assert torch.allclose(video[:, :, -1:], pixels([cover_fit(END, width, height)]), atol=1e-5)


def test_a14b_with_its_low_noise_expert_alone_sizes_by_that_expert(models, tmp_path, monkeypatch):
    renderer = DiffusersClips(clip_settings(models("wan22_a14b", high_noise=False)).model_copy(update={"video_short_side": 24}))
    calls = spy(monkeypatch, diffusers.WanImageToVideoPipeline)
    result = renderer.render(clip(duration=0.5), START, tmp_path / "low.mp4", end_image=END)
    assert result.frames == 4 and result.notes["experts"]["high_noise"] is False
    assert calls[0]["width"] % 16 == 0 and calls[0]["height"] % 16 == 0  # 8x VAE times the expert's 2x2 patches


def test_a_text_to_video_wan_is_a_settings_error_before_anything_renders(models, tmp_path):
    folder = tiny_video_models.build_tiny_wan22_ti2v(tmp_path / "t2v")  # then made a plain text-to-video Wan
    index = folder / "model_index.json"
    index.write_text(index.read_text().replace('"expand_timesteps": true', '"expand_timesteps": false'))
    renderer = DiffusersClips(clip_settings(folder))
    with pytest.raises(SettingsError, match="makes video from text alone .* image-to-video checkpoint"):
        renderer.identity()
    assert devices.loaded_pipelines() == []


def test_cogvideox15_runs_at_its_cards_rate_in_frame_counts_it_gives_back(models, tmp_path, monkeypatch):
    settings = clip_settings(models("cogvideox_i2v", v15=True)).model_copy(update={"video_frames": 13})
    renderer = DiffusersClips(settings)
    assert renderer.identity()["family"] == "cogvideox1.5-i2v" and devices.loaded_pipelines() == []
    pipe = devices.load_pipeline(renderer.spec()).pipe
    card = DiffusersClips(RenderSettings(clip_backend="diffusers", video_model=settings.video_model, device="cpu",
                                         dtype="float32"))
    assert card.native(pipe) == (81, 16, 768, 8)  # 4x VAE times a temporal patch of 2
    made = []
    real = diffusers.CogVideoXImageToVideoPipeline.__call__

    @functools.wraps(real)
    def recording(self, **kw):
        output = real(self, **kw)
        made.append((kw["num_frames"], len(output.frames[0])))
        return output

    monkeypatch.setattr(diffusers.CogVideoXImageToVideoPipeline, "__call__", recording)
    result = renderer.render(clip(duration=2.0), START, tmp_path / "cog15.mp4")
    assert result.notes["model_fps"] == 16 and result.frames == 16 and frames_in(tmp_path / "cog15.mp4") == 16
    # 13 asked for is 17 (8k+1): 2 s at 16 fps is 32 frames, 17 then 16 more going on from the last frame.
    assert made == [(17, 17), (17, 17)]
