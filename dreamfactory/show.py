"""Reading a project for people: the screenplay as Markdown, the state of each shot, the film history."""

from __future__ import annotations

import base64
import io

from PIL import Image
from pydantic import BaseModel

from . import backends, layout
from .escape import markdown as md
from .film import film_history
from .renderers.base import render_key
from .contracts import Made
from .renders import plan_base, plan_keyframe
from .contracts.screenplay import Screenplay
from .settings import FilmOptions
from .store import Store


def screenplay_markdown(screenplay: Screenplay) -> str:
    b, s = screenplay.brief, screenplay.style
    names = {c.id: c.name for c in screenplay.characters}
    out = [f"# {md(b.title)}", "", f"*{md(b.logline)}*", "", f"**Genre** {md(b.genre)} · **Tone** {md(b.tone)} · "
           f"**Scenes** {len(screenplay.scenes)} · **Length** {screenplay.duration:.1f} s", "",
           f"**Look** {md(s.look)} · **Palette** {' '.join(s.palette)} · **Lens** {md(s.lens)}", "", "## Cast", ""]
    for c in screenplay.characters:
        props = f"; carries {md(', '.join(c.props))}" if c.props else ""
        voice = f"; voice {c.voice.engine}/{c.voice.voice_id}" if c.voice else ""
        out.append(f"- **{md(c.name)}** (`{c.id}`): {md(c.appearance)}; wears {md(c.wardrobe)}{props}{voice}")
    out += ["", "## Base Description", "", md(screenplay.base_description.text), "", "## Scenes", ""]
    for scene in screenplay.scenes:
        out.append(f"### {scene.index}. {md(scene.setting)} — {md(scene.time_of_day)} (`{scene.id}`, "
                   f"{scene.duration:.1f} s, camera {md(scene.camera)}, then {scene.transition})")
        out += ["", f"_{md(scene.environment)}_", "", md(scene.action), ""]
        for line in scene.dialogue:
            out.append(f"> **{md(names.get(line.speaker, line.speaker))}**: {md(line.text)}")
        if scene.dialogue:
            out.append("")
        placed = scene.shot_lines()
        for shot in scene.shots:
            who = md(", ".join(names.get(c, c) for c in shot.characters))
            said = f"; lines {', '.join(str(i + 1) for i in placed[shot.id])}" if placed[shot.id] else ""
            out.append(f"- shot `{shot.id}` {shot.framing.replace('_', ' ')}{f' of {who}' if who else ''}"
                       f"{f' ({md(shot.prop)})' if shot.prop else ''}, {md(shot.camera)}, {shot.duration:.1f} s{said}: "
                       f"{md(shot.description)} — *{md(shot.keyframe_prompt)}*")
        out.append("")
    return "\n".join(out)


class SceneState(BaseModel):
    """One shot's state in the store (named for what it was before scenes had shots)."""

    scene_id: str
    shot_id: str = ""
    setting: str
    keyframe: str  # "rendered", "to render", "waiting for the Base frame"
    clip: str
    keyframe_key: str | None = None
    clip_keys: list[str] = []


def scene_states(store: Store, project: str, screenplay: Screenplay, options: FilmOptions) -> list[SceneState]:
    """Whether each shot's keyframe for the current screenplay and settings is in the store, and its clips."""
    base_renderer = backends.keyframe_renderer(options.render)
    base_key = layout.base_frame(project, render_key(base_renderer, plan_base(screenplay, options)))
    base_ready = store.exists(layout.record(base_key))
    states = []
    base = None
    if base_ready:
        base = Made(kind="base_frame", key=base_key, sha256=store.read_json(layout.record(base_key))["sha256"], made=False)
    for scene in screenplay.scenes:
        made_clips = [k for k in store.list(f"{project}/clips/{scene.id}") if k.endswith(".mp4") and "/edges/" not in k]
        for shot in scene.shots:
            keyframe_state, kf_key = "waiting for the Base frame", None
            if base is not None:
                request = plan_keyframe(screenplay, scene.id, shot.id, base, options)
                kf_key = layout.keyframe(project, scene.id, shot.id, render_key(base_renderer, request))
                keyframe_state = "rendered" if store.exists(layout.record(kf_key)) else "to render"
            clips = [k for k in made_clips if k.rsplit("/", 1)[-1].startswith(f"{shot.id}-")]
            states.append(SceneState(scene_id=scene.id, shot_id=shot.id, setting=scene.setting, keyframe=keyframe_state,
                                     clip=f"{len(clips)} made", keyframe_key=kf_key, clip_keys=clips))
    return states


def project_text(store: Store, project: str, screenplay: Screenplay, options: FilmOptions) -> str:
    lines = [screenplay_markdown(screenplay), "## State", ""]
    for st in scene_states(store, project, screenplay, options):
        lines.append(f"- `{st.scene_id}` shot `{st.shot_id}` {st.setting}: keyframe {st.keyframe}; clips {st.clip}")
    lines += ["", "## Films", ""]
    history = film_history(store, project)
    for i, v in enumerate(history, start=1):
        latest = " (latest)" if i == len(history) else ""
        lines.append(f"{i}. {store.location(v.key)} — {v.scenes} scenes, {v.duration:.1f} s, {v.created}{latest}")
    if not history:
        lines.append("none yet")
    from .approval import waiting_for

    if waiting := waiting_for(store, project):
        lines += ["", f"**Waiting** since {waiting.since}: run {waiting.flow_run_id} shows its {waiting.gate} and renders "
                  f"{waiting.to_render} once approved: `dreamfactory approve {project}` (`--redraw s01/a`, `--edit "
                  "s01/a:framing=close_up`, `--reject`)."]
    return "\n".join(lines)


def contact_sheet_markdown(store: Store, key: str, title: str) -> str:
    """Markdown with the contact sheet embedded (a small JPEG), for a Prefect artifact."""
    image = Image.open(io.BytesIO(store.read_bytes(key))).convert("RGB")
    image.thumbnail((960, 960))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=80)
    data = base64.b64encode(buf.getvalue()).decode()
    return f"# {md(title)}: keyframes\n\n![contact sheet](data:image/jpeg;base64,{data})\n\nStored at `{store.location(key)}`."
