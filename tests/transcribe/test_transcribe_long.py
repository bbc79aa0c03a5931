"""Long recordings: read in pieces, transcribed as if held whole.

A run scans a file for its levels and then reads it again chunk by chunk, so memory does
not grow with the interview (the figures: ``benchmarks/transcribe.py --minutes``). What
the user must not notice is any difference in the transcript.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from companion.audio import decode
from companion.audio.decode import MonoReader, load_audio, scan
from companion.store.dropped import list_dropped
from companion.store.transcripts import list_pauses, list_segments
from companion.study import init_study
from companion.transcribe import chunks, transcribe_session
from tests.support.speech import (
    RATE,
    Interview,
    add_recording,
    cancelled_after_first_chunk,
    new_session,
)

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def flac48k(interview: Interview, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interview's first five turns (19.5 s, a 3-s pause among them) as the recorder
    writes them: FLAC, 48 kHz, two channels."""
    audio = interview.audio[: round(19.5 * RATE)]
    times = np.arange(round(len(audio) * 48_000 / RATE)) / 48_000
    upsampled = np.stack([np.interp(times, np.arange(len(audio)) / RATE, audio[:, c])
                          for c in range(2)], axis=1)
    path = tmp_path_factory.mktemp("long") / "interview.flac"
    sf.write(path, upsampled, 48_000, format="FLAC", subtype="PCM_16")
    return path


def test_a_long_file_is_scanned_without_its_signal_and_read_forward_in_pieces(
        flac48k: Path) -> None:
    whole = load_audio(flac48k)
    levels = scan(flac48k, hold_s=10.0)  # longer than it may hold
    assert levels.mono is None
    assert levels.samples == len(whole.mono) and levels.channels == 2
    assert np.array_equal(levels.mix_db, whole.mix_db)
    assert np.array_equal(levels.channel_power, whole.channel_power)
    reader = MonoReader(flac48k)
    step = 7_777  # pieces that start and end anywhere in the decoder's blocks
    for start in range(100, len(whole.mono), 3 * step):
        assert np.array_equal(reader.read(start, start + step), whole.mono[start:start + step])
    with pytest.raises(ValueError, match="forward only"):
        reader.read(0, 10)
    reader.close()


def _transcript(db, sid: int) -> tuple[list, list, list]:
    segments = [(s.start_ms, s.end_ms, s.text, s.speaker, s.avg_logprob,
                 [(w.word, w.start_ms, w.end_ms, w.probability) for w in s.words])
                for s in list_segments(db, sid)]
    pauses = [(p.start_ms, p.end_ms, p.within_segment) for p in list_pauses(db, sid)]
    return segments, pauses, list_dropped(db, sid)


def test_a_file_read_in_pieces_and_resumed_is_transcribed_as_one_held_in_memory(
        flac48k: Path, engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of at most 15 s: the interview is decoded in two, so a run can stop
    # between them and the reader goes on from where it was.
    monkeypatch.setattr(chunks, "CHUNK_S", 15.0)
    study, _ = init_study(tmp_path / "study")
    db = study.db()
    held, streamed = new_session(db, "P05"), new_session(db, "P06")
    for sid in (held, streamed):
        add_recording(db, sid, flac48k)

    monkeypatch.setattr(decode, "HOLD_S", 3600.0)  # the whole file in memory
    assert transcribe_session(study, held, engine=engine).status == "done"

    monkeypatch.setattr(decode, "HOLD_S", 0.0)  # scanned, then read chunk by chunk
    first = cancelled_after_first_chunk(study, streamed, engine)
    assert first.status == "cancelled" and first.segments > 0
    assert transcribe_session(study, streamed, engine=engine).status == "done"

    reference = _transcript(db, held)
    assert len(reference[0]) >= 4 and reference[1]
    # the speakers differ by name only: P05 and P06
    segments, pauses, dropped = _transcript(db, streamed)
    renamed = [(*s[:3], "P05" if s[3] == "P06" else s[3], *s[4:]) for s in segments]
    assert (renamed, pauses, dropped) == reference
