"""Attaching audio made on a separate recorder; repairing a file a crash left behind."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from companion.audio.recover import repair_file
from companion.errors import InputError
from companion.operations.recording import import_audio
from companion.store import recordings
from companion.store.sessions import get_session
from tests.support.audio import (
    RATE,
    audit_after_creation,
    best_lag_correlation,
    run_companion,
)


def _encode_m4a(path, samples: np.ndarray, rate: int) -> None:
    import av

    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def test_import_wav_keeps_content_and_original(study, db, session_id, speech_wav, speech):
    segment = import_audio(study, session_id, speech_wav)
    assert segment.status == "imported" and segment.offset_ms == 0
    data, rate = sf.read(str(segment.abspath(study.root)), dtype="int16")
    assert rate == RATE and np.array_equal(data, speech)
    original = study.root / segment.original_path
    assert original.read_bytes() == speech_wav.read_bytes()
    assert get_session(db, session_id).duration_ms == segment.duration_ms
    # One action, one audit entry: the new segment and the session now completed.
    [(entity, action, after)] = audit_after_creation(db, session_id)
    assert (entity, action) == ("session", "import-audio")
    assert [(c["entity"], c["action"]) for c in after["changes"]] == [
        ("recording_segment", "create"), ("session", "status")]


def test_import_m4a_through_the_cli(study_dir, study, db, session_id, speech, tmp_path):
    m4a = tmp_path / "dictaphone.m4a"
    _encode_m4a(m4a, speech, RATE)
    done = run_companion(study_dir, "import-audio", str(session_id), str(m4a))
    assert done.returncode == 0, done.stderr
    [segment] = recordings.list_segments(db, session_id)
    data, _ = sf.read(str(segment.abspath(study.root)), dtype="int16")
    assert abs(len(data) - len(speech)) < RATE // 10  # codec padding only
    lag, corr = best_lag_correlation(data, speech[: len(speech) - 4096])
    assert lag < 4096 and corr > 0.95
    assert (study.root / segment.original_path).suffix == ".m4a"


@pytest.mark.parametrize("content", [b"", b"this is a note, not audio\n" * 50])
def test_import_refuses_empty_or_non_audio(study, db, session_id, tmp_path, content):
    bogus = tmp_path / "interview.wav"
    bogus.write_bytes(content)
    with pytest.raises(InputError) as info:
        import_audio(study, session_id, bogus)
    assert info.value.field == "file"
    assert recordings.list_segments(db, session_id) == []
    assert not [p for p in study.recordings_dir.rglob("*") if p.is_file()]
    done = run_companion(study.root, "import-audio", str(session_id), str(bogus))
    assert done.returncode == 2 and "file" in done.stderr


def test_import_into_unknown_session_exits_2(study_dir, speech_wav):
    done = run_companion(study_dir, "import-audio", "77", str(speech_wav))
    assert done.returncode == 2 and "session" in done.stderr


@pytest.mark.parametrize("fmt", ["flac", "wav"])
def test_repair_a_file_whose_writer_never_closed_it(tmp_path, speech, fmt):
    """The writer is abandoned without close (what SIGKILL leaves), then repaired."""
    from companion.audio.writer import SegmentFile, create_exclusive

    path = tmp_path / f"seg.{fmt}"
    writer = SegmentFile(path, create_exclusive(path), fmt=fmt, samplerate=RATE, channels=1)
    writer.write(speech[:, None])
    writer.flush()
    import os

    os.close(writer._fd)  # no header update: as if the process died here
    result = repair_file(path)
    assert result.action == "repaired"
    data, rate = sf.read(str(path), dtype="int16")
    assert rate == RATE and len(data) == result.frames
    assert len(speech) - RATE // 10 <= len(data) <= len(speech)
    assert np.array_equal(data, speech[: len(data)])
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
