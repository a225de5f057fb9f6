"""Where each artifact of a project lives in the store: the only place keys are spelled out.

    <project>/story.txt                          the story as given
    <project>/screenplay.json                    head: the working screenplay (edit it, then `dreamfactory rerun`)
    <project>/written.json                       head: sha of the screenplay the writers last produced
    <project>/screenplays/<sha>.json             every screenplay version, immutable
    <project>/writing/<phase>-<role>-<key>.json  each phase answer, keyed by prompts, writer and inputs
    <project>/transcripts/<sha>.json             the roles' messages that produced a screenplay
    <project>/base/<key>.png|.json               the Base frame and its render record
    <project>/base/bd-<sha>.json                 the Base Description
    <project>/keyframes/<scene>/<shot>-<key>.png|.json  a shot's keyframe and its render record
    <project>/voices/...                         spoken lines and scene speech tracks
    <project>/clips/<scene>/<shot>-<key>.mp4|.json      a shot's clip and its render record
    <project>/clips/<scene>/edges/<key>.mp4      a clip with its scene transition (fade, dissolve) applied
    <project>/films/<key>.mp4|.srt|.json         a film version, its subtitles and its record
    <project>/contact/<key>.png                  contact sheet of a film's keyframes
    <project>/manifests/<key>.parquet            everything needed to make the film again
    <project>/evaluations/<film>-<key>.parquet|.png  a film's consistency report, keyed by what decides it
    <project>/films.json                         head: the list of film versions, newest last
    <project>/waiting.json                       head: the run waiting at the storyboard gate, if any
    <project>/steps/<step>-<key>.json            what a step of the pipeline made, at its content key (steps.py)
"""

from __future__ import annotations

from .escape import file_name
from .store import digest

SHORT = 20  # hex characters of a key used in object names (80 bits)


def slug(text: str, words: int = 4) -> str:
    return file_name(text, words)  # a project id is a folder's name: the one rule for names made from a story


def project_id(story: str) -> str:
    """A story's project: a readable slug of its first words and a hash of the whole text."""
    first_line = next((l for l in story.strip().splitlines() if l.strip()), "film")
    return f"{slug(first_line)}-{digest(story.strip())[:8]}"


def story(project: str) -> str:
    return f"{project}/story.txt"


def screenplay_head(project: str) -> str:
    return f"{project}/screenplay.json"


def written_head(project: str) -> str:
    return f"{project}/written.json"


def screenplay_version(project: str, sha: str) -> str:
    return f"{project}/screenplays/{sha[:SHORT]}.json"


def transcript(project: str, sha: str) -> str:
    return f"{project}/transcripts/{sha[:SHORT]}.json"


def base_frame(project: str, key: str) -> str:
    return f"{project}/base/{key[:SHORT]}.png"


def base_description(project: str, sha: str) -> str:
    return f"{project}/base/bd-{sha[:SHORT]}.json"


def keyframe(project: str, scene_id: str, shot_id: str, key: str) -> str:
    return f"{project}/keyframes/{scene_id}/{shot_id}-{key[:SHORT]}.png"


def clip(project: str, scene_id: str, shot_id: str, key: str) -> str:
    return f"{project}/clips/{scene_id}/{shot_id}-{key[:SHORT]}.mp4"


def clip_edge(project: str, scene_id: str, key: str) -> str:
    """A clip re-encoded with its scene transition; only the pieces at scene boundaries have one."""
    return f"{project}/clips/{scene_id}/edges/{key[:SHORT]}.mp4"


def film(project: str, key: str) -> str:
    return f"{project}/films/{key[:SHORT]}.mp4"


def subtitles(project: str, key: str) -> str:
    return f"{project}/films/{key[:SHORT]}.srt"


def contact_sheet(project: str, key: str) -> str:
    return f"{project}/contact/{key[:SHORT]}.png"


def thumbnail(project: str, keyframe_key: str, size: tuple[int, int]) -> str:
    """A keyframe's cell on contact sheets, made once: a rerun's sheet decodes one new keyframe, not all of them."""
    scene, name = keyframe_key.rsplit("/", 2)[-2:]
    return f"{project}/contact/cells/{scene}-{name.rsplit('.', 1)[0]}-{size[0]}x{size[1]}.png"


def manifest(project: str, key: str) -> str:
    return f"{project}/manifests/{key[:SHORT]}.parquet"


def evaluation(project: str, film_key: str, report_key: str, ext: str) -> str:
    """A film's report: named by the film (its object name) and by the digest of everything else that decides it."""
    film_name = film_key.rsplit("/", 1)[-1].split(".")[0]
    return f"{project}/evaluations/{film_name}-{report_key[:SHORT]}.{ext}"


def step(project: str, name: str, key: str) -> str:
    return f"{project}/steps/{name}-{key[:SHORT]}.json"


def films_head(project: str) -> str:
    return f"{project}/films.json"


def waiting_head(project: str) -> str:
    """Head: the run paused at the storyboard gate, if any ({} when none waits)."""
    return f"{project}/waiting.json"


def record(object_key: str) -> str:
    """The render record beside an object: written after the object, so its presence means 'made'."""
    return object_key.rsplit(".", 1)[0] + ".json"
