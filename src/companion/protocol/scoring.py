"""Scoring a rating questionnaire (WAI-ReD and alike) and placing scores against a reference.

Domain score = sum of its items; total = sum of the domains. No official rule for missing
items exists for the WAI-ReD, so we use a documented convention of our own (the one HADS
uses too): with at most one item missing and at least ``min_items_per_domain`` present, the
domain is prorated as the mean of the present items times the number of items; with fewer
items the domain, and therefore the total, is left empty rather than guessed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from numbers import Real

from companion.errors import InputError
from companion.protocol.model import Instrument, RefStat


@dataclass(frozen=True)
class Score:
    """One completed questionnaire: domain scores, total, and how they were obtained.

    ``domains[d]`` is None when too many of its items are missing; ``total`` is then None
    too. ``prorated[d]`` is True when one missing item was filled in by the domain mean.
    ``items`` keeps the raw item values (None = missing) when items were entered.
    """

    domains: dict[str, float | None]
    total: float | None
    prorated: dict[str, bool]
    items: tuple[float | None, ...] | None = None

    @property
    def complete(self) -> bool:
        """Every domain has a score (possibly prorated)."""
        return self.total is not None

    @property
    def any_prorated(self) -> bool:
        return any(self.prorated.values())


class Placement(StrEnum):
    """Where a score falls relative to a reference median and interquartile range."""

    BELOW_P25 = "below_p25"
    WITHIN_IQR = "within_iqr"
    ABOVE_P75 = "above_p75"
    AT_CEILING = "at_ceiling"

    @property
    def label(self) -> str:
        return _PLACEMENT_LABELS[self]


_PLACEMENT_LABELS = {
    Placement.BELOW_P25: "below the study's 25th percentile",
    Placement.WITHIN_IQR: "between the study's 25th and 75th percentiles",
    Placement.ABOVE_P75: "above the study's 75th percentile",
    Placement.AT_CEILING: "at or near the maximum",
}


def score_rating(
    instrument: Instrument,
    *,
    items: Sequence[float | None] | None = None,
    domains: Mapping[str, float | None] | None = None,
) -> Score:
    """Score one rating from either the item values or the domain scores (not both).

    Raises ``InputError`` naming the field (``items[3]``, ``goal``) for a value that is not a
    number within the scale, for the wrong number of items, and for unknown domains.
    """
    if (items is None) == (domains is None):
        raise InputError(
            "rating",
            "items and domains" if items is not None else "nothing",
            "either the item values or the domain scores, not both",
        )
    if items is not None:
        return _score_items(instrument, items)
    assert domains is not None
    return _score_domains(instrument, domains)


def _score_items(instrument: Instrument, items: Sequence[float | None]) -> Score:
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise InputError("items", items, f"a list of {instrument.n_items} numbers")
    if len(items) != instrument.n_items:
        raise InputError(
            "items", f"{len(items)} values", f"exactly {instrument.n_items} values (None = missing)"
        )
    low, high = format_number(instrument.scale_min), format_number(instrument.scale_max)
    allowed = f"a number from {low} to {high}"
    values: list[float | None] = []
    # Items are named by their number on the form (1-based), as the researcher reads them.
    for index, value in enumerate(items, start=1):
        if value is None:
            values.append(None)
            continue
        values.append(
            _number(f"items[{index}]", value, instrument.scale_min, instrument.scale_max, allowed)
        )
    domain_scores: dict[str, float | None] = {}
    prorated: dict[str, bool] = {}
    for domain in instrument.domains:
        members = instrument.items_of(domain)
        present_values = [v for v in (values[item.n - 1] for item in members) if v is not None]
        missing = len(members) - len(present_values)
        if missing == 0:
            domain_scores[domain] = math.fsum(present_values)
            prorated[domain] = False
        elif missing == 1 and len(present_values) >= instrument.min_items_per_domain:
            mean = math.fsum(present_values) / len(present_values)
            domain_scores[domain] = mean * len(members)
            prorated[domain] = True
        else:
            domain_scores[domain] = None
            prorated[domain] = False
    return Score(
        domains=domain_scores,
        total=_total(domain_scores),
        prorated=prorated,
        items=tuple(values),
    )


def _score_domains(instrument: Instrument, domains: Mapping[str, float | None]) -> Score:
    if not isinstance(domains, Mapping):
        raise InputError("domains", domains, "a mapping of domain to score")
    known = ", ".join(instrument.domains)
    given: dict[str, float | None] = {}
    for key, value in domains.items():
        domain = str(key).lower()
        if domain not in instrument.domains:
            raise InputError(str(key), value, f"one of the domains: {known}")
        if value is None:
            given[domain] = None
            continue
        low, high = instrument.domain_min(domain), instrument.domain_max(domain)
        given[domain] = _number(
            domain, value, low, high, f"a number from {format_number(low)} to {format_number(high)}"
        )
    missing = [d for d in instrument.domains if d not in given]
    if missing:
        raise InputError(
            "domains", ", ".join(sorted(given)) or "none", f"a score for each of: {known}"
        )
    ordered = {d: given[d] for d in instrument.domains}
    return Score(
        domains=ordered,
        total=_total(ordered),
        prorated={d: False for d in instrument.domains},
        items=None,
    )


def _total(domain_scores: Mapping[str, float | None]) -> float | None:
    values = list(domain_scores.values())
    if any(v is None for v in values):
        return None
    return math.fsum(v for v in values if v is not None)


def _number(field: str, value: object, low: float, high: float, allowed: str) -> float:
    # bool is an int subclass; True as a score is a bug upstream, not a 1.
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(field, value, allowed)
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise InputError(field, value, allowed)
    return number


def place(
    value: float, ref: RefStat, maximum: float, *, ceiling_fraction: float = 0.95
) -> Placement:
    """Place a score against the reference quartiles; the ceiling check comes first.

    A score at or above ``ceiling_fraction`` of the maximum is reported as at the ceiling
    even when it is also above the 75th percentile: for this study the ceiling is the more
    telling fact, because uniformly high scores hid strain. The quartiles themselves count
    as within the interquartile range.
    """
    if maximum > 0 and value >= ceiling_fraction * maximum:
        return Placement.AT_CEILING
    if value < ref.p25:
        return Placement.BELOW_P25
    if value > ref.p75:
        return Placement.ABOVE_P75
    return Placement.WITHIN_IQR


def format_number(value: float) -> str:
    """A score as people read it: 286 rather than 286.0, 283.5 kept, at most two decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")
