"""Session-time text: ``[hh:mm:ss]`` stamps and parsing of what people type (``41:07``)."""

from __future__ import annotations

import re

from companion.errors import InputError

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
