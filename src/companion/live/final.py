"""When the full transcript is done: pinned quotes move onto its words, the live lines go.

A quote pinned during the interview is a note of kind ``quote`` holding the words of a
live line at that line's time. The live model is small and hears some words differently,
and its lines can sit a little early or late; the final transcript is the record. So
each quote is matched to the run of final words that best holds its words, nearest in
time, and takes their text and start (the note's history keeps what was pinned), and the
live lines are dropped.
"""

from __future__ import annotations

import difflib
import re

import sqlite_utils

from companion.store.db import transaction
from companion.store.live import delete_live_segments
from companion.store.notes import edit_note, list_notes
from companion.store.transcripts import list_segments

_WORD = re.compile(r"[\w']+")
NEAR_MS = 120_000


def words_of(text: str) -> list[str]:
    """Lower-case words without punctuation (what matching compares)."""
    return [w.lower() for w in _WORD.findall(text)]


def anchor_quote(
    quote: str, at_ms: int, final_words: list[tuple[str, int, int]]
) -> tuple[int, int, str] | None:
    """The run of final words that best matches ``quote``, nearest in time to ``at_ms``.

    ``final_words``: (word, start_ms, end_ms) in time order. Returns (start_ms, end_ms,
    text) or None when no final word matches any quoted word. The live model and the final
    one may hear a word differently, so a run is scored by the quoted words it contains,
    ties broken by the distance in time.
    """
    wanted = words_of(quote)
    if not wanted or not final_words:
        return None
    norm = [words_of(w)[0] if words_of(w) else "" for w, _, _ in final_words]
    size = len(wanted)
    # (-hits, distance, length off the quote's, start, length): smallest wins.
    best: tuple[int, int, int, int, int] | None = None
    # The live line is within seconds of the final words: look two minutes either side.
    near = [i for i, (_, start_ms, _) in enumerate(final_words)
            if abs(start_ms - at_ms) <= NEAR_MS] or range(len(final_words))
    for start in near:
        for length in range(max(1, size - 2), size + 3):
            window = norm[start:start + length]
            if len(window) < length:
                break
            # Words in the same order (a longest common subsequence), so a window that
            # straddles two sayings of the words scores below one that covers a single one.
            matcher = difflib.SequenceMatcher(None, window, wanted, autojunk=False)
            hits = sum(block.size for block in matcher.get_matching_blocks())
            if hits == 0:
                continue
            key = (-hits, abs(final_words[start][1] - at_ms), abs(length - size), start, length)
            if best is None or key < best:
                best = key
    if best is None:
        return None
    start, length = best[3], best[4]
    chosen = final_words[start:start + length]
    text = " ".join(w.strip() for w, _, _ in chosen)
    return chosen[0][1], chosen[-1][2], text


def replace_with_final(db: sqlite_utils.Database, session_id: int) -> int:
    """After a full transcription: re-anchor pinned quotes, drop the live lines; in one
    transaction. Returns the number of quotes moved."""
    final_words = [(w.word, w.start_ms, w.end_ms)
                   for seg in list_segments(db, session_id) for w in seg.words]
    moved = 0
    with transaction(db):
        for note in list_notes(db, session_id, kind="quote"):
            if note.at_ms is None:
                continue
            anchored = anchor_quote(note.text, note.at_ms, final_words)
            if anchored is None:
                continue
            start_ms, _end, text = anchored
            if start_ms != note.at_ms or text != note.text:
                edit_note(db, note.id, text=text, at_ms=start_ms)
                moved += 1
        delete_live_segments(db, session_id)
    return moved
