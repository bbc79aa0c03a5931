"""A transcript as plain-text lines, in the notation of :mod:`companion.notation`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from companion.notation import pause_mark, timestamp


def transcript_lines(items: Iterable[dict[str, Any]], language: str | None = "en") -> list[str]:
    """Plain-text lines for a merged timeline (see ``store.transcripts.timeline``).

    ``[00:01:02] P05: text`` for speech, the pause mark on its own line between turns,
    ``[00:01:02] -- phase: deepening --`` and ``[00:01:02] (note: text)``.
    """
    lines: list[str] = []
    for item in items:
        kind = item["kind"]
        if kind == "segment":
            who = f"{item['speaker']}: " if item.get("speaker") else ""
            lines.append(f"{timestamp(item['start_ms'])} {who}{item['rendered']}")
        elif kind == "pause":
            lines.append(pause_mark(item["end_ms"] - item["start_ms"], language))
        elif kind == "phase":
            lines.append(f"{timestamp(item['at_ms'])} -- phase: {item['phase_id']} --")
        elif kind == "note":
            codes = f" [{', '.join(item['codes'])}]" if item.get("codes") else ""
            at = timestamp(item["at_ms"]) + " " if item.get("at_ms") is not None else ""
            lines.append(f"{at}({item['note_kind']}: {item['text']}{codes})")
    return lines
