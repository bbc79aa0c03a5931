"""Audio faults made for real: a child process whose ALSA has no devices at all.

No input device: recording does not start, the clock stands still, notes are kept (at the
moment recording would have begun) and one plain sentence says what to check. No output
device: review says playback is unavailable; the app keeps running and the rest works.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _without_devices(tmp_path: Path, which: str) -> dict[str, object]:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text("# an ALSA configuration that defines no devices\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
    env |= {"HOME": str(home), "XDG_RUNTIME_DIR": str(home),  # no PulseAudio to reach
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run([sys.executable, str(ROOT / "tests/tui/without_devices.py"), which],
                          env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    seen: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_no_microphone_records_nothing_and_says_what_to_check(tmp_path: Path) -> None:
    seen = _without_devices(tmp_path, "microphone")
    assert seen["state"] == "⚠ NOT RECORDING"
    assert seen["elapsed_before"] == seen["elapsed_after"] == "00:00:00"  # no running clock
    alert = str(seen["alert"])
    assert "No microphone was found" in alert and "plugged in" in alert
    assert "got None" not in alert and "allowed" not in alert
    assert "f9" in seen["footer_keys"]  # try again once it is plugged in  # type: ignore[operator]
    assert seen["recording_active"] is False  # quitting need not ask: nothing records
    assert seen["notes"] == [["said she slept badly", 0]]  # kept, stamped at the start
    assert seen["status"] == "planned"  # never marked live


def test_no_speakers_review_says_playback_is_unavailable(tmp_path: Path) -> None:
    seen = _without_devices(tmp_path, "speakers")
    assert seen["running"] is True and seen["screen"] == "ReviewScreen"
    assert "playback unavailable" in str(seen["head"])
    messages = [str(m) for m in seen["messages"]]  # type: ignore[attr-defined]
    assert len(messages) == 1 and messages[0].startswith("Playback is unavailable")
