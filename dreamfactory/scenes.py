"""One scene, start to finish: its keyframe (BD + C(t-1), tied to the Base frame), its speech, its clip.

The three steps of a scene form one unit of work, so a film is one mapped branch per scene. Each step is made
once and kept in the store as soon as it is done, so running the scene again (a retry after a failed clip, a
rerun after a crash) takes the finished steps from the store and renders only what is missing.

What a scene will be is known before any step runs: `scene_content_key` hashes everything its three steps read
(the keyframe's content key, the speech's inputs, the clip's request), so an unchanged scene is recognised
without opening a single file.
"""

from __future__ import annotations

from typing import Callable

from pydantic import BaseModel, ConfigDict, Field

from . import backends
from .renderers.base import render_key
from .renders import Made, keyframe_content_key, make_clip, make_keyframe_checked, plan_clip
from .screenplay import Screenplay
from .settings import FilmOptions
from .store import Store, digest
from .voices import SceneSound, voice_scene
from .voices.timing import scene_inputs_key


class SceneRenders(BaseModel):
    """What a scene is made of in the film: its keyframe, its speech track and timing, its clip."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scene_id: str
    keyframe: Made
    sound: SceneSound
    clip: Made = Field(description="The clip, as long as the scene's speech (rounded up to whole frames).")

    def stored_keys(self) -> tuple[str, ...]:
        """What must be in the store for this scene to count as made."""
        return (*self.keyframe.stored_keys(), self.sound.key, *self.clip.stored_keys())

    def from_store(self) -> SceneRenders:
        """The same scene, marked as taken from the store (nothing in it was made by this call)."""
        sound = self.sound.model_copy(update={"cached": self.sound.cached + self.sound.synthesized, "synthesized": 0})
        return self.model_copy(update={"keyframe": self.keyframe.model_copy(update={"made": False}), "sound": sound,
                                       "clip": self.clip.model_copy(update={"made": False})})


def scene_content_key(screenplay: Screenplay, scene_id: str, base: Made, options: FilmOptions) -> str:
    """Everything that decides a scene's keyframe, speech and clip, known before any of them is made.

    The clip's request reads two things only the earlier steps know: its keyframe's bytes (decided by the
    keyframe's content key) and its duration (decided by the speech's inputs). Both keys are in the digest, and the
    clip's request is hashed with those two fields held fixed, so every other field it reads (camera, size,
    fps, seed, the clip backend's identity) still changes the scene's key.
    """
    keyframe = keyframe_content_key(screenplay, scene_id, base, options)
    speech = scene_inputs_key(screenplay.scene(scene_id), screenplay, options.sound, options.render.fps)
    held = Made(kind="keyframe", scene_id=scene_id, key="", sha256=keyframe, made=False)
    clip = render_key(backends.clip_renderer(options.render), plan_clip(screenplay, scene_id, held, 1.0, options))
    return digest({"keyframe": keyframe, "speech": speech, "clip": clip})


def make_scene(store: Store, project: str, screenplay: Screenplay, scene_id: str, base: Made, options: FilmOptions,
               done: dict | None = None, before: Callable[[str, int], None] | None = None) -> SceneRenders:
    """Make the scene's keyframe, speech and clip, each unless the store has it.

    done: what earlier attempts of the same run finished, and how often each step was tried; a retry passes the
        same dict, so it goes on from the step that failed, and what an earlier attempt made still counts as made
        by this run.
    before: called with each step's name ("keyframe", "voice", "clip") and its attempt number before the step
        runs (fault drills hook in here).
    """
    done = {} if done is None else done
    tries = done.setdefault("tries", {})

    def attempt(step: str) -> int:
        tries[step] = tries.get(step, 0) + 1
        if before is not None:
            before(step, tries[step])
        return tries[step]

    if "keyframe" not in done:
        attempt("keyframe")
        done["keyframe"] = make_keyframe_checked(store, project, screenplay, scene_id, base, options)
    if "sound" not in done:
        attempt("voice")
        done["sound"] = voice_scene(store, project, screenplay.scene(scene_id), screenplay, options.sound,
                                    frame_rate=options.render.fps)
    keyframe, sound = done["keyframe"], done["sound"]
    request = plan_clip(screenplay, scene_id, keyframe, sound.duration, options)
    clip = make_clip(store, project, request, options, keyframe, attempt=attempt("clip"))
    return SceneRenders(scene_id=scene_id, keyframe=keyframe, sound=sound, clip=clip)
