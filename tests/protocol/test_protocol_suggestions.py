"""Questions proposed from the scores: each signal, ranking, evidence."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.errors import InputError
from companion.protocol import RatingInput, score_rating, suggest


def rating(protocol, target, role, *, items=None, **domains):
    if items is not None:
        score = score_rating(protocol.instrument, items=items)
    else:
        score = score_rating(protocol.instrument, domains=domains)
    return RatingInput(target, role, score)


def signals(suggestions):
    return {s.signal for s in suggestions}


# -- each signal on its own, in the six-rule protocol --------------------------------------


def test_weakest_domain_fires_below_p25(six):
    result = suggest(six, [rating(six, "most", "psychologist", task=270, goal=300, bond=320)])
    assert signals(result) == {"weakest_domain"}
    (s,) = result
    assert s.text == "Weakest Task for the psychologist."
    assert s.reason == "Task 270 for the psychologist: below the study's 25th percentile, 283.5."
    assert s.evidence["score"] == 270 and s.evidence["p25"] == 283.5
    assert s.evidence["placement_code"] == "below_p25"


def test_weakest_domain_not_fired_above_p25(six):
    assert suggest(six, [rating(six, "most", "psychologist", task=300, goal=320, bond=330)]) == []


def test_largest_gap_fires(six):
    ratings = [
        rating(six, "most", "physiotherapist", task=330, goal=340, bond=330),
        rating(six, "least", "physician", task=260, goal=330, bond=320),
    ]
    result = suggest(six, ratings)
    assert signals(result) == {"largest_gap"}
    assert result[0].text == "Gap on Task: physiotherapist 330 vs physician 260."
    assert result[0].reason == "gap 70"


def test_largest_gap_not_fired_under_threshold(six):
    ratings = [
        rating(six, "most", "physiotherapist", task=330, goal=340, bond=330),
        rating(six, "least", "physician", task=280, goal=330, bond=320),
    ]
    assert suggest(six, ratings) == []


def test_near_ceiling_fires(six):
    result = suggest(six, [rating(six, "most", "psychologist", task=380, goal=390, bond=395)])
    assert signals(result) == {"near_ceiling"}
    assert result[0].reason == "Task 380, Goal 390, Bond 395"


def test_near_ceiling_not_fired_with_one_domain_lower(six):
    assert suggest(six, [rating(six, "most", "psychologist", task=380, goal=390, bond=350)]) == []


def test_small_gap_fires(six):
    ratings = [
        rating(six, "most", "physiotherapist", task=330, goal=340, bond=335),
        rating(six, "least", "occupational therapist", task=320, goal=335, bond=330),
    ]
    result = suggest(six, ratings)
    assert signals(result) == {"small_gap"}
    assert result[0].text == "One team, physiotherapist and occupational therapist?"
    assert result[0].reason == "Task 10, Goal 5, Bond 5"


def test_small_gap_not_fired_when_one_gap_is_wide(six):
    ratings = [
        rating(six, "most", "physiotherapist", task=330, goal=340, bond=335),
        rating(six, "least", "occupational therapist", task=300, goal=335, bond=330),
    ]
    assert suggest(six, ratings) == []


def test_domain_spread_fires(six):
    result = suggest(six, [rating(six, "most", "psychologist", task=290, goal=350, bond=375)])
    assert signals(result) == {"domain_spread"}
    assert result[0].text == "Bond high, Task low for the psychologist."
    assert result[0].reason == "spread 85"


def test_domain_spread_not_fired_under_threshold(six):
    assert suggest(six, [rating(six, "most", "psychologist", task=300, goal=350, bond=375)]) == []


def test_low_item_fires(six):
    items = [85] * 12
    items[1] = 50  # item 2, a task item
    result = suggest(six, [rating(six, "most", "physician", items=items)])
    assert signals(result) == {"low_item"}
    assert result[0].text == "Item 'item label 2' for the physician."
    assert result[0].reason == "item 2 50 vs median 85"


def test_low_item_not_fired_for_small_drop_or_without_items(six):
    items = [85] * 12
    items[1] = 65
    assert suggest(six, [rating(six, "most", "physician", items=items)]) == []
    # Same domains entered as totals: no items, so no item signal.
    assert suggest(six, [rating(six, "most", "physician", task=305, goal=340, bond=340)]) == []


# -- the shipped study protocol ---------------------------------------------------------


def test_a_ceiling_profile_is_one_card_with_its_probes_as_alternatives(pain):
    ratings = [
        rating(pain, "most", "physiotherapist", task=390, goal=395, bond=400),
        rating(pain, "least", "psychologist", task=300, goal=340, bond=330),
    ]
    result = suggest(pain, ratings)
    top = result[0]
    assert top.rule_id == "ceiling-left-unsaid" and "physiotherapist" in top.text
    assert [w.rule_id for w in top.alternatives] == ["ceiling-normalise",
                                                     "ceiling-third-person"]
    assert "85% of the maximum for the physiotherapist" in top.trigger
    assert sum(s.signal == "near_ceiling" for s in result) == 1  # folded, not three cards
    assert [s.rank for s in result] == list(range(1, len(result) + 1))


def test_an_extreme_low_score_outranks_a_ceiling(pain):
    ratings = [
        rating(pain, "most", "physiotherapist", task=390, goal=395, bond=400),
        rating(pain, "least", "psychologist", task=250, goal=210, bond=300),
    ]
    result = suggest(pain, ratings)
    # Goal 210 is 0.9 IQR below the study's 25th percentile and opens a gap of 185 points
    # (2.2 IQR): one finding, first; the gap's wording comes along as an alternative.
    assert result[0].rule_id == "weakest-goal"
    assert result[0].trigger.startswith("Goal 210 for the psychologist")
    assert "largest-gap" in {w.rule_id for w in result[0].alternatives}
    assert result[1].signal == "near_ceiling"


def test_both_profiles_near_ceiling(pain):
    ratings = [
        rating(pain, "least", "physician", task=350, goal=360, bond=355),
        rating(pain, "most", "physiotherapist", task=390, goal=395, bond=400),
    ]
    result = suggest(pain, ratings)
    ceilings = [s for s in result if s.signal == "near_ceiling"]
    assert [s.rank for s in ceilings] == [1, 2, 3]  # the ceiling findings lead
    assert result[0].evidence["role"] == "physiotherapist"  # the higher profile first
    assert "ceiling-both-anchor" in {s.rule_id for s in result}
    assert "small_gap" not in signals(result)  # gaps of 40 points are not "small"


def test_weakest_domain_fires_for_each_rating_with_evidence(pain):
    ratings = [
        rating(pain, "most", "physiotherapist", task=300, goal=330, bond=320),
        rating(pain, "least", "psychologist", task=300, goal=210, bond=290),
    ]
    result = suggest(pain, ratings)
    weakest = {s.evidence["target"]: s for s in result if s.signal == "weakest_domain"}
    assert set(weakest) == {"most", "least"}
    least = weakest["least"]
    assert least.rule_id == "weakest-goal"
    assert "210" in least.reason and "286" in least.reason and "psychologist" in least.reason
    assert "below the study's 25th percentile" in least.reason
    assert weakest["most"].rule_id == "weakest-task"
    assert "300" in weakest["most"].reason and "283.5" in weakest["most"].reason
    assert "{" not in least.text and "}" not in least.reason


def test_ranking_is_deterministic_and_order_of_input_irrelevant(pain):
    a = rating(pain, "most", "physiotherapist", task=390, goal=370, bond=395)
    b = rating(pain, "least", "psychologist", task=240, goal=300, bond=330)
    first = suggest(pain, [a, b])
    assert first == suggest(pain, [b, a]) == suggest(pain, [a, b])


def test_identical_texts_are_not_repeated(pain):
    # Same role rated twice with identical profiles: the per-rating rules would word the
    # same question twice.
    a = rating(pain, "most", "physiotherapist", task=390, goal=390, bond=390)
    b = rating(pain, "least", "physiotherapist", task=390, goal=390, bond=390)
    result = suggest(pain, [a, b])
    texts = [s.text for s in result]
    assert len(texts) == len(set(texts))
    assert sum(s.rule_id == "ceiling-left-unsaid" for s in result) == 1


domain = st.integers(min_value=0, max_value=400)
profile = st.fixed_dictionaries({"task": domain, "goal": domain, "bond": domain})


@settings(max_examples=60)
@given(profile, profile, st.sampled_from(["physician", "psychologist"]))
def test_any_profiles_give_ranked_unique_suggestions(pain, most, least, role):
    ratings = [
        rating(pain, "most", "physiotherapist", **most),
        rating(pain, "least", role, **least),
    ]
    result = suggest(pain, ratings)
    assert [s.rank for s in result] == list(range(1, len(result) + 1))
    assert len({s.text for s in result}) == len(result)
    strengths = [s.strength for s in result]
    assert strengths == sorted(strengths, reverse=True)  # strongest evidence first
    assert all(s.trigger for s in result)
    assert all("{" not in s.text + s.reason for s in result)
    assert result == suggest(pain, list(reversed(ratings)))
    # Weakest domain always fires once per rating in the shipped protocol.
    assert sum(s.signal == "weakest_domain" for s in result) >= 1


def test_protocol_without_instrument_gives_nothing(pain, generic):
    r = rating(pain, "most", "physician", task=100, goal=100, bond=100)
    assert suggest(generic, [r]) == []
    assert suggest(pain, []) == []


def test_bad_ratings(pain):
    a = rating(pain, "most", "physician", task=100, goal=100, bond=100)
    with pytest.raises(InputError) as err:
        suggest(pain, [a, a])
    assert err.value.field == "ratings[1].target"
    with pytest.raises(InputError):
        suggest(pain, [RatingInput("best", "physician", a.score)])  # type: ignore[arg-type]


def test_missing_domain_skips_signals_that_need_it(pain):
    most = rating(pain, "most", "physiotherapist", task=390, goal=None, bond=395)
    least = rating(pain, "least", "psychologist", task=250, goal=210, bond=300)
    result = suggest(pain, [most, least])
    assert "largest_gap" not in signals(result)
    assert not any(s.signal == "near_ceiling" and s.evidence["target"] == "most" for s in result)
