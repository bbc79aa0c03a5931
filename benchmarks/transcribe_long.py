"""Benchmark: peak memory and time of ``companion transcribe`` on long interviews, against
bare faster-whisper in the same run (``benchmarks/transcribe.py --minutes`` hands over here).

For each length in ``--minutes`` it writes an espeak-ng interview of that many minutes as
the recorder writes one (FLAC, 48 kHz, ``--channels`` 1 by default: one microphone), block
by block, and for each model in ``--models`` (tiny.en and the multilingual base) times, as
whole processes started from the shell, one after the other:

1. ``companion --study DIR transcribe 1 --threads N --model M`` (CLI start, model load,
   scan, decoding, guard, segments, pauses, speakers, database writes);
2. a bare faster-whisper script: same model, int8, threads, beam size 5, word timestamps,
   ``vad_filter=True``, iterating the segments of the file;
3. with ``--baseline-src DIR`` (another checkout's ``src``, e.g. main's), that code's
   ``companion transcribe`` the same way, for lengths up to ``--baseline-up-to``.

Each process's peak resident memory is its own ``ru_maxrss`` (``wait4``); its RSS is also
sampled every second, to show whether it climbs during the run. Reported per model and
length: peak RSS, wall and CPU time, and the wall-time ratio to bare faster-whisper.

Done when, at the longest length, companion's peak is at most 600 MB with tiny.en and
800 MB with base, within 10 % of its peak at the shortest length, and (with a baseline) its
ratio to bare no more than 5 % above the baseline's ratio at the same length.

    .venv/bin/python benchmarks/transcribe.py --minutes 30 150 [--models tiny.en,base]
        [--channels 1|2] [--threads N] [--baseline-src DIR] [--baseline-up-to 30]
        [--bare-up-to 30]
        [--json FILE]

Needs espeak-ng and the offline models (``scripts/setup.sh test``). Exit status 1 when a
condition is not met.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.support
sys.path.insert(0, str(Path(__file__).resolve().parent))

from transcribe_speed import ANSWERS, QUESTIONS, VOICES, setup_study

from tests.support.espeak import espeak

RATE = 48_000
LIMITS_MB = {"tiny.en": 600, "base": 800}
FLAT = 0.10
SLOWER = 0.05

BARE = """
import sys
from faster_whisper import WhisperModel
model_path, audio, threads, language = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
model = WhisperModel(model_path, device="cpu", compute_type="int8", cpu_threads=threads)
segments, info = model.transcribe(audio, language=language, beam_size=5, vad_filter=True,
                                  word_timestamps=True)
print(sum(1 for _ in segments))
"""


def write_interview(path: Path, minutes: float, channels: int, *, seed: int = 5) -> float:
    """An espeak-ng interview of about ``minutes`` (turns of two voices, silences of
    0.3-6 s between them, about a third of it silent) written to ``path`` turn by turn, so
    the benchmark itself never holds it. Returns its length in seconds."""
    rng = random.Random(seed)
    cache: dict[tuple[str, str], np.ndarray] = {}
    target = int(minutes * 60 * RATE)
    written = 0
    turn = 0
    with sf.SoundFile(path, "w", RATE, channels, format="FLAC", subtype="PCM_16") as out:
        while written < target:
            who = "I" if turn % 2 == 0 else "P"
            text = rng.choice(QUESTIONS if who == "I" else ANSWERS)
            if (who, text) not in cache:
                cache[(who, text)] = espeak(text, VOICES[who], speed=160, rate=RATE)
            voice = cache[(who, text)]
            gap = np.zeros(int(rng.choice([0.3, 0.5, 0.8, 1.0, 1.5, 3.0, 6.0]) * RATE),
                           np.float32)
            said = np.concatenate([gap, voice])
            if channels == 2:
                silent = np.zeros_like(said)
                said = np.stack([said, silent] if who == "I" else [silent, said], axis=1)
            out.write(said)
            written += len(said)
            turn += 1
    return written / RATE


@dataclass
class Measured:
    wall_s: float
    cpu_s: float
    peak_mb: float  # ru_maxrss of the process
    rss_mb: list[float] = field(default_factory=list)  # sampled every second
    stdout: str = ""

    def over(self, bare: Measured) -> float:
        """Wall time as a multiple of ``bare``'s."""
        return self.wall_s / bare.wall_s

    def over_text(self, bare: Measured | None, digits: int = 3) -> str:
        """:meth:`over` for printing: "not run" when bare was left out at this length."""
        return "not run" if bare is None else f"{self.over(bare):.{digits}f}"

    def climb(self) -> str:
        """RSS at a quarter, half, three quarters and the end of the run."""
        if not self.rss_mb:
            return "-"
        n = len(self.rss_mb)
        return " / ".join(f"{self.rss_mb[min(n - 1, n * k // 4)]:.0f}" for k in (1, 2, 3, 4))


def measured(cmd: list[str], env: dict[str, str]) -> Measured:
    """Run ``cmd`` to its end: wall and CPU time, its own peak RSS, RSS every second."""
    import psutil

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        watch = psutil.Process(child.pid)
        samples: list[float] = []
        polls = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if polls % 10 == 0:
                with contextlib.suppress(psutil.Error):  # it ended between the two calls
                    rss = watch.memory_info().rss / 2**20
                    if rss:  # an ended process not yet waited for has none
                        samples.append(rss)
            polls += 1
            time.sleep(0.1)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(cmd[:4])}… failed ({child.returncode}):\n"
                             + err.read().decode(errors="replace")[-3000:])
        return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                        samples, out.read().decode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", required=True)
    parser.add_argument("--models", default="tiny.en,base")
    parser.add_argument("--channels", type=int, default=1, choices=(1, 2))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline-src", type=Path,
                        help="another checkout's src folder (e.g. main's): its companion too")
    parser.add_argument("--baseline-up-to", type=float, default=float("inf"),
                        help="run the baseline only on lengths up to this many minutes")
    parser.add_argument("--bare-up-to", type=float, default=float("inf"),
                        help="run bare faster-whisper only on lengths up to this many minutes "
                             "(it holds the whole file: 150 minutes of base take long)")
    parser.add_argument("--json", dest="json_out", help="also write the figures to this file")
    args = parser.parse_args(argv)

    from companion.models.resolve import default_model, resolve_model

    models: dict[str, tuple[str, list[str]]] = {}  # name: (folder, companion's flags)
    for name in args.models.split(","):
        # tiny.en is the offline package's, what an English session gets with no --model
        # (by name it would be the hub's); a folder named would not be known as small
        offline = default_model() if name == "tiny.en" else None
        choice = offline or resolve_model(name)
        if not choice.is_local:
            print(f"{name} is not on this machine (the benchmark never downloads)",
                  file=sys.stderr)
            return 2
        models[name] = (choice.source, [] if offline else ["--model", name])
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("COMPANION_WHISPER_MODEL", None)
    companion = [str(Path(sys.executable).parent / "companion")]
    baseline = None
    if args.baseline_src is not None:
        baseline = [sys.executable, "-m", "companion"]
        base_env = {**env, "PYTHONPATH": str(args.baseline_src.resolve())}
    lengths = sorted(args.minutes)
    print(f"load average at start {os.getloadavg()[0]:.2f} (1 min), {args.threads} threads, "
          f"{args.channels} channel(s), FLAC {RATE} Hz", flush=True)
    results: dict[str, dict[float, dict[str, Measured]]] = {}
    with tempfile.TemporaryDirectory(prefix="companion-bench-long-") as tmp_name:
        tmp = Path(tmp_name)
        for minutes in lengths:
            flac = tmp / f"interview-{minutes:g}.flac"
            seconds = write_interview(flac, minutes, args.channels)
            print(f"{minutes:g} min: {seconds:.0f} s of audio, "
                  f"{flac.stat().st_size / 2**20:.0f} MB of FLAC", flush=True)
            for name, (path, flags) in models.items():
                runs = results.setdefault(name, {}).setdefault(minutes, {})
                study = tmp / f"study-{name}-{minutes:g}"
                setup_study(study, flac)
                runs["companion"] = measured(
                    [*companion, "--study", str(study), "transcribe", "1", "--threads",
                     str(args.threads), "--json", *flags], env)
                if minutes <= args.bare_up_to:
                    runs["bare faster-whisper"] = measured(
                        [sys.executable, "-c", BARE, path, str(flac), str(args.threads), "en"],
                        env)
                if baseline is not None and minutes <= args.baseline_up_to:
                    study = tmp / f"baseline-{name}-{minutes:g}"
                    setup_study(study, flac)
                    runs["baseline companion"] = measured(
                        [*baseline, "--study", str(study), "transcribe", "1", "--threads",
                         str(args.threads), "--json", *flags], base_env)
                bare = runs.get("bare faster-whisper")
                for who, run in runs.items():
                    print(f"  {name:8} {who:20} peak {run.peak_mb:6.0f} MB  "
                          f"wall {run.wall_s:7.1f} s  CPU {run.cpu_s:7.1f} s  "
                          f"x bare {run.over_text(bare)}  RSS over the run {run.climb()} MB",
                          flush=True)
            flac.unlink()
    print(f"load average at end {os.getloadavg()[0]:.2f} (1 min)")
    print()
    print("| model | minutes | run | peak RSS | RSS at 1/4, 1/2, 3/4, end | wall time "
          "| CPU time | × bare |")
    print("|---|---|---|---|---|---|---|---|")
    for name, by_length in results.items():
        for minutes, runs in by_length.items():
            bare = runs.get("bare faster-whisper")
            for who, run in runs.items():
                print(f"| {name} | {minutes:g} | {who} | {run.peak_mb:.0f} MB | "
                      f"{run.climb()} MB | {run.wall_s:.0f} s | {run.cpu_s:.0f} s | "
                      f"{run.over_text(bare, 2)} |")
    checks: dict[str, bool] = {}
    longest, shortest = lengths[-1], lengths[0]
    for name, by_length in results.items():
        peak = by_length[longest]["companion"].peak_mb
        limit = LIMITS_MB.get(name)
        if limit is not None:
            checks[f"{name}: peak at {longest:g} min {peak:.0f} MB <= {limit} MB"] = (
                peak <= limit)
        if longest != shortest:
            first = by_length[shortest]["companion"].peak_mb
            checks[f"{name}: peak at {longest:g} min within {FLAT:.0%} of {shortest:g} min "
                   f"({peak:.0f} vs {first:.0f} MB)"] = peak <= first * (1 + FLAT)
        for minutes, runs in by_length.items():
            if "baseline companion" in runs and "bare faster-whisper" in runs:
                bare = runs["bare faster-whisper"]
                ours, theirs = runs["companion"].over(bare), runs["baseline companion"].over(bare)
                checks[f"{name}, {minutes:g} min: x bare {ours:.3f} <= baseline's "
                       f"{theirs:.3f} + {SLOWER:.0%}"] = ours <= theirs * (1 + SLOWER)
    print()
    for text, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {text}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(
            {"channels": args.channels, "threads": args.threads,
             "figures": {name: {f"{m:g}": {who: {**asdict(run), "stdout": None}
                                          for who, run in runs.items()}
                                for m, runs in by_length.items()}
                         for name, by_length in results.items()},
             "checks": checks}, indent=2) + "\n")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
