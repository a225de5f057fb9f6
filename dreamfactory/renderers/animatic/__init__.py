"""The animatic: storyboard keyframes and camera-move clips drawn with Pillow, on any machine, with no model.

A keyframe is read from the request's words: the setting picks the place, the environment and caption pick the
weather, light and props, the prompt adds small things (boats, gulls, a distant lighthouse), and the context
C(t-1) leaves traces of the previous scene's weather (clearing clouds, snow on the ground). The time of day
lights everything, the palette tints everything, and each character is drawn from its id, kind and colour words
alone, so it looks the same in every scene. The shot's framing decides how close the camera is: a wide shot shows
the place with everyone, closer shots look past a soft background at the subject, an insert at the prop.
A clip sets the keyframe in motion with the shot's camera move.

Read `frame.draw_keyframe` top to bottom for the whole keyframe; each step lives in one module:
  words      what the scene's words say: place, weather, things, the look
  stage      the time of day's light and the supersampled canvas
  sky        the sky, and fog, rain and snow over the scene
  exterior   outdoor places: sea, coast, town, market, hills, forest
  interior   rooms: walls, a window, the floor and the room's things
  places     more outdoor places: space, lakes and fjords, ponds, farms, towers, castles, cabins, rooftops
  rooms      more rooms: cave, greenhouse, garage; kitchen, cabin, classroom, hall and living room furniture
  designs    a character's fixed design, from its id, kind and colour words
  figures    a design drawn as a standing figure (people), or a sprite of any kind
  creatures  animals, robots, dragons and creatures: each kind's silhouette in its colours
  cast       where the characters stand as the shot's framing says, and painting them on the stage
  props      the prop of an insert shot, drawn large (the rest by their broad shape, labelled with their name)
  lettering  caption, scene tag, name labels, model sheet header
  frame      composing, grading and lettering a keyframe; the AnimaticKeyframes backend
  clips      camera moves, fades and H.264 encoding; the AnimaticClips backend
  paint      named colours, mixing, and small drawing helpers shared by all
"""

from __future__ import annotations

from . import props
from .cast import cast_layout, figure_boxes, insert_prop, shown_framing
from .clips import CLIP_VERSION, AnimaticClips, camera_frames, camera_window, cover_fit, frame_count
from .designs import design_of
from .figures import figure_sprite
from .frame import KEYFRAME_VERSION, AnimaticKeyframes, draw_keyframe
from .lettering import caption_box, caption_layout
from .paint import COLOURS, HAIR_COLOURS
from .stage import supersample
from .words import read_look, read_scenery

__all__ = [
    "AnimaticClips", "AnimaticKeyframes", "CLIP_VERSION", "COLOURS", "HAIR_COLOURS", "KEYFRAME_VERSION",
    "camera_frames", "camera_window", "caption_box", "caption_layout", "cast_layout", "cover_fit", "design_of",
    "draw_keyframe", "figure_boxes", "figure_sprite", "frame_count", "insert_prop", "props", "read_look",
    "read_scenery", "shown_framing", "supersample",
]
