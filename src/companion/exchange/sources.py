"""Which session a text of a coded project is: matched by its content, never by its name.

A tool renames sources and gives them new GUIDs; a project of another study may well call
its first text ``P1_session-1``. What a tool cannot change without the analyst noticing is
the text: a source is a session's transcript when its text is the one companion exported
(line ends and a leading byte order mark aside), or an edited copy of it — most of its
words are that transcript's words in that order, and most of the transcript is in it.
A recording that comes with the text must last as long as the session's.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import IO

from companion.exchange.qdpx_placing import PlacedSession, normalised
from companion.notation import format_hms

# An edited copy: this share of its words are the transcript's, in order ...
EDITED_SHARE_OF_TOOL = 0.8
# ... and this share of the transcript's words are in it.
EDITED_SHARE_OF_OURS = 0.5
# A recording lasts as long as the session's when within this (ms, or share of it).
LENGTH_TOLERANCE_MS = 2000
LENGTH_TOLERANCE_SHARE = 0.02


@dataclass(frozen=True)
class SourceMatch:
    """A source of the project and the session it is (None: no session of this study)."""

    name: str
    session: PlacedSession | None
    how: str  # "text" (the exported text), "edited" (an edited copy) or "" (no match)
    why_not: str = ""


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


def _shares(tool: list[str], ours: list[str]) -> tuple[float, float]:
    """(share of the tool's words, share of ours) matched in order."""
    if not tool or not ours:
        return 0.0, 0.0
    matched = sum(size for _, _, size in SequenceMatcher(
        None, tool, ours, autojunk=False).get_matching_blocks())
    return matched / len(tool), matched / len(ours)


def _length_fits(audio_ms: int, session: PlacedSession) -> bool:
    session_ms = session.doc.duration_ms
    return abs(audio_ms - session_ms) <= max(LENGTH_TOLERANCE_MS,
                                             LENGTH_TOLERANCE_SHARE * session_ms)


class SourceMatcher:
    """Matches the project's texts against every session of the study."""

    def __init__(self, sessions: list[PlacedSession]) -> None:
        self.sessions = sessions
        self.by_text: dict[str, list[PlacedSession]] = {}
        for session in sessions:
            self.by_text.setdefault(session.text, []).append(session)
        self._words = {id(s): _words(s.text) for s in sessions}

    def match(self, name: str, text: str | None, audio_ms: int | None) -> SourceMatch:
        if text is None or not text.strip():
            return SourceMatch(name, None, "", "no text")
        body = normalised(text)
        candidates = self.by_text.get(body, [])
        how = "text"
        if not candidates:
            how = "edited"
            candidates = self._edited(body)
        if audio_ms is not None:
            fitting = [s for s in candidates if _length_fits(audio_ms, s)]
            if candidates and not fitting:
                return SourceMatch(name, None, "", f"its recording lasts "
                                   f"{format_hms(audio_ms)}, the session with its text "
                                   f"{format_hms(candidates[0].doc.duration_ms)}")
            candidates = fitting
        if not candidates:
            return SourceMatch(name, None, "", "its text is no transcript of this study")
        return SourceMatch(name, candidates[0], how)

    def _edited(self, body: str) -> list[PlacedSession]:
        tool = _words(body)
        tool_set = set(tool)
        best: list[tuple[float, PlacedSession]] = []
        for session in self.sessions:
            ours = self._words[id(session)]
            # A cheap look first: an edited copy shares most of its vocabulary.
            ours_set = set(ours)
            if not tool_set or len(tool_set & ours_set) < EDITED_SHARE_OF_TOOL * len(tool_set):
                continue
            of_tool, of_ours = _shares(tool, ours)
            if of_tool >= EDITED_SHARE_OF_TOOL and of_ours >= EDITED_SHARE_OF_OURS:
                best.append((of_tool + of_ours, session))
        best.sort(key=lambda pair: -pair[0])
        return [session for _, session in best]


def wav_length_ms(stream: IO[bytes]) -> int | None:
    """A WAV file's length from its header alone (fmt and data chunks), or None."""
    head = stream.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    rate = block = 0
    for _ in range(64):  # a header has a handful of chunks before the data
        chunk = stream.read(8)
        if len(chunk) < 8:
            return None
        kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if kind == b"data":
            return size // block * 1000 // rate if rate and block else None
        body = stream.read(size + (size & 1))
        if kind == b"fmt " and len(body) >= 16:
            rate = struct.unpack("<I", body[4:8])[0]
            block = struct.unpack("<H", body[12:14])[0]
    return None


def audio_length_ms(path: Path, internal: str | None) -> int | None:
    """The length of a recording inside the project (``internal://name``), when it is a
    WAV whose header says; None otherwise (then only the text decides)."""
    if not internal or not internal.startswith("internal://"):
        return None
    wanted = "sources/" + internal[len("internal://"):].lower()
    try:
        with zipfile.ZipFile(path) as archive:
            member = next((n for n in archive.namelist() if n.lower() == wanted), None)
            if member is None:
                return None
            with archive.open(member) as stream:
                return wav_length_ms(stream)
    except (OSError, zipfile.BadZipFile, struct.error):
        return None
