"""Flags made from the settings' own fields: one `--flag-name` per field, its type and choices from the annotation,
its help from the field's description. The flags a person gave are the flags layer of `load_settings`."""

from __future__ import annotations

import argparse
import types
import typing
from pathlib import Path

from annotated_types import Ge, Le
from pydantic import BaseModel

from ..errors import SettingsError
from ..settings import FilmOptions, Settings

# A section's flags start with its prefix (--llm-model is writing.model); render's and the top level's have none.
PREFIX = {"writing": "llm-", "sound": "sound-", "metrics": "metrics-"}
# Names older than the generated ones, still working; the first is the one shown first.
NAMES = {"writing.backend": ["--writer", "--llm-backend"], "writing.role_models": ["--llm-role-model"],
         "writing.max_tokens": ["--max-tokens", "--llm-max-tokens"],
         "writing.review_rounds": ["--review-rounds", "--llm-review-rounds"],
         "render.keyframe_backend": ["--keyframes", "--keyframe-backend"],
         "render.clip_backend": ["--clips", "--clip-backend"], "sound.enabled": ["--sound"], "sound.music": ["--music"]}
# What a flag does besides setting its field.
NOTES = {"render.image_model": "Implies --keyframes diffusers.", "render.video_model": "Implies --clips svd.",
         "writing.model": "Implies --writer openai when the writer is auto.",
         "writing.base_url": "Implies --writer openai when the writer is auto."}
ABOUT = {"film": "The film and where it lives.", "process": "The process that runs a flow (not a run's parameters)."}
# Settings with no flag, on purpose, and why.
FLAGLESS = {"thresholds": "the gate's thresholds are per-model tables: set them in dreamfactory.toml or the environment",
            "openai_api_key": "a secret: a flag would show in `ps` and the shell's history",
            "llm_api_key": "a secret: a flag would show in `ps` and the shell's history",
            "batch_concurrency": "the nightly batch's (deployments/deploy.py --batch-concurrency); no command runs it"}
FILM = set(FilmOptions.model_fields)  # what a run takes
RUN = {"task_runner", "dask_address", "max_workers", "server_file"}  # what only the process running a flow needs
DEST = "setting:"


def _plain(annotation):
    """The annotation without its None: `int | None` is int."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation, = [a for a in typing.get_args(annotation) if a is not type(None)]
    return annotation


def setting_fields(model: type[BaseModel] = Settings, prefix: str = ""):
    """(dotted path, field) of every setting: the fields of the nested sections, the sections not themselves."""
    for name, field in model.model_fields.items():
        kind = _plain(field.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel) and prefix + name not in FLAGLESS:
            yield from setting_fields(kind, f"{prefix}{name}.")
        else:
            yield prefix + name, field


def _number(flag: str, kind: type, metadata: list):
    low = next((m.ge for m in metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in metadata if isinstance(m, Le)), None)

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} takes a {'whole number' if kind is int else 'number'}, got {text!r}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"between {low} and {high}" if None not in (low, high) else f"at least {low}" if high is None else f"at most {high}"
            raise argparse.ArgumentTypeError(f"{flag} must be {bounds}, got {value}")
        return value

    return parse


def _pair(flag: str):
    def parse(text: str) -> tuple[str, str]:
        key, sep, value = text.partition("=")
        if not (sep and key.strip() and value.strip()):
            raise argparse.ArgumentTypeError(f"{flag} takes ROLE=MODEL, got {text!r}")
        return key.strip(), value.strip()

    return parse


def add_setting_flags(parser: argparse.ArgumentParser, top: set[str]) -> None:
    """A flag for every setting under the top-level fields `top`, one argument group per section."""
    groups = {}
    for path, field in setting_fields():
        section, _, name = path.rpartition(".")
        if path.partition(".")[0] not in top or path in FLAGLESS:
            continue
        group = section or ("film" if path in FILM else "process")
        if group not in groups:
            about = Settings.model_fields[section].annotation.__doc__ if section else ABOUT[group]
            groups[group] = parser.add_argument_group(f"{group} settings", about)
        flags = NAMES.get(path) or ["--" + PREFIX.get(section, "") + name.replace("_", "-")]
        kind, default = _plain(field.annotation), field.get_default(call_default_factory=True)
        helps = " ".join(filter(None, [field.description, NOTES.get(path)])) + (
            f" [{default}]" if default not in (None, "", {}) and kind is not bool else "")
        spec = {"dest": DEST + path, "help": helps.replace("%", "%%"), "metavar": name.upper()}
        if kind is bool:
            spec.update(action=argparse.BooleanOptionalAction, metavar=None,
                        help=spec["help"] + f" [{'on' if default else 'off'}]")
        elif typing.get_origin(kind) is typing.Literal:
            spec.update(choices=typing.get_args(kind), metavar=None)
        elif typing.get_origin(kind) is dict:
            spec.update(action="append", type=_pair(flags[0]), metavar="ROLE=MODEL", help=spec["help"] + " Repeatable.")
        elif kind in (int, float):
            spec["type"] = _number(flags[0], kind, field.metadata)
        elif kind is Path:
            spec["type"] = Path
        groups[group].add_argument(*flags, **spec)


def given(args: argparse.Namespace) -> dict:
    """The settings the flags gave, as nested dicts (the flags layer), with what some flags imply and check."""
    layer: dict = {}
    for dest, value in vars(args).items():
        if dest.startswith(DEST) and value is not None:
            *sections, name = dest.removeprefix(DEST).split(".")
            node = layer
            for section in sections:
                node = node.setdefault(section, {})
            node[name] = dict(value) if isinstance(value, list) else value
    render, sound = layer.get("render", {}), layer.get("sound", {})
    for flag, backend, implied in (("image_model", "keyframe_backend", "diffusers"), ("video_model", "clip_backend", "svd")):
        value = render.get(flag)
        if value and value.startswith(("/", "./", "../", "~")) and not Path(value).expanduser().exists():
            raise SettingsError(f"--{flag.replace('_', '-')} {value}: no such folder (give a local model folder or a hub id)")
        if value:  # a model named is a model used
            render.setdefault(backend, implied)
    music = sound.get("music")
    if music and "://" not in music and not Path(music).expanduser().is_file():
        raise SettingsError(f"--music {music}: no such file")
    return layer
