"""What each suggestion signal accepts: the loader checks ``[[rules]]`` against this and
the evidence fills in the placeholders it names.

The signals are fixed in code; which ones a study uses, their thresholds and their wording
live in the protocol's ``[[rules]]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from companion.protocol.model import TARGETS


@dataclass(frozen=True)
class Param:
    """One rule setting: ``kind`` is choice | domain | points | item_points | fraction."""

    kind: str
    choices: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class SignalSpec:
    params: dict[str, Param]
    placeholders: frozenset[str]
    # Placeholders only available for the two-rating variant (near_ceiling scope="both").
    both_placeholders: frozenset[str] = frozenset()
    # Placeholders only available when the rule names a rating's ``target`` (mention).
    target_placeholders: frozenset[str] = frozenset()
    # The rule listens to the live transcript: it lists the ``words`` that raise its card.
    words: bool = False


_TARGET = Param("choice", TARGETS)
_REF = frozenset({"p25", "median", "p75", "n", "placement"})
REFERENCE_PLACEHOLDERS: frozenset[str] = _REF
"""Placeholders that need a ``[reference]`` table in the protocol."""

SCORE_SIGNALS: dict[str, SignalSpec] = {
    "weakest_domain": SignalSpec(
        params={
            "domain": Param("domain"),
            "below": Param("choice", ("p25", "median", "p75")),
            "target": _TARGET,
        },
        placeholders=frozenset({"role", "target", "domain", "score", "maximum", "total"} | _REF),
    ),
    "largest_gap": SignalSpec(
        params={"min_gap": Param("points", required=True)},
        placeholders=frozenset(
            {"role", "other_role", "domain", "score", "other_score", "gap", "min_gap"}
        ),
    ),
    "near_ceiling": SignalSpec(
        params={
            "scope": Param("choice", ("rating", "both")),
            "min_fraction": Param("fraction"),
            "target": _TARGET,
        },
        placeholders=frozenset(
            {"role", "target", "scores", "threshold", "domain", "score", "total"}
        ),
        both_placeholders=frozenset({"other_role", "other_scores", "other_score"}),
    ),
    "small_gap": SignalSpec(
        params={"max_gap": Param("points", required=True)},
        placeholders=frozenset(
            {"role", "other_role", "gaps", "gap", "domain", "score", "other_score", "max_gap"}
        ),
    ),
    "domain_spread": SignalSpec(
        params={"min_spread": Param("points", required=True), "target": _TARGET},
        placeholders=frozenset(
            {
                "role",
                "target",
                "high_domain",
                "high_score",
                "low_domain",
                "low_score",
                "spread",
                "domain",
                "score",
                "min_spread",
            }
        ),
    ),
    "low_item": SignalSpec(
        params={"min_drop": Param("item_points", required=True), "target": _TARGET},
        placeholders=frozenset(
            {
                "role",
                "target",
                "item",
                "item_label",
                "item_score",
                "item_median",
                "drop",
                "domain",
                "min_drop",
            }
        ),
    ),
}
"""Signals read from the questionnaire scores (:mod:`companion.protocol.evidence`)."""

MENTION = "mention"
"""Words heard from the participant in the live transcript → the rule's own card."""

SIGNALS: dict[str, SignalSpec] = {
    **SCORE_SIGNALS,
    MENTION: SignalSpec(
        params={"target": _TARGET},
        placeholders=frozenset({"heard", "time"}),
        target_placeholders=frozenset({"role"}),
        words=True,
    ),
}
"""Every signal a rule may name: the score signals and ``mention``."""


def allowed_placeholders(signal: str, params: Mapping[str, object]) -> frozenset[str]:
    spec = SIGNALS[signal]
    allowed = spec.placeholders
    if params.get("scope") == "both":
        allowed |= spec.both_placeholders
    if params.get("target") is not None:
        allowed |= spec.target_placeholders
    return allowed
