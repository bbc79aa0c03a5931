"""The evidence behind a suggestion: each signal read from the questionnaire scores.

A signal returns zero or more hits: the rule it answers, how strong its evidence is (in
units of the reference study's interquartile range; the scale is explained in
:mod:`companion.protocol.suggestions`), the finding it words (hits of one finding fold into
one card) and the values its placeholders need.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from companion.protocol.model import TARGETS, Instrument, Protocol, RefStat, Rule, Target
from companion.protocol.scoring import Score, place
from companion.protocol.signals import SCORE_SIGNALS
from companion.protocol.wording import domain_name, number, percent


@dataclass(frozen=True)
class RatingInput:
    """One filled-in questionnaire: for the most or least positive professional."""

    target: Target
    role: str
    score: Score


@dataclass(frozen=True)
class Hit:
    """One rule's reading of the scores (see the module docstring)."""

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
    fractions = [float(r.params["min_fraction"]) for r in protocol.rules
                 if r.signal == "near_ceiling" and "min_fraction" in r.params]
    if fractions:
        return min(fractions)
    return instrument.ceiling_fraction if instrument is not None else 0.95


def read_evidence(
    protocol: Protocol, instrument: Instrument, ratings: dict[str, RatingInput]
) -> list[Hit]:
    """Every score rule's hits (rules that listen to the live transcript have none here)."""
    hits: list[Hit] = []
    for rule in protocol.rules:
        signal = SIGNAL_FUNCS.get(rule.signal)
        if signal is not None:
            hits.extend(signal(protocol, instrument, rule, ratings))
    return hits


# ---------------------------------------------------------------------------------------
# Signals. Each returns zero or more hits with the values its placeholders need. Values
# are JSON-friendly (numbers, strings) because they double as the suggestion's evidence.


def _weakest_domain(
    protocol: Protocol, instrument: Instrument, rule: Rule, ratings: dict[str, RatingInput]
) -> list[Hit]:
    hits: list[Hit] = []
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
            "domain": domain_name(instrument, domain),
            "score": number(value),
            "maximum": number(maximum),
        }
        values |= _ref_values(ref, value, maximum, ceiling_fraction(protocol))
        if ref is not None:
            strength = max(0.0, (ref.p25 - value) / _iqr(ref))
        else:  # no study to compare with: a weak signal, stronger the lower the score
            strength = 0.25 * (maximum - value) / maximum
        trigger = (f"{domain_name(instrument, domain)} {number(value)} for the {rating.role} "
                   f"({target} positive)")
        if ref is not None:
            trigger += f": {values['placement']} ({number(ref.p25)})" if value < ref.p25 \
                else f": {values['placement']}"
        hits.append(Hit(rule, strength, target, values, ("score", target, domain), trigger))
    return hits


def _largest_gap(
    protocol: Protocol, instrument: Instrument, rule: Rule, most: RatingInput,
    least: RatingInput,
) -> list[Hit]:
    gaps = [(d, most.score.domains[d], least.score.domains[d]) for d in instrument.domains]
    # Signed gap most - least: a domain where the "least" professional scored higher is
    # not the gap this signal is about.
    domain, high, low = max(gaps, key=lambda g: float(g[1] or 0) - float(g[2] or 0))
    assert high is not None and low is not None
    gap = high - low
    threshold = float(rule.params["min_gap"])
    if gap < threshold or gap <= 0:
        return []
    values = _pair_values(most, least) | {
        "domain": domain_name(instrument, domain),
        "score": number(high),
        "other_score": number(low),
        "gap": number(gap),
        "min_gap": number(threshold),
    }
    ref = protocol.reference.get("least", domain) if protocol.reference else None
    strength = gap / (_iqr(ref) if ref is not None else instrument.domain_max(domain) / 4)
    # A gap opened by a least-positive score below the study's middle half is that
    # score's finding: it folds into the same card.
    low_outside = ref is not None and low < ref.p25
    finding = ("score", "least", domain) if low_outside else ("gap", domain)
    trigger = (f"{domain_name(instrument, domain)}: {most.role} {number(high)} vs "
               f"{least.role} {number(low)} (gap {number(gap)})")
    return [Hit(rule, strength, "", values, finding, trigger)]


def _near_ceiling(
    protocol: Protocol, instrument: Instrument, rule: Rule, ratings: dict[str, RatingInput]
) -> list[Hit]:
    fraction = float(rule.params.get("min_fraction", instrument.ceiling_fraction))

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
            "scores": ", ".join(f"{domain_name(instrument, d)} {number(domains[d])}"
                                for d in instrument.domains),
            "total": number(rating.score.total),
        }

    threshold = ", ".join(
        f"{domain_name(instrument, d)} {number(fraction * instrument.domain_max(d))}"
        for d in instrument.domains
    )
    hits: list[Hit] = []
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
                "other_score": number(low_least[1]),
                "domain": domain_name(instrument, low_most[0]),
                "score": number(low_most[1]),
                "threshold": threshold,
                "target": "most",
            }
        )
        share = min(low_most[2], low_least[2])
        trigger = (f"every domain at or above {percent(fraction)} of the maximum for the "
                   f"{most.role} ({values['scores']}) and the {least.role} "
                   f"({values['other_scores']})")
        return [Hit(rule, _ceiling_strength(share, fraction), "", values,
                     ("ceiling", "both"), trigger)]
    for target, rating in _per_rating(rule, ratings):
        lowest = near(rating)
        if lowest is None:
            continue
        values = (
            _rating_values(rating)
            | describe(rating)
            | {
                "domain": domain_name(instrument, lowest[0]),
                "score": number(lowest[1]),
                "threshold": threshold,
            }
        )
        trigger = (f"every domain at or above {percent(fraction)} of the maximum for the "
                   f"{rating.role} ({values['scores']})")
        hits.append(Hit(rule, _ceiling_strength(lowest[2], fraction), target, values,
                         ("ceiling", target), trigger))
    return hits


def _small_gap(
    protocol: Protocol, instrument: Instrument, rule: Rule, most: RatingInput,
    least: RatingInput,
) -> list[Hit]:
    threshold = float(rule.params["max_gap"])
    gaps = {
        d: float(most.score.domains[d] or 0) - float(least.score.domains[d] or 0)
        for d in instrument.domains
    }
    domain = max(instrument.domains, key=lambda d: abs(gaps[d]))
    widest = abs(gaps[domain])
    if widest > threshold:
        return []
    values = _pair_values(most, least) | {
        "gaps": ", ".join(f"{domain_name(instrument, d)} {number(gaps[d])}"
                          for d in instrument.domains),
        "gap": number(widest),
        "domain": domain_name(instrument, domain),
        "score": number(most.score.domains[domain]),
        "other_score": number(least.score.domains[domain]),
        "max_gap": number(threshold),
    }
    # Weak evidence (at most 0.25), a little stronger the closer the profiles are.
    strength = 0.25 * (1 - widest / threshold) if threshold > 0 else 0.25
    trigger = f"most–least gaps all within {number(threshold)} ({values['gaps']})"
    return [Hit(rule, strength, "", values, ("flat",), trigger)]


def _domain_spread(
    protocol: Protocol, instrument: Instrument, rule: Rule, ratings: dict[str, RatingInput]
) -> list[Hit]:
    threshold = float(rule.params["min_spread"])
    hits: list[Hit] = []
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
            "high_domain": domain_name(instrument, high[0]),
            "high_score": number(high[1]),
            "low_domain": domain_name(instrument, low[0]),
            "low_score": number(low[1]),
            "domain": domain_name(instrument, low[0]),
            "score": number(low[1]),
            "spread": number(spread),
            "min_spread": number(threshold),
        }
        ref = protocol.reference.get(target, low[0]) if protocol.reference else None
        strength = spread / (_iqr(ref) if ref is not None else
                             instrument.domain_max(low[0]) / 4)
        low_outside = ref is not None and low[1] < ref.p25
        finding = ("score", target, low[0]) if low_outside else ("spread", target)
        trigger = (f"{domain_name(instrument, high[0])} {number(high[1])} vs "
                   f"{domain_name(instrument, low[0])} {number(low[1])} "
                   f"for the {rating.role} (spread {number(spread)})")
        hits.append(Hit(rule, strength, target, values, finding, trigger))
    return hits


def _low_item(
    protocol: Protocol, instrument: Instrument, rule: Rule, ratings: dict[str, RatingInput]
) -> list[Hit]:
    threshold = float(rule.params["min_drop"])
    hits: list[Hit] = []
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
            "item_score": number(value),
            "item_median": number(own_median),
            "drop": number(drop),
            "domain": domain_name(instrument, item.domain),
            "min_drop": number(threshold),
        }
        span = instrument.scale_max - instrument.scale_min
        trigger = (f"item {n} ({domain_name(instrument, item.domain)}) {number(value)} "
                   f"for the {rating.role}, "
                   f"{number(drop)} below their median item")
        # No study values per item: a drop of a quarter of the scale counts 0.375.
        hits.append(Hit(rule, 1.5 * drop / span, target, values, ("item", target, str(n)),
                         trigger))
    return hits


Signal = Callable[[Protocol, Instrument, Rule, dict[str, RatingInput]], list[Hit]]
PairSignal = Callable[[Protocol, Instrument, Rule, RatingInput, RatingInput], list[Hit]]


def _on_the_pair(signal: PairSignal) -> Signal:
    """A signal that compares the two ratings: no hits until both are fully scored."""
    def read(protocol: Protocol, instrument: Instrument, rule: Rule,
             ratings: dict[str, RatingInput]) -> list[Hit]:
        pair = _pair(instrument, ratings)
        return [] if pair is None else signal(protocol, instrument, rule, *pair)

    return read


SIGNAL_FUNCS: dict[str, Signal] = {
    "weakest_domain": _weakest_domain,
    "largest_gap": _on_the_pair(_largest_gap),
    "near_ceiling": _near_ceiling,
    "small_gap": _on_the_pair(_small_gap),
    "domain_spread": _domain_spread,
    "low_item": _low_item,
}
assert set(SIGNAL_FUNCS) == set(SCORE_SIGNALS)


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
    return {"role": rating.role, "target": rating.target, "total": number(rating.score.total)}


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
        "p25": number(ref.p25),
        "median": number(ref.median),
        "p75": number(ref.p75),
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
