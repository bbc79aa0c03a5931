"""Suggestions that follow the conversation: words heard in a live line raise a card.

A card from the scores names the role behind it (its evidence's ``role``, and
``other_role`` for a gap between two ratings). When the participant names that role, or one
of its synonyms from the protocol's ``[live.synonyms]``, the card rises to the top with the
moment it was heard. A protocol's ``mention`` rules (``[[rules]]`` with
``signal = "mention"``) bring up cards of the team's own from other words; their reason
starts with what was heard and when. Interviewer lines never trigger anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from companion.notation import format_hms
from companion.protocol.live import LiveProtocol, MentionRule


@dataclass(frozen=True)
class Mention:
    """A card raised by words heard: ``card_id`` is a suggestion's rule id or a mention
    rule's id; ``text`` is set for a mention rule's own card."""

    card_id: str
    heard: str
    at_ms: int
    reason: str
    text: str = ""
    source: str = ""
    """The line that raised it and whose it is (``P05: “…”``), when known."""


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = sorted({w.strip().lower() for w in words if w.strip()}, key=len,
                          reverse=True)
    if not alternatives:
        return None
    # Whole words, a plural 's' allowed: "psychologists" names the psychologist too.
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in alternatives)
    return re.compile(rf"\b(?:{body})(?:s|es)?\b", re.IGNORECASE)


def role_words(role: str, synonyms: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The words that name ``role``: the role itself and its synonyms (any case)."""
    words = [role]
    for name, extra in synonyms.items():
        if name.strip().lower() == role.strip().lower():
            words += list(extra)
    return tuple(words)


def heard_reason(heard: str, at_ms: int) -> str:
    return f"heard '{heard}' at {format_hms(at_ms)}"


def find_mentions(
    text: str,
    at_ms: int,
    cards: Sequence[tuple[str, Mapping[str, object]]],
    live: LiveProtocol,
) -> list[Mention]:
    """The cards a participant's line raises. ``cards``: (rule id, evidence) of the
    suggestions on screen."""
    found: list[Mention] = []
    raised: set[str] = set()
    # The cards of the named professional's own rating first, then those that compare it.
    for key in ("role", "other_role"):
        for card_id, evidence in cards:
            role = evidence.get(key)
            if card_id in raised or not isinstance(role, str) or not role.strip():
                continue
            pattern = _pattern(role_words(role, live.synonyms))
            match = pattern.search(text) if pattern else None
            if match:
                heard = match.group(0)
                found.append(Mention(card_id, heard, at_ms, heard_reason(heard, at_ms)))
                raised.add(card_id)
    roles = rating_roles(evidence for _, evidence in cards)
    for rule in live.mentions:  # lowest priority first
        mention = match_rule(rule, text, at_ms, roles)
        if mention is not None:
            found.append(mention)
    return found


def rating_roles(evidences: Iterable[Mapping[str, object]]) -> dict[str, str]:
    """Which professional each rating ("most", "least") is about, read from the cards'
    evidence (a card of one rating names its ``target``; a comparison names both)."""
    roles: dict[str, str] = {}
    for evidence in evidences:
        role, other = evidence.get("role"), evidence.get("other_role")
        target = evidence.get("target")
        if isinstance(role, str) and isinstance(other, str):
            roles.setdefault("most", role)
            roles.setdefault("least", other)
        elif isinstance(role, str) and isinstance(target, str):
            roles.setdefault(target, role)
    return roles


def match_rule(rule: MentionRule, text: str, at_ms: int,
               roles: Mapping[str, str] | None = None) -> Mention | None:
    """The rule's card when ``text`` holds one of its words. A rule about one rating
    (``target``) waits until that rating's professional is known, to name them."""
    pattern = _pattern(rule.words)
    match = pattern.search(text) if pattern else None
    if match is None:
        return None
    heard = match.group(0)
    values = {"heard": heard, "time": format_hms(at_ms)}
    if rule.target is not None:
        role = (roles or {}).get(rule.target)
        if role is None:
            return None
        values["role"] = role
    why = rule.reason.format(**values) if rule.reason else ""
    reason = heard_reason(heard, at_ms) + (f" — {why}" if why else "")
    return Mention(rule.id, heard, at_ms, reason, rule.prompt.format(**values))
