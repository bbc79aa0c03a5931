"""The full-text index (SQLite FTS5) over transcript segments and notes, across sessions."""

from __future__ import annotations

import re
from typing import Any

import sqlite_utils


def index_text(
    db: sqlite_utils.Database, *, kind: str, ref_id: int, session_id: int,
    at_ms: int | None, text: str,
) -> None:
    """(Re)index one piece of text; ``kind`` is 'note' or 'segment'."""
    unindex(db, kind=kind, ref_id=ref_id)
    db.execute(
        "INSERT INTO search_index (text, kind, ref_id, session_id, at_ms) VALUES (?, ?, ?, ?, ?)",
        [text, kind, ref_id, session_id, at_ms],
    )


def unindex(db: sqlite_utils.Database, *, kind: str, ref_id: int) -> None:
    db.execute("DELETE FROM search_index WHERE kind = ? AND ref_id = ?", [kind, ref_id])


def _fts_query(query: str) -> str:
    # Quote every word so that user input is never parsed as FTS syntax (a stray '"' or
    # 'NEAR' would otherwise be an error); a trailing '*' keeps prefix search.
    words = re.findall(r"[\w'*-]+", query, flags=re.UNICODE)
    parts = []
    for word in words:
        prefix = word.endswith("*")
        word = word.rstrip("*").replace('"', "")
        if word:
            parts.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(parts)


def search(db: sqlite_utils.Database, query: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Hits across all sessions, best first: kind, ref_id, session, participant, time, context."""
    fts = _fts_query(query)
    if not fts:
        return []
    sql = (
        "SELECT search_index.kind, search_index.ref_id, search_index.session_id, "
        "search_index.at_ms, p.code AS participant_code, "
        "snippet(search_index, 0, '[', ']', '…', 12) AS context "
        "FROM search_index "
        "JOIN sessions s ON s.id = search_index.session_id "
        "JOIN participants p ON p.id = s.participant_id "
        "WHERE search_index MATCH ? ORDER BY rank LIMIT ?"
    )
    return list(db.query(sql, [fts, limit]))
