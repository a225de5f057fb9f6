"""espeak-ng: the robotic fallback engine (GPL program, run as a separate process; Debian: apt install espeak-ng).

Voice ids are espeak-ng's own: a language ('en-us', 'en-gb-scotland') with an optional variant
('en-us+f3', 'en-gb+m1'). Many variants of both genders make it useful to tell characters apart.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .audio import read_wav
from .engines import VoiceError, model_hash

INSTALL = "install espeak-ng (Debian/Ubuntu: apt-get install espeak-ng; macOS: brew install espeak-ng)"
BASE_WPM = 175  # espeak-ng's default speed; rate 1.0 speaks at it
# Voices worth casting, best first, alternating female and male across accents so neighbours differ.
CASTING = [
    "en-us+f3", "en-us+m3", "en-gb+f4", "en-gb+m1", "en-us+f2", "en-us+m7", "en-gb-x-rp+f5", "en-gb-x-rp+m4",
    "en-us+f1", "en-gb-scotland+m2", "en-gb-scotland+f3", "en-029+m5", "en-us+grandma", "en-us+grandpa",
]


def _binary() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


@functools.cache
def _listing(binary: str) -> tuple[str, dict[str, str | None], dict[str, str | None], str]:
    """(version line, language -> gender, variant -> gender, data folder) from espeak-ng itself."""
    def table(*args):
        out = subprocess.run([binary, *args], capture_output=True, text=True, check=True).stdout.splitlines()[1:]
        rows = {}
        for line in out:
            cols = line.split()
            if len(cols) >= 5 and not cols[4].startswith("mb/"):  # mbrola voices need mbrola installed
                gender = {"F": "female", "M": "male"}.get(cols[2].split("/")[-1])
                key = cols[4].split("/")[-1] if cols[1] == "variant" else cols[1]
                rows.setdefault(key, gender)
        return rows

    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    data = version.split("Data at:")[-1].strip() if "Data at:" in version else ""
    return version.split("Data at:")[0].strip(), table("--voices"), table("--voices=variant"), data


class EspeakEngine:
    name = "espeak"
    licence = "GPL-3.0 (separate program, called as a process)"

    def _info(self):
        binary = _binary()
        return (binary, *_listing(binary)) if binary else None

    def _split(self, voice_id: str) -> tuple[str, str | None]:
        language, _, variant = voice_id.partition("+")
        return language, variant or None

    def missing(self, voice_id: str) -> str | None:
        info = self._info()
        if info is None:
            return f"espeak voice {voice_id or ''!r} needs espeak-ng: {INSTALL}"
        _, _, languages, variants, _ = info
        language, variant = self._split(voice_id)
        if language not in languages:
            return f"espeak-ng has no language {language!r}; try en-us, en-gb, en-gb-scotland, en-gb-x-rp or en-029"
        if variant is not None and variant not in variants:
            return f"espeak-ng has no variant {variant!r}; try f1-f5, m1-m8, grandma or grandpa (e.g. en-us+f3)"
        return None

    def voices(self) -> list[str]:
        info = self._info()
        if info is None:
            return []
        _, _, languages, variants, _ = info
        english = sorted(l for l in languages if l.startswith("en"))
        return english + [f"en-us+{v}" for v in sorted(variants)]

    def casting_voices(self) -> list[str]:
        return [v for v in CASTING if self._info() and self.missing(v) is None]

    def gender(self, voice_id: str) -> str | None:
        info = self._info()
        if info is None:
            return None
        _, _, languages, variants, _ = info
        language, variant = self._split(voice_id)
        return variants.get(variant) if variant else languages.get(language)

    def identity(self, voice_id: str) -> dict:
        _, version, _, _, data = self._info()
        language, variant = self._split(voice_id)
        files = [Path(data) / "phondata", Path(data) / f"{language.split('-')[0]}_dict"]
        if variant:
            files.append(Path(data) / "voices" / "!v" / variant)
        return {"engine": self.name, "version": version, "data": [model_hash(f) for f in files if f.is_file()]}

    def speak(self, text: str, voice_id: str, rate: float) -> tuple[np.ndarray, int, float]:
        wpm = int(round(min(450, max(80, BASE_WPM * rate))))
        with tempfile.TemporaryDirectory(prefix="dreamfactory-espeak-") as tmp:
            out = Path(tmp) / "line.wav"
            proc = subprocess.run([_binary(), "-v", voice_id, "-s", str(wpm), "-w", str(out)],
                                  input=text.encode("utf-8"), capture_output=True)
            if proc.returncode != 0 or not out.exists():
                why = proc.stderr.decode(errors="replace").strip()[:200]
                raise VoiceError(f"espeak-ng failed on voice {voice_id}: {why}")
            samples, sample_rate = read_wav(out)
        return samples, sample_rate, wpm / BASE_WPM
