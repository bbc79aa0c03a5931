"""How companion writes times, durations and pauses, defined once.

Below the store and transcription (it imports nothing of companion but its errors), so the
store, review, every export, the report and both fronts write the same thing:

- a moment on the session timeline is ``hh:mm:ss``; in a transcript ``[hh:mm:ss]``;
- people type session times as ``HH:MM:SS``, ``MM:SS`` or with ``.mmm``;
- a length of time in running text is ``40 s`` below 90 seconds, ``12 min`` below 90
  minutes, else ``2 h 05 min``; what is left of a job is ``about 12 min left``;
- a silence of 1 to 2 s is ``(.)``, 2 to 3 s ``(..)``, 3 to 4 s ``(...)``; from 4 s on it
  is written with its length in whole seconds, ``(6 s)`` (in a Dutch transcript
  ``(6 sec.)``, see :data:`PAUSE_UNITS`); shorter gaps are not marked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from companion.errors import InputError

PAUSE_MIN_MS = 1000
"""The shortest silence that is a pause (in the transcript and in the ``pauses`` table)."""

PAUSE_DOTS_MAX_MS = 4000
"""Silences shorter than this are written with dots; longer ones with their length."""

PAUSE_UNITS: dict[str, str] = {"en": "s", "nl": "sec."}
"""The word for seconds in a long pause mark, by transcript language: ``(6 s)``; Dutch
transcripts write ``(6 sec.)``, the usual form there. A language not listed uses ``s``."""

_HMS = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?$")


def parse_hms(text: str, *, field: str = "at") -> int:
    """``HH:MM:SS`` (or ``MM:SS``, optional ``.mmm``) to milliseconds."""
    match = _HMS.match((text or "").strip())
    if not match:
        raise InputError(field, text, "a session time as HH:MM:SS, such as 00:41:07")
    hours, minutes, seconds, fraction = match.groups()
    ms = (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)) * 1000
    if fraction:
        ms += int(fraction.ljust(3, "0"))
    return ms


def format_hms(ms: int | float) -> str:
    """Milliseconds as ``hh:mm:ss`` (truncated to the second; negative times show as 0)."""
    total = max(0, int(ms // 1000))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def timestamp(ms: int) -> str:
    """``[hh:mm:ss]``: how a moment is written in a transcript."""
    return f"[{format_hms(ms)}]"


def format_duration(seconds: float) -> str:
    """A length of time in words: ``40 s`` (at least 1 s) below 90 s, ``12 min`` below
    90 minutes, else ``2 h 05 min``."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def format_eta(seconds: float | None) -> str:
    """What is left of a job: ``about 12 min left``; empty when it is not known yet."""
    return "" if seconds is None else f"about {format_duration(seconds)} left"


def pause_unit(language: str | None = "en") -> str:
    """The seconds word of a pause mark in ``language`` (``s``, Dutch ``sec.``)."""
    return PAUSE_UNITS.get((language or "en").split("-")[0].lower(), PAUSE_UNITS["en"])


def pause_mark(ms: int, language: str | None = "en") -> str:
    """The mark for a silence of ``ms`` milliseconds; '' when it is no pause (< 1 s).

    ``language`` is the transcript's (the protocol's) language: it picks the unit word of a
    long pause."""
    if ms < PAUSE_MIN_MS:
        return ""
    if ms < PAUSE_DOTS_MAX_MS:
        return "(" + "." * (ms // 1000) + ")"
    return f"({round(ms / 1000)} {pause_unit(language)})"


def segment_text(
    words: Sequence[dict[str, Any]], pauses: Iterable[dict[str, Any]] = (), *, text: str = "",
    language: str | None = "en",
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
