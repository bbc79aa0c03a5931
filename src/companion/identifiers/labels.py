"""The label a finding gets in a pseudonymised export: ``[physiotherapist 1]``, ``[town]``,
``[date]``; the same name always the same label in every session of the study."""

from __future__ import annotations

import re
from collections.abc import Sequence

from companion.identifiers.words import LABELS
from companion.store.identifiers import Replacement

NUMBERED = re.compile(r"^\[(.+) (\d+)\]$")
PARTS_IGNORED = frozenset(["van", "de", "der", "den", "het", "ter", "ten", "von", "le", "la"])


def clean_label(label: str) -> str:
    """A label as written in an export: in square brackets, single spaces."""
    inner = " ".join(label.strip().strip("[]").split())
    return f"[{inner}]"


def stem(kind: str, detail: str | None, language: str) -> str:
    """What a label says before its number: the profession named before a person, else
    the kind or its detail in the protocol's language."""
    words = LABELS.get(language, LABELS["en"])
    if kind == "person":
        return detail or words["person"]
    return words.get(detail or "", words.get(kind, kind))


def _name_parts(key: str) -> set[str]:
    return {p for p in key.split() if p not in PARTS_IGNORED}


def propose(name_key: str, kind: str, detail: str | None, language: str,
            known: Sequence[Replacement]) -> str:
    """The label for a name: the one it has on the study's list; for a person, the label
    of a longer or shorter form of the same name ("Henk" and "Henk de Boer"); else a new
    one, numbered for persons after the highest number the study uses for that stem."""
    for row in known:
        if row.name_key == name_key:
            return row.label
    if kind == "person":
        parts = _name_parts(name_key)
        for row in known:
            other = _name_parts(row.name_key)
            if row.kind == "person" and parts and other and (parts <= other or other <= parts):
                return row.label
        base = stem(kind, detail, language)
        used = [int(m.group(2)) for row in known
                if (m := NUMBERED.match(row.label)) and m.group(1).casefold() == base.casefold()]
        return f"[{base} {max(used, default=0) + 1}]"
    return f"[{stem(kind, detail, language)}]"
