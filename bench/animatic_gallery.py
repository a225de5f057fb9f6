"""Contact sheets of the animatic for a person to look at, and its keyframe time at 720p.

    .venv/bin/python bench/animatic_gallery.py OUT_DIR [--size 320x180]

Writes OUT_DIR/kinds.png (every character kind in every framing), OUT_DIR/settings1.png and settings2.png (every
place at four times of day) and OUT_DIR/props.png (insert shots of common props), and prints the CPU and wall time
of a 1280x720 keyframe (a storm over a harbour market, two characters) in each framing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from PIL import Image, ImageDraw

from dreamfactory.renderers.animatic import AnimaticKeyframes
from dreamfactory.contracts import CharacterLook, KeyframeRequest

CAST = [
    CharacterLook(id="mira", name="Mira", appearance="a girl of ten with short red hair and freckles",
                  wardrobe="yellow raincoat and green boots", props=["brass lantern"]),
    CharacterLook(id="tomas", name="Tomas", kind="human", appearance="an old keeper with a white beard and glasses",
                  wardrobe="blue wool sweater, a grey cap"),
    CharacterLook(id="tom", name="Tom", kind="cat", appearance="a ginger tabby cat", wardrobe=""),
    CharacterLook(id="rex", name="Rex", kind="dog", appearance="a brown dog", wardrobe="a red collar"),
    CharacterLook(id="vix", name="Vix", kind="fox", appearance="a rust-red fox", wardrobe=""),
    CharacterLook(id="grey", name="Grey", kind="wolf", appearance="a grey wolf", wardrobe=""),
    CharacterLook(id="hoot", name="Hoot", kind="owl", appearance="a grey owl", wardrobe=""),
    CharacterLook(id="robin", name="Robin", kind="bird", appearance="a robin with a red breast", wardrobe=""),
    CharacterLook(id="bun", name="Bun", kind="rabbit", appearance="a white rabbit", wardrobe="a blue scarf",
                  props=["a basket"]),
    CharacterLook(id="hazel", name="Hazel", kind="hedgehog", appearance="a small hedgehog", wardrobe=""),
    CharacterLook(id="pip", name="Pip", kind="mouse", appearance="a brown mouse", wardrobe="",
                  props=["a tiny lantern"]),
    CharacterLook(id="star", name="Star", kind="horse", appearance="a chestnut horse with a black mane", wardrobe=""),
    CharacterLook(id="goldie", name="Goldie", kind="fish", appearance="a golden fish", wardrobe=""),
    CharacterLook(id="bruno", name="Bruno", kind="bear", appearance="a big brown bear", wardrobe=""),
    CharacterLook(id="ember", name="Ember", kind="dragon", appearance="a green dragon", wardrobe=""),
    CharacterLook(id="bolt", name="Bolt", kind="robot", appearance="a dented silver robot", wardrobe=""),
    CharacterLook(id="glim", name="Glim", kind="creature", appearance="a furry purple creature", wardrobe=""),
]
FRAMINGS = ("wide", "medium", "close_up", "over_the_shoulder", "insert", "reaction")
SETTINGS = (
    "the kitchen", "a cluttered garage", "a log cabin by a frozen fjord", "a still lake", "the village pond",
    "the frozen fjord", "a pine forest", "a farm with a red barn", "a grassy hill", "the old stone tower",
    "the greenhouse", "a rooftop over the city", "a busy street", "the market square", "the harbour",
    "a sandy beach", "a snowy mountain pass", "a dark cave", "the castle courtyard", "the school classroom",
    "a space station orbiting a planet", "Grandma's house", "somewhere inside", "somewhere outside",
)
TIMES = ("dawn", "noon", "dusk", "night")
PROPS = ("a brass lantern", "a rusty key", "a letter", "a red book", "a seed", "a map", "a toy boat", "a cup of tea",
         "a flower", "a sword", "a phone", "a shell", "a gold coin", "a bottle", "a pocket watch", "a candle",
         "an apple", "a crown", "a crystal", "a treasure chest", "a feather", "an umbrella", "a basket",
         "a compass", "a ball", "a drum", "his drumsticks", "a guitar", "a trumpet", "a bell", "the microphone",
         "a kite", "a birthday cake", "a loaf of bread", "a fish", "a camera", "a strange gadget")


def request(**changes) -> KeyframeRequest:
    fields = dict(scene_id="s01", prompt="", caption="", setting="a grassy hill", time_of_day="afternoon",
                  environment="", look="storybook watercolour", palette=("#f4c430", "#1d3557", "#e63946", "#a8dadc"),
                  characters=(), seed=3, width=320, height=180)
    return KeyframeRequest(**{**fields, **changes})


def sheet(tiles: list[list[tuple[str, Image.Image]]], path: Path) -> None:
    w, h = tiles[0][0][1].size
    out = Image.new("RGB", (len(tiles[0]) * (w + 4), len(tiles) * (h + 16)), (255, 255, 255))
    draw = ImageDraw.Draw(out)
    for r, row in enumerate(tiles):
        for c, (label, tile) in enumerate(row):
            out.paste(tile, (c * (w + 4), r * (h + 16) + 14))
            draw.text((c * (w + 4) + 2, r * (h + 16) + 1), label[:48], fill=(0, 0, 0))
    out.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", default="320x180")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    renderer = AnimaticKeyframes()
    kinds = []
    for character in CAST[2:] + CAST[:2]:
        partner = CAST[0] if character is not CAST[0] else CAST[1]
        kinds.append([(f"{character.kind} {framing}", renderer.render(request(
            framing=framing, characters=(character, partner), width=width, height=height,
            setting="a meadow by the forest"), None)) for framing in FRAMINGS])
    sheet(kinds, args.out / "kinds.png")
    places = [[(f"{setting} / {t}", renderer.render(request(setting=setting, time_of_day=t, width=width,
                                                              height=height), None)) for t in TIMES]
              for setting in SETTINGS]
    sheet(places[:12], args.out / "settings1.png")
    sheet(places[12:], args.out / "settings2.png")
    props = [[(prop, renderer.render(request(framing="insert", prop=prop, width=width, height=height,
                                             setting="the kitchen"), None)) for prop in PROPS[i:i + 6]]
             for i in range(0, len(PROPS), 6)]
    sheet(props, args.out / "props.png")
    for framing in FRAMINGS:
        big = request(width=1280, height=720, characters=(CAST[0], CAST[1]), framing=framing, prop="a brass lantern",
                      setting="the harbour town market", environment="a storm with rain", caption="Mira waits.")
        renderer.render(big, None)
        wall, cpu = [], []
        for seed in range(5):
            start, start_cpu = time.perf_counter(), time.process_time()
            renderer.render(big.model_copy(update={"seed": seed}), None)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        # on a shared machine the wall time is mostly waiting for a core; CPU time is what an idle one would take
        print(f"1280x720 {framing:18s} CPU min {min(cpu) * 1000:.0f} ms, median {statistics.median(cpu) * 1000:.0f} ms;"
              f" wall median {statistics.median(wall) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
