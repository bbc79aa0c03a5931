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
* memory over the run: resident memory of this process (recorder, feeder, reader) and of
  the live process, per 10 minutes of session time;
* recall: the share of the final transcript's words (tiny.en, beam 5, over the recorded
  file) that the live lines had.

With ``--fed-minutes N`` it first records N minutes (two hours: 120) of the same
interview, looped, fed to the recorder ``--speed`` times faster than real time in place of
the PortAudio stream (the blocks go where the audio callback puts them; the writer, the
file, the meters, the live process and the database are the real ones), beside the busy
core, and reports memory over time: a long interview in less time. Lag and overflows are
not measured there (no real-time device); they are in the real-time part.

    .venv/bin/python benchmarks/live.py --minutes 2
    .venv/bin/python benchmarks/live.py --minutes 30 --only-live   (the 30-minute overflow run)
    .venv/bin/python benchmarks/live.py --fed-minutes 120 --speed 4 --minutes 30 --only-live
Targets: lag median <= 3 s, p95 <= 15 s; 0 overflows; recorder CPU unchanged within noise;
memory flat (the mean over the last 10 minutes within 5 % of minutes 10-20, for runs of
30 minutes or more). Exit status 1 when a target is missed.
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
from typing import Any

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


class FedMicrophone:
    """Stands in for the recorder's PortAudio stream: the interview, looped, put where the
    audio callback puts its blocks, ``speed`` times faster than real time."""

    def __init__(self, rec: Any, audio: Any, speed: float) -> None:
        self.rec, self.audio, self.speed = rec, audio, speed
        self.halt = threading.Event()
        self.thread = threading.Thread(target=self._run, name="fed-microphone", daemon=True)

    def start(self) -> FedMicrophone:
        self.thread.start()
        return self

    def _run(self) -> None:
        block, rate = self.rec.blocksize, self.rec.samplerate
        started, sent, at = time.monotonic(), 0, 0
        while not self.halt.is_set():
            if at + block > len(self.audio):
                at = 0
            self.rec._inbox.blocks.put_nowait(self.audio[at:at + block].copy())
            at += block
            sent += 1
            due = started + sent * block / rate / self.speed
            self.halt.wait(max(0.0, due - time.monotonic()))

    def abort(self) -> None:
        self.halt.set()

    stop = abort

    def close(self) -> None:
        self.halt.set()


def resampled(wav: Path, rate: int) -> Any:
    """The interview as the microphone would give it: int16 at ``rate``."""
    import numpy as np
    import soundfile as sf

    data, native = sf.read(wav, dtype="float32", always_2d=True)
    times = np.arange(round(len(data) * rate / native)) / rate
    out = np.stack([np.interp(times, np.arange(len(data)) / native, data[:, c])
                    for c in range(data.shape[1])], axis=1)
    return (np.clip(out, -1, 1) * 32767).astype(np.int16)


def run_once(study: Any, sid: int, wav: Path, minutes: float, live_on: bool,
             speed: float | None = None) -> dict[str, Any]:
    """One recording of ``minutes``: from the PulseAudio microphone in real time, or fed
    at ``speed`` x real time (see FedMicrophone)."""
    import psutil

    from companion.audio.recorder import Recorder
    from companion.live.client import LiveTranscriber

    proc = psutil.Process()
    rec = Recorder(study, sid, device="pulse", channels=2, max_seconds=minutes * 60)
    if speed is not None:
        audio = resampled(wav, rec.samplerate)
        rec._open_stream = lambda device: FedMicrophone(rec, audio, speed).start()
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
    memory: list[tuple[int, float, float]] = []  # session ms, this process, live process
    stop_playing = threading.Event()

    def play() -> None:
        while not stop_playing.is_set() and not rec.finished:
            starts.append(rec.session_ms())
            subprocess.run(["paplay", "-d", "interview", str(wav)], capture_output=True)

    if speed is None:
        threading.Thread(target=play, daemon=True).start()
    polls = 0
    while not rec.wait(10 if speed is None else 2):
        sample()
        s = rec.status()
        memory.append((s.session_ms, proc.memory_info().rss / 2**20,
                       child.memory_info().rss / 2**20 if child else 0.0))
        polls += 1
        if speed is None or polls % 15 == 0:
            shown = len(live.lines) if live else 0
            print(f"  {s.session_ms / 60000:6.2f} min  overflows {s.overflows}  live lines "
                  f"{shown}  RSS {memory[-1][1]:.0f} MB, live process {memory[-1][2]:.0f} MB",
                  flush=True)
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
        "memory": memory,
        "wall": wall,
    }


def memory_report(name: str, memory: list[tuple[int, float, float]], minutes: float,
                  checks: dict[str, bool]) -> None:
    """Mean RSS per 10 minutes of session time; flat when the last 10 minutes are within
    5 % of minutes 10-20 (runs of 30 minutes or more)."""
    def mean(lo: float, hi: float, column: int) -> float | None:
        values = [m[column] for m in memory if lo * 60_000 <= m[0] < hi * 60_000]
        return statistics.fmean(values) if values else None

    print(f"memory ({name}): mean RSS per 10 minutes of session time, this process / live "
          "process")
    for lo in range(0, int(minutes), 10):
        here, there = mean(lo, lo + 10, 1), mean(lo, lo + 10, 2)
        if here is not None and there is not None:
            print(f"  {lo:3d}-{lo + 10:3d} min  {here:6.1f} MB  {there:6.1f} MB")
    if minutes < 30:
        return
    for column, who in ((1, "recorder process"), (2, "live process")):
        middle, end = mean(10, 20, column), mean(minutes - 10, minutes, column)
        if middle and end:
            checks[f"{name}: {who} memory flat, last 10 min {end:.1f} MB within 5 % of "
                   f"minutes 10-20 {middle:.1f} MB ({end / middle - 1:+.1%})"] = (
                end <= middle * 1.05)


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


def final_words(study: Any, segments: Any, until_ms: int) -> list[str]:
    """The words tiny.en (beam 5) hears in the recording's first ``until_ms``."""
    from companion.audio.decode import SAMPLE_RATE, MonoReader
    from companion.transcribe.engine import DecodeOptions, load_engine

    engine = load_engine(None, threads=2)
    said: list[str] = []
    for seg in segments:
        if seg.offset_ms >= until_ms:
            continue
        reader = MonoReader(seg.abspath(study.root))
        audio = reader.read(0, (until_ms - seg.offset_ms) * SAMPLE_RATE // 1000)
        reader.close()
        decoded, _ = engine.transcribe(audio, DecodeOptions(language="en", vad_filter=True))
        for piece in decoded:
            said += words(piece.text)
    return said


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0,
                        help="minutes per real-time run (two runs: without and with live)")
    parser.add_argument("--only-live", action="store_true",
                        help="skip the baseline run without live (halves a long run; "
                             "no recorder CPU ratio then)")
    parser.add_argument("--fed-minutes", type=float, default=0.0,
                        help="first, a run of this many minutes fed faster than real time "
                             "(memory over a long interview)")
    parser.add_argument("--recall-minutes", type=float, default=30.0,
                        help="recall over this many minutes of the real-time run at most")
    parser.add_argument("--speed", type=float, default=4.0,
                        help="how much faster than real time the fed run goes")
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
            for _ in range(3)]
    wav, truth, length_ms = make_interview(folder)
    print(f"load average at start {os.getloadavg()[0]:.2f} (1 min)", flush=True)
    stop = threading.Event()
    threading.Thread(target=busy, args=(stop, []), daemon=True).start()
    time.sleep(1)
    checks: dict[str, bool] = {}
    fed = None
    if args.fed_minutes:
        print(f"fed: {args.fed_minutes:g} min with the live transcript, {args.speed:g}x real "
              "time")
        fed = run_once(study, sids[2], wav, args.fed_minutes, live_on=True, speed=args.speed)
        print(f"fed           {args.fed_minutes:g} min of audio in {fed['wall'] / 60:.1f} min; "
              f"{len(fed['lines'])} live lines, {len(fed['skipped'])} stretch(es) skipped "
              "(the live process falls behind at this speed)", flush=True)
        memory_report("fed", fed["memory"], args.fed_minutes, checks)
    base = None
    if not args.only_live:
        print(f"baseline: recording {args.minutes:g} min without the live transcript")
        base = run_once(study, sids[0], wav, args.minutes, live_on=False)
    print(f"live: recording {args.minutes:g} min with the live transcript")
    live = run_once(study, sids[1], wav, args.minutes, live_on=True)
    stop.set()
    end_ms = int(args.minutes * 60_000)
    found, missed = lags(live["lines"], truth, live["starts"], length_ms, end_ms)
    pulse.terminate()
    pulse.wait(5)
    print(f"load average at end {os.getloadavg()[0]:.2f} (1 min)")

    # Everything measured during the recording is printed before the final transcription,
    # which takes minutes on a long run.
    print(f"phrases       {len(found)} shown, {missed} never shown; "
          f"skipped stretches {len(live['skipped'])}")
    if found:
        q = (statistics.quantiles(found, n=20, method="inclusive") if len(found) > 1
             else [found[0]] * 19)  # inclusive: a p95 never above the largest lag
        print(f"lag           median {statistics.median(found) / 1000:.2f} s, "
              f"p95 {q[18] / 1000:.2f} s, max {max(found) / 1000:.2f} s (phrase end → line)")
        checks[f"lag median {statistics.median(found) / 1000:.2f} s <= 3 s"] = (
            statistics.median(found) <= 3000)
        checks[f"lag p95 {q[18] / 1000:.2f} s <= 15 s"] = q[18] <= 15_000
    if base is None:
        print(f"overflows     with live {live['overflows']} (no baseline run: --only-live)")
        print(f"recorder CPU  with live {live['recorder_cpu']:.2f} % of one core")
    else:
        print(f"overflows     without live {base['overflows']}, with live {live['overflows']}")
        ratio = live["recorder_cpu"] / base["recorder_cpu"] if base["recorder_cpu"] else 0.0
        print(f"recorder CPU  without {base['recorder_cpu']:.2f} %, with "
              f"{live['recorder_cpu']:.2f} % of one core (ratio {ratio:.2f})")
        checks[f"overflows without live: {base['overflows']}"] = base["overflows"] == 0
    checks[f"overflows with live: {live['overflows']}"] = live["overflows"] == 0
    print(f"live process  {live['live_cpu']:.1f} % of one core (niced, one thread); "
          f"app-side feeder/reader {live['live_threads_cpu']:.2f} %", flush=True)
    memory_report("real time", live["memory"], args.minutes, checks)
    until = round(min(args.minutes, args.recall_minutes) * 60_000)
    said = final_words(study, live["segments"], until)
    heard = collections.Counter(w for ln in live["lines"] if ln.start_ms < until
                                for w in words(ln.text))
    recall = sum((collections.Counter(said) & heard).values()) / max(1, len(said))
    print(f"recall        {recall:.1%} of the final transcript's {len(said)} words (first "
          f"{until / 60_000:g} min) were in the live lines")
    print(f"files in      {folder}")
    print()
    for text, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {text}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
