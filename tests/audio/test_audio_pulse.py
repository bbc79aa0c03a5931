"""Recording in real time from the PulseAudio null sink: timing, pauses, a pulled cable,
and a recorder killed with SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import numpy as np
import pytest
import soundfile as sf

from companion.audio.recorder import Recorder
from companion.store import recordings
from companion.store.sessions import get_session
from tests.support.audio import COMPANION, RATE, audit_after_creation, run_companion, wait_for

pytestmark = [pytest.mark.audio, pytest.mark.pulse]


# Long enough for the PulseAudio stream to settle and several writer cycles to pass; the
# long runs without overflow (minutes, hours) are benchmarks/recording.py's.
SECONDS = 8


def test_a_timed_recording_lasts_its_seconds_without_overflow(study, db, session_id,
                                                              pulse_mic, speech_wav):
    rec = Recorder(study, session_id, device=pulse_mic.device, max_seconds=SECONDS)
    rec.start()
    try:
        wait_for(lambda: rec.status().state == "recording", 10, "the first audio")
        began = time.monotonic()
        pulse_mic.play(speech_wav)
        assert rec.wait(30)
        lasted = time.monotonic() - began
    finally:
        final = rec.stop()
    assert final.stop_reason == "seconds"
    assert final.overflows == 0
    # How long that took in wall time is measured in benchmarks/recording.py ("pace"): a
    # timed assert fails under load without saying anything about the recording.
    assert lasted > 0
    [segment] = recordings.list_segments(db, session_id)
    data, rate = sf.read(str(segment.abspath(study.root)), dtype="int16")
    assert rate == RATE and len(data) == SECONDS * RATE == segment.frames
    # What was played reached the file: speech is well above the null sink's silence.
    assert np.abs(data).max() > 3000
    assert get_session(db, session_id).duration_ms == SECONDS * 1000


def test_pause_and_resume_make_two_segments_on_one_timeline(study, db, session_id, pulse_mic):
    rec = Recorder(study, session_id, device=pulse_mic.device)
    rec.start()
    try:
        wait_for(lambda: rec.session_ms() >= 1500, 10, "1.5 s of audio")
        rec.pause()
        frozen = rec.session_ms()
        assert rec.status().state == "paused"
        time.sleep(0.5)  # time passes in the room, not on the session timeline
        assert rec.session_ms() == frozen
        rec.resume()
        wait_for(lambda: rec.session_ms() >= frozen + 1000, 10, "1 s more of audio")
    finally:
        rec.stop()
    first, second = recordings.list_segments(db, session_id)
    assert first.end_reason == "paused" and second.end_reason == "stopped"
    # One audit entry per action: start, pause, resume, stop; the files are bookkeeping.
    trail = audit_after_creation(db, session_id)
    assert [(entity, action) for entity, action, _ in trail] == [
        ("session", "status"), ("session", "pause"), ("session", "resume"),
        ("session", "status")]
    assert trail[0][2]["status"] == "live"
    assert trail[-1][2]["status"] == get_session(db, session_id).status
    assert trail[1][2] == trail[2][2] == {"at_ms": frozen}
    assert first.offset_ms == 0
    assert second.offset_ms == first.end_ms == frozen
    assert get_session(db, session_id).duration_ms == second.end_ms
    assert second.end_ms == first.duration_ms + second.duration_ms
    for seg in (first, second):
        assert sf.info(str(seg.abspath(study.root))).frames == seg.frames > 0


def test_pulled_cable_closes_the_segment_and_continues_when_it_returns(study, db, session_id,
                                                                        pulse_mic):
    rec = Recorder(study, session_id, device=pulse_mic.device, retry_interval=0.5)
    rec.start()
    try:
        wait_for(lambda: rec.session_ms() >= 1000, 10, "1 s of audio")
        pulse_mic.unplug()
        status = wait_for(lambda: rec.status().device_lost and rec.status(), 10,
                          "the recorder to notice the lost device")
        assert status.state == "reconnecting"
        assert "MICROPHONE LOST" in status.message
        assert any("lost" in event for event in status.events)
        [first] = recordings.list_segments(db, session_id)
        assert first.status == "closed" and first.end_reason == "device_lost"
        data, _ = sf.read(str(first.abspath(study.root)), dtype="int16")
        assert len(data) == first.frames >= RATE
        pulse_mic.replug()
        wait_for(lambda: len(rec.segments) == 2 and rec.status().state == "recording", 20,
                 "recording to continue in a new segment")
        wait_for(lambda: rec.session_ms() >= first.end_ms + 500, 10, "audio after reconnect")
        assert not rec.status().device_lost
    finally:
        final = rec.stop()
    assert final.stop_reason == "stopped"
    assert any("back" in event for event in final.events)
    first, second = recordings.list_segments(db, session_id)
    assert second.offset_ms == first.end_ms
    assert sf.info(str(second.abspath(study.root))).frames == second.frames > 0
    assert get_session(db, session_id).status == "completed"


def _segment_row(study_dir, sid):
    import sqlite3

    conn = sqlite3.connect(str(study_dir / "companion.db"), timeout=5)
    try:
        return conn.execute("SELECT path FROM recording_segments WHERE session_id = ?",
                            [sid]).fetchone()
    finally:
        conn.close()


_LEVEL_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d) ")


def _received_ms(line: str) -> int | None:
    """The session time a level line reports: the audio the recorder had received."""
    found = _LEVEL_LINE.match(line)
    if not found:
        return None
    h, m, s, tenth = (int(g) for g in found.groups())
    return ((h * 60 + m) * 60 + s) * 1000 + tenth * 100


@pytest.mark.parametrize(("lines", "extra", "fmt"), [(0, 0.0, "flac"), (1, 0.4, "flac"),
                                                     (3, 0.0, "flac"), (2, 0.7, "wav")])
def test_sigkill_loses_at_most_a_second(study_dir, study, db, session_id, pulse_mic, speech_wav,
                                         lines, extra, fmt):
    """The loss is measured against what the recorder said it had received (its level
    line, printed each second), not against the wall clock around its start-up."""
    proc = subprocess.Popen(
        [*COMPANION, "--study", str(study_dir), "record", str(session_id), "--device",
         pulse_mic.device, "--format", fmt],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    received_ms = 0
    try:
        wait_for(lambda: _segment_row(study_dir, session_id) or proc.poll() is not None, 20,
                 "the recorder's first segment")
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        pulse_mic.play(speech_wav)
        seen = 0
        while seen < lines:
            line = proc.stdout.readline()
            assert line, "the recorder stopped talking"
            ms = _received_ms(line)
            if ms is not None:
                received_ms, seen = ms, seen + 1
        time.sleep(extra)  # the moment of the crash, after the last report, varies
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert get_session(db, session_id).status == "live"
    # The crash left the study database whole.
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    done = run_companion(study_dir, "recover")
    assert done.returncode == 0, done.stderr
    assert f"Session {session_id}: interrupted" in done.stdout
    segments = recordings.list_segments(db, session_id)
    if not segments:
        # Killed before any audio reached the disk: the empty segment is dropped. Only
        # possible before the recorder reported a second of audio.
        assert received_ms < 1000
        assert get_session(db, session_id).status == "interrupted"
        return
    [segment] = segments
    assert segment.status == "recovered"
    path = segment.abspath(study.root)
    info = sf.info(str(path))
    assert info.frames == segment.frames and info.samplerate == RATE
    data, _ = sf.read(str(path), dtype="int16")  # any player opens it: libsndfile does
    assert len(data) == info.frames
    # At most the last second (the flush interval) of what it had received is lost; and
    # nothing appears that it could not have received by the kill.
    recovered_ms = info.frames * 1000 // RATE
    assert received_ms - 1000 <= recovered_ms <= received_ms + (extra + 1.2) * 1000
    assert not list(path.parent.glob("*.damaged*")) and not list(path.parent.glob("*.repairing"))
    session = get_session(db, session_id)
    assert session.status == "interrupted" and session.duration_ms == segment.duration_ms
    # The recovery is one action: one audit entry holds the closed segment and the status.
    trail = audit_after_creation(db, session_id)
    assert [(entity, action) for entity, action, _ in trail][-1] == ("session", "recover")
    assert [(c["entity"], c["action"]) for c in trail[-1][2]["changes"]] == [
        ("recording_segment", "close"), ("session", "status")]
    # Nothing left to recover; recovering again changes nothing.
    again = run_companion(study_dir, "recover")
    assert again.returncode == 0 and "Nothing to recover" in again.stdout


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_the_cli_cleanly(study_dir, study, db, session_id, pulse_mic, sig):
    # Started as a script or job runner starts a background job: SIGINT ignored, which the
    # recorder inherits (it stopped only on SIGKILL before it set its own handler).
    ignored = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc = subprocess.Popen(
            [*COMPANION, "--study", str(study_dir), "record", str(session_id), "--device",
             pulse_mic.device], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ),
        )
    finally:
        signal.signal(signal.SIGINT, ignored)
    try:
        wait_for(lambda: _segment_row(study_dir, session_id) or proc.poll() is not None, 20,
                 "the recorder's first segment")
        time.sleep(1.2)  # let it print a level line
        proc.send_signal(sig)
        if sig == signal.SIGINT:
            # An impatient second Ctrl-C, likely while the file is being closed: the same
            # request, not a cut-short close.
            time.sleep(0.2)
            if proc.poll() is None:
                proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Stopped (stopped)" in out and "dBFS" in out
    [segment] = recordings.list_segments(db, session_id)
    assert segment.status == "closed" and segment.end_reason == "stopped"
    assert sf.info(str(segment.abspath(study.root))).frames == segment.frames >= RATE
    assert get_session(db, session_id).status == "completed"
