"""Benchmark of the live transcript beside the recorder (not a test).

Starts a private PulseAudio daemon whose null sink is the microphone, plays an espeak-ng
interview on it in real time (interviewer left, participant right, known phrase ends),
and records it twice for ``--minutes`` each while a thread keeps a core busy: once
without the live transcript (the baseline) and once with it (tiny.en, one thread, niced).
Prints, for the same command:

* lag from the end of each spoken phrase to its line (median, 95th percentile);
* recorder input overflows with and without the live transcript;
* the recorder's CPU share (its writer and PortAudio threads) with and without, as a ratio;
* the live process's CPU share (and the app-side feeder/reader threads);
* recall: the share of the final transcript's words (tiny.en, beam 5, over the recorded
  file) that the live lines had.

    .venv/bin/python benchmarks/live.py --minutes 2
    .venv/bin/python benchmarks/live.py --minutes 30 --only-live   (the 30-minute overflow run)
Targets: lag median ≤ 8 s, p95 ≤ 15 s; 0 overflows; recorder CPU unchanged within noise.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from recording import busy, start_pulse  # noqa: E402  (the recorder benchmark's helpers)

RATE = 22050
PHRASES = [
    ("I", "Welcome. Can you tell me about your history with chronic pain?"),
    ("P", "My back has hurt for more than ten years."),
    ("I", "And how was the physiotherapist with you?"),
    ("P", "She was friendly. But she never really listened to me."),
    ("I", "Did you ever tell her that?"),
    ("P", "No. I did not dare to say it."),
    ("I", "What happened in the team meetings?"),
    ("P", "The doctor decided everything without asking me."),
    ("I", "How did the psychologist fit into that?"),
    ("P", "The psychologist was the only one who asked what I expected."),
]
VOICES = {"I": "en-us", "P": "en-gb+f3"}
GAPS = (1.2, 0.8, 2.0, 1.0, 3.0)


def make_interview(folder: Path) -> tuple[Path, list[tuple[int, int, str]], int]:
    """A stereo wav and its phrases as (start_ms, end_ms, text) in file time."""
    import numpy as np
    import soundfile as sf

    left, right, truth, pos = [], [], [], 0
    for index, (who, text) in enumerate(PHRASES):
        gap = np.zeros(int(GAPS[index % len(GAPS)] * RATE), dtype=np.float32)
        left.append(gap)
        right.append(gap)
        pos += len(gap)
        out = folder / f"p{index}.wav"
        subprocess.run(["espeak-ng", "-v", VOICES[who], "-s", "160", "-w", str(out), text],
                       check=True, capture_output=True)
        voice, _ = sf.read(out, dtype="float32")
        loud = np.flatnonzero(np.abs(voice) > 0.001)
        voice = voice[loud[0]: loud[-1] + 1]
        silent = np.zeros_like(voice)
        left.append(voice if who == "I" else silent)
        right.append(voice if who == "P" else silent)
        truth.append((pos * 1000 // RATE, (pos + len(voice)) * 1000 // RATE, text))
        pos += len(voice)
    tail = np.zeros(RATE, dtype=np.float32)
    stereo = np.stack([np.concatenate([*left, tail]), np.concatenate([*right, tail])], axis=1)
    path = folder / "interview.wav"
    sf.write(path, stereo, RATE, subtype="PCM_16")
    return path, truth, len(stereo) * 1000 // RATE


def words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[\w']+", text)]


def run_once(study, sid: int, wav: Path, length_ms: int, minutes: float, live_on: bool):  # type: ignore[no-untyped-def]
    import psutil

    from companion.audio.recorder import Recorder
    from companion.live.client import LiveTranscriber

    proc = psutil.Process()
    rec = Recorder(study, sid, device="pulse", channels=2, max_seconds=minutes * 60)
    before_live = {t.id for t in proc.threads()}
    live = None
    if live_on:
        live = LiveTranscriber(study, sid, samplerate=rec.samplerate, channels=2,
                               clock=rec.session_ms, labels=("I", "P1"))
        live.start()
        rec.taps.append(live.tap)
        live.wait_for(lambda t: t.state == "running", 120)
    live_threads = {t.id for t in proc.threads()} - before_live
    before = {t.id for t in proc.threads()}
    rec.start()
    time.sleep(1)
    recorder_ids = {t.id for t in proc.threads()} - before

    # CPU seconds per thread, last seen: a thread that ends during a long run takes its
    # time with it, so the totals are sampled every poll and never go backwards.
    first: dict[int, float] = {}
    last: dict[int, float] = {}

    def sample() -> None:
        for t in proc.threads():
            if t.id in recorder_ids or t.id in live_threads:
                first.setdefault(t.id, t.user_time + t.system_time)
                last[t.id] = t.user_time + t.system_time

    def cpu(ids: set[int]) -> float:
        return sum(last[i] - first[i] for i in ids if i in last)

    child = psutil.Process(live.pid) if live is not None else None
    sample()
    cpu0, live0, wall0 = cpu(recorder_ids), cpu(live_threads), time.monotonic()
    child0 = sum(child.cpu_times()[:2]) if child else 0.0
    starts: list[int] = []
    stop_playing = threading.Event()

    def play() -> None:
        while not stop_playing.is_set() and not rec.finished:
            starts.append(rec.session_ms())
            subprocess.run(["paplay", "-d", "interview", str(wav)], capture_output=True)

    player = threading.Thread(target=play, daemon=True)
    player.start()
    while not rec.wait(10):
        sample()
        s = rec.status()
        shown = len(live.lines) if live else 0
        print(f"  {s.session_ms / 60000:5.2f} min  overflows {s.overflows}  live lines "
              f"{shown}", flush=True)
    sample()
    cpu1, live1, wall1 = cpu(recorder_ids), cpu(live_threads), time.monotonic()
    child1 = sum(child.cpu_times()[:2]) if child else 0.0
    final = rec.stop()
    stop_playing.set()
    if live is not None:
        live.stop(60)
    wall = wall1 - wall0
    return {
        "overflows": final.overflows,
        "recorder_cpu": (cpu1 - cpu0) / wall * 100,
        "live_cpu": (child1 - child0) / wall * 100,
        "live_threads_cpu": (live1 - live0) / wall * 100,
        "lines": list(live.lines) if live else [],
        "skipped": list(live.skipped) if live else [],
        "starts": starts,
        "segments": rec.segments,
    }


def lags(lines, truth, starts, length_ms: int, end_ms: int) -> tuple[list[int], int]:  # type: ignore[no-untyped-def]
    """Lag (ms) from each phrase's end to the first line that covers it; phrases never
    shown are counted apart."""
    found, missed = [], 0
    for start in starts:
        for p_start, p_end, _text in truth:
            s0, s1 = start + p_start, start + p_end
            if s1 + 20_000 > end_ms:
                continue  # too close to the end of the run to have had its chance
            covering = [ln for ln in lines if ln.start_ms <= s1 + 500 and ln.end_ms >= s0]
            if not covering:
                missed += 1
                continue
            found.append(min(ln.shown_at_ms for ln in covering) - s1)
    return found, missed


def final_words(study, segments) -> list[str]:  # type: ignore[no-untyped-def]
    from companion.audio.decode import load_audio
    from companion.transcribe.engine import DecodeOptions, load_engine

    engine = load_engine(None, threads=2)
    said: list[str] = []
    for seg in segments:
        audio = load_audio(seg.abspath(study.root))
        decoded, _ = engine.transcribe(audio.mono, DecodeOptions(language="en",
                                                                 vad_filter=True))
        for piece in decoded:
            said += words(piece.text)
    return said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0,
                        help="minutes per run (two runs: without and with live)")
    parser.add_argument("--only-live", action="store_true",
                        help="skip the baseline run without live (halves a long run; "
                             "no recorder CPU ratio then)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="companion-live-bench-"))
    pulse = start_pulse(folder)
    from companion.store.participants import add_participant
    from companion.store.sessions import new_session
    from companion.study.folder import init_study

    study, _ = init_study(folder / "study")
    db = study.db()
    add_participant(db, "P1", consent_date="2024-01-01")
    sids = [new_session(db, "P1", protocol_id="bench", protocol_hash="0" * 16).id
            for _ in range(2)]
    wav, truth, length_ms = make_interview(folder)
    stop = threading.Event()
    threading.Thread(target=busy, args=(stop, []), daemon=True).start()
    time.sleep(1)
    base = None
    if not args.only_live:
        print(f"baseline: recording {args.minutes:g} min without the live transcript")
        base = run_once(study, sids[0], wav, length_ms, args.minutes, live_on=False)
    print(f"live: recording {args.minutes:g} min with the live transcript")
    live = run_once(study, sids[1], wav, length_ms, args.minutes, live_on=True)
    stop.set()
    end_ms = int(args.minutes * 60_000)
    found, missed = lags(live["lines"], truth, live["starts"], length_ms, end_ms)
    pulse.terminate()
    pulse.wait(5)

    # Everything measured during the recording is printed before the final transcription,
    # which takes minutes on a long run.
    print(f"phrases       {len(found)} shown, {missed} never shown; "
          f"skipped stretches {len(live['skipped'])}")
    if found:
        q = (statistics.quantiles(found, n=20, method="inclusive") if len(found) > 1
             else [found[0]] * 19)  # inclusive: a p95 never above the largest lag
        print(f"lag           median {statistics.median(found) / 1000:.2f} s, "
              f"p95 {q[18] / 1000:.2f} s, max {max(found) / 1000:.2f} s (phrase end → line)")
    if base is None:
        print(f"overflows     with live {live['overflows']} (no baseline run: --only-live)")
        print(f"recorder CPU  with live {live['recorder_cpu']:.2f} % of one core")
    else:
        print(f"overflows     without live {base['overflows']}, with live {live['overflows']}")
        ratio = live["recorder_cpu"] / base["recorder_cpu"] if base["recorder_cpu"] else 0.0
        print(f"recorder CPU  without {base['recorder_cpu']:.2f} %, with "
              f"{live['recorder_cpu']:.2f} % of one core (ratio {ratio:.2f})")
    print(f"live process  {live['live_cpu']:.1f} % of one core (niced, one thread); "
          f"app-side feeder/reader {live['live_threads_cpu']:.2f} %", flush=True)
    said = final_words(study, live["segments"])
    heard = collections.Counter(w for ln in live["lines"] for w in words(ln.text))
    recall = sum((collections.Counter(said) & heard).values()) / max(1, len(said))
    print(f"recall        {recall:.1%} of the final transcript's {len(said)} words were in "
          "the live lines")
    print(f"files in      {folder}")


if __name__ == "__main__":
    main()
