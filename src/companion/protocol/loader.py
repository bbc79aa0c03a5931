"""Reading and checking a protocol TOML file.

A research team edits these files by hand, so the checker reports every problem it can find
in one go (not just the first), each with the file, the dotted key or line, what was found
and what is allowed, and a did-you-mean for misspelt keys. The generic shapes (keys, texts,
numbers, tables) live in :mod:`companion.tomlcheck`, shared with the study settings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from companion.protocol.check_instrument import InstrumentChecks
from companion.protocol.check_rules import RuleChecks
from companion.protocol.live import LiveChecks, MentionRule
from companion.protocol.model import (
    Code,
    Phase,
    Prompt,
    Protocol,
    Rule,
)
from companion.protocol.signals import MENTION
from companion.tomlcheck import (
    Problem,
    TomlFileError,
    join,
    read_toml,
)

__all__ = ["Problem", "ProtocolError", "check_protocol", "load_protocol"]


class ProtocolError(TomlFileError):
    """A protocol file with problems; ``problems`` lists all of them, ``str`` one per line."""

    def __init__(self, path: Path | str, problems: Sequence[Problem]) -> None:
        super().__init__(path, problems, "a valid protocol file")


def load_protocol(path: Path | str) -> Protocol:
    """Read and check a protocol file; raise ``ProtocolError`` listing every problem."""
    protocol, problems = _read(Path(path))
    if problems or protocol is None:
        raise ProtocolError(path, problems)
    return protocol


def check_protocol(path: Path | str) -> list[Problem]:
    """Every problem in a protocol file; an empty list means it loads."""
    return _read(Path(path))[1]


# ---------------------------------------------------------------------------------------

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

_TOP_KEYS = (
    "id",
    "title",
    "language",
    "translation_of",
    "description",
    "vocabulary",
    "phases",
    "instrument",
    "reference",
    "rules",
    "codes",
    "live",
    "verbatim",
    "turn_pause_seconds",
)
_PHASE_KEYS = ("id", "title", "purpose", "target_minutes", "prompts")
_PROMPT_KEYS = ("id", "text", "follow_ups")
_CODE_KEYS = ("id", "name", "description", "group", "key")


def _read(path: Path) -> tuple[Protocol | None, list[Problem]]:
    data, raw, problems = read_toml(path)
    if data is None:
        return None, problems
    checker = _Checker(path.name)
    protocol = checker.protocol(data, path, hashlib.sha256(raw).hexdigest())
    return (protocol if not checker.problems else None), checker.problems


class _Checker(InstrumentChecks, RuleChecks, LiveChecks):
    """Walks the parsed TOML, building the model and collecting every problem on the way."""


    # -- the protocol ----------------------------------------------------------------------

    def protocol(self, data: dict[str, Any], path: Path, content_hash: str) -> Protocol | None:
        self.keys(data, "", _TOP_KEYS, ("id", "title", "language", "phases"))
        protocol_id = self.text(data, "id", "", is_id=True)
        title = self.text(data, "title", "")
        language = self.text(data, "language", "")
        if language is not None and not _LANGUAGE.match(language):
            self.add(
                "language",
                "invalid language code",
                found=language,
                allowed='a lower-case language code such as "en" or "nl"',
            )
            language = None
        description = self.text(data, "description", "") or ""
        vocabulary = self.text_list(data, "vocabulary", "")
        # The protocol this one translates: same structure, checked by protocol check.
        translation_of = self.text(data, "translation_of", "", is_id=True)
        # transcription: verbatim (fillers, repeats kept) and the silence that ends a segment
        verbatim = self.boolean(data, "verbatim", "")
        turn_pause = self.number(data, "turn_pause_seconds", "", low=0.2, high=10.0)

        phases = self.phases(data)
        instrument = self.instrument(data)
        reference = self.reference(data, instrument)
        rules = self.rules(data, instrument, reference)
        codes = self.codes(data)
        live = self.live(data, tuple(p.id for p in phases))
        live = replace(live, mentions=mention_rules(rules))

        if self.problems or protocol_id is None or title is None or language is None:
            return None
        return Protocol(
            id=protocol_id,
            title=title,
            language=language,
            translation_of=translation_of,
            description=description,
            vocabulary=vocabulary,
            verbatim=bool(verbatim),
            turn_pause_seconds=turn_pause if turn_pause is not None else 0.8,
            phases=phases,
            instrument=instrument,
            reference=reference,
            rules=rules,
            codes=codes,
            live=live,
            path=path.resolve(),
            content_hash=content_hash,
        )

    def phases(self, data: dict[str, Any]) -> tuple[Phase, ...]:
        entries = self.tables(data, "phases", "", "[[phases]]")
        if "phases" in data and isinstance(data["phases"], list) and not data["phases"]:
            self.add("phases", "no phases", allowed="at least one [[phases]] table")
        phase_ids: dict[str, str] = {}
        prompt_ids: dict[str, str] = {}
        phases: list[Phase] = []
        for where, entry in entries:
            self.keys(entry, where, _PHASE_KEYS, ("id", "title", "purpose", "target_minutes"))
            phase_id = self.text(entry, "id", where, is_id=True)
            self.unique(phase_ids, phase_id, join(where, "id"), "phase id")
            title = self.text(entry, "title", where)
            purpose = self.text(entry, "purpose", where)
            minutes = self.number(
                entry,
                "target_minutes",
                where,
                low=0,
                low_open=True,
                allowed="a number of minutes above 0",
            )
            prompts: list[Prompt] = []
            for p_where, p_entry in self.tables(entry, "prompts", where, "[[phases.prompts]]"):
                self.keys(p_entry, p_where, _PROMPT_KEYS, ("id", "text"))
                prompt_id = self.text(p_entry, "id", p_where, is_id=True)
                # Prompt ids are unique across the file: notes and bookmarks refer to them
                # without naming the phase.
                self.unique(prompt_ids, prompt_id, join(p_where, "id"), "prompt id")
                text = self.text(p_entry, "text", p_where)
                follow_ups = self.text_list(p_entry, "follow_ups", p_where)
                if prompt_id and text:
                    prompts.append(Prompt(prompt_id, text, follow_ups))
            if phase_id and title and purpose and minutes is not None:
                phases.append(Phase(phase_id, title, purpose, minutes, tuple(prompts)))
        return tuple(phases)

    def codes(self, data: dict[str, Any]) -> tuple[Code, ...]:
        ids: dict[str, str] = {}
        keys: dict[str, str] = {}
        codes: list[Code] = []
        for where, entry in self.tables(data, "codes", "", "[[codes]]"):
            self.keys(entry, where, _CODE_KEYS, ("id", "name", "description", "group"))
            code_id = self.text(entry, "id", where, is_id=True)
            self.unique(ids, code_id, join(where, "id"), "code id")
            name = self.text(entry, "name", where)
            description = self.text(entry, "description", where)
            group = self.text(entry, "group", where)
            key = entry.get("key")
            if key is not None and (
                not isinstance(key, str) or len(key) != 1 or not key.isprintable() or key.isspace()
            ):
                self.add(
                    join(where, "key"),
                    "not a single key",
                    found=key,
                    allowed='one printable character, e.g. "1"',
                )
                key = None
            self.unique(keys, key, join(where, "key"), "quick key")
            if code_id and name and description and group:
                codes.append(Code(code_id, name, description, group, key))
        return tuple(codes)


def mention_rules(rules: Iterable[Rule]) -> tuple[MentionRule, ...]:
    """The protocol's ``mention`` rules, lowest priority first."""
    found = [MentionRule(r.id, r.words, r.prompt, r.reason, r.priority,
                         str(r.params["target"]) if "target" in r.params else None)
             for r in rules if r.signal == MENTION]
    return tuple(sorted(found, key=lambda m: (m.priority, m.id)))
