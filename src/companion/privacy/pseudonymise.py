"""Pseudonymisation: the study's list of replacements, for the text that leaves the study.

The list lives in ``companion.toml``::

    [privacy.replacements]
    "Anna de Vries" = "[Name]"
    "Utrecht" = "[Place]"

Matching ignores case and only takes whole words (``Ann`` does not touch ``Annual``);
longer entries win over shorter ones that overlap them. The list itself is the
anonymisation key and is never written into an export; an export only says that it was
pseudonymised and how many replacements were made. Exports apply it to their copy of a
session (:mod:`companion.export.pseudonymise`); reading a session never does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlite_utils

from companion.store import identifiers
from companion.study.folder import Study


@dataclass
class Pseudonymiser:
    """Replaces the study's listed names and places; counts what it replaced."""

    replacements: Mapping[str, str] = field(default_factory=dict)
    count: int = 0
    decided: bool = False
    """The replacements decided in review are among them (``export --pseudonymised``)."""

    def __post_init__(self) -> None:
        items = {k.strip(): v for k, v in self.replacements.items() if k and k.strip()}
        self._lookup = {k.casefold(): v for k, v in items.items()}
        if items:
            parts = []
            for key in sorted(items, key=len, reverse=True):
                escaped = re.escape(key)
                start = r"(?<!\w)" if key[0].isalnum() or key[0] == "_" else ""
                end = r"(?!\w)" if key[-1].isalnum() or key[-1] == "_" else ""
                parts.append(f"{start}{escaped}{end}")
            self._pattern: re.Pattern[str] | None = re.compile(
                "|".join(parts), re.IGNORECASE)
        else:
            self._pattern = None

    @property
    def active(self) -> bool:
        return self._pattern is not None

    @property
    def rules(self) -> int:
        return len(self._lookup)

    def __call__(self, text: str | None) -> str:
        return self.apply(text)

    def apply(self, text: str | None) -> str:
        if not text or self._pattern is None:
            return text or ""

        def swap(match: re.Match[str]) -> str:
            self.count += 1
            return self._lookup[match.group(0).casefold()]

        return self._pattern.sub(swap, text)

    def apply_words(self, words: list[str], *, count: bool = False) -> list[str]:
        """Pseudonymise word tokens as one text, so a two-word name split over two tokens
        is replaced too: the first token of a match carries the replacement, the others
        become empty (keeping the token count and their times)."""
        if self._pattern is None or not words:
            return list(words)
        joined = "".join(words)
        bounds: list[tuple[int, int]] = []
        pos = 0
        for word in words:
            bounds.append((pos, pos + len(word)))
            pos += len(word)
        out = list(words)
        for match in self._pattern.finditer(joined):
            if count:
                self.count += 1
            hit = [i for i, (a, b) in enumerate(bounds) if a < match.end() and b > match.start()]
            replacement = self._lookup[match.group(0).casefold()]
            for n, index in enumerate(hit):
                a, _b = bounds[index]
                original = words[index]
                before = original[: max(0, match.start() - a)] if n == 0 else ""
                after = original[match.end() - a:] if index == hit[-1] else ""
                out[index] = (before + replacement + after) if n == 0 else after
        return out

    def note(self) -> str:
        """A line for the export saying it was pseudonymised (without the key)."""
        if not self.active:
            if self.decided:
                return "Pseudonymised: no replacements decided or listed for this session."
            return "Pseudonymisation: no replacement list in the study settings."
        return (f"Pseudonymised with the study's list of {self.rules} replacements "
                f"({self.count} made in this export).")


def study_pseudonymiser(study: Study) -> Pseudonymiser:
    """The study's replacement list (``privacy.replacements`` in companion.toml)."""
    return Pseudonymiser(dict(study.settings.privacy.replacements))


def session_pseudonymiser(study: Study, db: sqlite_utils.Database, session_id: int, *,
                          decided: bool) -> Pseudonymiser:
    """What one session's export replaces: with ``decided``, the names accepted in review
    for this session and for the whole study (the store's replacement list), and always
    the list in companion.toml, which wins where both name the same text."""
    replacements: dict[str, str] = {}
    if decided:
        replacements.update(identifiers.replacements_for(db, session_id))
    typed = dict(study.settings.privacy.replacements)
    typed_keys = {k.casefold() for k in typed}
    replacements = {k: v for k, v in replacements.items() if k.casefold() not in typed_keys}
    replacements.update(typed)
    return Pseudonymiser(replacements, decided=decided)
