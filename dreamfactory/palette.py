"""Colours in words: a #rrggbb code named as a painter would say it, for prompts and captions that must not carry hex.

Text-to-image models read "dark teal" and not "#1f4e5f"; the screenplay keeps codes (the renderers draw with them)
and every prompt names them with `colour_name`. The name comes from the colour's hue, lightness and saturation (HLS),
so every code gets a name and near codes get the same one.
"""

from __future__ import annotations

import colorsys
import re

# Hue bands in degrees (upper bound, name), read in order; red wraps round at 345.
_HUES = [(15, "red"), (40, "orange"), (66, "yellow"), (80, "olive green"), (160, "green"), (196, "teal"),
         (250, "blue"), (275, "violet"), (306, "purple"), (330, "magenta"), (345, "pink"), (361, "red")]


def colour_name(hex_code: str) -> str:
    """'#1f4e5f' -> 'dark teal', '#f2c94c' -> 'yellow', '#f4f4f0' -> 'white'. Raises ValueError on a bad code."""
    m = re.fullmatch(r"#?([0-9a-fA-F]{6})", hex_code.strip())
    if not m:
        raise ValueError(f"not a #rrggbb colour: {hex_code!r}")
    r, g, b = (int(m.group(1)[i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(r, g, b)
    chroma = max(r, g, b) - min(r, g, b)
    if chroma < 0.08:  # no hue to speak of: a grey
        if light < 0.16:
            return "black"
        if light < 0.33:
            return "charcoal grey"
        if light < 0.62:
            return "grey"
        if light < 0.88:
            return "light grey"
        return "white"
    degrees = hue * 360
    name = next(n for bound, n in _HUES if degrees < bound)
    if name in ("red", "orange", "yellow") and light < 0.45 and degrees < 50 and (name != "red" or sat < 0.6):
        name = "brown"  # dark orange, and dull dark red, read as brown
    elif name in ("orange", "yellow") and sat < 0.6 and light > 0.7:
        return "cream" if light > 0.88 else "beige"
    elif name == "orange" and sat < 0.5:
        name = "tan"
    elif name == "red" and light > 0.6:
        name = "pink"
    elif name == "teal" and light > 0.45:
        name = "turquoise"
    if light > 0.86:
        return f"pale {name}"
    if sat < 0.25 and name not in ("brown", "tan", "olive green"):
        name = f"greyish {name}"
    elif light < 0.22:
        name = f"dark {name}"
    elif light < 0.32 and name != "brown":
        name = f"deep {name}"
    elif light > 0.75:
        name = f"light {name}"
    return name


def colour_names(codes: list[str]) -> list[str]:
    """The names of a palette, in order, each once ('dark teal, yellow, red' for five codes may be three names)."""
    return list(dict.fromkeys(colour_name(c) for c in codes))
