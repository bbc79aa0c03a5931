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

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from companion.errors import InputError
from companion.protocol.model import TARGETS, Instrument, Protocol, RefStat, Rule
from companion.protocol.scoring import Score, format_number, place

# ---------------------------------------------------------------------------------------
# What each signal accepts: the loader checks rules against this, the engine fills it in.


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


_TARGET = Param("choice", TARGETS)
_REF = frozenset({"p25", "median", "p75", "n", "placement"})
REFERENCE_PLACEHOLDERS: frozenset[str] = _REF
"""Placeholders that need a ``[reference]`` table in the protocol."""

SIGNALS: dict[str, SignalSpec] = {
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


def allowed_placeholders(signal: str, params: Mapping[str, object]) -> frozenset[str]:
    spec = SIGNALS[signal]
    if params.get("scope") == "both":
        return spec.placeholders | spec.both_placeholders
    return spec.placeholders


# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    """One filled-in questionnaire: for the most or least positive professional."""

    target: Literal["most", "least"]
    role: str
    score: Score


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


@dataclass(frozen=True)
class _Hit:
    rule: Rule
    strength: float
    target: str
    values: dict[str, object]
    # The finding this hit words: hits with the same finding share one card.
    finding: tuple[str, ...] = ()
    trigger: str = ""


def ceiling_fraction(protocol: Protocol) -> float:
    """The share of the maximum from which the protocol treats a score as near the
    maximum: its ceiling rules' threshold, else the instrument's. The profile chart uses
    it too, so the chart and the reasons call the same score the same thing."""
    instrument = protocol.instrument
    fractions = [float(r.params["min_fraction"]) for r in protocol.rules  # type: ignore[arg-type]
                 if r.signal == "near_ceiling" and "min_fraction" in r.params]
    if fractions:
        return min(fractions)
    return instrument.ceiling_fraction if instrument is not None else 0.95


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
    hits: list[_Hit] = []
    for rule in protocol.rules:
        hits.extend(_SIGNAL_FUNCS[rule.signal](protocol, instrument, rule, by_target))
    order = {"": -1, "most": 0, "least": 1}

    def wording_order(hit: _Hit) -> tuple[object, ...]:
        return (hit.rule.priority, -hit.strength, hit.rule.id, order.get(hit.target, 2))

    cards: dict[tuple[str, ...], list[_Hit]] = {}
    for hit in sorted(hits, key=wording_order):
        cards.setdefault(hit.finding or (hit.rule.id, hit.target), []).append(hit)
    ranked = sorted(cards.values(), key=lambda card: (
        -round(max(h.strength for h in card), 6), wording_order(card[0])))
    result: list[Suggestion] = []
    seen: set[str] = set()
    for card in ranked:
        worded = [(hit, _fill(hit.rule.prompt, hit.values)) for hit in card]
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
                reason=_fill(lead.rule.reason, lead.values),
                evidence=dict(lead.values),
                strength=round(strongest.strength, 3),
                trigger=_sentence_case(lead.trigger or strongest.trigger),
                alternatives=tuple(Wording(h.rule.id, t, _fill(h.rule.reason, h.values))
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


# ---------------------------------------------------------------------------------------
# Signals. Each returns zero or more hits with the values its placeholders need. Values
# are JSON-friendly (numbers, strings) because they double as the suggestion's evidence.


def _weakest_domain(
    protocol: Protocol, instrument: Instrument, rule: Rule, ratings: dict[str, RatingInput]
) -> list[_Hit]:
    hits: list[_Hit] = []
    for target, rating in _per_rating(rule, ratings):
        scored = _scored_domains(instrument, rating.score)
        if not scored:
            continue
        # The lowest share of its own maximum, so domains of unequal length compare fairly;
        # ties go to the first domain in the instrument's order.
        domain, value = min(scored, key=lambda dv: dv[1] / instrument.domain_max(dv[0]))
        if "domain" in rule.params and rule.params["domain"] != domain:
            continue
        ref = protocol.reference.get(target, domain) if protocol.reference else None
        below = rule.params.get("below")
        # With a "below" threshold the rule only fires under that reference percentile.
        if below is not None and (ref is None or not value < getattr(ref, str(below))):
            continue
        maximum = instrument.domain_max(domain)
        values = _rating_values(rating) | {
            "domain": _name(instrument, domain),
            "score": _num(value),
            "maximum": _num(maximum),
        }
        values |= _ref_values(ref, value, maximum, ceiling_fraction(protocol))
        if ref is not None:
            strength = max(0.0, (ref.p25 - value) / _iqr(ref))
        else:  # no study to compare with: a weak signal, stronger the lower the score
            strength = 0.25 * (maximum - value) / maximum
        trigger = (f"{_name(instrument, domain)} {_num(value)} for the {rating.role} "
                   f"({target} positive)")
        if ref is not None:
            trigger += f": {values['placement']} ({_num(ref.p25)})" if value < ref.p25 \
                else f": {values['placement']}"
        hits.append(_Hit(rule, strength, target, values, ("score", target, domain), trigger))
    return hits


def _largest_gap(
    protocol: Protocol, instrument: Instrument, rule: Rule, ratings: dict[str, RatingInput]
) -> list[_Hit]:
    pair = _pair(instrument, ratings)
    if pair is None:
        return []
    most, least = pair
    gaps = [(d, most.score.domains[d], least.score.domains[d]) for d in instrument.domains]
    # Signed gap most - least: a domain where the "least" professional scored higher is
    # not the gap this signal is about.
    domain, high, low = max(gaps, key=lambda g: float(g[1] or 0) - float(g[2] or 0))
    assert high is not None and low is not None
    gap = high - low
    threshold = float(rule.params["min_gap"])  # type: ignore[arg-type]
    if gap < threshold or gap <= 0:
        return []
    values = _pair_values(most, least) | {
        "domain": _name(instrument, domain),
        "score": _num(high),
        "other_score": _num(low),
        "gap": _num(gap),
        "min_gap": _num(threshold),
    }
    ref = protocol.reference.get("least", domain) if protocol.reference else None
    strength = gap / (_iqr(ref) if ref is not None else instrument.domain_max(domain) / 4)
    # A gap opened by a least-positive score below the study's middle half is that
    # score's finding: it folds into the same card.
    low_outside = ref is not None and low < ref.p25
    finding = ("score", "least", domain) if low_outside else ("gap", domain)
    trigger = (f"{_name(instrument, domain)}: {most.role} {_num(high)} vs {least.role} {_num(low)} "
               f"(gap {_num(gap)})")
    return [_Hit(rule, strength, "", values, finding, trigger)]


def _near_ceiling(
    protocol: Protocol, instrument: Instrument, rule: Rule, ratings: dict[str, RatingInput]
) -> list[_Hit]:
    fraction = float(rule.params.get("min_fraction", instrument.ceiling_fraction))  # type: ignore[arg-type]

    def near(rating: RatingInput) -> tuple[str, float, float] | None:
        """(lowest domain, its score, its share of the maximum) when all are near the top."""
        scored = _scored_domains(instrument, rating.score)
        if len(scored) != len(instrument.domains):
            return None
        shares = [(d, v, v / instrument.domain_max(d)) for d, v in scored]
        lowest = min(shares, key=lambda s: s[2])
        return lowest if lowest[2] >= fraction else None

    def describe(rating: RatingInput) -> dict[str, object]:
        domains = rating.score.domains
        return {
            "scores": ", ".join(f"{_name(instrument, d)} {_num(domains[d])}"
                                for d in instrument.domains),
            "total": _num(rating.score.total),
        }

    threshold = ", ".join(
        f"{_name(instrument, d)} {_num(fraction * instrument.domain_max(d))}"
        for d in instrument.domains
    )
    hits: list[_Hit] = []
    if rule.params.get("scope", "rating") == "both":
        pair = _pair(instrument, ratings)
        if pair is None:
            return []
        most, least = pair
        low_most, low_least = near(most), near(least)
        if low_most is None or low_least is None:
            return []
        values = (
            _pair_values(most, least)
            | describe(most)
            | {
                "other_scores": describe(least)["scores"],
                "other_score": _num(low_least[1]),
                "domain": _name(instrument, low_most[0]),
                "score": _num(low_most[1]),
                "threshold": threshold,
                "target": "most",
            }
        )
        share = min(low_most[2], low_least[2])
        trigger = (f"every domain at or above {_percent(fraction)} of the maximum for the "
                   f"{most.role} ({values['scores']}) and the {least.role} "
                   f"({values['other_scores']})")
        return [_Hit(rule, _ceiling_strength(share, fraction), "", values,
                     ("ceiling", "both"), trigger)]
    for target, rating in _per_rating(rule, ratings):
        lowest = near(rating)
        if lowest is None:
            continue
        values = (
            _rating_values(rating)
            | describe(rating)
            | {
                "domain": _name(instrument, lowest[0]),
                "score": _num(lowest[1]),
                "threshold": threshold,
            }
        )
        trigger = (f"every domain at or above {_percent(fraction)} of the maximum for the "
                   f"{rating.role} ({values['scores']})")
        hits.append(_Hit(rule, _ceiling_strength(lowest[2], fraction), target, values,
                         ("ceiling", target), trigger))
    return hits


def _small_gap(
    protocol: Protocol, instrument: Instrument, rule: Rule, ratings: dict[str, RatingInput]
) -> list[_Hit]:
    pair = _pair(instrument, ratings)
    if pair is None:
        return []
    most, least = pair
    threshold = float(rule.params["max_gap"])  # type: ignore[arg-type]
    gaps = {
        d: float(most.score.domains[d] or 0) - float(least.score.domains[d] or 0)
        for d in instrument.domains
    }
    domain = max(instrument.domains, key=lambda d: abs(gaps[d]))
    widest = abs(gaps[domain])
    if widest > threshold:
        return []
    values = _pair_values(most, least) | {
        "gaps": ", ".join(f"{_name(instrument, d)} {_num(gaps[d])}" for d in instrument.domains),
        "gap": _num(widest),
        "domain": _name(instrument, domain),
        "score": _num(most.score.domains[domain]),
        "other_score": _num(least.score.domains[domain]),
        "max_gap": _num(threshold),
    }
    # Weak evidence (at most 0.25), a little stronger the closer the profiles are.
    strength = 0.25 * (1 - widest / threshold) if threshold > 0 else 0.25
    trigger = f"most–least gaps all within {_num(threshold)} ({values['gaps']})"
    return [_Hit(rule, strength, "", values, ("flat",), trigger)]


def _domain_spread(
    protocol: Protocol, instrument: Instrument, rule: Rule, ratings: dict[str, RatingInput]
) -> list[_Hit]:
    threshold = float(rule.params["min_spread"])  # type: ignore[arg-type]
    hits: list[_Hit] = []
    for target, rating in _per_rating(rule, ratings):
        scored = _scored_domains(instrument, rating.score)
        if len(scored) < 2:
            continue
        high = max(scored, key=lambda dv: dv[1])
        low = min(scored, key=lambda dv: dv[1])
        spread = high[1] - low[1]
        if spread < threshold or spread <= 0:
            continue
        values = _rating_values(rating) | {
            "high_domain": _name(instrument, high[0]),
            "high_score": _num(high[1]),
            "low_domain": _name(instrument, low[0]),
            "low_score": _num(low[1]),
            "domain": _name(instrument, low[0]),
            "score": _num(low[1]),
            "spread": _num(spread),
            "min_spread": _num(threshold),
        }
        ref = protocol.reference.get(target, low[0]) if protocol.reference else None
        strength = spread / (_iqr(ref) if ref is not None else
                             instrument.domain_max(low[0]) / 4)
        low_outside = ref is not None and low[1] < ref.p25
        finding = ("score", target, low[0]) if low_outside else ("spread", target)
        trigger = (f"{_name(instrument, high[0])} {_num(high[1])} vs "
                   f"{_name(instrument, low[0])} {_num(low[1])} "
                   f"for the {rating.role} (spread {_num(spread)})")
        hits.append(_Hit(rule, strength, target, values, finding, trigger))
    return hits


def _low_item(
    protocol: Protocol, instrument: Instrument, rule: Rule, ratings: dict[str, RatingInput]
) -> list[_Hit]:
    threshold = float(rule.params["min_drop"])  # type: ignore[arg-type]
    hits: list[_Hit] = []
    for target, rating in _per_rating(rule, ratings):
        items = rating.score.items
        if items is None:
            continue
        present = [(n, v) for n, v in enumerate(items, start=1) if v is not None]
        if len(present) < 2:
            continue
        own_median = statistics.median(v for _, v in present)
        n, value = min(present, key=lambda nv: (nv[1], nv[0]))
        drop = own_median - value
        if drop < threshold or drop <= 0:
            continue
        item = instrument.item(n)
        values = _rating_values(rating) | {
            "item": n,
            "item_label": item.label or f"item {n}",
            "item_score": _num(value),
            "item_median": _num(own_median),
            "drop": _num(drop),
            "domain": _name(instrument, item.domain),
            "min_drop": _num(threshold),
        }
        span = instrument.scale_max - instrument.scale_min
        trigger = (f"item {n} ({_name(instrument, item.domain)}) {_num(value)} "
                   f"for the {rating.role}, "
                   f"{_num(drop)} below their median item")
        # No study values per item: a drop of a quarter of the scale counts 0.375.
        hits.append(_Hit(rule, 1.5 * drop / span, target, values, ("item", target, str(n)),
                         trigger))
    return hits


_SIGNAL_FUNCS = {
    "weakest_domain": _weakest_domain,
    "largest_gap": _largest_gap,
    "near_ceiling": _near_ceiling,
    "small_gap": _small_gap,
    "domain_spread": _domain_spread,
    "low_item": _low_item,
}
assert set(_SIGNAL_FUNCS) == set(SIGNALS)


# ---------------------------------------------------------------------------------------
# Helpers


def _per_rating(rule: Rule, ratings: dict[str, RatingInput]) -> list[tuple[str, RatingInput]]:
    wanted = rule.params.get("target")
    return [(t, ratings[t]) for t in TARGETS if t in ratings and wanted in (None, t)]


def _pair(
    instrument: Instrument, ratings: dict[str, RatingInput]
) -> tuple[RatingInput, RatingInput] | None:
    """Both ratings, when both exist and every domain is scored in each."""
    most, least = ratings.get("most"), ratings.get("least")
    if most is None or least is None:
        return None
    for rating in (most, least):
        if any(rating.score.domains[d] is None for d in instrument.domains):
            return None
    return most, least


def _scored_domains(instrument: Instrument, score: Score) -> list[tuple[str, float]]:
    return [(d, value) for d in instrument.domains if (value := score.domains[d]) is not None]


def _rating_values(rating: RatingInput) -> dict[str, object]:
    return {"role": rating.role, "target": rating.target, "total": _num(rating.score.total)}


def _pair_values(most: RatingInput, least: RatingInput) -> dict[str, object]:
    return {"role": most.role, "other_role": least.role}


def _ref_values(
    ref: RefStat | None, value: float, maximum: float, ceiling_fraction: float
) -> dict[str, object]:
    if ref is None:
        na = "n/a"
        return {"p25": na, "median": na, "p75": na, "n": na, "placement": "no reference value"}
    placement = place(value, ref, maximum, ceiling_fraction=ceiling_fraction)
    return {
        "p25": _num(ref.p25),
        "median": _num(ref.median),
        "p75": _num(ref.p75),
        "n": ref.n,
        "placement": placement.label,
        "placement_code": placement.value,
    }


def _iqr(ref: RefStat) -> float:
    """The study's interquartile range (never zero: a degenerate table still divides)."""
    return max(float(ref.p75 - ref.p25), 1e-6)


def _ceiling_strength(share: float, fraction: float) -> float:
    """0.5 at the threshold, 1.0 at the maximum."""
    room = max(1.0 - fraction, 1e-6)
    return 0.5 + 0.5 * min(max((share - fraction) / room, 0.0), 1.0)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _percent(fraction: float) -> str:
    return f"{format_number(round(fraction * 100, 1))}%"


def _name(instrument: Instrument, domain: str) -> str:
    """The domain as the protocol's language names it (``domain_labels``), else its id."""
    return instrument.domain_label(domain)


def _num(value: float | None) -> object:
    """Whole numbers as int (reads "286", not "286.0"); otherwise rounded to 2 decimals."""
    if value is None:
        return "n/a"
    if float(value).is_integer():
        return int(value)
    return round(float(value), 2)


def _fill(template: str, values: Mapping[str, object]) -> str:
    readable = {k: format_number(v) if isinstance(v, float) else str(v) for k, v in values.items()}
    return template.format_map(readable)
