"""Scoring a WAI-ReD rating and placing it against the study's quartiles."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.errors import InputError
from companion.protocol import Placement, RefStat, place, score_rating

item_value = st.one_of(st.none(), st.floats(min_value=0, max_value=100), st.integers(0, 100))


@given(st.lists(item_value, min_size=12, max_size=12))
def test_domains_within_bounds_and_total_is_their_sum(pain, items):
    inst = pain.instrument
    score = score_rating(inst, items=items)
    assert score.items == tuple(None if v is None else float(v) for v in items)
    for domain in inst.domains:
        members = [items[i.n - 1] for i in inst.items_of(domain)]
        missing = sum(v is None for v in members)
        value = score.domains[domain]
        if missing == 0:
            assert value == pytest.approx(math.fsum(members))
            assert not score.prorated[domain]
        elif missing == 1:
            present = [v for v in members if v is not None]
            assert value == pytest.approx(math.fsum(present) / 3 * 4)
            assert score.prorated[domain]
        else:
            assert value is None and not score.prorated[domain]
        assert value is None or 0 <= value <= 400
    if any(v is None for v in score.domains.values()):
        assert score.total is None and not score.complete
    else:
        assert score.total == pytest.approx(sum(score.domains.values()))
        assert 0 <= score.total <= 1200


@given(st.fixed_dictionaries({d: st.floats(0, 400) for d in ("task", "goal", "bond")}))
def test_domain_entry_total(pain, domains):
    score = score_rating(pain.instrument, domains=domains)
    assert score.total == pytest.approx(sum(domains.values()))
    assert score.items is None and not score.any_prorated


def test_prorating_three_of_four(pain):
    items = [80.0] * 12
    items[0] = None  # task item 1
    items[1] = 60.0  # task item 2
    score = score_rating(pain.instrument, items=items)
    # Task items 2, 10, 12 present: (60 + 80 + 80) / 3 * 4
    assert score.domains["task"] == pytest.approx(220 / 3 * 4)
    assert score.prorated == {"task": True, "goal": False, "bond": False}
    assert score.domains["goal"] == 320 and score.domains["bond"] == 320
    assert score.total == pytest.approx(220 / 3 * 4 + 640)


def test_two_of_four_leaves_domain_and_total_empty(pain):
    items = [70] * 12
    items[3] = None  # goal item 4
    items[5] = None  # goal item 6
    score = score_rating(pain.instrument, items=items)
    assert score.domains["goal"] is None
    assert score.total is None
    assert score.domains["task"] == 280 and score.domains["bond"] == 280
    assert not score.complete


@pytest.mark.parametrize(
    ("index", "value"),
    [(3, -1), (3, 100.5), (0, float("nan")), (11, float("inf")), (5, True), (2, "80")],
)
def test_bad_item_values_name_the_item(pain, index, value):
    items = [50] * 12
    items[index] = value
    with pytest.raises(InputError) as err:
        score_rating(pain.instrument, items=items)
    assert err.value.field == f"items[{index + 1}]"
    assert err.value.allowed == "a number from 0 to 100"
    assert err.value.exit_code == 2


def test_wrong_item_count(pain):
    with pytest.raises(InputError) as err:
        score_rating(pain.instrument, items=[50] * 11)
    assert err.value.field == "items"
    assert "12" in err.value.allowed


@pytest.mark.parametrize(
    ("domains", "field"),
    [
        ({"task": 300, "goal": 401, "bond": 300}, "goal"),
        ({"task": -2, "goal": 300, "bond": 300}, "task"),
        ({"task": 300, "goal": float("nan"), "bond": 300}, "goal"),
        ({"task": 300, "goal": 300, "bond": 300, "trust": 200}, "trust"),
        ({"task": 300, "goal": 300}, "domains"),
    ],
)
def test_bad_domain_values(pain, domains, field):
    with pytest.raises(InputError) as err:
        score_rating(pain.instrument, domains=domains)
    assert err.value.field == field
    if field in ("goal", "task"):
        assert err.value.allowed == "a number from 0 to 400"


def test_exactly_one_of_items_or_domains(pain):
    with pytest.raises(InputError):
        score_rating(pain.instrument)
    with pytest.raises(InputError):
        score_rating(pain.instrument, items=[1] * 12, domains={"task": 1, "goal": 1, "bond": 1})


def test_domain_entry_may_leave_one_empty(pain):
    score = score_rating(pain.instrument, domains={"task": 300, "goal": None, "bond": 310})
    assert score.domains["goal"] is None and score.total is None


REF = RefStat(median=335.0, p25=286.0, p75=372.0, n=26)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (210, Placement.BELOW_P25),
        (285.9, Placement.BELOW_P25),
        (286, Placement.WITHIN_IQR),
        (372, Placement.WITHIN_IQR),
        (373, Placement.ABOVE_P75),
        (379.9, Placement.ABOVE_P75),
        (380, Placement.AT_CEILING),
        (400, Placement.AT_CEILING),
    ],
)
def test_place(value, expected):
    placement = place(value, REF, 400)
    assert placement is expected
    assert placement.label


def test_place_ceiling_fraction_is_a_setting():
    assert place(345, REF, 400, ceiling_fraction=0.85) is Placement.AT_CEILING
    assert place(345, REF, 400) is Placement.WITHIN_IQR
    assert Placement.BELOW_P25.value == "below_p25"
    assert "25th percentile" in Placement.BELOW_P25.label
