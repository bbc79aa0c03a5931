"""Benchmark: peak memory of the speaker separation of a long mono interview, 30 against
150 minutes (or the lengths given).

The interview is real recorded speech (the ``allison / librivox`` conversation of
``tests/support/conversations.py``, a woman and a man, repeated to the length asked, with a
different room noise in every repeat), written as a 16-bit WAV, with a transcript of one
word per 0.4 s of each turn stored as a transcription would store it. In a fresh process
per length, :func:`companion.speakers.session.separate_session` runs the way
``companion transcribe`` runs it (no enrolled voice); the process's peak resident memory is
read from the kernel after it. A first process that only imports the same modules and
opens the study gives the baseline (Python, numpy, PyAV, sqlite), so the separation's own
share is the difference.

Done when (exit 1 otherwise): the separation's own peak at the longest length is within
10 % (or 20 MB, whichever is larger) of the shortest's, i.e. flat in the audio's length.

    .venv/bin/python benchmarks/speakers_memory.py [--minutes 30 150]

Needs the test data (``scripts/setup.sh test``); about 300 MB of temporary disk for 150
minutes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.support

RATE = 16_000

CHILD = r"""
import json, resource, sys, time
from companion.study import open_study
from companion.speakers.session import separate_session
study = open_study(sys.argv[1])
db = study.db()
started = time.perf_counter()
summary = {}
if sys.argv[2] == "separate":
    summary = separate_session(study, db, 1)
seconds = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"peak_mb": peak_kb / 1024, "seconds": seconds,
                  "confidence": summary.get("confidence")}))
"""


def build_study(folder: Path, minutes: float) -> Path:
    """A study whose session 1 is ``minutes`` of the conversation, repeated, transcribed."""
    from companion.store.db import now_iso
    from companion.store.participants import add_participant
    from companion.store.sessions import new_session
    from companion.store.transcripts import NewSegment, Word, commit_segments
    from companion.study import init_study
    from tests.support.conversations import real

    conv = real("allison", "librivox", "slow")
    study, _ = init_study(folder)
    wav = folder / "recordings" / "long.wav"
    repeats = max(1, round(minutes * 60 * RATE / len(conv.audio)))
    segments: list[NewSegment] = []
    rng = np.random.default_rng(1)
    with sf.SoundFile(wav, "w", RATE, 1, subtype="PCM_16") as out:
        for k in range(repeats):
            noise = rng.normal(0, 10 ** (-60 / 20), len(conv.audio)).astype(np.float32)
            out.write(conv.audio + noise)
            shift = k * len(conv.audio) * 1000 // RATE
            for start, end, _, _ in conv.turns:
                count = max(1, (end - start) // 400)
                step = (end - start) // count
                words = tuple(Word(" word", shift + start + i * step,
                                   shift + start + (i + 1) * step, 0.9) for i in range(count))
                segments.append(NewSegment(1, words[0].start_ms, words[-1].end_ms,
                                           "word " * count, None, -0.2, words))
    frames = repeats * len(conv.audio)
    db = study.db()
    add_participant(db, "P05")
    sid = new_session(db, "P05", protocol_id="pain-alliance", protocol_hash="bench").id
    db["recording_segments"].insert({
        "session_id": sid, "seq": 1, "path": "recordings/long.wav", "format": "wav",
        "samplerate": RATE, "channels": 1, "offset_ms": 0, "frames": frames,
        "status": "closed", "started_at": now_iso()})
    commit_segments(db, sid, segments, [], done_ms=frames * 1000 // RATE)
    db.conn.close()
    return folder


def measure(folder: Path, what: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(folder), what], check=True,
                          capture_output=True, text=True)
    measured: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[30.0, 150.0])
    args = parser.parse_args()
    rows = []
    for minutes in args.minutes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = build_study(Path(tmp) / "study", minutes)
            base = measure(folder, "open")
            run = measure(folder, "separate")
        own = run["peak_mb"] - base["peak_mb"]
        rows.append((minutes, base["peak_mb"], run["peak_mb"], own, run["seconds"]))
        print(f"{minutes:6.0f} min: peak {run['peak_mb']:6.0f} MB (baseline "
              f"{base['peak_mb']:.0f} MB, separation's own {own:.0f} MB), "
              f"{run['seconds']:.0f} s, confidence {run['confidence']}", flush=True)
    first, last = rows[0][3], rows[-1][3]
    flat = last <= first + max(20.0, 0.10 * first)
    print(f"separation's own peak: {first:.0f} MB at {rows[0][0]:.0f} min, {last:.0f} MB at "
          f"{rows[-1][0]:.0f} min ({'flat' if flat else 'GROWS'})")
    return 0 if flat else 1


if __name__ == "__main__":
    raise SystemExit(main())
