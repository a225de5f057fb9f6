"""The `dreamfactory` command: the edge where flags become options and errors become one line for a person."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from .. import __version__
from ..errors import DreamFactoryError, SettingsError, StoryError
from ..escape import terminal

EXIT_BAD_INPUT, EXIT_FAILED = 2, 1
ROOT = Path(__file__).resolve().parents[2]  # where flows/ is, in a checkout and in site-packages alike


# -- output for people ----------------------------------------------------------------------------------
class _ProgressHandler(logging.Handler):
    def __init__(self, started: float):
        super().__init__()
        self.started = started

    def emit(self, record: logging.LogRecord) -> None:
        print(f"[{time.perf_counter() - self.started:6.1f}s] {record.getMessage()}", file=sys.stderr, flush=True)


def _quiet_prefect(verbose: bool) -> None:
    # Prefect reads these when it is first imported: the CLI shows its own progress lines instead.
    if not verbose:
        # Task failures still reach the user: the flow's error names each failed scene and why.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    logging.getLogger("dreamfactory.progress").setLevel(logging.INFO)


def flow_at(entrypoint: str):
    """A flow found by its entrypoint, as a deployment finds it: the command line imports no flow module."""
    from prefect.flows import load_flow_from_entrypoint

    return load_flow_from_entrypoint(str(ROOT / entrypoint))


def _die(message: str, code: int) -> int:
    print(f"dreamfactory: error: {terminal(message)}", file=sys.stderr)  # a message may quote a story or a screenplay
    return code


# -- options --------------------------------------------------------------------------------------------
def _positive_scenes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--scenes takes a whole number, got {text!r}") from None
    if not 1 <= value <= 200:
        raise argparse.ArgumentTypeError(f"--scenes must be between 1 and 200, got {value}")
    return value


def _add_store(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", help="Where artifacts live: a local folder or any fsspec URL such as s3://bucket/prefix "
                                   "(default: ./dreamfactory-store, or DREAMFACTORY_STORE).")


def _add_render_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("models (default: offline draft writer and animatic renderer)")
    g.add_argument("--llm-base-url", help="OpenAI-compatible server, e.g. http://localhost:11434/v1 (Ollama).")
    g.add_argument("--llm-model", help="Chat model for every role, e.g. gpt-4o-mini or llama3.1.")
    g.add_argument("--llm-role-model", action="append", default=[], metavar="ROLE=MODEL",
                   help="A model for one role, e.g. reviewer=gpt-4o-mini (repeatable).")
    g.add_argument("--writer", choices=["auto", "draft", "openai"], help="Force the writer backend.")
    g.add_argument("--max-tokens", type=int, help="Token budget for the writing; the run stops before passing it.")
    g.add_argument("--review-rounds", type=int, help="At most this many Reviewer rounds (default 2).")
    g.add_argument("--keyframes", choices=["animatic", "diffusers", "openai"], help="Keyframe backend.")
    g.add_argument("--clips", choices=["animatic", "svd", "diffusers"], help="Clip backend ('diffusers': any "
                   "image-to-video pipeline named by --video-model).")
    g.add_argument("--image-model", help="diffusers model id or local path for keyframes (implies --keyframes diffusers).")
    g.add_argument("--video-model", help="Image-to-video model id or local path for clips (SVD, Wan, LTX, LTX-2, CogVideoX, "
                   "HunyuanVideo; the class in its model_index.json picks the pipeline; implies --clips svd).")
    g.add_argument("--video-audio", action="store_true", help="Keep the video model's own sound (LTX-2) under the speech.")
    g.add_argument("--image-model-revision", help="Hub revision (commit) of --image-model.")
    g.add_argument("--video-model-revision", help="Hub revision (commit) of --video-model.")
    g.add_argument("--device", help="auto, cpu, cuda or cuda:N for diffusers and SVD (default auto).")
    g.add_argument("--dtype", choices=["auto", "float32", "float16", "bfloat16"], help="Weights dtype (default: fp16 on CUDA).")
    g.add_argument("--width", type=int, help="Film width (default 1280).")
    g.add_argument("--height", type=int, help="Film height (default 720).")
    g.add_argument("--fps", type=int, help="Frames per second (default 24).")
    g.add_argument("--seed", type=int, help="Project seed (default 7).")
    g.add_argument("--gpu-slots", type=int, help="GPU renders at once (the `gpu` concurrency limit; default 1).")
    g.add_argument("--no-keyframe-iteration", action="store_true",
                   help="The ablation: draw each scene from its own shot, without BD, C(t-1) or the Base frame.")
    g.add_argument("--no-sound", action="store_true", help="A silent film with subtitles.")
    g.add_argument("--music", help="Music bed: a local file or store URL.")
    g.add_argument("--approve-storyboard", action="store_true", help="Wait after the keyframes, before any clip is "
                   "rendered, until the storyboard is approved (`dreamfactory approve PROJECT`, or the run's form in the UI).")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dreamfactory",
        description="Turn a story into a multi-scene film with the same characters and style in every scene. "
                    "By default everything runs offline: a deterministic draft writer plays the studio's roles and "
                    "an animatic renderer draws storyboard frames with camera moves. Point --llm-base-url/--llm-model "
                    "(or OPENAI_API_KEY) at a chat model and --image-model/--video-model at diffusers/SVD weights "
                    "for the real thing.")
    parser.add_argument("--version", action="version", version=f"dreamfactory {__version__}")
    parser.add_argument("--verbose", action="store_true", help="Show Prefect's logs and tracebacks.")
    sub = parser.add_subparsers(dest="command", required=True)

    make = sub.add_parser("make", help="Make a film from a story.")
    make.add_argument("story", help="A text file, or - for standard input.")
    make.add_argument("--scenes", type=_positive_scenes, help="Number of scenes (1-200; default: one per paragraph).")
    make.add_argument("--style", help="The look, e.g. 'storybook watercolour, warm palette'.")
    make.add_argument("--project", help="Project id (default: from the story's first words and a hash).")
    make.add_argument("--out", help="Also copy the film to this path.")
    make.add_argument("--json", action="store_true", help="Print one JSON object with what was made at the end.")
    make.add_argument("--rewrite", action="store_true", help="Discard hand edits of the screenplay and use the writers' version.")
    _add_store(make)
    _add_render_flags(make)

    show = sub.add_parser("show", help="Show a project's screenplay, the state of each scene and its films.")
    show.add_argument("project")
    show.add_argument("--transcript", action="store_true", help="Print the roles' messages that wrote the screenplay.")
    show.add_argument("--json", action="store_true", help="The screenplay as JSON.")
    _add_store(show)

    edit = sub.add_parser("edit", help="Change fields of one scene or shot of a project's screenplay, or add or "
                                       "remove a shot; then `dreamfactory plan PROJECT` shows what a rerun renders.")
    edit.add_argument("project")
    edit.add_argument("--scene", required=True, help="Scene number (1-based) or scene id.")
    edit.add_argument("--shot", help="Edit this shot of the scene (its id, e.g. b, or its 1-based position).")
    edit.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                      help="e.g. action='Mira runs to the cliff.' or time_of_day=night; with --shot or --add-shot a "
                           "shot's field, e.g. framing=close_up or characters=mira (repeatable).")
    shots = edit.add_mutually_exclusive_group()
    shots.add_argument("--add-shot", metavar="AFTER", help="Insert a new shot after this shot (id or position; 0: "
                                                          "first), with fields from --set; it gets a fresh id.")
    shots.add_argument("--remove-shot", metavar="SHOT", help="Remove this shot (id or position); other ids stay.")
    _add_store(edit)

    rerun = sub.add_parser("rerun", help="Render again what changed in a project's screenplay, and reassemble.")
    rerun.add_argument("project")
    rerun.add_argument("--out", help="Also copy the film to this path.")
    rerun.add_argument("--json", action="store_true")
    _add_store(rerun)
    _add_render_flags(rerun)

    plan = sub.add_parser("plan", help="What a run would make — per scene and shot: keyframe, voice lines, clip; the "
                                       "film — and about how long it takes; after an edit, exactly what a rerun renders.")
    plan.add_argument("target", help="A story file (or - for standard input): what `make` would do; or a project id: "
                                     "what `rerun` would do.")
    plan.add_argument("--scenes", type=_positive_scenes)
    plan.add_argument("--style")
    plan.add_argument("--project")
    plan.add_argument("--rewrite", action="store_true")
    plan.add_argument("--json", action="store_true", help="The plan as JSON.")
    _add_store(plan)
    _add_render_flags(plan)

    serve = sub.add_parser("serve", help="Run a Prefect server (and its UI) that every dreamfactory command on this "
                                         "machine finds and uses, instead of starting a temporary one each time.")
    serve.add_argument("--port", type=int, default=4200)
    serve.set_defaults(store=None)

    params = sub.add_parser("params", help="Print a make-film deployment's parameters as JSON, for "
                                           "`prefect deployment run make-film/on-demand --params -`.")
    params.add_argument("story", help="A text file, or - for standard input.")
    params.add_argument("--scenes", type=_positive_scenes)
    params.add_argument("--style")
    params.add_argument("--review-gate", action="store_true", help="Pause for approval after the screenplay is written.")
    _add_store(params)
    _add_render_flags(params)

    evaluate = sub.add_parser("evaluate", help="Consistency metrics of a project's latest film (faces, style, CLIP score).")
    evaluate.add_argument("project")
    evaluate.add_argument("--json", action="store_true")
    _add_store(evaluate)

    compare = sub.add_parser("compare", help="The metrics of two projects' films side by side (e.g. with and without Keyframe Iteration).")
    compare.add_argument("project_a")
    compare.add_argument("project_b")
    _add_store(compare)

    voices = sub.add_parser("voices", help="List the voices available on this machine.")
    voices.set_defaults(store=None)

    export = sub.add_parser("export", help="Write the latest film's cut as an editor's timeline (OpenTimelineIO).")
    export.add_argument("project")
    export.add_argument("--format", default="otio", help="otio, edl, fcp7 (Premiere, Resolve), fcpxml (Final Cut), "
                        "kdenlive (Kdenlive, Shotcut: MLT XML).")
    export.add_argument("--out", help="The timeline file (default: PROJECT and the format's suffix, here).")
    export.add_argument("--bundle", metavar="DIR", help="Copy every medium into DIR/media and write the timeline in DIR, "
                        "with relative paths, so the folder can move to the editing machine.")
    _add_store(export)

    approve = sub.add_parser("approve", help="Answer a run waiting at the storyboard: approve it, or have shots drawn "
                             "again or changed first (the run shows the storyboard again).")
    approve.add_argument("project")
    approve.add_argument("--redraw", action="append", default=[], metavar="SCENE/SHOT", help="Draw this shot again with "
                         "a new seed, e.g. s03/b (repeatable).")
    approve.add_argument("--edit", action="append", default=[], metavar="SCENE/SHOT:FIELD=VALUE",
                         help="Change a shot field before it is drawn again, e.g. s03/b:framing=close_up (repeatable).")
    approve.add_argument("--reject", action="store_true", help="Stop the run: no clip is rendered.")
    _add_store(approve)
    return parser


def _options(args, settings, **extra):
    """The run's FilmOptions: the settings' own (`Settings.film_options`, every section) with the flags on top."""
    from ..settings import FilmOptions

    base = settings.film_options()
    writing, render, sound = base.writing.model_copy(), base.render.model_copy(), base.sound.model_copy()
    if getattr(args, "writer", None):
        writing.backend = args.writer
    if args.llm_base_url:
        writing.base_url, writing.backend = args.llm_base_url, "openai" if writing.backend == "auto" else writing.backend
    if args.llm_model:
        writing.model = args.llm_model
        if writing.backend == "auto":
            writing.backend = "openai"
    for item in args.llm_role_model:
        role, sep, model = item.partition("=")
        if not sep or not model:
            raise SettingsError(f"--llm-role-model takes ROLE=MODEL, got {item!r}")
        writing.role_models = {**writing.role_models, role.strip(): model.strip()}
    for name in ("max_tokens", "review_rounds"):
        if getattr(args, name) is not None:
            setattr(writing, name, getattr(args, name))
    for flag in ("image_model", "video_model"):
        value = getattr(args, flag)
        if value and value.startswith(("/", "./", "../", "~")) and not Path(value).expanduser().exists():
            raise SettingsError(f"--{flag.replace('_', '-')} {value}: no such folder (give a local model folder or a hub id)")
    if args.image_model:
        render.image_model, render.keyframe_backend = args.image_model, args.keyframes or "diffusers"
    if args.video_model:
        render.video_model, render.clip_backend = args.video_model, args.clips or "svd"
    if args.keyframes:
        render.keyframe_backend = args.keyframes
    if args.clips:
        render.clip_backend = args.clips
    for name in ("width", "height", "fps", "image_model_revision", "video_model_revision", "device", "dtype"):
        if getattr(args, name) is not None:
            setattr(render, name, getattr(args, name))
    if args.no_keyframe_iteration:
        render.keyframe_iteration = False
    if args.video_audio:
        render.video_audio = True
    if args.no_sound:
        sound.enabled = False
    if args.music:
        if "://" not in args.music and not Path(args.music).expanduser().is_file():
            raise SettingsError(f"--music {args.music}: no such file")
        sound.music = args.music
    try:
        return FilmOptions.model_validate({
            **base.model_dump(), "store": args.store or base.store, "seed": base.seed if args.seed is None else args.seed,
            "writing": writing.model_dump(), "render": render.model_dump(), "sound": sound.model_dump(),
            "gpu_slots": base.gpu_slots if args.gpu_slots is None else args.gpu_slots,
            "approve_storyboard": args.approve_storyboard or base.approve_storyboard, **extra,
        })
    except Exception as exc:  # pydantic's ValidationError: keep the first problem, in one line
        errors = getattr(exc, "errors", None)
        if errors:
            first = errors()[0]
            raise SettingsError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc
        raise


def _check_out(out: str | None) -> Path | None:
    """Fail before any work when --out cannot be written."""
    if not out:
        return None
    path = Path(out).expanduser()
    if path.is_dir():
        raise SettingsError(f"--out {out} is a folder; give a file path such as {path / 'film.mp4'}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise SettingsError(f"--out {out}: folder {parent} does not exist")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".dreamfactory-probe-"):
            pass
    except OSError:
        raise SettingsError(f"--out {out}: folder {parent} is not writable") from None
    return path


def _copy_out(store, key: str, out: Path | None) -> None:
    if out is not None:
        shutil.copyfile(store.local_file(key), out)


def _print_result(result, args, started: float) -> None:
    if args.json:
        payload = result.model_dump()
        payload["seconds"] = round(time.perf_counter() - started, 2)
        if args.out:
            payload["out"] = str(Path(args.out).expanduser())
        print(json.dumps(payload, indent=2))
    else:
        k, c = result.keyframes, result.clips
        print(f"Film: {result.film}")
        print(f"  {result.scenes} scenes, {result.duration:.1f} s — project {result.project}")
        print(f"  keyframes {k.rendered} rendered / {k.cached} cached; clips {c.rendered} rendered / {c.cached} cached; "
              f"LLM calls {result.llm_calls}, tokens {result.llm_tokens}")
        if result.llm_tokens:
            per_phase = ", ".join(f"{name} {tokens}" for name, tokens in result.tokens_by_phase.items() if tokens)
            print(f"  tokens by phase/role: {per_phase}")
        if args.out:
            print(f"  copied to {Path(args.out).expanduser()}")


# -- commands -------------------------------------------------------------------------------------------
def _answer_from_store(planned, store, options, args, started: float) -> int:
    """The film for these inputs is in the store: say so at once, without Prefect (zero renders)."""
    from ..film import summarize

    p = planned
    result = summarize(store, p.written, p.base, p.keyframes, p.clips, p.film, options, p.sounds)
    _copy_out(store, result.film_key, _check_out(getattr(args, "out", None)))
    _print_result(result, args, started)
    return 0


def _interrupted(plan_again, before) -> int:
    """Ctrl-C or SIGTERM: one line on what was kept and that the next run resumes."""
    try:
        after = plan_again().plan
        kept = sum(s.stored for s in after.steps()) - sum(s.stored for s in before.steps())
        left = len(after.to_make())
        what = (f"{kept} step(s) this run finished (screenplay, keyframes, voices, clips) are" if kept > 0 else
                "nothing new was finished; what was made before is") + f" kept in the store ({left} still to make)"
    except Exception:  # noqa: BLE001 - the line must come even when the store cannot be read now
        what = "what was made is kept in the store"
    print(f"dreamfactory: interrupted — {what}; run the same command again to resume", file=sys.stderr)
    return 130


def _totals(plan) -> dict[str, int]:
    shots = sum(len(scene.shots) for scene in plan.scenes)
    return {"keyframe": shots, "clip": shots, "voice": len(plan.scenes)} if shots else {}


def _run_flow(args, settings, started: float, configure, plan_again, before, prepare=None) -> int:
    """Run a flow against a Prefect server (found, or a temporary one), under the guard when from a terminal.
    `configure(run_name)` gives the flow call (Prefect builds the flow's parameter schema then: half a second);
    `prepare(server_starting)` runs before it. While a temporary server starts (seconds on one core) both run: the
    other core reads the story, loads what the first tasks would load and configures the flow."""

    def work() -> int:
        from .server import TemporaryServer, api_at, drain_to, prefect_server, started_here
        from .watch import FollowedFilter, RunWatcher

        server, before_env = None, os.environ.get("PREFECT_API_URL")
        name = f"cli-{uuid.uuid4().hex[:12]}"
        quiet = FollowedFilter()
        progress = logging.getLogger("dreamfactory.progress")
        configured = []

        def before_flow(server_starting: bool) -> None:
            if prepare:
                prepare(server_starting)
            if server_starting:
                configured.append(configure(name))

        try:
            server, url = prefect_server(settings, before_flow)
            flow_call = configured[0] if configured else configure(name)
            progress.addFilter(quiet)  # the watcher prints these steps from the task runs, wherever they ran
            with api_at(url), started_here(), RunWatcher(name, started, _totals(before)):
                return flow_call()
        except KeyboardInterrupt:
            return _interrupted(plan_again, before)
        except Exception as exc:
            from .server import interrupted

            if interrupted():  # Ctrl-C surfaced as another error from inside Prefect: still an interruption
                return _interrupted(plan_again, before)
            if isinstance(exc, (StoryError, SettingsError)):
                return _die(str(exc), EXIT_BAD_INPUT)
            if isinstance(exc, DreamFactoryError) and not args.verbose:
                return _die(str(exc), EXIT_FAILED)
            raise
        finally:
            progress.removeFilter(quiet)
            if isinstance(server, TemporaryServer):
                drain_to(server)
                server.stop()
            if before_env is None:  # a command run in-process (tests, notebooks) leaves the environment as it was
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = before_env

    if not getattr(args, "guarded", False):
        return work()
    from .server import run_guarded

    return run_guarded(work)


def cmd_make(args, settings, started: float) -> int:
    from ..story import check_scenes, read_story

    out = _check_out(args.out)
    story = read_story(args.story)
    check_scenes(story, args.scenes)
    options = _options(args, settings, scenes=args.scenes, style=args.style, project=args.project)
    from .. import backends
    from ..plan import plan_story
    from ..store import open_store

    store = open_store(options.store)
    store.check()
    planned = plan_story(store, story, options, args.rewrite)
    if planned.plan.nothing_to_do:
        return _answer_from_store(planned, store, options, args, started)
    print(f"dreamfactory {__version__} — {backends.describe(options)}", file=sys.stderr)
    print(f"store: {store.url}", file=sys.stderr)

    def prepare(server_starting: bool) -> None:
        if planned.plan.writing is not None and not planned.plan.writing.stored and backends.writer_backend(options.writing) == "draft":
            from ..writers.draft import read_ahead, reading_notes  # loads spaCy: only when the draft writer will read

            for note in reading_notes(story):
                print(note, file=sys.stderr)
            if server_starting:
                read_ahead(story)
        if server_starting:
            backends.warm_up(options)

    def configure(name: str):
        flow = flow_at("flows/make_film.py:make_film").with_options(task_runner=backends.task_runner(settings), flow_run_name=name)

        def flow_call() -> int:
            result = flow(story=story, options=options, rewrite=args.rewrite)
            _copy_out(store, result.film_key, out)
            _print_result(result, args, started)
            return 0

        return flow_call

    return _run_flow(args, settings, started, configure, lambda: plan_story(store, story, options, args.rewrite), planned.plan,
                     prepare)


def cmd_rerun(args, settings, started: float) -> int:
    from .. import backends
    from ..plan import plan_project
    from ..store import open_store

    out = _check_out(args.out)
    options = _options(args, settings, project=args.project)
    store = open_store(options.store)
    planned = plan_project(store, args.project, options)
    if planned.plan.nothing_to_do:
        return _answer_from_store(planned, store, options, args, started)
    print(f"dreamfactory {__version__} — {backends.describe(options)}", file=sys.stderr)

    def configure(name: str):
        flow = flow_at("flows/rerun_scenes.py:rerun_film").with_options(task_runner=backends.task_runner(settings), flow_run_name=name)

        def flow_call() -> int:
            result = flow(project=args.project, options=options)
            _copy_out(store, result.film_key, out)
            _print_result(result, args, started)
            return 0

        return flow_call

    def prepare(server_starting: bool) -> None:
        if server_starting:
            backends.warm_up(options)

    return _run_flow(args, settings, started, configure, lambda: plan_project(store, args.project, options), planned.plan,
                     prepare)


def cmd_plan(args, settings, started: float) -> int:
    from ..plan import plan_project, plan_story, plan_text
    from ..store import open_store

    is_story = args.target == "-" or Path(args.target).expanduser().is_file()
    if is_story:
        from ..story import check_scenes, read_story

        story = read_story(args.target)
        check_scenes(story, args.scenes)
        options = _options(args, settings, scenes=args.scenes, style=args.style, project=args.project)
        store = open_store(options.store)
        plan = plan_story(store, story, options, args.rewrite).plan
    else:
        options = _options(args, settings, project=args.target)
        store = open_store(options.store)
        plan = plan_project(store, args.target, options).plan
    print(plan.model_dump_json(indent=2) if args.json else plan_text(plan))
    return 0


def cmd_serve(args, settings, started: float) -> int:
    """A Prefect server for this machine's commands: its URL goes to the server file while it runs."""
    from .server import TemporaryServer, find_server, write_server_file

    url, where = find_server(settings.server_file)
    if url and where != "PREFECT_API_URL":
        print(f"a Prefect server is already running at {url} (found in {where})", file=sys.stderr)
        return 0
    server = TemporaryServer(port=args.port)
    try:
        server.start()
        write_server_file(settings.server_file, server.api_url, server.process.pid)
        print(f"Prefect server at {server.api_url} (UI off; `prefect server start` has the UI), started in "
              f"{server.seconds:.1f} s; recorded in {settings.server_file}. Ctrl-C stops it.", file=sys.stderr)
        server.process.wait()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        try:
            if json.loads(settings.server_file.read_text()).get("api_url") == server.api_url:
                settings.server_file.unlink()
        except (OSError, ValueError):
            pass


def cmd_show(args, settings, started: float) -> int:
    from ..agents.studio import transcript_text
    from ..show import project_text
    from ..store import open_store
    from ..writing import load_head
    from .. import layout

    store = open_store(args.store or settings.store)
    screenplay, sha = load_head(store, args.project)
    if args.json:
        print(screenplay.model_dump_json(indent=2))
    elif args.transcript:
        keys = [k for k in store.list(f"{args.project}/transcripts") if k.endswith(".json")]
        wanted = layout.transcript(args.project, sha)
        key = wanted if wanted in keys else (keys[-1] if keys else None)
        if key is None:
            raise DreamFactoryError(f"project {args.project} has no transcript")
        from ..writers.base import Message

        print(terminal(transcript_text([Message.model_validate(m) for m in store.read_json(key)])))
    else:
        options = settings.film_options(store=store.url)
        print(terminal(project_text(store, args.project, screenplay, options)))
    return 0


def cmd_edit(args, settings, started: float) -> int:
    from ..editing import add_shot, apply_edits, remove_shot
    from ..store import open_store

    store = open_store(args.store or settings.store)
    if args.remove_shot is not None:
        if args.set or args.shot:
            raise SettingsError("--remove-shot takes no --set or --shot")
        changed = remove_shot(store, args.project, args.scene, args.remove_shot)
    elif args.add_shot is not None:
        if args.shot:
            raise SettingsError("--add-shot places the new shot after AFTER; --shot is for editing an existing one")
        changed = add_shot(store, args.project, args.scene, args.add_shot, args.set)
    else:
        if not args.set:
            raise SettingsError("edit needs --set FIELD=VALUE (or --add-shot / --remove-shot)")
        changed = apply_edits(store, args.project, args.scene, args.set, shot_ref=args.shot)
    print(changed)
    return 0


def cmd_params(args, settings, started: float) -> int:
    from ..story import check_scenes, read_story

    story = read_story(args.story)
    check_scenes(story, args.scenes)
    options = _options(args, settings, scenes=args.scenes, style=args.style)
    if not args.store:  # the run then uses the worker's store
        options = options.model_copy(update={"store": None})
    print(json.dumps({"story": story, "options": options.model_dump(mode="json", exclude_defaults=True),
                      "review_gate": args.review_gate}))
    return 0


def cmd_evaluate(args, settings, started: float) -> int:
    from ..evaluation import evaluate_project, report_text
    from ..store import open_store

    options = settings.film_options(store=args.store)
    store = open_store(options.store)
    result, _, png_key = evaluate_project(store, args.project, options)
    print(result.model_dump_json(indent=2) if args.json else report_text(args.project, result, store, png_key))
    return 0


def cmd_compare(args, settings, started: float) -> int:
    from ..evaluation import evaluate_project
    from ..metrics import compare
    from ..store import open_store

    options = settings.film_options(store=args.store)
    store = open_store(options.store)
    a, _, _ = evaluate_project(store, args.project_a, options)
    b, _, _ = evaluate_project(store, args.project_b, options)
    print(f"A = {args.project_a}\nB = {args.project_b}")
    print(compare(a, b).to_text())
    return 0


def cmd_export(args, settings, started: float) -> int:
    from ..export import export_film
    from ..store import open_store

    done = export_film(open_store(args.store or settings.store), args.project, args.format, args.out, args.bundle)
    print(f"{done.format} timeline of {done.clips} shots: {done.timeline} (subtitles {done.subtitles})")
    return 0


def cmd_approve(args, settings, started: float) -> int:
    from ..approval import ShotChange, StoryboardApproval, waiting_for
    from ..store import open_store

    waiting = waiting_for(open_store(args.store or settings.store), args.project)
    if waiting is None:
        raise SettingsError(f"no run of {args.project} waits at the storyboard (make it with --approve-storyboard)")
    edits = []
    for item in args.edit:
        shot, sep, assignment = item.partition(":")
        field, eq, value = assignment.partition("=")
        if not (sep and eq and field):
            raise SettingsError(f"--edit takes SCENE/SHOT:FIELD=VALUE, got {item!r}")
        edits.append(ShotChange(shot=shot, field=field, value=value))
    unknown = [r for r in args.redraw + [e.shot for e in edits] if r not in waiting.shots]
    if unknown:
        raise SettingsError(f"no shot {unknown[0]} on the storyboard; its shots are {', '.join(waiting.shots)}")
    answer = StoryboardApproval(approved=not args.reject, redraw=args.redraw, edits=edits)
    from prefect.flow_runs import resume_flow_run
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: waiting.api_url} if waiting.api_url else {}):
        resume_flow_run(waiting.flow_run_id, run_input=answer.model_dump(mode="json"))
    print(f"{args.project}: " + ("rejected; the run stops" if args.reject and not answer.changes else
          f"drawing {len(set(args.redraw) | {e.shot for e in edits})} shot(s) again; the storyboard comes back"
          if answer.changes else f"approved; rendering {waiting.to_render}"))
    return 0


def cmd_voices(args, settings, started: float) -> int:
    from ..voices import describe_voices

    print("\n".join(describe_voices()))
    return 0


COMMANDS = {"make": cmd_make, "show": cmd_show, "edit": cmd_edit, "rerun": cmd_rerun, "evaluate": cmd_evaluate,
            "compare": cmd_compare, "voices": cmd_voices, "params": cmd_params, "plan": cmd_plan, "serve": cmd_serve,
            "export": cmd_export, "approve": cmd_approve}


def main(argv: list[str] | None = None, *, guarded: bool | None = None) -> int:
    """The command line. Run as a command (argv None) a flow runs under a guard process that leaves nothing behind
    (see dreamfactory.cli.server); called with argv (tests, notebooks) it runs in this process unless guarded=True."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.guarded = argv is None if guarded is None else guarded
    started = time.perf_counter()
    _quiet_prefect(args.verbose)
    progress = logging.getLogger("dreamfactory.progress")
    handler = _ProgressHandler(started)
    progress.addHandler(handler)
    progress.propagate = False
    try:
        from ..settings import Settings

        try:
            settings = Settings()
        except Exception as exc:
            raise SettingsError(f"settings (environment or dreamfactory.toml): {str(exc).splitlines()[0]}") from exc
        return COMMANDS[args.command](args, settings, started)
    except (StoryError, SettingsError) as exc:
        return _die(str(exc), EXIT_BAD_INPUT)
    except DreamFactoryError as exc:
        if args.verbose:
            raise
        return _die(str(exc), EXIT_FAILED)
    except KeyboardInterrupt:
        return _die("interrupted; what was made is kept in the store, run the same command again to resume", 130)
    finally:
        progress.removeHandler(handler)
