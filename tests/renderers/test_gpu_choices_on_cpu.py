"""The GPU choices that can run on a CPU, run there on tiny pipelines: the model card's half precision with the
components it keeps in float32, and model CPU offload's hooks (accelerate's, installed as on a GPU, with the CPU as
the execution device). What only a GPU shows (memory saved, kernels, speed) is not claimed here. Sequential offload
cannot run with the CPU as its own execution device (accelerate keys tied weights by storage pointer, and a move to
the CPU keeps the pointer: the first forward fails in set_module_tensor_to_device), so it is not run here.
"""

from __future__ import annotations

import functools

import diffusers
import numpy as np
import pytest
import torch
from PIL import Image

from dreamfactory.renderers import devices
from dreamfactory.renderers.diffusers_keyframes import DiffusersKeyframes
from dreamfactory.renderers.video_clips import DiffusersClips
from tests import tiny_models
from tests.renderers.test_diffusers_families import base_shot, clip, clip_settings, keyframe_settings, shot

pytestmark = pytest.mark.usefixtures("one_torch_thread", "fresh_pipelines")
START = Image.new("RGB", (64, 36), (200, 100, 50))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("gpu-choices")
    return {"wan": tiny_models.build_tiny_wan_i2v(root / "wan"), "sd": tiny_models.build_tiny_sd(root / "sd"),
            "kontext": tiny_models.build_tiny_flux_kontext(root / "kontext")}


def made_frames(monkeypatch, cls) -> list[np.ndarray]:
    """The frames each call of the pipeline class returned, as arrays."""
    made, real = [], cls.__call__

    @functools.wraps(real)
    def recording(self, *args, **kwargs):
        output = real(self, *args, **kwargs)
        made.append(np.stack([np.asarray(f) for f in output.frames[0]]))
        return output

    monkeypatch.setattr(cls, "__call__", recording)
    return made


def test_wan_in_its_cards_bf16_keeps_vae_and_image_encoder_in_float32(models, tmp_path):
    renderer = DiffusersClips(clip_settings(models["wan"]).model_copy(update={"dtype": "bfloat16"}))
    result = renderer.render(clip(duration=0.5), START, tmp_path / "bf16.mp4")
    pipe = devices.load_pipeline(renderer.spec()).pipe
    assert (pipe.transformer.dtype, pipe.text_encoder.dtype) == (torch.bfloat16, torch.bfloat16)
    assert (pipe.vae.dtype, pipe.image_encoder.dtype) == (torch.float32, torch.float32)
    choices = result.notes["pipeline"]
    assert choices["dtype"] == "bfloat16"
    assert choices["component_dtypes"] == {"vae": "float32", "image_encoder": "float32"}
    assert result.frames == 4


def test_sd_keyframes_in_fp16_are_pictures(models):
    renderer = DiffusersKeyframes(keyframe_settings(models["sd"]).model_copy(update={"dtype": "float16"}))
    base = renderer.render(base_shot(), None)
    keyframe = renderer.render(shot(), base)
    assert devices.load_pipeline(renderer.spec()).pipe.unet.dtype == torch.float16
    for image in (base, keyframe):  # a NaN in half precision decodes to one flat colour
        assert np.asarray(image).std() > 1.0
    assert renderer.last_notes["pipeline"]["dtype"] == "float16" and "component_dtypes" not in renderer.last_notes["pipeline"]


def test_model_offload_hooks_leave_the_base_frame_and_its_edits_as_they_were(models, monkeypatch):
    """Kontext with model offload: the Base frame by FLUX.1 made from the same (hooked) modules with from_pipe, then
    an edit; both as without offload."""
    plain = DiffusersKeyframes(keyframe_settings(models["kontext"]))
    base = plain.render(base_shot(), None)
    keyframe = plain.render(shot(), base)
    monkeypatch.setattr(devices, "offload_applies", lambda device: True)  # the CPU as the execution device
    offloaded = DiffusersKeyframes(keyframe_settings(models["kontext"]).model_copy(update={"cpu_offload": "model"}))
    base_2 = offloaded.render(base_shot(), None)
    keyframe_2 = offloaded.render(shot(), base_2)
    pipe = devices.load_pipeline(offloaded.spec()).pipe
    assert hasattr(pipe.transformer, "_hf_hook") and hasattr(pipe.text_encoder_2, "_hf_hook")
    assert base_2.tobytes() == base.tobytes() and keyframe_2.tobytes() == keyframe.tobytes()
    assert offloaded.last_notes["pipeline"]["cpu_offload"] == "model"


def test_model_offload_hooks_leave_a_chained_clip_as_it_was(models, tmp_path, monkeypatch):
    made = made_frames(monkeypatch, diffusers.WanImageToVideoPipeline)
    DiffusersClips(clip_settings(models["wan"])).render(clip(), START, tmp_path / "plain.mp4")
    plain, made[:] = list(made), []
    monkeypatch.setattr(devices, "offload_applies", lambda device: True)
    renderer = DiffusersClips(clip_settings(models["wan"]).model_copy(update={"cpu_offload": "model"}))
    result = renderer.render(clip(), START, tmp_path / "offloaded.mp4")
    assert hasattr(devices.load_pipeline(renderer.spec()).pipe.transformer, "_hf_hook")
    assert len(plain) == len(made) == 2  # two generations, the second from the first one's last frame
    assert all(np.array_equal(a, b) for a, b in zip(plain, made))
    assert result.notes["pipeline"]["cpu_offload"] == "model"
