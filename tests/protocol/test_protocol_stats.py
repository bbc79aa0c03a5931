"""Type 6 (SPSS HAVERAGE) quantiles."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.errors import InputError
from companion.protocol import median_iqr, quantile

# 26 values, as in the study (n = 26), already sorted here to make the hand computation
# readable; the test shuffles them.
SORTED_26 = [
    150,
    180,
    201,
    222,
    240,
    262,
    270,
    281,
    290,
    300,
    305,
    311,
    318,
    324,
    330,
    333,
    341,
    350,
    355,
    360,
    368,
    372,
    380,
    390,
    395,
    400,
]


def test_quartiles_by_hand_for_n_26():
    values = SORTED_26[:]
    random.Random(7).shuffle(values)
    # Positions h = (n + 1) p = 27 p, 1-based on the sorted list:
    #   p25: h = 6.75  -> x6 + 0.75 (x7 - x6)   = 262 + 0.75 * (270 - 262) = 268
    #   p50: h = 13.5  -> x13 + 0.5 (x14 - x13) = 318 + 0.5 * (324 - 318)  = 321
    #   p75: h = 20.25 -> x20 + 0.25 (x21 - x20) = 360 + 0.25 * (368 - 360) = 362
    assert SORTED_26[5] == 262 and SORTED_26[6] == 270
    assert SORTED_26[12] == 318 and SORTED_26[13] == 324
    assert SORTED_26[19] == 360 and SORTED_26[20] == 368
    assert quantile(values, 0.25) == pytest.approx(268.0)
    assert quantile(values, 0.5) == pytest.approx(321.0)
    assert quantile(values, 0.75) == pytest.approx(362.0)
    assert median_iqr(values) == pytest.approx((321.0, 268.0, 362.0))
    # Not numpy's default (type 7: positions 7.25 and 19.75 -> 272.75 and 358.75).
    assert np.quantile(values, 0.25) == pytest.approx(272.75)
    assert quantile(values, 0.25) != pytest.approx(272.75)


def test_clamps_to_min_and_max():
    assert quantile([1, 2, 3], 0.1) == 1  # h = 0.4
    assert quantile([1, 2, 3], 0.95) == 3  # h = 3.8
    assert quantile([5], 0.25) == 5
    assert quantile([1, 2, 3], 0) == 1 and quantile([1, 2, 3], 1) == 3


@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=60),
    st.floats(min_value=0, max_value=1),
)
def test_matches_numpy_weibull(values, p):
    expected = float(np.quantile(values, p, method="weibull"))
    assert math.isclose(quantile(values, p), expected, rel_tol=1e-9, abs_tol=1e-6)


@given(st.lists(st.integers(min_value=0, max_value=1200), min_size=1, max_size=40))
def test_quartiles_are_ordered(values):
    median, p25, p75 = median_iqr(values)
    assert min(values) <= p25 <= median <= p75 <= max(values)


@pytest.mark.parametrize(
    ("values", "p", "field"),
    [
        ([], 0.5, "values"),
        ([1, float("nan")], 0.5, "values[1]"),
        ([1, 2], 1.5, "p"),
        ([1, "2"], 0.5, "values[1]"),
        ([1, 2], -0.1, "p"),
    ],
)
def test_bad_input(values, p, field):
    with pytest.raises(InputError) as err:
        quantile(values, p)
    assert err.value.field == field
