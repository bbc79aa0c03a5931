"""Speakers of a transcribed mono session: the word attribution applied to the store.

Two-channel recordings keep the channel rule of :mod:`companion.transcribe.speakers`; on
mono recordings the voice closest to the enrolled interviewer is ``I`` and the other the
participant's code. Without an enrolled voice, the side that asks more questions (words
ending in '?') is taken for the interviewer, and on a tie the side that speaks first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from companion.speakers.assign import INTERVIEWER, Span, attribute_frames, word_frames
from companion.speakers.enrol import load_interviewer
from companion.speakers.features import mfcc, voiced
from companion.store.sessions import get_session
from companion.store.speakers import apply_word_speakers
from companion.store.transcripts import Word, list_segments
from companion.study.folder import Study

ENGINE = "mfcc-gmm"
MODES = ("auto", "none")


def separate_session(study: Study, db: Any, session_id: int) -> dict[str, Any]:
    """Attribute every word of the session's mono recordings; returns a short summary."""
    from companion.audio import decode

    session = get_session(db, session_id)
    interviewer = load_interviewer(study)
    names = ("I", session.participant_code)
    segments = list_segments(db, session_id)
    rows = list(db.query("SELECT id, path, offset_ms, channels FROM recording_segments "
                         "WHERE session_id = ? ORDER BY offset_ms, seq", [session_id]))
    # Every mono recording file of the session at once: the voices are the same ones, and
    # a short file alone says little about them.
    words: list[tuple[int, Word]] = []
    frames: list[np.ndarray] = []
    for row in rows:
        mine = [s for s in segments if s.recording_segment_id == row["id"] and s.words]
        if not mine or (row["channels"] or 1) > 1:
            continue
        path = Path(row["path"])
        audio = decode.load_audio(path if path.is_absolute() else study.root / path)
        if audio.channels != 1:
            continue  # the channel rule has decided already
        cepstra, level = mfcc(audio.mono)
        spans = [Span(w.start_ms, w.end_ms) for s in mine for w in s.words]
        frames += word_frames(spans, cepstra, voiced(level), int(row["offset_ms"]))
        words += [(s.id, w) for s in mine for w in s.words]
    sides = attribute_frames(frames, [Span(w.start_ms, w.end_ms) for _, w in words],
                             interviewer=interviewer)
    if interviewer is None and _asks_less(words, sides):
        sides = [1 - s for s in sides]
    result: dict[int, list[str | None]] = {}
    for (segment_id, _), side in zip(words, sides, strict=True):
        result.setdefault(segment_id, []).append(names[0] if side == INTERVIEWER else names[1])
    touched = apply_word_speakers(db, session_id, result, engine=ENGINE)
    return {"engine": ENGINE, "enrolled": interviewer is not None, "segments": touched}


def _asks_less(words: list[tuple[int, Any]], sides: list[int]) -> bool:
    """True when the side called interviewer ends fewer words with '?' than the other."""
    asks = [0, 0]
    for (_, word), side in zip(words, sides, strict=True):
        if word.word.strip().endswith("?"):
            asks[side] += 1
    return asks[INTERVIEWER] < asks[1 - INTERVIEWER]
