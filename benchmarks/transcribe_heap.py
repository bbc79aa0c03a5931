"""Benchmark: resident memory a transcription keeps after reading a long file, with and
without handing freed memory back to the system (``companion.heap.give_back``), under
glibc's default heap and under the one a run sets (``companion.heap.settle``).

For each length in ``--minutes`` it writes the espeak-ng interview of
``transcribe_long.py`` (FLAC, 48 kHz, one channel) and, in a fresh process for each heap,
does what a run does before its first chunk: the scan (levels, the voice filter), the
silences, the voiced frames and the chunk plan. It prints the resident memory right after
(the baseline, the same process), after :func:`give_back`, and the share given back: the
growth with the file's length that the trim removes.

    .venv/bin/python benchmarks/transcribe_heap.py [--minutes 30 150]

Needs espeak-ng (``scripts/setup.sh test``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.support
sys.path.insert(0, str(Path(__file__).resolve().parent))

from transcribe_long import write_interview

PREPARE = """
import json, sys
import psutil
from companion.audio import decode
from companion.heap import give_back, settle
from companion.transcribe.chunks import SpeechFinder, plan_chunks, voiced_frames
from companion.transcribe.pauses import Silence

def rss():
    return psutil.Process().memory_info().rss / 2**20

if sys.argv[2] == "settled":
    settle()  # as a run does, when its model loads before the scan
finder = SpeechFinder()
levels = decode.scan(sys.argv[1], on_mono=finder.feed)
silence = Silence(levels.mix_db)
voiced = voiced_frames(levels.mix_db)
chunks = plan_chunks(levels.samples, silence.silent, speech=finder.regions(),
                     mix_db=levels.mix_db)
held = rss()
give_back()
print(json.dumps({"chunks": len(chunks), "held": held, "given_back": rss()}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[30, 150])
    args = parser.parse_args(argv)
    print("| minutes | heap | chunks | resident after the scan | after give_back | ratio |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="companion-bench-heap-") as tmp:
        for minutes in sorted(args.minutes):
            flac = Path(tmp) / f"interview-{minutes:g}.flac"
            write_interview(flac, minutes, 1)
            for heap in ("glibc defaults", "settled"):
                out = subprocess.run([sys.executable, "-c", PREPARE, str(flac), heap],
                                     check=True, capture_output=True, text=True).stdout
                got = json.loads(out.strip().splitlines()[-1])
                print(f"| {minutes:g} | {heap} | {got['chunks']} | {got['held']:.0f} MB | "
                      f"{got['given_back']:.0f} MB | {got['given_back'] / got['held']:.2f} |",
                      flush=True)
            flac.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
