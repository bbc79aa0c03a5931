"""Questions proposed from the questionnaire scores, each with the reason it was proposed.

The signals are fixed in code; which ones a study uses, their thresholds and their wording
live in the protocol's ``[[rules]]``.

What the interviewer sees is one card per finding, strongest evidence first. Rules that
word the same finding differently (three ceiling probes for one profile; the gap and the
low score behind it) fold into one card: the wording with the lowest rule priority leads,
the others come along as alternatives. Strength is measured on one scale, in units of the
reference study's interquartile range (IQR): how far a score lies below the 25th
percentile, how wide a most–least gap is. A ceiling profile counts 0.5 to 1 (the study
behind the default protocol found that such profiles hid unvoiced strain), so a score
more than an IQR outside the study's middle half still comes first. A flat profile
(small gaps) and a score inside the middle half are the weakest evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from companion.errors import InputError
from companion.protocol.evidence import Hit, RatingInput, ceiling_fraction, read_evidence
from companion.protocol.model import TARGETS, Instrument, Protocol
from companion.protocol.signals import (
    REFERENCE_PLACEHOLDERS,
    SIGNALS,
    Param,
    SignalSpec,
    allowed_placeholders,
)
from companion.protocol.wording import fill, sentence_case

__all__ = [
    "REFERENCE_PLACEHOLDERS",
    "SIGNALS",
    "Param",
    "RatingInput",
    "SignalSpec",
    "Suggestion",
    "Wording",
    "allowed_placeholders",
    "ceiling_fraction",
    "suggest",
]


@dataclass(frozen=True)
class Wording:
    """Another rule's wording of the same finding (offered under the card's question)."""

    rule_id: str
    text: str
    reason: str


@dataclass(frozen=True)
class Suggestion:
    """One finding as a card: the question to ask, its reason and the score behind it.

    ``rank`` 1 = ask first; ``strength`` is the evidence in IQR units (see the module
    docstring); ``trigger`` names the score that raised it ("Goal 150 for the
    psychologist"); ``alternatives`` are other wordings of the same finding.
    """

    rank: int
    rule_id: str
    signal: str
    text: str
    reason: str
    evidence: dict[str, object] = field(default_factory=dict)
    strength: float = 0.0
    trigger: str = ""
    alternatives: tuple[Wording, ...] = ()


def suggest(protocol: Protocol, ratings: Sequence[RatingInput]) -> list[Suggestion]:
    """Run every rule over the ratings: one card per finding, strongest evidence first.

    Cards are ordered by strength (stronger first), then by their leading rule's priority,
    rule id and target (most before least), so the order never depends on the order of
    the ratings. Within a card the lowest priority wording leads. A text already shown is
    not repeated. A protocol without an instrument, or no ratings, gives an empty list.
    """
    instrument = protocol.instrument
    if instrument is None or not protocol.rules:
        return []
    by_target = _check_ratings(instrument, ratings)
    if not by_target:
        return []
    hits = read_evidence(protocol, instrument, by_target)
    order = {"": -1, "most": 0, "least": 1}

    def wording_order(hit: Hit) -> tuple[object, ...]:
        return (hit.rule.priority, -hit.strength, hit.rule.id, order.get(hit.target, 2))

    cards: dict[tuple[str, ...], list[Hit]] = {}
    for hit in sorted(hits, key=wording_order):
        cards.setdefault(hit.finding or (hit.rule.id, hit.target), []).append(hit)
    ranked = sorted(cards.values(), key=lambda card: (
        -round(max(h.strength for h in card), 6), wording_order(card[0])))
    result: list[Suggestion] = []
    seen: set[str] = set()
    for card in ranked:
        worded = [(hit, fill(hit.rule.prompt, hit.values)) for hit in card]
        worded = [(hit, text) for hit, text in worded if text not in seen]
        if not worded:
            continue
        seen.update(text for _, text in worded)
        (lead, text), others = worded[0], worded[1:]
        strongest = max(card, key=lambda h: h.strength)  # the card is as strong as its best
        result.append(
            Suggestion(
                rank=len(result) + 1,
                rule_id=lead.rule.id,
                signal=lead.rule.signal,
                text=text,
                reason=fill(lead.rule.reason, lead.values),
                evidence=dict(lead.values),
                strength=round(strongest.strength, 3),
                trigger=sentence_case(lead.trigger or strongest.trigger),
                alternatives=tuple(Wording(h.rule.id, t, fill(h.rule.reason, h.values))
                                   for h, t in others),
            )
        )
    return result


def _check_ratings(
    instrument: Instrument, ratings: Sequence[RatingInput]
) -> dict[str, RatingInput]:
    by_target: dict[str, RatingInput] = {}
    for index, rating in enumerate(ratings):
        if rating.target not in TARGETS:
            raise InputError(f"ratings[{index}].target", rating.target, "most or least")
        if rating.target in by_target:
            raise InputError(
                f"ratings[{index}].target", rating.target, "at most one rating per target"
            )
        if set(rating.score.domains) != set(instrument.domains):
            raise InputError(
                f"ratings[{index}].score",
                ", ".join(rating.score.domains),
                "scores for the domains " + ", ".join(instrument.domains),
            )
        by_target[rating.target] = rating
    return by_target
