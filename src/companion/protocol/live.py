"""What a protocol says about the live transcript: quote cards, role synonyms, mentions.

```toml
[live]
quote_prompt = "At {time} you said: '{quote}'. Could you tell me more about that?"
quote_phases = ["deepening", "critical-reflection"]

[live.synonyms]          # words that name a role of the ratings (the role itself counts)
psychologist = ["psych", "therapist"]

[[rules]]                # words heard from the participant → a card of the team's own
id = "mention-surgery"
signal = "mention"
words = ["surgery", "operation"]
priority = 40
prompt = "You mentioned {heard}. What did that mean for you?"
reason = "An operation often changes what people hope for from rehabilitation."
```

Mention rules are ``[[rules]]`` like the rules that read the scores (checked by
:mod:`companion.protocol.check_rules`); the loader hands them to :class:`LiveProtocol`
so the live engine finds them beside the quote cards and synonyms.

Everything has a default, so a protocol without ``[live]`` gets quote cards in the
deepening and critical-reflection phases and cards that rise when a role is named.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from companion.tomlcheck import Checker, join

DEFAULT_QUOTE_PROMPT = ("At {time} you said: '{quote}'. Could you tell me more about "
                        "that?")
DEFAULT_QUOTE_PHASES = ("deepening", "critical-reflection")
QUOTE_PLACEHOLDERS = frozenset({"time", "quote"})
_LIVE_KEYS = ("quote_prompt", "quote_phases", "synonyms")


def _no_synonyms() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({})


@dataclass(frozen=True)
class MentionRule:
    """Words heard from the participant that bring up a card of the team's own.

    ``prompt`` and ``reason`` are templates with ``{heard}`` and ``{time}`` (and
    ``{role}``, the professional of the ``target`` rating, when the rule names one).
    """

    id: str
    words: tuple[str, ...]
    prompt: str
    reason: str = ""
    priority: int = 0
    target: str | None = None


@dataclass(frozen=True)
class LiveProtocol:
    quote_prompt: str = DEFAULT_QUOTE_PROMPT
    quote_phases: tuple[str, ...] = DEFAULT_QUOTE_PHASES
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=_no_synonyms)
    mentions: tuple[MentionRule, ...] = ()


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class LiveChecks(Checker):
    """The ``[live]`` table of a protocol (a mixin of the loader)."""

    def live(self, data: dict[str, Any], phase_ids: tuple[str, ...]) -> LiveProtocol:
        table = self.table(data, "live", "")
        if table is None:
            return LiveProtocol()
        if "mentions" in table:  # the draft's table, before mention became a rule type
            self.add(join("live", "mentions"), "not a [live] table",
                     allowed='[[rules]] with signal = "mention" (same keys, plus priority)')
        self.keys({k: v for k, v in table.items() if k != "mentions"}, "live", _LIVE_KEYS, ())
        prompt = self.text(table, "quote_prompt", "live")
        if prompt is not None:
            self._template(prompt, join("live", "quote_prompt"), QUOTE_PLACEHOLDERS)
        phases = self.text_list(table, "quote_phases", "live") if "quote_phases" in table \
            else None
        for index, phase in enumerate(phases or ()):
            if phase not in phase_ids:
                self.add(f"live.quote_phases[{index}]", "unknown phase", found=phase,
                         allowed="one of: " + ", ".join(phase_ids))
        synonyms: dict[str, tuple[str, ...]] = {}
        sub = self.table(table, "synonyms", "live") or {}
        for role in sub:
            synonyms[role] = self.text_list(sub, role, join("live", "synonyms"))
        return LiveProtocol(
            quote_prompt=prompt or DEFAULT_QUOTE_PROMPT,
            quote_phases=phases if phases is not None else DEFAULT_QUOTE_PHASES,
            synonyms=MappingProxyType(synonyms),
        )

    def _template(self, template: str, where: str, allowed: frozenset[str]) -> None:
        try:
            names = _placeholders(template)
        except ValueError as exc:
            self.add(where, "bad template", found=template, allowed=f"text with {{…}} "
                     f"placeholders ({exc})")
            return
        unknown = sorted(names - allowed)
        if unknown:
            self.add(where, "unknown placeholder", found="{" + unknown[0] + "}",
                     allowed="placeholders " + ", ".join("{" + n + "}" for n in
                                                         sorted(allowed)))
