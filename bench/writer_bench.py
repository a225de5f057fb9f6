"""How long the offline draft writer takes to write a story's screenplay, with spaCy and with the keyword reader alone,
side by side, and the peak RSS of each (not a test).

Each reader runs in its own fresh process, as a CLI run would: the first write pays for loading spaCy's pipeline
(once per process), the later ones show the steady cost of reading (the writer's caches are cleared before each, so
every write reads the story again). Usage:

    .venv/bin/python bench/writer_bench.py [story.txt] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(story_path: str, reader: str, repeat: int) -> dict:
    """In this process: import, write the story `repeat` times through the studio, report times and peak RSS."""
    started = time.perf_counter()
    from dreamfactory.agents.studio import Studio
    from dreamfactory.settings import FilmOptions
    from dreamfactory.store import open_store
    from dreamfactory.writers.draft import DraftWriter, cast, nlp, story

    if reader == "keywords":
        nlp.pipeline = lambda: None  # as a machine without spaCy reads
    imported = time.perf_counter() - started
    loading, loading_cpu = time.perf_counter(), time.process_time()
    name = nlp.reader_name()  # loads spaCy's pipeline here, once, when it is installed
    loaded, loaded_cpu = time.perf_counter() - loading, time.process_time() - loading_cpu
    text = Path(story_path).read_text(encoding="utf-8")
    times, cpu, scenes = [], [], 0
    for _ in range(repeat):
        story.read_story.cache_clear()
        cast._find_people.cache_clear()
        nlp.parse_sentences.cache_clear()
        with tempfile.TemporaryDirectory() as tmp:
            began, began_cpu = time.perf_counter(), time.process_time()
            screenplay = Studio(DraftWriter(), open_store(tmp), "bench", FilmOptions()).write(text)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        scenes = len(screenplay.scenes)
    return {"reader": name, "import_s": imported, "load_s": loaded, "load_cpu_s": loaded_cpu, "first_write_s": times[0],
            "write_s": statistics.median(times[1:] or times), "write_cpu_s": statistics.median(cpu[1:] or cpu),
            "load_avg": os.getloadavg()[0], "scenes": scenes,
            "cast": [c.id for c in screenplay.characters],
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("story", nargs="?", default=str(ROOT / "stories" / "lighthouse.txt"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reader", choices=["spacy", "keywords"], help=argparse.SUPPRESS)  # the child's side
    args = parser.parse_args()
    if args.reader:
        print(json.dumps(measure(args.story, args.reader, args.repeat)))
        return
    rows = {}
    for reader in ("spacy", "keywords"):
        began = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, args.story, "--repeat", str(args.repeat), "--reader", reader],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            sys.exit(f"{reader}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
        rows[reader] = {**json.loads(done.stdout.strip().splitlines()[-1]), "process_s": time.perf_counter() - began}
    print(f"story: {Path(args.story).name}, {args.repeat} writes per reader, each reader in a fresh process")
    print(f"{'':28}{'spaCy':>16}{'keywords':>16}")
    for key, label in [("reader", "reader"), ("import_s", "import dreamfactory (s)"), ("load_s", "load the reader (s)"),
                       ("load_cpu_s", "load the reader, CPU (s)"), ("first_write_s", "first write (s)"),
                       ("write_s", "write, median (s)"), ("write_cpu_s", "write, median CPU (s)"),
                       ("load_avg", "load average (1 min)"),
                       ("process_s", "whole process (s)"), ("peak_rss_mib", "peak RSS (MiB)"),
                       ("scenes", "scenes"), ("cast", "cast")]:
        values = [rows[r][key] for r in ("spacy", "keywords")]
        if key == "reader":
            print(f"{label:28}{'spaCy' if 'spaCy' in values[0] else values[0][:14]:>16}{'keywords':>16}")
            continue
        shown = [f"{v:.3f}" if isinstance(v, float) else ",".join(v) if isinstance(v, list) else str(v) for v in values]
        print(f"{label:28}{shown[0]:>16}{shown[1]:>16}")
    print(f"spaCy reader: {rows['spacy']['reader']}")


if __name__ == "__main__":
    main()
