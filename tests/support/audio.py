"""Audio test helpers: known speech, the file microphone, a consented session.

Helpers are imported from here; the audio conftest hands the fixtures to pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

RATE = 48_000
ROOT = Path(__file__).resolve().parents[2]
COMPANION = [str(ROOT / ".venv" / "bin" / "python"), "-m", "companion"]
if not Path(COMPANION[0]).exists():
    COMPANION = [sys.executable, "-m", "companion"]

SENTENCE = ("When I first came here I did not know what to expect. "
            "The physiotherapist listened, but the doctor spoke about my back.")


def fakemic_raw() -> Path:
    """The file the shared conftest's ``fakemic`` plays, read from the ``.asoundrc`` it
    wrote (importing ``tests.conftest`` by name would run that conftest a second time)."""
    import re

    asoundrc = Path(os.environ["HOME"]) / ".asoundrc"
    found = re.search(r'infile\s+"([^"]+)"', asoundrc.read_text())
    assert found, f"no fakemic infile in {asoundrc}"
    return Path(found.group(1))


def feed_fakemic(samples: np.ndarray) -> None:
    """What the file microphone will play: int16, frames x channels (or 1-D mono)."""
    fakemic_raw().write_bytes(np.ascontiguousarray(samples, dtype="<i2").tobytes())


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """About 6 s of synthetic English speech, 48 kHz mono int16, peak about -3 dBFS."""
    folder = tmp_path_factory.mktemp("speech")
    raw = folder / "speech22k.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), SENTENCE], check=True)
    out = folder / "speech48k.wav"
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out),
                    "gain", "-n", "-3"], check=True)
    data, rate = sf.read(str(out), dtype="int16")
    assert rate == RATE and len(data) > RATE * 3
    return data


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory, speech: np.ndarray) -> Path:
    path = tmp_path_factory.mktemp("speechwav") / "speech.wav"
    sf.write(str(path), speech, RATE, subtype="PCM_16")
    return path


@pytest.fixture
def session_id(db) -> int:
    """A session whose participant gave consent."""
    from tests.support.people import consented_session

    return consented_session(db, "P5").id


def wait_for(predicate: Callable[[], object], timeout: float, what: str,
             interval: float = 0.02) -> object:
    """Wait until ``predicate()`` is truthy (checked every ``interval``), or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def best_lag_correlation(recorded: np.ndarray, played: np.ndarray) -> tuple[int, float]:
    """The lag where ``played`` best matches ``recorded``, and the correlation there."""
    rec = recorded.astype(np.float64)
    ref = played.astype(np.float64)
    n = len(rec) + len(ref)
    size = 1 << (n - 1).bit_length()
    xc = np.fft.irfft(np.fft.rfft(rec, size) * np.conj(np.fft.rfft(ref, size)), size)
    lag = int(np.argmax(xc[: len(rec)]))
    seg = rec[lag: lag + len(ref)]
    ref = ref[: len(seg)]
    corr = float(np.corrcoef(seg, ref)[0, 1])
    return lag, corr


def run_companion(study_dir: Path, *args: str, timeout: float = 60.0,
                  **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*COMPANION, "--study", str(study_dir), *args], capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ), **kwargs)


def audit_after_creation(db, session_id: int) -> list[tuple[str, str, dict]]:
    """(entity, action, after) of every audit entry of a session since it was created."""
    import json

    return [(e["entity"], e["action"], json.loads(e["after"] or "{}")) for e in db.query(
        "SELECT * FROM audit_log WHERE session_id = ? "
        "AND NOT (entity = 'session' AND action = 'create') ORDER BY id", [session_id])]
