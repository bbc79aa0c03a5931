"""The interview protocol as immutable data.

A protocol is read from a TOML file (see ``loader``) and never changes while a session runs,
so every class here is a frozen dataclass. The few mappings inside (rule thresholds,
reference tables) are plain dicts: they are built once by the loader and only read after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeAlias

from companion.errors import InputError, NotFoundError
from companion.protocol.live import LiveProtocol

RuleParam: TypeAlias = str | float
"""A rule setting as the loader checked it: a choice or domain id, or a number."""

Target: TypeAlias = Literal["most", "least"]
TARGETS: tuple[Target, ...] = ("most", "least")
"""The two ratings the study asked for: the most and the least positive professional."""


def as_target(text: str) -> Target:
    """``text`` (e.g. a stored rating's target) as one of :data:`TARGETS`."""
    for target in TARGETS:
        if text == target:
            return target
    raise InputError("target", text, "most or least")


@dataclass(frozen=True)
class Prompt:
    """One question the interviewer may ask, with optional follow-ups."""

    id: str
    text: str
    follow_ups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phase:
    """A stretch of the interview with its own purpose and time budget."""

    id: str
    title: str
    purpose: str
    target_minutes: float
    prompts: tuple[Prompt, ...] = ()

    def prompt(self, prompt_id: str) -> Prompt:
        for prompt in self.prompts:
            if prompt.id == prompt_id:
                return prompt
        raise NotFoundError("prompt", prompt_id, _one_of(p.id for p in self.prompts))


@dataclass(frozen=True)
class Item:
    """One questionnaire item: its number on the form and the domain it counts towards."""

    n: int
    domain: str
    label: str = ""


@dataclass(frozen=True)
class Instrument:
    """A rating questionnaire scored as item sums per domain (e.g. WAI-ReD)."""

    id: str
    name: str
    scale_min: float
    scale_max: float
    domains: tuple[str, ...]
    items: tuple[Item, ...]
    min_items_per_domain: int = 3
    # Share of the domain maximum from which a score counts as "at the ceiling"; the
    # WAI-ReD papers report ceiling effects, so the cut-off is data, not a constant.
    ceiling_fraction: float = 0.95
    # False while the item->domain map is borrowed from another instrument (WAI-SR).
    mapping_verified: bool = False
    mapping_note: str = ""
    # How the protocol's language names each domain in suggestions (e.g. "Taak"); a
    # domain without a label is written as its id, capitalised.
    domain_labels: dict[str, str] = field(default_factory=dict)

    def domain_label(self, domain: str) -> str:
        return self.domain_labels.get(domain) or domain.replace("_", " ").capitalize()

    @property
    def n_items(self) -> int:
        return len(self.items)

    def items_of(self, domain: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.domain == domain)

    def domain_max(self, domain: str) -> float:
        return self.scale_max * len(self.items_of(domain))

    def domain_min(self, domain: str) -> float:
        return self.scale_min * len(self.items_of(domain))

    @property
    def total_max(self) -> float:
        return self.scale_max * self.n_items

    @property
    def total_min(self) -> float:
        return self.scale_min * self.n_items

    def item(self, n: int) -> Item:
        for item in self.items:
            if item.n == n:
                return item
        raise NotFoundError("item", n, f"a number from 1 to {self.n_items}")


@dataclass(frozen=True)
class RefStat:
    """A published summary for one domain (or the total): median and quartiles."""

    median: float
    p25: float
    p75: float
    n: int


@dataclass(frozen=True)
class Reference:
    """Reference values from a published study, per target ("most"/"least") and domain.

    ``stats[target][key]`` where key is a domain id or ``"total"``.
    """

    source: str
    stats: dict[str, dict[str, RefStat]] = field(default_factory=dict)
    method: str = ""

    def get(self, target: str, key: str) -> RefStat | None:
        return self.stats.get(target, {}).get(key)


@dataclass(frozen=True)
class Rule:
    """A suggestion rule: which signal it listens to, its thresholds and its wording.

    ``params`` holds the signal-specific settings (``below``, ``min_gap``, ``scope``, ...),
    already checked by the loader. ``words`` are what a ``mention`` rule listens for in the
    live transcript: wording, like the prompt, so a translation has its own.
    """

    id: str
    signal: str
    priority: int
    prompt: str
    reason: str
    params: dict[str, RuleParam] = field(default_factory=dict)
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Code:
    """A codebook entry; ``key`` is the single quick key that tags a moment with it."""

    id: str
    name: str
    description: str
    group: str
    key: str | None = None


def code_name(code_id: str, name: str) -> str:
    """``A1 History and context``; just the name when it already starts with the id (how
    a code is named in every export and in the report)."""
    if name.casefold().startswith(code_id.casefold()):
        return name
    return f"{code_id} {name}"


@dataclass(frozen=True)
class Protocol:
    """A whole interview protocol, as loaded from one TOML file."""

    id: str
    title: str
    language: str
    phases: tuple[Phase, ...]
    path: Path
    content_hash: str
    description: str = ""
    vocabulary: tuple[str, ...] = ()
    translation_of: str | None = None  # id of the protocol this one translates
    verbatim: bool = False  # transcribe fillers, repeats and false starts too
    turn_pause_seconds: float = 0.8  # a silence this long starts a new transcript segment
    instrument: Instrument | None = None
    reference: Reference | None = None
    rules: tuple[Rule, ...] = ()
    codes: tuple[Code, ...] = ()
    live: LiveProtocol = field(default_factory=LiveProtocol)
    """Quote cards and mention rules for the live transcript (defaults when absent)."""

    def phase(self, phase_id: str) -> Phase:
        for phase in self.phases:
            if phase.id == phase_id:
                return phase
        raise NotFoundError("phase", phase_id, _one_of(p.id for p in self.phases))

    def next_phase(self, phase_id: str) -> Phase | None:
        """The phase after ``phase_id``, or None when it is the last one."""
        ids = [p.id for p in self.phases]
        if phase_id not in ids:
            raise NotFoundError("phase", phase_id, _one_of(ids))
        index = ids.index(phase_id)
        return self.phases[index + 1] if index + 1 < len(self.phases) else None

    def code(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise NotFoundError("code", code_id, _one_of(c.id for c in self.codes))

    def code_for_key(self, key: str) -> Code | None:
        """The code bound to a quick key, or None (an unbound key is not an error)."""
        for code in self.codes:
            if code.key == key:
                return code
        return None

    @property
    def total_target_minutes(self) -> float:
        return sum(p.target_minutes for p in self.phases)


def _one_of(ids: Iterable[object]) -> str:
    names = list(ids)
    return "one of: " + ", ".join(str(n) for n in names) if names else "none defined"
