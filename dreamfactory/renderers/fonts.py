"""The typeface of captions and labels: Roboto shipped with the package, Debian's DejaVu, then Pillow's own."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@lru_cache(maxsize=1)
def _font_files() -> tuple[str, Path | None, Path | None]:
    """(family, regular file, bold file) of the first typeface found; (\"pillow-default\", None, None) if none."""
    try:
        import font_roboto  # a dependency: its TTFs have every Latin accent, so "Zoë" is never boxes

        files = getattr(font_roboto, "font_files", {})
        regular, bold = files.get("Roboto"), files.get("RobotoBold")
        if regular and bold and Path(regular).is_file() and Path(bold).is_file():
            return "roboto", Path(regular), Path(bold)
    except ImportError:
        pass
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.is_file():
        return "dejavu", regular, bold if bold.is_file() else regular
    return "pillow-default", None, None


def font_family() -> str:
    """Which typeface `font` draws with ('roboto', 'dejavu' or 'pillow-default'): it changes pixels, so keys hash it."""
    return _font_files()[0]


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The caption typeface at `size` pixels."""
    family, regular, heavy = _font_files()
    path = heavy if bold else regular
    if path is None:
        return ImageFont.load_default(size=size)  # last resort: no accented glyphs
    return ImageFont.truetype(str(path), size=max(1, int(size)))
