"""The real-render backends on tiny random pipelines (CPU): diffusers keyframes, SVD clips, OpenAI Images.

The models are built from configs and saved with save_pretrained, then loaded through the renderers' own loading
code, exactly as a hub checkpoint would be. The OpenAI backend talks to a loopback HTTP server.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import diffusers
import imageio_ffmpeg
import numpy as np
import openai
import pytest
import torch
from PIL import Image

from dreamfactory.contracts import ClipRequest, KeyframeRequest
from dreamfactory.errors import RenderError, SettingsError
from dreamfactory.renderers import devices
from dreamfactory.renderers.base import OutOfMemory, render_key
from dreamfactory.renderers.diffusers_keyframes import DiffusersKeyframes
from dreamfactory.renderers.openai_images import OpenAIImageKeyframes, api_size
from dreamfactory.renderers.svd_clips import SvdClips, motion_bucket, resample, source_frames_needed
from dreamfactory.settings import RenderSettings

from tests.tiny_models import build_tiny_ip_adapter, build_tiny_sd, build_tiny_sdxl, build_tiny_svd

FILM = dict(width=1280, height=720)  # keyframe_size 64 keeps 16:9 -> 112x64


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-models")
    return {
        "sd": build_tiny_sd(root / "sd"),
        "svd": build_tiny_svd(root / "svd"),
        "ip": build_tiny_ip_adapter(root / "ip-adapter"),
    }


@pytest.fixture
def settings(tiny) -> RenderSettings:
    return RenderSettings(
        keyframe_backend="diffusers", clip_backend="svd", image_model=str(tiny["sd"]), video_model=str(tiny["svd"]),
        steps=2, guidance=5.0, keyframe_size=64, svd_frames=4, svd_steps=2, svd_fps=7, decode_chunk_size=4,
        device="cpu", dtype="float32",
    )


pytestmark = pytest.mark.usefixtures("one_torch_thread", "fresh_pipelines")


def keyframe_request(**kw) -> KeyframeRequest:
    base = dict(scene_id="s01", prompt="Mira, a girl in a yellow raincoat, climbs the lighthouse stairs",
                negative_prompt="crowds", setting="lighthouse", time_of_day="night", look="storybook watercolour",
                palette=("#112233", "#445566", "#778899"), seed=11, base_frame_sha="b" * 64, **FILM)
    return KeyframeRequest(**{**base, **kw})


def base_request(**kw) -> KeyframeRequest:
    base = dict(scene_id="base", prompt="Mira, a girl in a yellow raincoat, by a lighthouse", base_frame_sha=None, seed=7)
    return keyframe_request(**{**base, **kw})


def clip_request(**kw) -> ClipRequest:
    base = dict(scene_id="s01", keyframe_sha="k" * 64, camera="pan_left", action="Mira runs up the stairs",
                duration=1.0, fps=8, width=128, height=72, seed=3)
    return ClipRequest(**{**base, **kw})


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


def count_calls(monkeypatch, cls, name: str = "__call__") -> list[dict]:
    """Spy on a pipeline method: record its keyword arguments, then run the real one."""
    calls, real = [], getattr(cls, name)

    @functools.wraps(real)  # keeps the signature: the renderers read which arguments a pipeline takes
    def spy(self, *args, **kwargs):
        calls.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, spy)
    return calls


def count_loads(monkeypatch, cls, name: str = "from_pretrained") -> list[str]:
    """Spy on a loading classmethod (from_pretrained, from_pipe): record its first argument."""
    loads, real = [], getattr(cls, name).__func__

    def spy(klass, source, *args, **kwargs):
        loads.append(str(source) if isinstance(source, str) else type(source).__name__)
        return real(klass, source, *args, **kwargs)

    monkeypatch.setattr(cls, name, classmethod(spy))
    return loads


# -- keyframes --------------------------------------------------------------------------------------------------
def test_base_frame_then_keyframes_tied_to_it(settings, monkeypatch):
    settings = settings.model_copy(update={"steps": 4})  # img2img runs int(steps * strength) steps: 2 for 0.55
    renderer = DiffusersKeyframes(settings)
    img2img_calls = count_calls(monkeypatch, diffusers.StableDiffusionImg2ImgPipeline)
    base = renderer.render(base_request(), None)
    assert base.size == (112, 64) and base.mode == "RGB"
    assert img2img_calls == []

    first = renderer.render(keyframe_request(scene_id="s01"), base)
    second = renderer.render(keyframe_request(scene_id="s02", seed=12, prompt="Mira lights the lamp"), base.resize((1280, 720)))
    assert first.size == second.size == (112, 64)
    assert len(img2img_calls) == 2 and img2img_calls[0]["strength"] == settings.keyframe_strength
    # The shot first, then the look with its colours named (never hex), composed to CLIP's 77 tokens.
    assert img2img_calls[0]["prompt"].startswith("wide shot: Mira, a girl in a yellow raincoat, climbs the lighthouse stairs")
    assert "#" not in img2img_calls[0]["prompt"]
    assert img2img_calls[0]["negative_prompt"] == f"crowds, {settings.negative_prompt}"
    # The last render's notes: what CLIP read, exactly the prompt sent (this tiny CLIP spells by characters, so a
    # short shot leaves room for the look, a long one does not).
    assert renderer.last_notes["prompt_read"][0]["text"] == img2img_calls[1]["prompt"]
    assert "storybook watercolour" in img2img_calls[1]["prompt"]
    assert not np.array_equal(pixels(first), pixels(second))

    # The tie: the Base frame goes in (cover-fitted to the keyframe size) at the request's strength or the setting's.
    assert img2img_calls[1]["image"].size == (112, 64)
    assert np.array_equal(pixels(img2img_calls[0]["image"]), pixels(base))
    close = renderer.render(keyframe_request(tie_strength=0.2), base)
    assert img2img_calls[-1]["strength"] == 0.2 and close.tobytes() != first.tobytes()
    assert img2img_calls[-1]["num_inference_steps"] == 5  # 5 * 0.2 = 1: at least one denoising step
    other_base = renderer.render(base_request(seed=8), None)
    assert renderer.render(keyframe_request(), other_base).tobytes() != first.tobytes()  # the keyframe follows its Base frame
    assert renderer.render(keyframe_request(tie_strength=0.0), base).tobytes() == base.tobytes()


def test_same_seed_same_pixels_other_seed_other_pixels(settings):
    renderer = DiffusersKeyframes(settings)
    base = renderer.render(base_request(), None)
    assert renderer.render(base_request(), None).tobytes() == base.tobytes()
    assert renderer.render(base_request(seed=8), None).tobytes() != base.tobytes()
    key = renderer.render(keyframe_request(), base)
    assert renderer.render(keyframe_request(), base).tobytes() == key.tobytes()
    assert renderer.render(keyframe_request(seed=99), base).tobytes() != key.tobytes()


def test_pipeline_loads_once_per_process_and_threads_share_it(settings, monkeypatch):
    loads = count_loads(monkeypatch, diffusers.StableDiffusionPipeline)  # the class its model_index.json names
    img2img_made = count_loads(monkeypatch, diffusers.AutoPipelineForImage2Image, "from_pipe")
    renderer = DiffusersKeyframes(settings)
    base = renderer.render(base_request(), None)
    serial = [renderer.render(keyframe_request(seed=s), base).tobytes() for s in range(4)]

    # Scene tasks in threads: a second renderer object, same settings, same pipeline; same pixels as one by one.
    other = DiffusersKeyframes(settings)
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda s: other.render(keyframe_request(seed=s), base).tobytes(), range(4)))
    assert threaded == serial
    assert loads == [settings.image_model]
    assert img2img_made == ["StableDiffusionPipeline"]  # img2img made once, from the loaded pipeline
    loaded = devices.load_pipeline(renderer.spec())
    assert devices.loaded_pipelines() == [renderer.spec()]
    assert loaded.derived("AutoPipelineForImage2Image").unet is loaded.pipe.unet  # shared weights, no second load


def test_ip_adapter_uses_the_base_frame_as_image_prompt(settings, tiny, monkeypatch):
    with_adapter = settings.model_copy(update={"ip_adapter": str(tiny["ip"]), "ip_adapter_weight": "ip-adapter_tiny.safetensors"})
    calls = count_calls(monkeypatch, diffusers.StableDiffusionImg2ImgPipeline)
    renderer = DiffusersKeyframes(with_adapter)
    base = renderer.render(base_request(), None)
    assert base.tobytes() == DiffusersKeyframes(settings).render(base_request(), None).tobytes()  # scale 0 for the Base frame
    keyframe = renderer.render(keyframe_request(), base)
    assert calls[-1]["ip_adapter_image"] is not None
    stronger = DiffusersKeyframes(with_adapter.model_copy(update={"ip_adapter_scale": 2.0})).render(keyframe_request(), base)
    assert keyframe.tobytes() != stronger.tobytes()
    assert len(devices.loaded_pipelines()) == 2  # with and without the adapter are different pipelines
    assert renderer.identity()["ip_adapter"]["weights_sha256"]


def test_sdxl_goes_through_the_same_auto_pipelines(settings, tmp_path):
    xl = settings.model_copy(update={"image_model": str(build_tiny_sdxl(tmp_path / "sdxl"))})
    renderer = DiffusersKeyframes(xl)
    base = renderer.render(base_request(), None)
    keyframe = renderer.render(keyframe_request(), base)
    assert base.size == keyframe.size == (112, 64)
    assert type(devices.load_pipeline(renderer.spec()).pipe).__name__ == "StableDiffusionXLPipeline"


def test_keyframe_key_follows_reads_and_identity(settings, tiny, tmp_path):
    renderer = DiffusersKeyframes(settings)
    request = keyframe_request()
    key = render_key(renderer, request)
    for change in ({"seed": 12}, {"prompt": "another shot"}, {"tie_strength": 0.3}, {"width": 640}, {"base_frame_sha": "c" * 64},
                   {"setting": "harbour"}, {"palette": ("#000000",)}, {"framing": "close_up"}):  # all enter the prompt
        assert render_key(renderer, request.model_copy(update=change)) != key, change
    for change in ({"caption": "new caption"}, {"shot_id": "b"}, {"environment": "fog"}):
        assert render_key(renderer, request.model_copy(update=change)) == key, change
    pixel_settings = ({"steps": 3}, {"guidance": 6.0}, {"keyframe_strength": 0.4}, {"dtype": "bfloat16"},
                      {"negative_prompt": "fog"}, {"keyframe_size": 96}, {"image_model_revision": "abc123"})
    for change in pixel_settings:
        assert render_key(DiffusersKeyframes(settings.model_copy(update=change)), request) != key, change
    assert render_key(DiffusersKeyframes(settings.model_copy(update={"cpu_offload": True})), request) == key
    assert render_key(DiffusersKeyframes(settings.model_copy(update={"cpu_offload": "sequential"})), request) == key

    # A local model is named by its content: a copy keys the same, a changed weight file re-renders.
    copy = tmp_path / "copy"
    shutil.copytree(tiny["sd"], copy)
    assert render_key(DiffusersKeyframes(settings.model_copy(update={"image_model": str(copy)})), request) == key
    (copy / "scheduler" / "scheduler_config.json").write_text(
        json.dumps({**json.loads((copy / "scheduler" / "scheduler_config.json").read_text()), "beta_end": 0.02}))
    assert render_key(DiffusersKeyframes(settings.model_copy(update={"image_model": str(copy)})), request) != key
    assert devices.weight_identity("org/model", "0123abcd") == {"model": "org/model", "revision": "0123abcd"}


def test_keyframe_out_of_memory_is_retryable(settings, monkeypatch):
    def oom(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(diffusers.StableDiffusionPipeline, "__call__", oom)
    with pytest.raises(OutOfMemory, match="keyframe base at 112x64: the device ran out of memory"):
        DiffusersKeyframes(settings).render(base_request(), None)


def test_settings_errors_are_one_line(settings, tmp_path):
    with pytest.raises(SettingsError, match="cannot load it as a diffusers pipeline"):
        DiffusersKeyframes(settings.model_copy(update={"image_model": str(tmp_path)})).render(base_request(), None)
    if not torch.cuda.is_available():
        with pytest.raises(SettingsError, match="no CUDA device"):
            DiffusersKeyframes(settings.model_copy(update={"device": "cuda"}))


# -- SVD clips --------------------------------------------------------------------------------------------------
def read_video(path) -> tuple[list[np.ndarray], tuple[int, int]]:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = reader.__next__()
    frames = [np.frombuffer(f, dtype=np.uint8) for f in reader]
    return frames, meta["size"]


def test_frame_bookkeeping():
    assert source_frames_needed(8, 8, 7) == 7  # film frame 7 is at 0.875 s: SVD frame round(6.125) = 6
    assert resample(list("abcdefg"), 8, 8, 7) == list("abcdeefg")
    assert source_frames_needed(48, 24, 7) == 15  # 2 s at 24 fps: film frame 47 is SVD frame round(13.7) = 14


def test_motion_follows_camera_and_action():
    assert motion_bucket("hold", "Mira waits by the window") < motion_bucket("zoom_in", "") < motion_bucket("pan_left", "")
    assert motion_bucket("hold", "A storm breaks over the sea") == motion_bucket("push_in", "The gulls fly off") >= 180


def test_svd_clip_chains_segments_to_the_scene_length(settings, tmp_path, monkeypatch):
    calls = count_calls(monkeypatch, diffusers.StableVideoDiffusionPipeline)
    loads = count_loads(monkeypatch, diffusers.StableVideoDiffusionPipeline)
    renderer = SvdClips(settings)
    keyframe = Image.new("RGB", (112, 64), (200, 120, 40))
    result = renderer.render(clip_request(), keyframe, tmp_path / "a.mp4")
    # Too short for cut points (a transition re-encodes it whole): the record says so, and how the pipeline was loaded.
    assert result.frames == 8 and result.seconds == 1.0 and result.notes["cuts"] == []
    assert result.notes["pipeline"] == {"pipeline": "StableVideoDiffusionPipeline", "device": "cpu", "dtype": "float32",
                                        "cpu_offload": "none", "vae_slicing": False, "vae_tiling": False,
                                        "attention_backend": "default (torch SDPA)"}
    # 8 film frames at 8 fps need 7 SVD frames at 7 fps: a 4-frame segment, then one chained (3 new frames).
    assert len(calls) == 2
    assert calls[0]["num_frames"] == 4 and calls[0]["decode_chunk_size"] == 4 and calls[0]["fps"] == 7
    assert calls[0]["motion_bucket_id"] == motion_bucket("pan_left", "Mira runs up the stairs")
    assert (calls[0]["width"], calls[0]["height"]) == (128, 64)
    frames, size = read_video(tmp_path / "a.mp4")
    assert len(frames) == 8 and tuple(size) == (128, 72)
    assert imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "a.mp4"))[0] == 8

    renderer.render(clip_request(), keyframe, tmp_path / "b.mp4")
    renderer.render(clip_request(seed=4), keyframe, tmp_path / "c.mp4")
    b, c = read_video(tmp_path / "b.mp4")[0], read_video(tmp_path / "c.mp4")[0]
    assert all(np.array_equal(x, y) for x, y in zip(frames, b))
    assert not all(np.array_equal(x, y) for x, y in zip(frames, c))
    assert loads == [settings.video_model]

    # Two-frame segments chain one new frame each: 2 s at 4 fps -> 8 film frames, 13 SVD frames, 12 segments.
    short = SvdClips(settings.model_copy(update={"svd_frames": 2}))
    calls.clear()
    assert short.render(clip_request(duration=2.0, fps=4), keyframe, tmp_path / "d.mp4").frames == 8
    assert len(calls) == 12
    assert len(read_video(tmp_path / "d.mp4")[0]) == 8


def test_svd_retry_after_out_of_memory_lowers_memory_use(settings, tmp_path, monkeypatch):
    settings = settings.model_copy(update={"keyframe_size": 128, "decode_chunk_size": 8})
    real_call = diffusers.StableVideoDiffusionPipeline.__call__
    failures = iter([torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 1.2 GiB")])

    def first_call_runs_out(self, *args, **kwargs):
        failure = next(failures, None)
        if failure:
            raise failure
        return real_call(self, *args, **kwargs)

    monkeypatch.setattr(diffusers.StableVideoDiffusionPipeline, "__call__", first_call_runs_out)
    calls = count_calls(monkeypatch, diffusers.StableVideoDiffusionPipeline)
    renderer = SvdClips(settings)
    keyframe = Image.new("RGB", (128, 72), (20, 80, 160))
    request = clip_request(duration=0.5)
    with pytest.raises(OutOfMemory, match="retry it"):
        renderer.render(request, keyframe, tmp_path / "clip.mp4", attempt=1)
    assert calls[0]["decode_chunk_size"] == 8 and not (tmp_path / "clip.mp4").exists()

    second = renderer.render(request, keyframe, tmp_path / "clip.mp4", attempt=2)
    assert calls[-1]["decode_chunk_size"] == 4
    assert {k: v for k, v in second.notes.items() if k != "pipeline"} == {
        "decode_chunk_size": 4, "reason": "retry 2 after running out of device memory", "cuts": []}
    assert (calls[-1]["width"], calls[-1]["height"]) == (256, 128)

    third = renderer.render(request, keyframe, tmp_path / "clip.mp4", attempt=3)
    assert calls[-1]["decode_chunk_size"] == 2 and (calls[-1]["width"], calls[-1]["height"]) == (192, 128)
    assert third.notes["size"] == "192x128" and third.notes["decode_chunk_size"] == 2
    frames, size = read_video(tmp_path / "clip.mp4")
    assert len(frames) == 4 and tuple(size) == (128, 72)  # still the film's frames and size

    # A RuntimeError that says so is an OOM too; any other error is not retryable.
    for error, expected in ((RuntimeError("CUDA error: out of memory"), OutOfMemory), (RuntimeError("shape mismatch"), RuntimeError)):
        monkeypatch.setattr(diffusers.StableVideoDiffusionPipeline, "__call__", lambda *a, error=error, **k: raise_(error))
        with pytest.raises(expected) as raised:
            renderer.render(request, keyframe, tmp_path / "x.mp4")
        assert isinstance(raised.value, OutOfMemory) == (expected is OutOfMemory)


def raise_(error: Exception):
    raise error


def test_clip_key_follows_reads_and_identity(settings):
    renderer = SvdClips(settings)
    request = clip_request()
    key = render_key(renderer, request)
    for change in ({"seed": 9}, {"camera": "hold"}, {"action": "Mira sleeps"}, {"duration": 2.0}, {"keyframe_sha": "z" * 64}):
        assert render_key(renderer, request.model_copy(update=change)) != key, change
    assert render_key(renderer, request.model_copy(update={"scene_id": "s09"})) == key
    pixel_settings = ({"svd_steps": 3}, {"svd_frames": 6}, {"svd_fps": 6}, {"noise_aug_strength": 0.1},
                      {"decode_chunk_size": 2}, {"video_model_revision": "r1"})
    for change in pixel_settings:
        assert render_key(SvdClips(settings.model_copy(update=change)), request) != key, change
    # An attention kernel is keyed when one is chosen; the default leaves the keys of clips already made as they were.
    assert "attention_backend" not in renderer.identity()
    chosen = SvdClips(settings.model_copy(update={"attention_backend": "native"}))
    assert render_key(chosen, request) != key and chosen.spec().attention_backend == "native"


# -- OpenAI Images ----------------------------------------------------------------------------------------------
def png_b64(colour) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 18), colour).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def images_server():
    """A loopback OpenAI Images endpoint: records each request, answers with a base64 PNG (or an error)."""
    seen: list[dict] = []
    state = {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append({"path": self.path, "type": self.headers["Content-Type"], "body": body})
            if state["status"] != 200:
                rejected = "Your request was rejected by the safety system."
                payload = {"error": {"message": rejected, "type": "invalid_request_error"}}
            else:
                colour = (10, 200, 10) if self.path.endswith("/edits") else (200, 10, 10)
                payload = {"created": 0, "data": [{"b64_json": png_b64(colour)}]}
            data = json.dumps(payload).encode()
            self.send_response(state["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = openai.OpenAI(api_key="test-key", base_url=f"http://127.0.0.1:{server.server_address[1]}/v1", max_retries=0)
    yield client, seen, state
    server.shutdown()
    server.server_close()


def test_openai_keyframes_through_the_real_client(images_server):
    client, seen, state = images_server
    dalle = OpenAIImageKeyframes(RenderSettings(image_model="dall-e-3"), api_key=None, client=client)
    image = dalle.render(base_request(), None)
    assert image.size == (32, 18) and image.getpixel((0, 0)) == (200, 10, 10)
    sent = json.loads(seen[-1]["body"])
    assert seen[-1]["path"] == "/v1/images/generations"
    assert sent["model"] == "dall-e-3" and sent["size"] == "1792x1024" and sent["response_format"] == "b64_json"
    assert "yellow raincoat" in sent["prompt"]
    assert "Style: storybook watercolour." in sent["prompt"] and "Avoid: crowds" in sent["prompt"]
    dalle.render(keyframe_request(), image)  # DALL-E takes text only, even with a Base frame
    assert seen[-1]["path"] == "/v1/images/generations"

    # A GPT image model (the default; DALL-E is retired) ties scenes to the Base frame by an edit.
    gpt = OpenAIImageKeyframes(RenderSettings(), api_key=None, client=client)
    assert gpt.model == "gpt-image-2"
    gpt.render(base_request(), None)
    assert "response_format" not in json.loads(seen[-1]["body"]) and json.loads(seen[-1]["body"])["size"] == "1536x864"
    keyframe = gpt.render(keyframe_request(), image)
    assert keyframe.getpixel((0, 0)) == (10, 200, 10)
    assert seen[-1]["path"] == "/v1/images/edits" and seen[-1]["type"].startswith("multipart/form-data")
    assert b"\x89PNG" in seen[-1]["body"] and b"gpt-image-2" in seen[-1]["body"]

    state["status"] = 400
    with pytest.raises(RenderError, match="answered 400 .*safety system"):
        gpt.render(base_request(), None)
    with pytest.raises(SettingsError, match="OPENAI_API_KEY"):
        OpenAIImageKeyframes(RenderSettings(), api_key=None)
    assert api_size("gpt-image-1.5", 720, 1280) == "1024x1536" and api_size("dall-e-3", 1000, 1000) == "1024x1024"
    assert render_key(gpt, keyframe_request()) != render_key(gpt, keyframe_request(seed=5))  # a new seed is a new take
    assert render_key(gpt, keyframe_request()) == render_key(gpt, keyframe_request(tie_strength=0.1))
