"""Quantiles the way the study's software computed them.

The reference values (median with 25th and 75th percentile, n = 26) come from SPSS, whose
default percentile method is HAVERAGE, i.e. Hyndman & Fan type 6. Computing our own sample
tables the same way keeps them comparable with the published table; numpy's default (type 7)
would not. Pure Python so it has no dependency and is easy to check by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

from companion.errors import InputError


def quantile(values: Sequence[float], p: float) -> float:
    """Hyndman–Fan type 6 quantile (SPSS HAVERAGE, numpy ``method="weibull"``).

    Position h = (n + 1) * p on the sorted values (1-based); between two order statistics
    the value is interpolated linearly; outside [1, n] it is clamped to the min or max.
    """
    if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p <= 1:
        raise InputError("p", p, "a number from 0 to 1")
    xs = sorted(_checked(values))
    n = len(xs)
    h = (n + 1) * p
    if h <= 1:
        return xs[0]
    if h >= n:
        return xs[-1]
    lower = math.floor(h)
    fraction = h - lower
    below, above = xs[lower - 1], xs[lower]
    return below + fraction * (above - below)


def median_iqr(values: Sequence[float]) -> tuple[float, float, float]:
    """(median, 25th percentile, 75th percentile), all type 6, as the study reports them."""
    return quantile(values, 0.5), quantile(values, 0.25), quantile(values, 0.75)


def _checked(values: Sequence[float]) -> list[float]:
    result: list[float] = []
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise InputError(f"values[{index}]", value, "a finite number")
        result.append(float(value))
    if not result:
        raise InputError("values", list(values), "at least one number")
    return result
