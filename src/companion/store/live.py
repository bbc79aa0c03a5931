"""Live lines: what the live transcriber showed during the interview, and when.

Each line keeps the session time of its words (``start_ms``/``end_ms``) and the session
time at which it appeared on screen (``shown_at_ms``), so the lag is on record. Once the
full transcription is done the lines are dropped (the transcript is the record) and every
pinned quote (a note of kind ``quote``) is moved onto the final words that match it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from companion.store.db import transaction
from companion.store.notes import edit_note, list_notes


@dataclass(frozen=True)
class LiveSegment:
    id: int
    session_id: int
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None
    shown_at_ms: int

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["session_id"]
        return data


def add_live_segment(
    db: sqlite_utils.Database, session_id: int, *, start_ms: int, end_ms: int, text: str,
    speaker: str | None, shown_at_ms: int,
) -> LiveSegment:
    with transaction(db):
        row_id = db["live_segments"].insert({
            "session_id": session_id, "start_ms": max(0, int(start_ms)),
            "end_ms": max(int(start_ms), int(end_ms)), "text": text.strip(),
            "speaker": speaker, "shown_at_ms": int(shown_at_ms),
        }).last_pk
    return get_live_segment(db, int(row_id))


def get_live_segment(db: sqlite_utils.Database, segment_id: int) -> LiveSegment:
    row = db["live_segments"].get(segment_id)
    return LiveSegment(**row)


def list_live_segments(db: sqlite_utils.Database, session_id: int) -> list[LiveSegment]:
    rows = db.query("SELECT * FROM live_segments WHERE session_id = ? ORDER BY start_ms, id",
                    [session_id])
    return [LiveSegment(**row) for row in rows]


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
    """After a full transcription: re-anchor pinned quotes, drop the live lines.

    Returns the number of quotes moved. Runs inside the caller's transaction if any.
    """
    from companion.store.transcripts import list_segments

    final_words = [(w.word, w.start_ms, w.end_ms)
                   for seg in list_segments(db, session_id) for w in seg.words]
    moved = 0
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
    db.execute("DELETE FROM live_segments WHERE session_id = ?", [session_id])
    return moved
