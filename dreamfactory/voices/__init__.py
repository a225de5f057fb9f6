"""Voices, timing and the sound mix: cast voices, speak each scene's lines, mix the soundtrack, mux the film.

    cast = cast_voices(screenplay)                                 # every speaker gets a voice; cast.notes
    sound = voice_scene(store, project, scene, cast.screenplay, options.sound)   # per scene, before its clip
    mix_soundtrack([(store.local_file(s.key), s.duration) for s in sounds], music, loudness, out_wav)
    mux(video_mp4, out_wav, srt(film_cues(sounds)), film_mp4)
"""

from .audio import SAMPLE_RATE
from .casting import appearance_gender, cast_voices, check_voices
from .engines import ENGINES, VoiceError, available_voices, describe_voices, get_engine, use_engine, voice_problem
from .mix import clip_sound_bed, measure_loudness, media_seconds, mix_soundtrack, mux, streams
from .speech import line_key, speakable, split_for_speech, synthesize, synthesize_line
from .timing import film_cues, srt, voice_scene

__all__ = [
    "SAMPLE_RATE", "appearance_gender", "cast_voices", "check_voices", "ENGINES", "VoiceError",
    "available_voices", "describe_voices", "get_engine", "use_engine", "voice_problem",
    "clip_sound_bed", "measure_loudness", "media_seconds", "mix_soundtrack", "mux", "streams", "line_key", "speakable",
    "split_for_speech", "synthesize", "synthesize_line", "film_cues", "srt",
    "voice_scene",
]
