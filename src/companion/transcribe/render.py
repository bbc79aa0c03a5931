"""Transcript conventions, defined once: how pauses and times are written.

Review, exports and the CLI import these so that a transcript reads the same everywhere:

- a silence of 1 to 2 s is ``(.)``, 2 to 3 s ``(..)``, 3 to 4 s ``(...)``; from 4 s on it
  is written with its length in whole seconds, ``(6 s)`` (in a Dutch transcript
  ``(6 sec.)``, see :data:`PAUSE_UNITS`); shorter gaps are not marked;
- a moment on the session timeline is ``[hh:mm:ss]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from companion.timefmt import format_hms

PAUSE_MIN_MS = 1000
"""The shortest silence that is a pause (in the transcript and in the ``pauses`` table)."""

PAUSE_DOTS_MAX_MS = 4000
"""Silences shorter than this are written with dots; longer ones with their length."""


PAUSE_UNITS: dict[str, str] = {"en": "s", "nl": "sec."}
"""The word for seconds in a pause mark, by transcript language (Dutch transcripts write
``(6 sec.)``, the usual form there); other languages use ``s``."""


def pause_unit(language: str | None = None) -> str:
    return PAUSE_UNITS.get((language or "en").split("-")[0].lower(), "s")


def pause_mark(ms: int, language: str | None = None) -> str:
    """The mark for a silence of ``ms`` milliseconds; '' when it is no pause (< 1 s)."""
    if ms < PAUSE_MIN_MS:
        return ""
    if ms < PAUSE_DOTS_MAX_MS:
        return "(" + "." * (ms // 1000) + ")"
    return f"({round(ms / 1000)} {pause_unit(language)})"


def timestamp(ms: int) -> str:
    """``[hh:mm:ss]``: how a moment is written in a transcript."""
    return f"[{format_hms(ms)}]"


def segment_text(
    words: Sequence[dict[str, Any]], pauses: Iterable[dict[str, Any]] = (), *, text: str = "",
    language: str | None = None,
) -> str:
    """A segment's words with the marks of the pauses inside it, e.g. ``No, (..) I did not``.

    ``words`` are the stored word dicts (``word``, ``start_ms``, ``end_ms``); ``pauses``
    rows (``start_ms``, ``end_ms``) of the same session. Without words, ``text`` is used.
    """
    if not words:
        return text.strip()
    # Each pause goes before the first word that starts after its middle.
    marks = sorted(((p["start_ms"] + p["end_ms"]) / 2,
                    pause_mark(p["end_ms"] - p["start_ms"], language)) for p in pauses)
    out: list[str] = []
    for index, word in enumerate(words):
        while marks and marks[0][0] <= word["start_ms"]:
            mark = marks.pop(0)[1]
            if index and mark:
                out.append(" " + mark)
        out.append(word["word"] if index else word["word"].lstrip())
    return "".join(out).strip()


def transcript_lines(items: Iterable[dict[str, Any]], language: str | None = None) -> list[str]:
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
