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
from .flags import DEST, FILM, RUN, add_setting_flags, given

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
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dreamfactory",
        description="Turn a story into a multi-scene film with the same characters and style in every scene. "
                    "By default everything runs offline: a deterministic draft writer plays the studio's roles and "
                    "an animatic renderer draws storyboard frames with camera moves. Point --llm-base-url/--llm-model "
                    "(or OPENAI_API_KEY) at a chat model and --image-model/--video-model at diffusers/SVD weights "
                    "for the real thing. Every setting's flag is listed under its section in `dreamfactory make --help`.")
    parser.add_argument("--version", action="version", version=f"dreamfactory {__version__}")
    parser.add_argument("--verbose", action="store_true", help="Show Prefect's logs and tracebacks.")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str, *arguments: tuple, settings: set[str] = frozenset({"store"})):
        usage = " ".join(["%(prog)s", *(n.upper() for (n, *_), _ in arguments if not n.startswith("-")), "[options]"])
        p = sub.add_parser(name, help=help, usage=usage if settings - {"store", "server_file"} else None)
        for names, spec in arguments:
            p.add_argument(*names, **spec)
        add_setting_flags(p, settings)
        return p

    story = (["story"], {"help": "A text file, or - for standard input."})
    out = (["--out"], {"help": "Also copy the film to this path."})
    as_json = (["--json"], {"action": "store_true", "help": "Print one JSON object with what was made at the end."})
    rewrite = (["--rewrite"], {"action": "store_true", "help": "Discard hand edits of the screenplay and use the writers' version."})
    project = (["project"], {})
    command("make", "Make a film from a story.", story, out, as_json, rewrite, settings=FILM | RUN)
    command("show", "Show a project's screenplay, the state of each scene and its films.", project,
            (["--transcript"], {"action": "store_true", "help": "Print the roles' messages that wrote the screenplay."}),
            (["--json"], {"action": "store_true", "help": "The screenplay as JSON."}))
    edit = command("edit", "Change fields of one scene or shot of a project's screenplay, or add or remove a shot; then "
                   "`dreamfactory plan PROJECT` shows what a rerun renders.", project,
                   (["--scene"], {"required": True, "help": "Scene number (1-based) or scene id."}),
                   (["--shot"], {"help": "Edit this shot of the scene (its id, e.g. b, or its 1-based position)."}),
                   (["--set"], {"action": "append", "default": [], "metavar": "FIELD=VALUE", "help": "e.g. action='Mira "
                    "runs to the cliff.' or time_of_day=night; with --shot or --add-shot a shot's field, e.g. "
                    "framing=close_up or characters=mira (repeatable)."}))
    shots = edit.add_mutually_exclusive_group()
    shots.add_argument("--add-shot", metavar="AFTER", help="Insert a new shot after this shot (id or position; 0: "
                                                          "first), with fields from --set; it gets a fresh id.")
    shots.add_argument("--remove-shot", metavar="SHOT", help="Remove this shot (id or position); other ids stay.")
    command("rerun", "Render again what changed in a project's screenplay, and reassemble.", project, out, as_json,
            settings=FILM - {"scenes", "style", "project"} | RUN)
    command("plan", "What a run would make — per scene and shot: keyframe, voice lines, clip; the film — and about how "
            "long it takes; after an edit, exactly what a rerun renders.",
            (["target"], {"help": "A story file (or - for standard input): what `make` would do; or a project id: what "
                                  "`rerun` would do."}), rewrite, (["--json"], {"action": "store_true", "help": "The plan as JSON."}),
            settings=FILM)
    command("serve", "Run a Prefect server (and its UI) that every dreamfactory command on this machine finds and uses, "
            "instead of starting a temporary one each time.", (["--port"], {"type": int, "default": 4200}),
            settings={"server_file"})
    command("params", "Print a make-film deployment's parameters as JSON, for `prefect deployment run "
            "make-film/on-demand --params -`.", story,
            (["--review-gate"], {"action": "store_true", "help": "Pause for approval after the screenplay is written."}),
            settings=FILM)
    command("evaluate", "Consistency metrics of a project's latest film (faces, style, CLIP score).", project,
            (["--json"], {"action": "store_true"}), settings={"store", "metrics"})
    command("compare", "The metrics of two projects' films side by side (e.g. with and without Keyframe Iteration).",
            (["project_a"], {}), (["project_b"], {}), settings={"store", "metrics"})
    command("voices", "List the voices available on this machine.", settings=set())
    command("export", "Write the latest film's cut as an editor's timeline (OpenTimelineIO).", project,
            (["--format"], {"default": "otio", "help": "otio, edl, fcp7 (Premiere, Resolve), fcpxml (Final Cut), "
                            "kdenlive (Kdenlive, Shotcut: MLT XML)."}),
            (["--out"], {"help": "The timeline file (default: PROJECT and the format's suffix, here)."}),
            (["--bundle"], {"metavar": "DIR", "help": "Copy every medium into DIR/media and write the timeline in DIR, "
                            "with relative paths, so the folder can move to the editing machine."}))
    command("approve", "Answer a run waiting at the storyboard: approve it, or have shots drawn again or changed first "
            "(the run shows the storyboard again).", project,
            (["--redraw"], {"action": "append", "default": [], "metavar": "SCENE/SHOT",
                            "help": "Draw this shot again with a new seed, e.g. s03/b (repeatable)."}),
            (["--edit"], {"action": "append", "default": [], "metavar": "SCENE/SHOT:FIELD=VALUE",
                          "help": "Change a shot field before it is drawn again, e.g. s03/b:framing=close_up (repeatable)."}),
            (["--reject"], {"action": "store_true", "help": "Stop the run: no clip is rendered."}))
    return parser


def resolve(args: argparse.Namespace):
    """This command's settings, read once: environment < dreamfactory.toml < the flags given."""
    from ..settings import load_settings

    flags = given(args)
    settings = load_settings(**flags)
    if settings.writing.backend == "auto" and {"base_url", "model"} & flags.get("writing", {}).keys():
        settings.writing.backend = "openai"  # a chat model named is a chat model used
    return settings


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
def _answer_from_store(p, store, options, args, started: float, out: Path | None) -> int:
    """The film for these inputs is in the store: say so at once, without Prefect (zero renders)."""
    from ..film import summarize

    result = summarize(store, p.written, p.base, p.keyframes, p.clips, p.film, options, p.sounds)
    _copy_out(store, result.film_key, out)
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


def _film_run(args, settings, started: float, options, store, plan_again, entrypoint: str, parameters: dict,
              out: Path | None, reading=None) -> int:
    """`make` and `rerun`: the film at once when the store has it; else its flow, started by entrypoint against a
    Prefect server (found, or a temporary one), under the guard when from a terminal. While a temporary server starts
    (seconds on one core) the other core reads the story, loads what the first tasks would load and loads the flow
    (Prefect builds its parameter schema then: half a second)."""
    from .. import backends

    planned = plan_again()
    before = planned.plan
    if before.nothing_to_do:
        return _answer_from_store(planned, store, options, args, started, out)
    print(f"dreamfactory {__version__} — {backends.describe(options, settings)}", file=sys.stderr)
    print(f"store: {store.url}", file=sys.stderr)
    name, flows = f"cli-{uuid.uuid4().hex[:12]}", []

    def load_flow() -> None:
        flows.append(flow_at(entrypoint).with_options(task_runner=backends.task_runner(settings), flow_run_name=name))

    def before_flow(server_starting: bool) -> None:
        if reading and planned.written is None:  # no screenplay record: the writer will read the story
            reading(server_starting)
        if server_starting:
            backends.warm_up(options)
            load_flow()

    def work() -> int:
        from .server import TemporaryServer, api_at, drain_to, interrupted, prefect_server, started_here
        from .watch import FollowedFilter, RunWatcher

        server, before_env = None, os.environ.get("PREFECT_API_URL")
        quiet, progress = FollowedFilter(), logging.getLogger("dreamfactory.progress")
        try:
            server, url = prefect_server(settings.server_file, before_flow)
            if not flows:
                load_flow()
            progress.addFilter(quiet)  # the watcher prints these steps from the task runs, wherever they ran
            with api_at(url), started_here(), RunWatcher(name, started, _totals(before)):
                result = flows[0](**parameters, options=options)
                _copy_out(store, result.film_key, out)
                _print_result(result, args, started)
                return 0
        except KeyboardInterrupt:
            return _interrupted(plan_again, before)
        except Exception as exc:
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
    from .. import backends
    from ..plan import plan_story
    from ..store import open_store
    from ..story import check_scenes, read_story

    out, story, options = _check_out(args.out), read_story(args.story), settings.film_options()
    check_scenes(story, options.scenes)
    store = open_store(options.store)
    store.check()

    def reading(server_starting: bool) -> None:
        if backends.writer_backend(options.writing, settings) == "draft":
            from ..writers.draft import read_ahead, reading_notes  # loads spaCy: only when the draft writer will read

            for note in reading_notes(story):
                print(note, file=sys.stderr)
            if server_starting:
                read_ahead(story)

    return _film_run(args, settings, started, options, store, lambda: plan_story(store, story, options, args.rewrite),
                     "flows/make_film.py:make_film", {"story": story, "rewrite": args.rewrite}, out, reading)


def cmd_rerun(args, settings, started: float) -> int:
    from ..plan import plan_project
    from ..store import open_store

    out, options = _check_out(args.out), settings.film_options().model_copy(update={"project": args.project})
    store = open_store(options.store)
    return _film_run(args, settings, started, options, store, lambda: plan_project(store, args.project, options),
                     "flows/rerun_scenes.py:rerun_film", {"project": args.project}, out)


def cmd_plan(args, settings, started: float) -> int:
    from ..plan import plan_project, plan_story, plan_text
    from ..store import open_store

    is_story = args.target == "-" or Path(args.target).expanduser().is_file()
    if is_story:
        from ..story import check_scenes, read_story

        story, options = read_story(args.target), settings.film_options()
        check_scenes(story, options.scenes)
        store = open_store(options.store)
        plan = plan_story(store, story, options, args.rewrite).plan
    else:
        options = settings.film_options().model_copy(update={"project": args.target})
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

    store = open_store(settings.store)
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
        print(terminal(project_text(store, args.project, screenplay, settings.film_options())))
    return 0


def cmd_edit(args, settings, started: float) -> int:
    from ..editing import add_shot, apply_edits, remove_shot
    from ..store import open_store

    store = open_store(settings.store)
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

    story, options = read_story(args.story), settings.film_options()
    check_scenes(story, options.scenes)
    if getattr(args, DEST + "store") is None:  # the run then uses the worker's store
        options = options.model_copy(update={"store": None})
    print(json.dumps({"story": story, "options": options.model_dump(mode="json", exclude_defaults=True),
                      "review_gate": args.review_gate}))
    return 0


def cmd_evaluate(args, settings, started: float) -> int:
    from ..evaluation import evaluate_project, report_text
    from ..store import open_store

    store = open_store(settings.store)
    result, _, png_key = evaluate_project(store, args.project, settings.film_options())
    print(result.model_dump_json(indent=2) if args.json else report_text(args.project, result, store, png_key))
    return 0


def cmd_compare(args, settings, started: float) -> int:
    from ..evaluation import evaluate_project
    from ..metrics import compare
    from ..store import open_store

    store, options = open_store(settings.store), settings.film_options()
    (a, _, _), (b, _, _) = (evaluate_project(store, project, options) for project in (args.project_a, args.project_b))
    print(f"A = {args.project_a}\nB = {args.project_b}")
    print(compare(a, b).to_text())
    return 0


def cmd_export(args, settings, started: float) -> int:
    from ..export import export_film
    from ..store import open_store

    done = export_film(open_store(settings.store), args.project, args.format, args.out, args.bundle)
    print(f"{done.format} timeline of {done.clips} shots: {done.timeline} (subtitles {done.subtitles})")
    return 0


def cmd_approve(args, settings, started: float) -> int:
    from ..approval import waiting_for
    from ..contracts import ShotChange, StoryboardApproval
    from ..store import open_store

    waiting = waiting_for(open_store(settings.store), args.project)
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


COMMANDS = {name.removeprefix("cmd_"): command for name, command in globals().items() if name.startswith("cmd_")}


def main(argv: list[str] | None = None, *, guarded: bool | None = None) -> int:
    """The command line. Run as a command (argv None) a flow runs under a guard process that leaves nothing behind
    (see dreamfactory.cli.server); called with argv (tests, notebooks) it runs in this process unless guarded=True."""
    args = build_parser().parse_args(argv)
    args.guarded = argv is None if guarded is None else guarded
    started = time.perf_counter()
    _quiet_prefect(args.verbose)
    progress = logging.getLogger("dreamfactory.progress")
    handler = _ProgressHandler(started)
    progress.addHandler(handler)
    progress.propagate = False
    try:
        return COMMANDS[args.command](args, resolve(args), started)
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
