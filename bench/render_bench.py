"""Benchmark: the diffusers renderers on tiny random pipelines, against the same pipelines called directly.

Prints seconds per keyframe (text-to-image, img2img from the Base frame) and per clip frame (SVD), each through
our renderer and by a direct pipeline call with the same arguments in the same process, their ratio (our
overhead), the cost of a cached pipeline lookup, and the peak RSS. Not a test:
`.venv/bin/python bench/render_bench.py [--reps N] [--threads T]`.

The direct clip call is the SVD segments alone; ours also resamples to the film's fps, resizes to the film's
size and encodes H.264, which is the part of our overhead that the direct numbers cannot show.
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import diffusers  # noqa: E402
import torch  # noqa: E402

from dreamfactory.renderers import devices  # noqa: E402
from dreamfactory.contracts import ClipRequest, KeyframeRequest  # noqa: E402
from dreamfactory.renderers import prompt_budget  # noqa: E402
from dreamfactory.renderers.diffusers_keyframes import DiffusersKeyframes  # noqa: E402
from dreamfactory.renderers.svd_clips import SvdClips, motion_bucket, source_frames_needed, write_h264  # noqa: E402
from dreamfactory.settings import RenderSettings  # noqa: E402
from tests.tiny_models import build_tiny_sd, build_tiny_svd  # noqa: E402


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def interleaved(ours, direct, reps: int) -> tuple[float, float]:
    """Median seconds of each, run alternately so that load from other processes hits both alike."""
    ours(), direct()  # warm-up
    a, b = [], []
    for _ in range(reps):
        a.append(timed(ours))
        b.append(timed(direct))
    return statistics.median(a), statistics.median(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 is steadier on a shared machine)")
    a = parser.parse_args()
    torch.set_num_threads(a.threads)
    root = Path(tempfile.mkdtemp(prefix="render-bench-"))
    settings = RenderSettings(
        image_model=str(build_tiny_sd(root / "sd")), video_model=str(build_tiny_svd(root / "svd")), steps=2,
        keyframe_size=64, svd_frames=4, svd_steps=2, decode_chunk_size=4, device="cpu", dtype="float32",
    )
    keyframes, clips = DiffusersKeyframes(settings), SvdClips(settings)
    film = dict(width=1280, height=720)
    base_req = KeyframeRequest(scene_id="base", prompt="a lighthouse keeper's daughter in a yellow raincoat",
                               negative_prompt="crowds", setting="lighthouse", time_of_day="night", look="watercolour",
                               palette=("#112233",), seed=7, **film)
    scene_req = base_req.model_copy(update={"scene_id": "s01", "base_frame_sha": "b" * 64, "seed": 8})
    clip_req = ClipRequest(scene_id="s01", keyframe_sha="k" * 64, camera="pan_left", action="she runs", duration=1.0,
                           fps=8, width=128, height=72, seed=3)

    load_s = timed(lambda: devices.load_pipeline(keyframes.spec()))
    lookup_s = timed(lambda: devices.load_pipeline(keyframes.spec()))
    svd_load_s = timed(lambda: devices.load_pipeline(clips.spec()))
    sd = devices.load_pipeline(keyframes.spec())
    img2img = sd.derived("AutoPipelineForImage2Image")
    svd = devices.load_pipeline(clips.spec()).pipe
    base = keyframes.render(base_req, None)
    base_prompt = keyframes.last_notes["prompt_read"][0]["text"]  # the prompt composed to CLIP's 77 tokens
    keyframes.render(scene_req, base)
    prompt = keyframes.last_notes["prompt_read"][0]["text"]
    negative = f"crowds, {settings.negative_prompt}"
    budgets = prompt_budget.encoder_budgets(sd.pipe)
    compose_s = statistics.median(timed(lambda: prompt_budget.keyframe_prompt(scene_req, budgets)) for _ in range(a.reps))

    def gen(seed: int) -> torch.Generator:
        return torch.Generator("cpu").manual_seed(seed)

    rows = []
    ours, direct = interleaved(
        lambda: keyframes.render(base_req, None),
        lambda: sd.pipe(prompt=base_prompt, negative_prompt=negative, generator=gen(7),
                        width=112, height=64, num_inference_steps=settings.steps).images[0],
        a.reps,
    )
    rows.append(("keyframe txt2img 112x64, 2 steps", ours, direct))
    ours, direct = interleaved(
        lambda: keyframes.render(scene_req, base),
        lambda: img2img(prompt=prompt, negative_prompt=negative, generator=gen(8),
                        image=base, strength=settings.keyframe_strength, num_inference_steps=settings.steps).images[0],
        a.reps,
    )
    rows.append(("keyframe img2img 112x64", ours, direct))

    out = root / "clip.mp4"
    frames_out = round(clip_req.duration * clip_req.fps)
    needed = source_frames_needed(frames_out, clip_req.fps, settings.svd_fps)
    segments = 1 + math.ceil(max(0, needed - settings.svd_frames) / (settings.svd_frames - 1))
    keyframe = base.resize((128, 64))

    def direct_clip():
        image = keyframe
        for _ in range(segments):  # the chained segments our renderer makes for this clip
            image = svd(image, height=64, width=128, num_frames=4, num_inference_steps=2, fps=7,
                        motion_bucket_id=motion_bucket("pan_left", "she runs"), noise_aug_strength=0.02,
                        decode_chunk_size=4, generator=gen(3)).frames[0][-1]

    ours, direct = interleaved(lambda: clips.render(clip_req, base, out), direct_clip, max(5, a.reps // 2))
    rows.append((f"clip, per film frame ({frames_out} frames, {segments} segments)", ours / frames_out, direct / frames_out))
    film_frames = [keyframe.resize((128, 72))] * frames_out
    encode = statistics.median(timed(lambda: write_h264(film_frames, root / "enc.mp4", clip_req.fps)) for _ in range(5))

    # Our cost outside the pipeline call, measured with the pipeline's __call__ replaced by a stub that returns a
    # ready answer: steadier than the difference of two noisy timings on a shared machine.
    stub_image = SimpleNamespace(images=[base])
    stub_video = SimpleNamespace(frames=[[keyframe] * settings.svd_frames])
    diffusers.StableDiffusionPipeline.__call__ = lambda self, *a, **k: stub_image
    diffusers.StableDiffusionImg2ImgPipeline.__call__ = lambda self, *a, **k: stub_image
    diffusers.StableVideoDiffusionPipeline.__call__ = lambda self, *a, **k: stub_video
    outside = {
        "keyframe txt2img": statistics.median(timed(lambda: keyframes.render(base_req, None)) for _ in range(a.reps)),
        "keyframe img2img": statistics.median(timed(lambda: keyframes.render(scene_req, base)) for _ in range(a.reps)),
        "clip (resample, resize, encode)": statistics.median(timed(lambda: clips.render(clip_req, base, out)) for _ in range(5)),
    }

    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU thread(s), median of {a.reps} interleaved runs")
    print(f"{'':<46}{'ours s':>10}{'direct s':>10}{'ratio':>8}")
    for name, o, d in rows:
        print(f"{name:<46}{o:>10.4f}{d:>10.4f}{o / d:>8.3f}")
    for name, seconds in outside.items():
        print(f"our time outside the pipeline call, {name}: {seconds * 1e6:.0f} us")
    print(f"  of which H.264 encoding ({frames_out} frames 128x72, one ffmpeg process): {encode * 1e6:.0f} us")
    print(f"composing a keyframe prompt to the encoders' budgets: {compose_s * 1e3:.2f} ms")
    print(f"first load (SD, from_pretrained): {load_s:.3f} s; SVD: {svd_load_s:.3f} s; cached lookup: {lookup_s * 1e6:.0f} us")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
