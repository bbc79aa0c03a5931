"""Benchmark: the exports of a long interview, in time and memory.

Makes a study with one session of ``--minutes`` (default 120) recorded as the recorder
writes it (FLAC, 48 kHz, ``--channels`` 2 by default), a transcript of it (a turn every
few seconds with its word times, a pause between turns, a note every two minutes), then
times, as whole processes started from the shell, ``companion export 1 --format qdpx``
(the project with the session's audio inside, as 16-bit WAV) and ``--format docx``, and
takes each one's peak resident memory (its own ``ru_maxrss``).

Done when each export takes under a minute and peaks below the size of the audio it puts
in the project (which is then never held in memory, let alone twice). With
``--baseline-src DIR`` (another checkout's ``src``, e.g. main's) that code's exports are
measured too.

    .venv/bin/python benchmarks/export_long.py [--minutes 120] [--channels 1|2]
        [--baseline-src DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import zipfile
from dataclasses import asdict
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.support
sys.path.insert(0, str(Path(__file__).resolve().parent))

from transcribe_long import Measured, measured
from transcribe_speed import ANSWERS, QUESTIONS, setup_study

RATE = 48_000
LIMIT_S = 60.0


def write_noise(path: Path, minutes: float, channels: int) -> None:
    """``minutes`` of quiet room noise with a tone now and then, written block by block."""
    rng = np.random.default_rng(3)
    block = RATE * 10
    with sf.SoundFile(path, "w", RATE, channels, format="FLAC", subtype="PCM_16") as out:
        for index in range(round(minutes * 6)):
            noise = rng.normal(0, 0.003, (block, channels)).astype(np.float32)
            if index % 3 == 0:
                noise[: RATE, 0] += 0.2 * np.sin(np.arange(RATE) * 2 * np.pi * 220 / RATE)
            out.write(noise)


def add_transcript(root: Path, minutes: float) -> tuple[int, int]:
    """A finished transcript of the session: (segments, words)."""
    from companion.store.db import transaction
    from companion.store.notes import add_note
    from companion.store.transcripts import (
        NewSegment,
        Pause,
        Word,
        begin_transcript,
        commit_segments,
        finish_transcript,
    )
    from companion.study.folder import Study

    rng = random.Random(11)
    total = round(minutes * 60_000)
    db = Study(root).db()
    begin_transcript(db, 1, model="tiny.en", language="en", total_ms=total)
    rows, pauses, words_total = [], [], 0
    at, turn = 500, 0
    while at < total - 20_000:
        text = rng.choice(QUESTIONS if turn % 2 == 0 else ANSWERS)
        words = []
        for token in text.split():
            words.append(Word(" " + token, at, at + 280, 0.9))
            at += 330
        rows.append(NewSegment(1, words[0].start_ms, words[-1].end_ms, text,
                               "I" if turn % 2 == 0 else "P01", -0.3, tuple(words)))
        words_total += len(words)
        gap = rng.choice([800, 1200, 2500, 4000])
        pauses.append(Pause(at, at + gap - 200, within_segment=False))
        at += gap
        turn += 1
    with transaction(db):
        commit_segments(db, 1, rows, pauses, done_ms=total)
        for minute in range(1, int(minutes), 2):
            add_note(db, 1, kind="note", text=f"note at minute {minute}", at_ms=minute * 60_000)
    finish_transcript(db, 1, "done", done_ms=total)
    db.conn.close()
    return len(rows), words_total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=120.0)
    parser.add_argument("--channels", type=int, default=2, choices=(1, 2))
    parser.add_argument("--baseline-src", type=Path,
                        help="another checkout's src folder (e.g. main's): its exports too")
    parser.add_argument("--json", dest="json_out", help="also write the figures to this file")
    args = parser.parse_args(argv)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    coders = {"companion": ([str(Path(sys.executable).parent / "companion")], env)}
    if args.baseline_src is not None:
        coders["baseline companion"] = (
            [sys.executable, "-m", "companion"],
            {**env, "PYTHONPATH": str(args.baseline_src.resolve())})
    print(f"load average at start {os.getloadavg()[0]:.2f} (1 min)", flush=True)
    results: dict[str, dict[str, Measured]] = {}
    with tempfile.TemporaryDirectory(prefix="companion-bench-export-") as tmp_name:
        tmp = Path(tmp_name)
        flac = tmp / "interview.flac"
        write_noise(flac, args.minutes, args.channels)
        study = tmp / "study"
        setup_study(study, flac)
        segments, words = add_transcript(study, args.minutes)
        pcm = round(args.minutes * 60 * RATE) * args.channels * 2 / 2**20
        print(f"{args.minutes:g} min, {args.channels} channel(s): FLAC "
              f"{flac.stat().st_size / 2**20:.0f} MB, {pcm:.0f} MB as 16-bit PCM; "
              f"{segments} segments, {words} words", flush=True)
        for who, (cmd, run_env) in coders.items():
            for fmt in ("qdpx", "docx"):
                out = tmp / f"{who.replace(' ', '-')}.{fmt}"
                run = measured([*cmd, "--study", str(study), "export", "1", "--format", fmt,
                                "-o", str(out)], run_env)
                results.setdefault(who, {})[fmt] = run
                size = out.stat().st_size / 2**20
                if fmt == "qdpx":
                    with zipfile.ZipFile(out) as archive:
                        wav = next(n for n in archive.namelist() if n.endswith(".wav"))
                        with archive.open(wav) as entry:
                            frames = sf.info(entry).frames
                    assert frames == round(args.minutes * 60 * RATE), frames
                print(f"  {who:18} {fmt:5} wall {run.wall_s:6.1f} s  peak {run.peak_mb:6.0f} MB"
                      f"  ({size:.0f} MB written)", flush=True)
                out.unlink()
    print(f"load average at end {os.getloadavg()[0]:.2f} (1 min)")
    print()
    print("| export | run | wall time | peak RSS |")
    print("|---|---|---|---|")
    for who, runs in results.items():
        for fmt, run in runs.items():
            print(f"| {fmt} | {who} | {run.wall_s:.1f} s | {run.peak_mb:.0f} MB |")
    checks = {}
    for fmt, run in results["companion"].items():
        checks[f"{fmt}: {run.wall_s:.1f} s < {LIMIT_S:g} s"] = run.wall_s < LIMIT_S
        checks[f"{fmt}: peak {run.peak_mb:.0f} MB < the audio as PCM, {pcm:.0f} MB"] = (
            run.peak_mb < pcm)
    print()
    for text, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {text}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(
            {"minutes": args.minutes, "channels": args.channels, "pcm_mb": round(pcm),
             "runs": {who: {fmt: {**asdict(run), "stdout": None} for fmt, run in runs.items()}
                      for who, runs in results.items()},
             "checks": checks}, indent=2) + "\n")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
