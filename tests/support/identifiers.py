"""Sessions whose transcript is a list of sentences (word times spread over each), for the
tests of finding and replacing identifiers; optionally with a recording under them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from companion.store import recordings, sessions, transcripts
from companion.study.folder import Study
from tests.support.people import consented_session

SECONDS_PER_SENTENCE = 4
RATE = 16_000


def _words(text: str, start_ms: int, end_ms: int, speaker: str) -> tuple[transcripts.Word, ...]:
    parts = text.split()
    step = (end_ms - start_ms) / max(1, len(parts))
    return tuple(transcripts.Word(("" if i == 0 else " ") + w, start_ms + round(i * step),
                                  start_ms + round((i + 1) * step), 0.9, speaker)
                 for i, w in enumerate(parts))


def transcribed_session(study: Study, sentences: list[str], *, code: str = "P05",
                        protocol_id: str = "pain-alliance", language: str = "en",
                        audio: bool = False) -> tuple[int, list[int]]:
    """A completed session of ``code`` whose transcript says ``sentences``, one segment
    each, four seconds apart; with ``audio``, a 220 Hz WAV recording under it. Returns the
    session id and the segment ids."""
    db = study.db()
    try:
        sid = consented_session(db, code, protocol_id=protocol_id).id
        total = SECONDS_PER_SENTENCE * 1000 * len(sentences)
        if audio:
            folder = study.recordings_dir / code / str(sid)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "segment-001.wav"
            t = np.arange(total * RATE // 1000) / RATE
            sf.write(path, 0.1 * np.sin(2 * np.pi * 220 * t), RATE, subtype="PCM_16")
            recordings.add_segment(db, sid, path=str(path.relative_to(study.root)), fmt="wav",
                                   samplerate=RATE, channels=1, offset_ms=0, device="test",
                                   status="closed", frames=len(t), end_reason="stopped")
        transcripts.begin_transcript(db, sid, model="test", language=language, total_ms=total)
        new = []
        for n, text in enumerate(sentences):
            start = n * SECONDS_PER_SENTENCE * 1000
            end = start + (SECONDS_PER_SENTENCE - 1) * 1000
            new.append(transcripts.NewSegment(None, start, end, text, code, -0.2,
                                              _words(text, start, end, code)))
        ids = transcripts.commit_segments(db, sid, new, [], done_ms=total)
        transcripts.finish_transcript(db, sid, "done")
        sessions.set_status(db, sid, "completed", started_at="2026-03-02T10:00:00+00:00",
                            duration_ms=total)
    finally:
        db.conn.close()
    return sid, ids


def wav_of(path: Path) -> tuple[np.ndarray, int]:
    data, rate = sf.read(path, dtype="float32", always_2d=True)
    return data, rate
