"""The codebook a session's exports carry, as a tree of codes with stable GUIDs.

One tree serves the REFI-QDA project (``qdpx``), the REFI-QDA codebook (``qdc``) and the
Taguette codebook CSV: the protocol's codes grouped as in the protocol, a folder of phase
codes, a folder of the note kinds companion writes, and (in a project only) a folder of
case codes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from companion.protocol.model import Protocol, code_name

_GUID_NS = uuid.UUID("5b0f3c1e-8f55-4a47-9a43-2f1e6c0a7d11")

# The note kinds, as written on a coded passage: entry sub-kind -> code name. An
# interruption of the recording (a pause, a stop, a lost microphone) is marked the same way.
NOTE_KINDS = {"note": "Note", "bookmark": "Bookmark", "reflection": "Reflection",
              "quote": "Quote", "asked": "Prompt asked",
              "suggestion_used": "Suggestion used", "interruption": "Interruption"}
NOTES_FOLDER = "Interview notes"
PHASES_FOLDER = "Interview phase"
CASES_FOLDER = "Cases"


def guid(*parts: object) -> str:
    """A GUID derived from stable ids: the same input gives the same GUID in every export."""
    return str(uuid.uuid5(_GUID_NS, "/".join(str(p) for p in parts)))


@dataclass
class CodeNode:
    guid: str
    name: str
    codable: bool
    description: str = ""
    children: list[CodeNode] = field(default_factory=list)
    # What the code stands for in companion: ("code", id), ("phase", id), ("note", kind),
    # ("case", participant) or ("folder", name).
    role: tuple[str, str] = ("folder", "")

    def walk(self) -> Iterable[CodeNode]:
        yield self
        for child in self.children:
            yield from child.walk()


def note_kind_guid(kind: str) -> str:
    return guid("notekind", kind)


def build_codebook(protocols: Iterable[Protocol]) -> list[CodeNode]:
    """The code tree for these protocols (each protocol once, in the order given)."""
    roots: list[CodeNode] = []
    seen: set[str] = set()
    for protocol in protocols:
        if protocol.id in seen:
            continue
        seen.add(protocol.id)
        groups: dict[str, CodeNode] = {}
        for code in protocol.codes:
            group_name = code.group or "Codes"
            if group_name not in groups:
                groups[group_name] = CodeNode(guid("codegroup", protocol.id, group_name),
                                              group_name, False, role=("folder", group_name))
                roots.append(groups[group_name])
            groups[group_name].children.append(CodeNode(
                guid("code", protocol.id, code.id), code_name(code.id, code.name), True,
                " ".join((code.description or "").split()), role=("code", code.id)))
        folder = CodeNode(guid("codegroup", protocol.id, "phases"), PHASES_FOLDER, False,
                          role=("folder", PHASES_FOLDER))
        for phase in protocol.phases:
            folder.children.append(CodeNode(
                guid("phase", protocol.id, phase.id), f"Phase: {phase.title}", True,
                " ".join((phase.purpose or "").split()), role=("phase", phase.id)))
        roots.append(folder)
    notes = CodeNode(guid("codegroup", "notes"), NOTES_FOLDER, False,
                     "What the interviewer noted or asked during the interview, and where "
                     "the recording was interrupted, at its place.",
                     role=("folder", NOTES_FOLDER))
    for kind, name in NOTE_KINDS.items():
        notes.children.append(CodeNode(note_kind_guid(kind), name, True, role=("note", kind)))
    roots.append(notes)
    return roots
