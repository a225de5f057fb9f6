"""GPU check: every diffusers family's tiny pipeline under each memory and speed choice, and a tiny film, on CUDA.

On a CUDA machine it builds the tiny pipelines the tests use (tests/tiny_*.py builders, random weights, seconds
each), renders through the product's own renderers with each case's settings, and prints one line per case: ran
(seconds, peak GPU memory), failed (the first line of the error) or skipped (why). The film goes first (a child
process: its peak is the whole device's), then every family in the card's half precision, then offload, VAE slicing and tiling, and each installed attention backend;
cases left when --budget runs out are listed as skipped, so the run ends in time. Without CUDA it lists the cases
(a dry listing); --device cpu runs them on the CPU instead (the plumbing only: offload is a no-op there).

    python bench/gpu_check.py                      # on the GPU machine, from the repository root
    python bench/gpu_check.py --only sd,wan-i2v --budget 120
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo root holds tests/

# (family, tiny builder in tests/tiny_*.py, its arguments, task, settings the tiny model needs)
KEYFRAME_FAMILIES = [
    ("sd", "sd", {}, {}), ("sdxl", "sdxl", {}, {}), ("sd3", "sd3", {}, {}), ("flux", "flux", {}, {}),
    ("flux-kontext", "flux_kontext", {}, {}), ("flux2-klein", "flux2_klein", {}, {"keyframe_size": 64}),
    ("qwen-image", "qwen_image", {}, {}), ("qwen-image-edit", "qwen_image_edit", {}, {}),
    ("qwen-image-edit-plus", "qwen_image_edit", {"plus": True}, {}),
]
CLIP_FAMILIES = [
    ("svd", "svd", {}, {"clip_backend": "svd", "keyframe_size": 64, "svd_frames": 4, "svd_steps": 2, "decode_chunk_size": 4}),
    ("wan-i2v", "wan_i2v", {}, {}), ("wan-flf2v", "wan_i2v", {"first_last_frame": True}, {}),
    ("wan-vace", "wan_vace", {}, {}), ("wan2.2-ti2v", "wan22_ti2v", {}, {}), ("wan2.2-a14b", "wan22_a14b", {}, {}),
    ("ltx-i2v", "ltx_i2v", {}, {}), ("ltx-condition", "ltx_condition", {}, {}),
    ("ltx2-i2v", "ltx2_i2v", {}, {"video_frames": 17, "max_sequence_length": 32}),
    ("cogvideox-i2v", "cogvideox_i2v", {}, {}), ("cogvideox1.5-i2v", "cogvideox_i2v", {"v15": True}, {"video_frames": 13}),
    ("hunyuan-i2v", "hunyuan_i2v", {}, {}),
]
NO_TINY_BUILDER = {"flux2": "no tiny FLUX.2 [dev] builder in tests/ (its klein variant is checked)"}

# (name, settings, the package it needs or None): every case runs in the card's half precision (dtype auto).
CHOICES = [("half", {}, None), ("offload model", {"cpu_offload": "model"}, None),
           ("offload sequential", {"cpu_offload": "sequential"}, None), ("vae slicing+tiling", {"vae_slicing": True}, None)]
ATTENTION = [("_native_cudnn", None), ("_native_efficient", None), ("_native_flash", None), ("flash", "flash_attn"),
             ("sage", "sageattention"), ("xformers", "xformers")]


@dataclass
class Case:
    family: str
    choice: str
    builder: str = ""
    builder_kw: dict = field(default_factory=dict)
    task: str = "keyframes"
    settings: dict = field(default_factory=dict)
    needs: str | None = None  # a package that must import for this case

    @property
    def name(self) -> str:
        return f"{self.family:<20} {self.choice}"


def cases(only: set[str] | None) -> list[Case]:
    """Every case in the order they run: each choice across all families before the next choice."""
    families = [(*f, "keyframes") for f in KEYFRAME_FAMILIES] + [(*f, "clips") for f in CLIP_FAMILIES]
    choices = CHOICES + [(f"attention {b}", {"attention_backend": b}, needs) for b, needs in ATTENTION]
    return [Case(family, choice, builder, kw, task, {**extra, **settings}, needs)
            for choice, settings, needs in choices
            for family, builder, kw, extra, task in families if not only or family in only]


def render_settings(case: Case, model: Path, device: str):
    from dreamfactory.settings import RenderSettings

    if case.task == "keyframes":
        base = dict(keyframe_backend="diffusers", image_model=str(model), steps=2, keyframe_size=32)
    else:
        base = dict(clip_backend="diffusers", video_model=str(model), video_steps=2, video_frames=9, video_short_side=16)
    return RenderSettings(**{**base, "device": device, "dtype": "auto", **case.settings})


def run_case(case: Case, model: Path, device: str, out: Path) -> None:
    """Render with the product's renderers: a Base frame and a keyframe tied to it, or one clip."""
    from PIL import Image

    from dreamfactory import backends
    from dreamfactory.contracts import CharacterLook, ClipRequest, KeyframeRequest

    settings = render_settings(case, model, device)
    if case.task == "keyframes":
        hero = CharacterLook(id="mira", name="Mira", appearance="curly red hair", wardrobe="a yellow raincoat")
        shot = dict(prompt="Mira climbs the lighthouse stairs at night", setting="lighthouse", time_of_day="night",
                    look="storybook watercolour", palette=("#1f4e5f", "#f2c94c"), characters=(hero,), seed=3,
                    width=128, height=72)
        renderer = backends.keyframe_renderer(settings)
        base = renderer.render(KeyframeRequest(scene_id="base", **shot), None)
        renderer.render(KeyframeRequest(scene_id="s01", shot_id="a", base_frame_sha="b" * 64, **shot), base)
    else:
        request = ClipRequest(scene_id="s01", shot_id="a", keyframe_sha="k" * 64, camera="hold", prompt="waves roll in",
                              duration=0.5, fps=8, width=64, height=36, seed=1)
        start, end = Image.new("RGB", (64, 36), (200, 100, 50)), Image.new("RGB", (64, 36), (20, 40, 200))
        # The next shot's keyframe as the end frame: models that end on one (Wan FLF2V) use it, the others ignore it.
        backends.clip_renderer(settings).render(request, start, out / "clip.mp4", end_image=end)


def tiny_model(case: Case, root: Path, built: dict[str, Path]) -> Path:
    """The family's tiny pipeline, built once per run (the same builders the tests use)."""
    from tests import tiny_extension_models, tiny_models, tiny_qwen_edit, tiny_video_models

    key = "_".join([case.builder, *(f"{k}-{v}" for k, v in sorted(case.builder_kw.items()))])
    if key not in built:
        module = next(m for m in (tiny_models, tiny_video_models, tiny_extension_models, tiny_qwen_edit)
                      if hasattr(m, f"build_tiny_{case.builder}"))
        built[key] = getattr(module, f"build_tiny_{case.builder}")(root / key, **case.builder_kw)
    return built[key]


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]


def measured(device: str):
    """Reset the peak-memory counter; the returned function gives the peak since then in MiB (None on the CPU)."""
    import torch

    if not device.startswith("cuda"):
        return lambda: None
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    return lambda: torch.cuda.max_memory_allocated() / 2**20


def line(name: str, status: str, seconds: float | None = None, peak: float | None = None, why: str = "") -> str:
    timing = f"{seconds:6.1f} s" if seconds is not None else " " * 8
    memory = f"peak {peak:8.1f} MiB" if peak is not None else " " * 18
    return f"{name:<46} {status:<7} {timing}  {memory}  {why}".rstrip()


class DevicePeak:
    """Peak memory used on the whole GPU while a child process runs (torch's counters see only this process):
    total minus free, polled every 50 ms from a thread."""

    def __init__(self, device: str):
        import torch

        self.torch, self.device, self.peak, self.running = torch, device, None, False

    def __enter__(self):
        import threading

        if self.device.startswith("cuda"):
            self.running, self.peak = True, 0.0
            self.thread = threading.Thread(target=self._poll, daemon=True)
            self.thread.start()
        return self

    def _poll(self) -> None:
        while self.running:
            free, total = self.torch.cuda.mem_get_info(self.device)
            self.peak = max(self.peak, (total - free) / 2**20)
            time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        if self.running:
            self.running = False
            self.thread.join()


def film_case(device: str, out: Path, timeout: float) -> tuple[str, str]:
    """A one-scene film (the draft writer cuts it into shots) made by the `dreamfactory make` command, with tiny SD
    keyframes and tiny SVD clips, on this device."""
    from tests.tiny_models import build_tiny_sd, build_tiny_svd

    sd, svd = build_tiny_sd(out / "film-sd"), build_tiny_svd(out / "film-svd")
    story = out / "story.txt"
    story.write_text("The Lighthouse\n\nMira climbs the stairs of the lighthouse and lights the lamp; "
                     "Tomas watches the beam from his boat.\n")
    command = Path(sys.executable).with_name("dreamfactory")
    argv = [str(command)] if command.exists() else [sys.executable, "-m", "dreamfactory.cli"]
    argv += ["make", str(story), "--store", str(out / "store"), "--scenes", "1", "--no-sound", "--json",
             "--image-model", str(sd), "--video-model", str(svd), "--device", device, "--width", "128",
             "--height", "64", "--fps", "4"]
    tiny = {"KEYFRAME_SIZE": "64", "STEPS": "2", "SVD_STEPS": "2", "SVD_FRAMES": "4", "SVD_FPS": "4", "DECODE_CHUNK_SIZE": "2"}
    env = {**os.environ, **{f"DREAMFACTORY_RENDER__{k}": v for k, v in tiny.items()},
           # Its own Prefect database: a `gpu` slot leaked by an earlier killed run in the shared one blocks every
           # GPU render of a temporary server (seen on the CPU machine: the base frame waited for ever).
           "PREFECT_HOME": str(out / "prefect")}
    started = time.perf_counter()
    with DevicePeak(device) as peak:
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return "failed", line("film (dreamfactory make)", "failed", time.perf_counter() - started, peak.peak,
                                  f"still running after {timeout:.0f} s")
    shots = sum(1 for _ in (out / "store").rglob("keyframes/*/*.png"))
    error = (done.stderr.strip().splitlines() or [""])[-1][:160]
    whole = " (peak of the whole device)" if peak.peak is not None else ""
    status, why = ("ran", f"{shots} shots{whole}") if done.returncode == 0 else ("failed", f"exit {done.returncode}: {error}")
    return status, line("film (dreamfactory make)", status, time.perf_counter() - started, peak.peak, why)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="Comma-separated families (e.g. sd,wan-i2v; 'film' for the film alone); default all.")
    parser.add_argument("--budget", type=float, default=270.0, help="Seconds for the whole run (default 270).")
    parser.add_argument("--device", help="cuda (default when there is one) or cpu; without CUDA and without this "
                        "flag the cases are only listed.")
    parser.add_argument("--no-film", action="store_true", help="Skip the tiny film.")
    args = parser.parse_args()
    started = time.perf_counter()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # one line per case, not the builders' progress bars
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
    import diffusers

    diffusers.utils.logging.set_verbosity_error()
    diffusers.utils.logging.disable_progress_bar()
    only = set(args.only.split(",")) if args.only else None
    todo = cases(only)

    import torch

    device = args.device or ("cuda" if torch.cuda.is_available() else None)
    if device is None:
        print(f"no CUDA device: a dry listing of the {len(todo) + 1} cases (run on a GPU, or with --device cpu)")
        print(line("film (dreamfactory make)", "listed", why="one scene, tiny SD keyframes + tiny SVD clips, --device cuda"))
        for case in todo:
            needs = f"needs {case.needs}" + ("" if importlib.util.find_spec(case.needs) else " (not installed)") if case.needs else ""
            print(line(case.name, "listed", why=needs))
        for family, why in NO_TINY_BUILDER.items():
            print(line(f"{family:<20} all", "skipped", why=why))
        return 0

    if device.startswith("cuda"):
        print(f"device: {torch.cuda.get_device_name(device)}, torch {torch.__version__}, CUDA {torch.version.cuda}")
    from dreamfactory.renderers import devices

    counts = {"ran": 0, "failed": 0, "skipped": 0}
    with tempfile.TemporaryDirectory() as tmp:
        root, built = Path(tmp), {}
        if not args.no_film:
            status, text = film_case(device, root, timeout=args.budget / 2)
            counts[status] += 1
            print(text, flush=True)
        for case in todo:
            if case.needs and importlib.util.find_spec(case.needs) is None:
                print(line(case.name, "skipped", why=f"{case.needs} is not installed"), flush=True)
                counts["skipped"] += 1
                continue
            if time.perf_counter() - started > args.budget:
                print(line(case.name, "skipped", why=f"over the {args.budget:.0f} s budget"), flush=True)
                counts["skipped"] += 1
                continue
            status, why, case_started, peak = "ran", "", time.perf_counter(), lambda: None
            try:
                model = tiny_model(case, root, built)
                case_started, peak = time.perf_counter(), measured(device)  # building the model is not the case
                run_case(case, model, device, root)
            except Exception as exc:  # noqa: BLE001 - one case's failure is its line, and the check goes on
                status, why = "failed", first_line(exc)
            print(line(case.name, status, time.perf_counter() - case_started, peak(), why), flush=True)
            counts[status] += 1
            devices.release_pipelines()
        for family, why in NO_TINY_BUILDER.items():
            print(line(f"{family:<20} all", "skipped", why=why))
    print(f"{counts['ran']} ran, {counts['failed']} failed, {counts['skipped']} skipped in "
          f"{time.perf_counter() - started:.0f} s on {device}")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
