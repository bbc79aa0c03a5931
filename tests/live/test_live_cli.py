"""``companion record --live`` prints the live lines; ``session show --json`` lists them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from companion.study.folder import Study
from tests.live.conftest import two_channel_pulse
from tests.support.audio import COMPANION, run_companion

pytestmark = [pytest.mark.audio, pytest.mark.pulse]

# The interview played is 12.6 s long; the rest is room for paplay to start. What is still
# being decoded when the recording ends is printed before the command exits.
SECONDS = 16


def test_record_live_prints_lines_under_the_level_line(study_dir: Path, study: Study,
                                                       rated_session: int, pulse_mic,
                                                       interview_wav: Path) -> None:
    two_channel_pulse(study)
    proc = subprocess.Popen([*COMPANION, "--study", str(study_dir), "record",
                             str(rated_session), "--live", "--seconds", str(SECONDS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # "Recording session ..." once the stream is open
    assert first.startswith("Recording session")
    pulse_mic.play(interview_wav)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    printed = [line for line in out.splitlines() if line.startswith("  00:")]
    # e.g. "  00:00:04 P05: My back has hurt for more than ten years."
    assert any(" P05: " in line and "years" in line.lower() for line in printed), out
    assert any(" I: " in line and "pain" in line.lower() for line in printed), out
    assert "overflows: 0" in out

    shown = run_companion(study_dir, "session", "show", str(rated_session), "--json")
    assert shown.returncode == 0, shown.stderr
    segments = json.loads(shown.stdout)["live_segments"]
    assert len(segments) == len(printed)
    for segment in segments:
        assert set(segment) == {"id", "start_ms", "end_ms", "text", "speaker", "shown_at_ms"}
        assert segment["start_ms"] <= segment["end_ms"] <= segment["shown_at_ms"] <= SECONDS * 1000
    assert {s["speaker"] for s in segments} == {"I", "P05"}


def test_record_live_says_when_the_session_turned_it_off(study_dir: Path, study: Study,
                                                        rated_session: int,
                                                        pulse_mic) -> None:
    from companion.operations.live import set_session_live

    two_channel_pulse(study)
    set_session_live(study, rated_session, False)
    done = run_companion(study_dir, "record", str(rated_session), "--live", "--seconds", "1")
    assert done.returncode == 0, done.stderr
    assert "Live transcript: off for this session" in done.stdout
    shown = run_companion(study_dir, "session", "show", str(rated_session), "--json")
    assert json.loads(shown.stdout)["live_segments"] == []
