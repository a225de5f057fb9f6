"""Long shots that go on from the frames already made: LTX-Video's video conditions, Wan VACE; tiny real pipelines.

Each pipeline is built from configs, saved with save_pretrained and loaded by the product's loader; two chained
generations run with extension.py's inputs, and the VAE's own input shows which pixels the second one was given.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from dreamfactory.contracts import ClipRequest
from dreamfactory.renderers import devices, extension
from dreamfactory.renderers.families import model_class
from dreamfactory.renderers.video_clips import DiffusersClips, generations, vae_scale
from dreamfactory.settings import RenderSettings
from tests.tiny_extension_models import build_tiny_ltx_condition, build_tiny_wan_vace
from tests.renderers.test_diffusers_families import spy


pytestmark = pytest.mark.usefixtures("one_torch_thread", "fresh_pipelines")


def load(path) -> object:
    spec = devices.PipelineSpec(pipeline_class=model_class(str(path), None), model=str(path), revision=None,
                                device="cpu", dtype="float32")
    return devices.load_pipeline(spec).pipe


def encoded(monkeypatch, pipe) -> list[torch.Tensor]:
    """Every pixel tensor the pipeline's VAE encodes: what a call was really conditioned on."""
    seen, real = [], pipe.vae.encode

    def recording(x, *args, **kwargs):
        seen.append(x.detach().clone())
        return real(x, *args, **kwargs)

    monkeypatch.setattr(pipe.vae, "encode", recording)
    return seen


def pixels(frames) -> torch.Tensor:
    """Frames as the pipelines' video processor gives them to the VAE: (1, 3, frames, height, width) in -1..1."""
    array = np.stack([np.asarray(f.convert("RGB"), dtype=np.float32) for f in frames]) / 255.0 * 2 - 1
    return torch.from_numpy(array).permute(3, 0, 1, 2).unsqueeze(0)


def same_pixels(a: list[Image.Image], b: list[Image.Image]) -> bool:
    return len(a) == len(b) and all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(a, b))


def call(pipe, count: int, size: int, generator, inputs: dict) -> list[Image.Image]:
    output = pipe(prompt="the storm rolls over the sea", num_frames=count, height=size, width=size,
                  num_inference_steps=2, max_sequence_length=16, generator=generator, output_type="pil", **inputs)
    return [f.convert("RGB") for f in output.frames[0]]


KEYFRAME = Image.new("RGB", (48, 40), (200, 60, 30))


# -- plans --------------------------------------------------------------------------------------------------------
def test_plan_keeps_enough_frames_and_less_than_a_step_more():
    for step in (4, 8):
        for kind in ("ltx_conditions", "vace"):
            repeat = extension.overlap(kind, step)
            assert repeat % step == 1  # whole latent frames: step * k + 1
            per_generation = 10 * step + 1
            for needed in range(1, 200):
                counts = generations(needed, per_generation, step, overlap=repeat)
                kept = counts[0] + sum(c - repeat for c in counts[1:])
                assert needed <= kept and (kept - needed < step or counts == [step + 1]), (needed, counts)
                assert all(c % step == 1 and c <= per_generation for c in counts)
                assert all(c == per_generation for c in counts[:-1])
    with pytest.raises(ValueError, match="more frames per generation"):
        generations(30, 9, 8, overlap=9)


def test_overlaps_respect_each_vae():
    assert [extension.overlap(k, 8) for k in ("last_frame", "ltx_conditions", "vace")] == [1, 9, 17]
    assert [extension.overlap(k, 4) for k in ("last_frame", "ltx_conditions", "vace")] == [1, 5, 9]


def test_last_frame_goes_on_from_the_last_frame_made():
    made = [Image.new("RGB", (32, 16), (i, i, i)) for i in range(5)]
    assert extension.extension_of(object()) == "last_frame"
    assert extension.first_inputs("last_frame", KEYFRAME, 32, 16, 9)["image"].size == (32, 16)
    assert same_pixels([extension.next_inputs("last_frame", made, KEYFRAME, 32, 16, 9, 1)["image"]], made[-1:])


# -- LTX-Video: a video condition at frame 0 ----------------------------------------------------------------------
def test_ltx_goes_on_from_the_last_frames_as_a_video_condition(tmp_path, monkeypatch):
    pipe = load(build_tiny_ltx_condition(tmp_path / "ltx"))
    kind, step = extension.extension_of(pipe), vae_scale(pipe, "temporal", 4)
    assert (type(pipe).__name__, kind, step) == ("LTXConditionPipeline", "ltx_conditions", 4)
    repeat, size = extension.overlap(kind, step), 32
    counts = generations(17, 13, step, overlap=repeat)
    assert (repeat, counts) == (5, [13, 9])
    seen, generator = encoded(monkeypatch, pipe), torch.Generator("cpu").manual_seed(1)

    first = extension.first_inputs(kind, KEYFRAME, size, size, counts[0])
    assert first["conditions"][0].image.size == (size, size) and first["conditions"][0].frame_index == 0
    made = call(pipe, counts[0], size, generator, first)
    assert len(made) == counts[0] and len(seen) == 1 and seen[0].shape[2] == 1  # the keyframe alone

    later = extension.next_inputs(kind, made, KEYFRAME, size, size, counts[1], repeat)
    condition = later["conditions"][0]
    assert condition.frame_index == 0 and condition.image is None
    assert same_pixels(condition.video, made[-repeat:])
    segment = call(pipe, counts[1], size, generator, later)
    assert len(segment) == counts[1]
    # What the pipeline encoded for the second generation is exactly the first one's last `repeat` frames.
    assert len(seen) == 2 and torch.allclose(seen[1], pixels(made[-repeat:]), atol=1e-6)
    frames = made + segment[repeat:]
    assert len(frames) == counts[0] + counts[1] - repeat == 17


# -- Wan VACE: the kept frames in the control video, masked black -------------------------------------------------
def test_vace_goes_on_from_the_last_frames_under_a_black_mask(tmp_path, monkeypatch):
    pipe = load(build_tiny_wan_vace(tmp_path / "vace"))
    kind, step = extension.extension_of(pipe), vae_scale(pipe, "temporal", 4)
    assert (type(pipe).__name__, kind, step) == ("WanVACEPipeline", "vace", 4)
    repeat, size = extension.overlap(kind, step), 16
    counts = generations(16, 13, step, overlap=repeat)
    assert (repeat, counts) == (9, [13, 13])
    seen, generator = encoded(monkeypatch, pipe), torch.Generator("cpu").manual_seed(1)
    start = devices.cover_fit(KEYFRAME, size, size)

    first = extension.first_inputs(kind, KEYFRAME, size, size, counts[0])
    assert "reference_images" not in first and len(first["video"]) == len(first["mask"]) == counts[0]
    made = call(pipe, counts[0], size, generator, first)
    assert len(made) == counts[0]
    kept_then_made(seen[0], seen[1], [start], counts[0])  # the keyframe kept, the rest to make

    later = extension.next_inputs(kind, made, KEYFRAME, size, size, counts[1], repeat)
    assert same_pixels(later["video"][:repeat], made[-repeat:])
    assert same_pixels(later["reference_images"], [start])
    seen.clear()
    segment = call(pipe, counts[1], size, generator, later)
    assert len(segment) == counts[1]
    # VACE encodes the kept part (video where the mask is black) and the part to make apart, then the reference.
    kept_then_made(seen[0], seen[1], made[-repeat:], counts[1])
    assert torch.allclose(seen[2][:, :, 0], pixels([start])[:, :, 0], atol=1e-6)
    frames = made + segment[repeat:]
    assert len(frames) == counts[0] + counts[1] - repeat >= 16


def kept_then_made(inactive: torch.Tensor, reactive: torch.Tensor, kept: list[Image.Image], count: int) -> None:
    """The inactive stream (video where the mask is black) is the kept frames, then nothing; the reactive stream
    (video where it is white) is nothing over the kept frames, then grey."""
    n, grey = len(kept), 128 / 255 * 2 - 1
    assert inactive.shape[2] == reactive.shape[2] == count
    assert torch.allclose(inactive[:, :, :n], pixels(kept), atol=1e-6) and not inactive[:, :, n:].any()
    assert not reactive[:, :, :n].any()
    assert torch.allclose(reactive[:, :, n:], torch.full_like(reactive[:, :, n:], grey), atol=1e-6)


def latent_mask(pipe, mask: list[Image.Image]) -> torch.Tensor:
    """The mask as VACE's transformer reads it, one value per latent frame: (8 x 8, frames, h, w), 0 keep, 1 make."""
    pixel_mask = torch.clamp((pipe.video_processor.preprocess_video(mask, 16, 16) + 1) / 2, 0, 1)
    return pipe.prepare_masks(pixel_mask, [[]])[0]


def test_vace_mask_keeps_two_latent_frames_at_every_length(tmp_path):
    """With 2 * step + 1 kept frames VACE's mask keeps the first two latent frames and makes the last, at any length."""
    pipe = load(build_tiny_wan_vace(tmp_path / "vace"))
    step = vae_scale(pipe, "temporal", 4)
    repeat = extension.overlap("vace", step)
    made = [Image.new("RGB", (16, 16), (i * 10, 0, 0)) for i in range(repeat)]
    for count in range(repeat + step, 81 + 1, step):
        mask = latent_mask(pipe, extension.next_inputs("vace", made, KEYFRAME, 16, 16, count, repeat)["mask"])
        assert not mask[:, :2].any() and mask[:, -1].all(), count
    # step + 1 kept frames would not do: on a long generation latent frame 1 reads as "to make".
    assert latent_mask(pipe, extension.next_inputs("vace", made, KEYFRAME, 16, 16, 81, step + 1)["mask"])[:, 1].all()


# -- the clip renderer ----------------------------------------------------------------------------------------------
def _clip_settings(model) -> RenderSettings:
    return RenderSettings(clip_backend="diffusers", video_model=str(model), video_steps=2, video_frames=9,
                          video_short_side=16, device="cpu", dtype="float32")


def _request(**kw) -> ClipRequest:
    return ClipRequest(**{"scene_id": "s01", "shot_id": "a", "keyframe_sha": "k" * 64, "camera": "hold",
                          "prompt": "Mira runs", "negative_prompt": "blur", "duration": 1.0, "fps": 8, "width": 64,
                          "height": 36, "seed": 1, **kw})


# Both tiny VAEs compress time 4x: LTX goes on from 5 frames (step + 1), VACE from 9 (2 * step + 1).
@pytest.mark.parametrize("build, kind, counts, repeat", [(build_tiny_ltx_condition, "ltx_conditions", [9] * 5, 5),
                                                         (build_tiny_wan_vace, "vace", [13, 13], 9)])
def test_clip_renderer_chains_by_the_pipelines_extension(tmp_path, build, kind, counts, repeat):
    result = DiffusersClips(_clip_settings(build(tmp_path / kind))).render(_request(), KEYFRAME, tmp_path / f"{kind}.mp4")
    assert result.frames == 8 and result.notes["extend"] == kind and result.notes["generations"] == counts
    assert result.notes["overlap"] == repeat


def test_vace_shot_ends_on_the_next_keyframe_and_is_keyed_by_it(tmp_path, monkeypatch):
    import diffusers

    from dreamfactory.renderers.base import render_key

    renderer = DiffusersClips(_clip_settings(build_tiny_wan_vace(tmp_path / "vace")))
    assert renderer.ending() == "optional" and "end_keyframe_sha" in renderer.reads
    calls = spy(monkeypatch, diffusers.WanVACEPipeline)
    end = Image.new("RGB", (64, 36), (20, 40, 200))
    result = renderer.render(_request(duration=0.5), KEYFRAME, tmp_path / "end.mp4", end_image=end)
    assert result.notes["end_frame"] is True
    last = calls[-1]
    assert last["video"][-1].getpixel((0, 0)) == (20, 40, 200) and last["mask"][-1].getpixel((0, 0)) == 0
    assert last["mask"][0].getpixel((0, 0)) == 0 and last["mask"][1].getpixel((0, 0)) == 255
    assert render_key(renderer, _request(end_keyframe_sha="e" * 64)) != render_key(renderer, _request())


def test_ltx_condition_shot_ends_on_the_next_keyframe_as_a_last_frame_condition(tmp_path, monkeypatch):
    """LTX-Video's condition pipeline pins the next shot's keyframe at the last frame of the shot's last generation
    (as its own first-last-frame use does); the VAE encodes it as given."""
    import diffusers

    from dreamfactory.renderers.base import render_key
    from dreamfactory.renderers.devices import cover_fit

    renderer = DiffusersClips(_clip_settings(build_tiny_ltx_condition(tmp_path / "ltx")))
    assert renderer.ending() == "optional" and "end_keyframe_sha" in renderer.reads
    assert render_key(renderer, _request(end_keyframe_sha="e" * 64)) != render_key(renderer, _request())
    calls = spy(monkeypatch, diffusers.LTXConditionPipeline)
    seen = encoded(monkeypatch, devices.load_pipeline(renderer.spec()).pipe)
    end = Image.new("RGB", (64, 36), (20, 40, 200))
    result = renderer.render(_request(), KEYFRAME, tmp_path / "end.mp4", end_image=end)
    assert result.notes["end_frame"] is True and len(calls) == 5
    assert [len(c["conditions"]) for c in calls] == [1, 1, 1, 1, 2]
    last = calls[-1]["conditions"][-1]
    assert last.frame_index == calls[-1]["num_frames"] - 1
    width, height = calls[-1]["width"], calls[-1]["height"]
    assert torch.allclose(seen[-1], pixels([cover_fit(end, width, height)]), atol=1e-5)
