"""Finding identifiers in the tests' own interview passages, Dutch (deduce) and English
(Faker's lists and the rules): recall per kind, nothing in clean sentences, nothing on the
protocol's vocabulary."""

from __future__ import annotations

from collections import Counter

import pytest

from companion.identifiers.detect import Context, Detector, find_identifiers
from companion.identifiers.finding import KINDS
from tests.identifiers.passages import (
    DUTCH,
    DUTCH_CLEAN,
    ENGLISH,
    ENGLISH_CLEAN,
    LOCAL_NAMES_EN,
    unmark,
)


def _score(passages: list[str], names: Detector, context: Context
           ) -> tuple[Counter[str], Counter[str], list[str]]:
    """Identifiers expected and found (same kind, overlapping) per kind, and findings that
    are no identifier."""
    expected: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    extra = []
    for marked in passages:
        text, wanted = unmark(marked)
        got = find_identifiers(text, context, names)
        for e in wanted:
            expected[e.kind] += 1
            if any(g.kind == e.kind and g.start < e.end and e.start < g.end for g in got):
                hits[e.kind] += 1
        extra += [f"{g.text!r} ({g.kind}) in {text!r}" for g in got
                  if not any(g.start < e.end and e.start < g.end for e in wanted)]
    return expected, hits, extra


@pytest.mark.parametrize("language", ["en", "nl"])
def test_identifiers_said_in_an_interview_are_found(language, english, dutch):
    names, context = english if language == "en" else dutch
    passages = ENGLISH if language == "en" else DUTCH
    expected, hits, extra = _score(passages, names, context)
    assert sum(expected.values()) >= 30
    assert set(expected) == set(KINDS), "the passages hold every kind of identifier"
    people_places = (hits["person"] + hits["place"]) / (expected["person"] + expected["place"])
    assert people_places >= 0.90, (hits, expected)
    for kind in ("date", "phone", "email"):
        assert hits[kind] / expected[kind] >= 0.95, (kind, hits, expected)
    for kind in KINDS:
        assert hits[kind] >= 1, (kind, hits)
    assert extra == []


@pytest.mark.parametrize("language", ["en", "nl"])
def test_clean_sentences_and_the_protocols_vocabulary_are_left_alone(language, english,
                                                                      dutch):
    names, context = english if language == "en" else dutch
    clean = ENGLISH_CLEAN if language == "en" else DUTCH_CLEAN
    found = {s: find_identifiers(s, context, names) for s in clean}
    assert {s: [f.text for f in fs] for s, fs in found.items() if fs} == {}
    # Every word of the protocol's vocabulary, capitalised as a name would be, in a
    # sentence of its own and after a name cue: never a finding.
    for word in context.vocabulary:
        for said in (f"{word[:1].upper()}{word[1:]} was there.", f"I saw {word} today.",
                     f"Ik was bij {word} gisteren."):
            hits = find_identifiers(said, context, names)
            assert not any(word.casefold() in h.text.casefold() for h in hits), (said, hits)


def test_a_name_on_the_studys_own_list_is_found_as_what_the_list_says(english):
    names, context = english
    said = "I was at Brookside most weeks, the people there were kind."
    listed = Context("en", context.vocabulary, {"Brookside": "clinic"}, context.professions)
    [finding] = [f for f in find_identifiers(said, listed, names) if f.text == "Brookside"]
    assert (finding.kind, finding.detail, finding.by) == ("institution", "clinic",
                                                          "study list")
    assert "Arla Foods" in LOCAL_NAMES_EN


def test_a_transcript_without_capitals_still_gives_up_its_names(english, dutch):
    en_names, en_context = english
    nl_names, nl_context = dutch
    en = find_identifiers("my gp sarah said i live too far from croydon anyway", en_context,
                          en_names)
    assert {(f.text, f.kind) for f in en} >= {("sarah", "person")}
    nl = find_identifiers("ik had een afspraak bij dokter pieters in zwolle", nl_context,
                          nl_names)
    assert {(f.text, f.kind) for f in nl} == {("pieters", "person"), ("zwolle", "place")}


def test_a_profession_before_a_name_becomes_its_label(english, dutch):
    en_names, en_context = english
    [anna] = find_identifiers("My physio, Anna, was the first who listened.", en_context,
                              en_names)
    assert (anna.text, anna.detail) == ("Anna", "physiotherapist")
    nl_names, nl_context = dutch
    [jong] = find_identifiers("De psycholoog, mevrouw De Jong, vond dat ook.", nl_context,
                              nl_names)
    assert (jong.text, jong.detail) == ("De Jong", "psycholoog")  # the title stays out


def test_loading_deduce_leaves_the_terminal_quiet(dutch):
    """deduce sets the root logger to print debug lines on import; companion undoes it, so
    no library's debug chatter reaches the terminal or the TUI."""
    import logging

    root = logging.getLogger()
    assert root.level == logging.WARNING
    assert not [h for h in root.handlers if getattr(h, "stream", None) is not None
                and type(h) is logging.StreamHandler]
