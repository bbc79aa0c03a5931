"""Benchmark: peak memory and time of ``companion transcribe`` under each heap setting that
``companion.heap.settle`` was chosen from, on one generated interview.

It writes the espeak-ng interview of ``transcribe_long.py`` (``--minutes``, one channel) and
runs ``companion --study DIR transcribe 1 --threads N`` once per row, each a fresh process
with the constants of :mod:`companion.heap` replaced before the CLI starts (the first row,
"glibc defaults", with :func:`settle` doing nothing: the baseline, in the same command).
Prints peak RSS, wall and CPU time, and each as a ratio to the baseline.

    .venv/bin/python benchmarks/heap_settings.py [--minutes 30] [--threads 2]

Needs espeak-ng and the offline model (``scripts/setup.sh test``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.support
sys.path.insert(0, str(Path(__file__).resolve().parent))

from transcribe_long import measured, write_interview
from transcribe_speed import setup_study

MB = 2**20
# name: (arenas, mapping threshold, trim threshold); None leaves glibc's default
SETTINGS: dict[str, tuple[int | None, int | None, int | None] | None] = {
    "glibc defaults": None,
    "one arena": (1, None, None),
    "two arenas": (2, None, None),
    "two arenas, 1 MB mapping": (2, 1 * MB, None),
    "two arenas, 4 MB mapping": (2, 4 * MB, None),
    "two arenas, 16 MB mapping": (2, 16 * MB, None),
    "two arenas, 4 MB mapping, 64 MB trim (settle)": (2, 4 * MB, 64 * MB),
}

RUN = """
import ast, sys
import companion.heap as heap
setting = ast.literal_eval(sys.argv[1])
if setting is None:
    heap.settle = lambda: None
else:
    libc = heap._libc()
    def settle():
        for option, value in zip((heap._M_ARENA_MAX, heap._M_MMAP_THRESHOLD,
                                  heap._M_TRIM_THRESHOLD), setting):
            if value is not None and libc is not None:
                libc.mallopt(option, value)
    heap.settle = settle
import companion.transcribe.engine as engine
engine.settle = heap.settle
from companion.cli import main
sys.argv = ["companion", *sys.argv[2:]]
sys.exit(main())
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("COMPANION_WHISPER_MODEL", None)
    print(f"load average at start {os.getloadavg()[0]:.2f} (1 min), {args.threads} threads")
    print("| setting | peak RSS | wall | CPU | peak × defaults | wall × defaults |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="companion-bench-heap-settings-") as tmp_name:
        tmp = Path(tmp_name)
        flac = tmp / "interview.flac"
        write_interview(flac, args.minutes, 1)
        baseline = None
        for index, (name, setting) in enumerate(SETTINGS.items()):
            study = tmp / f"study-{index}"
            setup_study(study, flac)
            run = measured([sys.executable, "-c", RUN, repr(setting), "--study", str(study),
                            "transcribe", "1", "--threads", str(args.threads), "--json"], env)
            baseline = baseline or run
            print(f"| {name} | {run.peak_mb:.0f} MB | {run.wall_s:.0f} s | {run.cpu_s:.0f} s | "
                  f"{run.peak_mb / baseline.peak_mb:.2f} | {run.over(baseline):.2f} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
