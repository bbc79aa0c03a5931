"""What an import read from a coded project, before anything is written, and what it did."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class ImportedCode:
    guid: str
    name: str
    parent_guid: str | None
    description: str | None
    codable: bool


@dataclass
class ImportedCoding:
    session_id: int
    code_guid: str
    selection_guid: str
    start_pos: int
    end_pos: int
    start_ms: int | None
    end_ms: int | None
    quote: str
    memo: str | None
    matched_by: str
    coder: str | None
    created_at: str | None
    segment_ids: tuple[int, ...] = ()


@dataclass
class ImportedMemo:
    guid: str
    session_id: int | None
    name: str | None
    text: str


@dataclass(frozen=True)
class Unplaced:
    """A coding the import could not place in a transcript: where it was, its code and the
    passage the analyst coded."""

    source: str
    code: str
    text: str


@dataclass
class ImportPlan:
    """Everything read from the file, before anything is written."""

    file_name: str
    origin: str | None
    sha256: str
    codes: list[ImportedCode] = field(default_factory=list)
    codings: list[ImportedCoding] = field(default_factory=list)
    memos: list[ImportedMemo] = field(default_factory=list)
    sessions: dict[int, str] = field(default_factory=dict)  # session id -> "text"/"edited"
    unmatched_sources: list[str] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    project_name: str | None = None
    coder: str = ""
    foreign: bool = False
    own_codings: int = 0  # companion's own codings recognised and left out
    recording_codings: int = 0  # the analyst's codings of the recording (not imported)

    @property
    def tool(self) -> str:
        return tool_name(self.origin)

    @property
    def unplaced_codings(self) -> int:
        return len(self.unplaced)


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    codes: int
    codings: int
    memos: int
    sessions: dict[int, str]
    unmatched_sources: list[str]
    unplaced_codings: int
    unplaced: list[Unplaced] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    project: str | None = None
    tool: str = ""
    coder: str = ""
    foreign: bool = False
    own_codings: int = 0
    recording_codings: int = 0


def tool_name(origin: str | None) -> str:
    """The tool a project comes from, without its version: ``QualCoder 4.0 Beta`` ->
    ``QualCoder``, ``ATLAS.ti Windows 24.1`` -> ``ATLAS.ti Windows``."""
    words: list[str] = []
    for word in (origin or "").split():
        if re.search(r"\d", word) or word.startswith("("):
            break
        words.append(word)
    return " ".join(words)
