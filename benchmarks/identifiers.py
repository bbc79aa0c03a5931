"""Benchmark: finding identifiers in a 70-minute interview, Dutch and English.

Builds, per language, a session whose transcript is 70 minutes of turns (four seconds
each, 1,050 turns: the tests' own interview passages, with and without identifiers,
over and over, about 11,000 words) and measures in this one run:

- loading the detector (deduce's lists for Dutch, Faker's for English), once per process;
- searching the whole session (read, detect, store the findings), timed;
- the baseline: reading the same session as an export does (``read_session``) and running
  the study's hand-typed replacement list over it, the work every export already did;
- the ratio of the search to the baseline, and the search's share of the transcription
  it follows (70 minutes at the README's measured real-time factors: 0.11 for tiny.en,
  0.27 for the multilingual base on Dutch).

Done when the search of a 70-minute transcript takes seconds (under 30 s; exit 1
otherwise). On a shared machine the seconds vary; the ratio is taken in the same run.

    .venv/bin/python benchmarks/identifiers.py [--minutes 70] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.*

from companion.identifiers.detect import detector
from companion.identifiers.session import search_session
from companion.privacy.pseudonymise import Pseudonymiser
from companion.session.document import read_session
from companion.study import init_study
from tests.identifiers.passages import (
    DUTCH,
    DUTCH_CLEAN,
    ENGLISH,
    ENGLISH_CLEAN,
    unmark,
)
from tests.support.identifiers import SECONDS_PER_SENTENCE, transcribed_session

REAL_TIME_FACTOR = {"en": 0.11, "nl": 0.27}
HAND_LIST = {"Anna": "[name]", "Harlow": "[place]", "Henk de Boer": "[name]",
             "Assen": "[place]", "Tesco": "[employer]"}


def interview(language: str, minutes: float) -> list[str]:
    marked = ENGLISH if language == "en" else DUTCH
    clean = ENGLISH_CLEAN if language == "en" else DUTCH_CLEAN
    said = [unmark(m)[0] for m in marked]
    # Three clean turns for each one with identifiers: most of an interview names no one.
    pool = [s for pair in zip(said, *([clean] * 3), strict=False) for s in pair]
    turns = round(minutes * 60 / SECONDS_PER_SENTENCE)
    return [pool[i % len(pool)] for i in range(turns)]


def run(language: str, minutes: float, repeat: int) -> dict[str, float]:
    started = time.perf_counter()
    detector(language)
    load = time.perf_counter() - started
    root = Path(tempfile.mkdtemp()) / "study"
    study, _ = init_study(root)
    turns = interview(language, minutes)
    sid, _ = transcribed_session(
        study, turns, protocol_id="pain-alliance" if language == "en" else "pain-alliance-nl",
        language=language)
    words = sum(len(t.split()) for t in turns)
    searches, baselines = [], []
    found = 0
    for _ in range(repeat):
        with study.connected() as db:
            started = time.perf_counter()
            doc = read_session(study, db, sid)
            hand = Pseudonymiser(HAND_LIST)
            for entry in doc.entries:
                hand.apply(entry.text)
            baselines.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = search_session(study, db, sid, force=True)
            searches.append(time.perf_counter() - started)
            found = result.found
    search, baseline = min(searches), min(baselines)
    transcription = minutes * 60 * REAL_TIME_FACTOR[language]
    return {"turns": len(turns), "words": words, "found": found, "load_s": load,
            "search_s": search, "baseline_s": baseline, "ratio": search / baseline,
            "share_of_transcription": search / transcription}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=70)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ok = True
    print("| language | turns | words | found | detector load | search | baseline (read + "
          "hand list) | × baseline | share of transcription |")
    print("|---|---|---|---|---|---|---|---|---|")
    for language in ("en", "nl"):
        r = run(language, args.minutes, args.repeat)
        print(f"| {language} | {r['turns']:.0f} | {r['words']:.0f} | {r['found']:.0f} | "
              f"{r['load_s']:.1f} s | {r['search_s']:.2f} s | {r['baseline_s']:.2f} s | "
              f"{r['ratio']:.1f} | {100 * r['share_of_transcription']:.2f} % |")
        ok = ok and r["search_s"] < 30
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
