"""Run one command and report its wall time and the peak RSS of its largest process (not a test)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    started = time.perf_counter()
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"rc": done.returncode, "wall_s": wall, "peak_rss_mib": peak_kib / 1024, "stdout": done.stdout,
                      "stderr_tail": done.stderr[-2000:]}))


if __name__ == "__main__":
    main()
