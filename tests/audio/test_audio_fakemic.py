"""Recording through PortAudio from the ALSA file microphone (unclocked, exact content)."""

from __future__ import annotations

import json
import stat

import numpy as np
import pytest
import soundfile as sf

from companion.audio.recorder import Recorder
from companion.errors import InputError
from companion.store import recordings
from companion.store.sessions import get_session
from tests.support.audio import RATE, audit_after_creation, feed_fakemic, run_companion

pytestmark = pytest.mark.audio


def _record(study, sid, seconds, **kwargs) -> Recorder:
    rec = Recorder(study, sid, device="fakemic", max_seconds=seconds, **kwargs)
    rec.start()
    assert rec.wait(30), "the recorder did not stop by itself"
    rec.stop()
    return rec


def test_mono_recording_equals_what_was_played(study, db, session_id, speech):
    feed_fakemic(speech)
    rec = _record(study, session_id, len(speech) / RATE)
    [segment] = recordings.list_segments(db, session_id)
    data, rate = sf.read(str(segment.abspath(study.root)), dtype="int16")
    assert rate == RATE and segment.format == "flac" and segment.channels == 1
    assert len(data) == len(speech) == segment.frames
    assert np.array_equal(data, speech)
    assert segment.status == "closed" and segment.offset_ms == 0
    session = get_session(db, session_id)
    assert session.status == "completed"
    assert session.duration_ms == len(speech) * 1000 // RATE
    assert rec.status().stop_reason == "seconds" and rec.status().overflows == 0
    # Starting and stopping are one audit entry each; the file is the recorder's bookkeeping.
    trail = [(entity, action, after.get("status")) for entity, action, after
             in audit_after_creation(db, session_id)]
    assert trail == [("session", "status", "live"), ("session", "status", "completed")]


def test_stereo_keeps_interviewer_and_participant_channels_apart(study, db, session_id, speech):
    t = np.arange(len(speech)) / RATE
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    stereo = np.column_stack([speech, tone])  # ch1 interviewer, ch2 participant
    feed_fakemic(stereo)
    _record(study, session_id, len(speech) / RATE, channels=2)
    [segment] = recordings.list_segments(db, session_id)
    data, _ = sf.read(str(segment.abspath(study.root)), dtype="int16")
    assert data.shape == stereo.shape and segment.channels == 2
    assert np.array_equal(data, stereo)


def test_wav_option_and_private_files(study, db, session_id, speech):
    feed_fakemic(speech)
    _record(study, session_id, 2.0, fmt="wav")
    [segment] = recordings.list_segments(db, session_id)
    path = segment.abspath(study.root)
    assert path.suffix == ".wav"
    data, _ = sf.read(str(path), dtype="int16")
    assert np.array_equal(data, speech[: 2 * RATE])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_existing_file_is_never_overwritten(study, db, session_id, speech):
    from companion.study.session_folder import ensure_session_dir

    folder = ensure_session_dir(study, get_session(db, session_id))
    squatter = folder / f"session-{session_id}-001.flac"
    squatter.write_bytes(b"precious")
    feed_fakemic(speech)
    _record(study, session_id, 1.0)
    assert squatter.read_bytes() == b"precious"
    [segment] = recordings.list_segments(db, session_id)
    assert segment.abspath(study.root) != squatter
    assert sf.info(str(segment.abspath(study.root))).frames == RATE


def test_second_recording_continues_the_session_timeline(study, db, session_id, speech):
    feed_fakemic(speech)
    _record(study, session_id, 1.5)
    _record(study, session_id, 1.0)
    first, second = recordings.list_segments(db, session_id)
    assert (first.seq, second.seq) == (1, 2)
    assert second.offset_ms == first.end_ms == 1500
    assert get_session(db, session_id).duration_ms == 2500


def test_recording_needs_consent(study, db):
    from companion.store.participants import add_participant
    from companion.store.sessions import new_session

    add_participant(db, "P7")
    sid = new_session(db, "P7", protocol_id="test", protocol_hash="0" * 16).id
    with pytest.raises(InputError) as info:
        Recorder(study, sid, device="fakemic")
    assert info.value.field == "consent"
    assert get_session(db, sid).status == "planned"
    assert not any(study.recordings_dir.iterdir())


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"device": "no such microphone"}, "device"),
        ({"device": "fakemic", "channels": 3}, "channels"),
        ({"device": "fakemic", "max_seconds": 0}, "seconds"),
        ({"device": "fakemic", "fmt": "mp3"}, "format"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(study, db, session_id, kwargs, field):
    with pytest.raises(InputError) as info:
        Recorder(study, session_id, **kwargs)
    assert info.value.field == field
    assert get_session(db, session_id).status == "planned"
    assert not any(study.recordings_dir.iterdir())


def test_unknown_session_is_refused(study):
    with pytest.raises(InputError) as info:
        Recorder(study, 999, device="fakemic")
    assert info.value.field == "session"


def _events(rec: Recorder) -> str:
    return "\n".join(rec.status().events)


def test_silence_warning_fires_on_a_muted_microphone(study, session_id):
    feed_fakemic(np.zeros(4 * RATE, dtype=np.int16))
    rec = _record(study, session_id, 4.0, silence_seconds=2.0)
    assert "silence on channel 1" in _events(rec)
    assert "clipping" not in _events(rec)


def test_silence_warning_names_the_muted_channel(study, session_id, speech):
    stereo = np.column_stack([speech, np.zeros_like(speech)])
    feed_fakemic(stereo)
    rec = _record(study, session_id, len(speech) / RATE, channels=2, silence_seconds=2.0)
    assert "silence on channel 2" in _events(rec)
    assert "channel 1" not in _events(rec)


def test_clipping_warning_fires_on_clipped_input(study, session_id, speech):
    clipped = np.clip(speech.astype(np.int32) * 8, -32768, 32767).astype(np.int16)
    feed_fakemic(clipped)
    rec = _record(study, session_id, len(speech) / RATE, silence_seconds=2.0)
    assert "clipping" in _events(rec)
    assert rec.status().clipped_windows > 0


def test_no_warning_on_speech(study, session_id, speech):
    feed_fakemic(speech)
    rec = _record(study, session_id, len(speech) / RATE, silence_seconds=2.0)
    assert rec.status().events == ()
    assert rec.status().clipped_windows == 0


def test_disk_nearly_full_warns_then_full_stops_with_a_valid_file(study, db, session_id, speech):
    feed_fakemic(np.tile(speech, 3))
    reserve = 32 * 1024 * 1024
    written = {"bytes": 0}

    class Usage:
        def __init__(self, free):
            self.free = free

    def disk_usage(path):
        # Free space shrinks as the recording grows: 10 s worth above the reserve at first.
        size = sum(p.stat().st_size for p in path.iterdir() if p.suffix == ".flac")
        written["bytes"] = size
        return Usage(reserve + 150_000 - size)

    rec = Recorder(study, session_id, device="fakemic", max_seconds=15, silence_seconds=5,
                   disk_usage=disk_usage, disk_reserve_bytes=reserve)
    rec.start()
    assert rec.wait(60)
    final = rec.stop()
    assert final.stop_reason == "disk_full"
    assert "disk nearly full" in _events(rec) and "disk full" in _events(rec)
    assert final.message.startswith("STOPPED: the disk is full")
    [segment] = recordings.list_segments(db, session_id)
    assert segment.end_reason == "disk_full" and segment.status == "closed"
    info = sf.info(str(segment.abspath(study.root)))
    assert 0 < info.frames == segment.frames < 15 * RATE
    # Stopped cleanly: continuable once there is room (not 'interrupted', not 'live').
    assert get_session(db, session_id).status == "stopped"


def test_live_status_and_session_clock(study, session_id, speech):
    feed_fakemic(np.tile(speech, 20))
    rec = Recorder(study, session_id, device="fakemic", max_seconds=3600)
    assert rec.status().state == "idle"
    rec.start()
    try:
        from tests.support.audio import wait_for

        wait_for(lambda: rec.session_ms() > 2000, 20, "two seconds of audio")
        status = rec.status()
        assert status.state in ("recording", "starting")
        assert status.device == "fakemic" and status.samplerate == RATE
        assert status.disk_minutes_left and status.disk_minutes_left > 0
    finally:
        final = rec.stop()
    assert final.state == "stopped" and final.stop_reason == "stopped"
    [segment] = rec.segments
    assert rec.session_ms() == segment.end_ms
    assert segment.frames > 2 * RATE


def test_devices_cli_lists_the_file_microphone(study_dir):
    done = run_companion(study_dir, "devices", "--json")
    assert done.returncode == 0, done.stderr
    devices = json.loads(done.stdout)
    names = [d["name"] for d in devices]
    assert "fakemic" in names
    for d in devices:
        assert set(d) >= {"index", "name", "channels", "default_samplerate", "is_default"}
        assert d["channels"] > 0
    assert sum(d["is_default"] for d in devices) <= 1
    text = run_companion(study_dir, "devices")
    assert "fakemic" in text.stdout


def test_record_cli_remembers_the_device(study_dir, study, db, session_id, speech):
    feed_fakemic(speech)
    done = run_companion(study_dir, "record", str(session_id), "--device", "fakemic",
                         "--seconds", "1.5")
    assert done.returncode == 0, done.stderr
    assert "Stopped (seconds)" in done.stdout and "ch1 [" in done.stdout
    from companion.audio.devices import remembered_device

    assert remembered_device(db) == "fakemic"
    done = run_companion(study_dir, "record", str(session_id), "--seconds", "1")
    assert done.returncode == 0, done.stderr
    assert "'fakemic'" in done.stdout
    segs = recordings.list_segments(db, session_id)
    assert [s.frames for s in segs] == [int(1.5 * RATE), RATE]
    assert [s.device for s in segs] == ["fakemic", "fakemic"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--device", "nope"], "device"),
        (["--channels", "3"], "channels"),
        (["--seconds", "soon"], "seconds"),
        (["--seconds", "-1"], "seconds"),
    ],
)
def test_record_cli_bad_input_exits_2(study_dir, study, session_id, args, field):
    done = run_companion(study_dir, "record", str(session_id), *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert field in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not any(study.recordings_dir.iterdir())


def test_record_cli_unknown_session_exits_2(study_dir, study):
    done = run_companion(study_dir, "record", "42", "--device", "fakemic", "--seconds", "1")
    assert done.returncode == 2 and "session" in done.stderr
    assert not any(study.recordings_dir.iterdir())


def test_recover_refuses_a_session_being_recorded(study, session_id, speech):
    from companion.operations.recording import interrupted_sessions, recover

    feed_fakemic(np.tile(speech, 20))
    rec = Recorder(study, session_id, device="fakemic")
    rec.start()
    try:
        assert interrupted_sessions(study) == []
        with pytest.raises(InputError):
            recover(study, session_id)
    finally:
        rec.stop()
    # The refused recovery left the recording alone: it finished cleanly.
    db = study.db()
    try:
        assert get_session(db, session_id).status == "completed"
        assert [s.status for s in recordings.list_segments(db, session_id)] == ["closed"]
    finally:
        db.conn.close()
