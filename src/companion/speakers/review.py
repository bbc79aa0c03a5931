"""Speaker corrections made in review: split a segment at a word, give a segment to the
other speaker, rename a speaker for a whole session. Each is a new version of the segments
it touches, with the before and after in the audit trail (see
:mod:`companion.store.speakers`)."""

from __future__ import annotations

import sqlite_utils

from companion.errors import InputError
from companion.store.speakers import rename_speaker, split_segment, swap_speakers
from companion.store.transcripts import Segment, get_segment

MARK = "|"


def marked_words(segment: Segment) -> str:
    """The segment's words as the split prompt shows them (the mark goes before a word)."""
    return " ".join(w.word.strip() for w in segment.words)


def split_at_mark(db: sqlite_utils.Database, segment_id: int, marked: str) -> list[int]:
    """Split where the researcher put ``|`` in :func:`marked_words`: the word after the
    mark starts the new segment."""
    if marked.count(MARK) != 1:
        raise InputError("split", marked, f"the segment's words with one {MARK} before the "
                         "word that starts the new segment")
    before = marked.split(MARK)[0].split()
    return split_segment(db, segment_id, len(before))


def swap_segment(db: sqlite_utils.Database, segment_id: int) -> Segment:
    """Give the segment to the session's other speaker."""
    segment = get_segment(db, segment_id)
    swap_speakers(db, segment.session_id, [segment_id])
    return get_segment(db, segment_id)


def rename(db: sqlite_utils.Database, session_id: int, old: str, new: str) -> int:
    return rename_speaker(db, session_id, old, new)
