"""The Dutch protocol: the same interview as pain-alliance in structure (checked by
``protocol check``), the same suggestions for the same scores, Dutch pause notation."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.notation import pause_mark, segment_text
from companion.protocol import RatingInput, score_rating, suggest
from companion.protocol.registry import get_protocol, packaged_protocols_dir
from tests.support.cli import cli_runner

NL = packaged_protocols_dir() / "pain-alliance-nl.toml"


@pytest.fixture(scope="module")
def protocols():
    return get_protocol("pain-alliance"), get_protocol("pain-alliance-nl")


def _check(path: Path):
    return cli_runner(None)("protocol", "check", str(path))


def test_the_dutch_protocol_is_dutch_and_matches_its_source(protocols) -> None:
    en, nl = protocols
    assert nl.language == "nl" and nl.translation_of == "pain-alliance"
    result = _check(NL)
    assert result.exit_code == 0, result.output
    assert "same structure as 'pain-alliance' (en -> nl)" in result.output
    # Written in Dutch, not copied: no prompt, purpose or code text is the English one.
    english = {p.text for ph in en.phases for p in ph.prompts} | {c.name for c in en.codes}
    dutch = {p.text for ph in nl.phases for p in ph.prompts} | {c.name for c in nl.codes}
    assert not english & (dutch - {"Intake"})
    assert {"fysiotherapeut", "ergotherapeut", "psycholoog", "revalidatiearts"} <= set(
        nl.vocabulary)


@pytest.mark.parametrize(("old", "new", "where", "expected"), [
    ('id = "left-unsaid"', 'id = "niet-gezegd"', "phases[2].prompts[2].id", "'left-unsaid'"),
    ('id = "largest-gap"', 'id = "grootste-verschil"', "rules[7].id", "'largest-gap'"),
    ('id = "C3"', 'id = "C9"', "codes[7].id", "'C3'"),
    ('id = "wai-red"', 'id = "wai-sr"', "instrument.id", "'wai-red'"),
    ('id = "deepening"', 'id = "verdieping"', "phases[1].id", "'deepening'"),
])
def test_a_broken_id_is_named_with_what_the_source_has(tmp_path: Path, old: str, new: str,
                                                       where: str, expected: str) -> None:
    text = NL.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "pain-alliance-nl.toml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    (tmp_path / "pain-alliance.toml").write_text(
        (packaged_protocols_dir() / "pain-alliance.toml").read_text(encoding="utf-8"))
    result = _check(broken)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    line = next(line for line in result.output.splitlines() if where in line)
    assert "differs from pain-alliance" in line
    assert repr(new.split('"')[1]) in line and expected in line


def test_a_missing_prompt_is_counted(tmp_path: Path) -> None:
    text = NL.read_text(encoding="utf-8")
    start = text.index('[[phases.prompts]]\nid = "closing"')
    broken = tmp_path / "nl.toml"
    broken.write_text(text[:start] + text[start:].split("\n\n", 1)[1], encoding="utf-8")
    result = _check(broken)
    assert result.exit_code == 2
    assert "number of prompt ids in phase critical-reflection (4, pain-alliance has 5)" in (
        result.output)


def _rating(protocol, target, role, *, items=None, **domains):
    if items is not None:
        return RatingInput(target, role, score_rating(protocol.instrument, items=items))
    return RatingInput(target, role, score_rating(protocol.instrument, domains=domains))


PROFILES = {
    "both near the top": dict(most=dict(task=390, goal=395, bond=398),
                              least=dict(task=370, goal=380, bond=372)),
    "one weak domain": dict(most=dict(task=250, goal=330, bond=340),
                            least=dict(task=200, goal=290, bond=280)),
    "a wide gap": dict(most=dict(task=380, goal=360, bond=370),
                       least=dict(task=230, goal=350, bond=300)),
    "flat team": dict(most=dict(task=300, goal=310, bond=305),
                      least=dict(task=295, goal=300, bond=300)),
}


@pytest.mark.parametrize("profile", PROFILES)
def test_dutch_suggestions_follow_the_english_rules_in_order(protocols, profile: str) -> None:
    en, nl = protocols
    scores = PROFILES[profile]
    roles = {"en": ("physiotherapist", "psychologist"), "nl": ("fysiotherapeut", "psycholoog")}
    made = {}
    for proto in (en, nl):
        most_role, least_role = roles[proto.language]
        made[proto.language] = suggest(proto, [
            _rating(proto, "most", most_role, **scores["most"]),
            _rating(proto, "least", least_role, **scores["least"])])
    assert made["en"], profile
    assert [s.rule_id for s in made["nl"]] == [s.rule_id for s in made["en"]]
    for s in made["nl"]:
        assert "{" not in s.text and "{" not in s.reason
        assert "fysiotherapeut" in s.text or "psycholoog" in s.text
        # Domains are named in Dutch (domain_labels), never as the English ids.
        for english in ("Task", "Goal", "Bond", "task", "goal", "bond"):
            assert english not in s.text + s.reason, (english, s.text, s.reason)
    assert any("Taak" in s.reason or "Doel" in s.reason or "Band" in s.reason
               for s in made["nl"])


def test_domain_labels_must_name_the_instruments_domains(tmp_path: Path) -> None:
    text = NL.read_text(encoding="utf-8")
    broken = tmp_path / "nl.toml"
    broken.write_text(text.replace('bond = "Band"', 'bind = "Band"', 1), encoding="utf-8")
    result = _check(broken)
    assert result.exit_code == 2
    assert "instrument.domain_labels.bind: unknown domain: got 'bind'; allowed: task, goal, " \
        "bond" in result.output


def test_item_level_suggestions_match_too(protocols) -> None:
    en, nl = protocols
    items = [80, 85, 90, 30, 88, 86, 90, 84, 92, 83, 87, 85]
    made = [suggest(p, [_rating(p, "most", "ergotherapeut", items=items)]) for p in (en, nl)]
    assert [s.rule_id for s in made[1]] == [s.rule_id for s in made[0]]
    low = next(s for s in made[1] if s.rule_id == "low-item")
    assert "doelen worden samen bepaald" in low.text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 400), min_size=6, max_size=6))
def test_any_profile_gives_the_same_rule_ids(protocols, values: list[int]) -> None:
    en, nl = protocols
    most, least = dict(zip(("task", "goal", "bond"), values[:3], strict=True)), dict(
        zip(("task", "goal", "bond"), values[3:], strict=True))
    ids = [[s.rule_id for s in suggest(p, [_rating(p, "most", "arts", **most),
                                           _rating(p, "least", "therapeut", **least)])]
           for p in (en, nl)]
    assert ids[0] == ids[1]


def test_pause_marks_use_the_transcript_language() -> None:
    assert pause_mark(6200) == pause_mark(6200, "en") == "(6 s)"
    assert pause_mark(6200, "nl") == "(6 sec.)"
    assert [pause_mark(ms, "nl") for ms in (900, 1500, 2500, 3500)] == ["", "(.)", "(..)", "(...)"]
    words = [{"word": w, "start_ms": s, "end_ms": s + 300}
             for w, s in zip((" Nee,", " ik", " niet"), itertools.count(0, 5000), strict=False)]
    assert segment_text(words, [{"start_ms": 300, "end_ms": 5000}], language="nl") == (
        "Nee, (5 sec.) ik niet")
