"""What companion itself wrote into a project, recognised when it comes back.

companion's export codes the transcript with its phases, notes, bookmarks, prompts, code
tags and the case; a tool that keeps GUIDs gives them back as they were, but QualCoder
writes new GUIDs on every export. So a coding is companion's own when it carries one of
companion's GUIDs, or when a code of the same name codes (nearly) the same passage as
companion did (QualCoder's import moves the standard export's codings one character to
the right), or, on the recording, (nearly) the same time span. The structural codes
(phases, note kinds, cases and their folders) are known by name; a note by its text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from companion.exchange.qdpx_placing import PlacedSession

# The same passage: each edge within this many characters ...
EDGE_CHARACTERS = 1
# ... or this share of the two passages in common.
SAME_PASSAGE_SHARE = 0.9
# The same span on the recording: each edge within this many milliseconds.
EDGE_MS = 500


def _flat(text: str) -> str:
    return " ".join(text.split())


@dataclass
class OwnMarks:
    coding_guids: set[str] = field(default_factory=set)
    note_guids: set[str] = field(default_factory=set)
    structural_guids: set[str] = field(default_factory=set)
    structural_names: set[str] = field(default_factory=set)
    structural_folders: set[str] = field(default_factory=set)
    note_texts: set[str] = field(default_factory=set)
    text_codings: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    audio_codings: set[tuple[int, int, str]] = field(default_factory=set)

    @classmethod
    def of(cls, sessions: Iterable[PlacedSession]) -> OwnMarks:
        own = cls()
        for session in sessions:
            marks = session.marks
            own.coding_guids |= {g.lower() for g in marks.coding_guids}
            own.note_guids |= {g.lower() for g in marks.note_guids}
            own.structural_guids |= {g.lower() for g in marks.structural_codes}
            own.structural_names |= marks.structural_names
            own.structural_folders |= marks.structural_folders
            own.note_texts |= marks.note_texts
            own.text_codings[session.doc.session.id] = sorted(marks.text_codings)
            own.audio_codings |= marks.audio_codings
        return own

    def is_structural(self, guid: str, name: str, parent: str | None) -> bool:
        """A code companion writes for its own structure: by GUID, else by its name under
        one of companion's folders (or at the top, where a tool may have moved it)."""
        if guid in self.structural_guids:
            return True
        if name in self.structural_folders and parent is None:
            return True
        return name in self.structural_names and (parent is None
                                                  or parent in self.structural_folders)

    def is_own_text(self, session_id: int, start: int, end: int, code: str) -> bool:
        for s, e, name in self.text_codings.get(session_id, ()):
            if name != code or s > end + EDGE_CHARACTERS:
                continue
            if abs(s - start) <= EDGE_CHARACTERS and abs(e - end) <= EDGE_CHARACTERS:
                return True
            common = min(e, end) - max(s, start)
            if common > 0 and common >= SAME_PASSAGE_SHARE * (max(e, end) - min(s, start)):
                return True
        return False

    def is_own_audio(self, begin: int, end: int, code: str) -> bool:
        return any(name == code and abs(b - begin) <= EDGE_MS and abs(e - end) <= EDGE_MS
                   for b, e, name in self.audio_codings)

    def is_own_note(self, guid: str, text: str) -> bool:
        return guid in self.note_guids or _flat(text) in self.note_texts
