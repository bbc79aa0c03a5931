"""Loading protocol files and reporting every problem in them."""

from __future__ import annotations

import hashlib

import pytest

from companion.errors import InputError, NotFoundError
from companion.protocol import (
    ProtocolError,
    check_protocol,
    load_protocol,
    packaged_protocols_dir,
)


@pytest.mark.parametrize("name", ["pain-alliance.toml", "semi-structured.toml"])
def test_shipped_protocols_have_no_problems(name):
    path = packaged_protocols_dir() / name
    assert check_protocol(path) == []
    protocol = load_protocol(path)
    assert protocol.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert protocol.path == path.resolve()


def test_pain_alliance_content(pain):
    assert [p.id for p in pain.phases] == ["opening", "deepening", "critical-reflection"]
    assert [p.target_minutes for p in pain.phases] == [15, 30, 25]
    assert len(pain.phase("opening").prompts) == 2
    inst = pain.instrument
    assert inst is not None and inst.id == "wai-red"
    assert inst.mapping_verified is False
    assert inst.n_items == 12 and inst.domains == ("task", "goal", "bond")
    assert [i.n for i in inst.items_of("task")] == [1, 2, 10, 12]
    assert [i.n for i in inst.items_of("goal")] == [4, 6, 8, 11]
    assert [i.n for i in inst.items_of("bond")] == [3, 5, 7, 9]
    assert inst.domain_max("goal") == 400 and inst.total_max == 1200
    ref = pain.reference
    assert ref is not None
    assert ref.get("most", "task").median == 324.0
    assert ref.get("least", "total").p75 == 1038.5
    assert ref.get("least", "goal").n == 26
    assert {r.signal for r in pain.rules} == {
        "weakest_domain",
        "largest_gap",
        "near_ceiling",
        "small_gap",
        "domain_spread",
        "low_item",
        "mention",
    }
    keys = {c.id: c.key for c in pain.codes}
    assert keys == {
        "A1": "1",
        "A2": "2",
        "A3": "3",
        "B1": "4",
        "B2": "5",
        "C1": "6",
        "C2": "7",
        "C3": "8",
        "withdrawal": "9",
        "confrontation": "0",
    }
    assert pain.code("withdrawal").group == "Rupture markers"
    assert pain.code_for_key("6").id == "C1"
    assert pain.code_for_key("z") is None
    assert "WAI-ReD" in pain.vocabulary and "physiotherapist" in pain.vocabulary


def test_generic_protocol_is_not_the_study(generic):
    assert generic.instrument is None and generic.rules == () and generic.reference is None
    assert {p.id for p in generic.phases}.isdisjoint(
        {"opening", "deepening", "critical-reflection"}
    )
    assert len(generic.codes) >= 3


def test_phase_navigation(pain):
    assert pain.next_phase("opening").id == "deepening"
    assert pain.next_phase("deepening").id == "critical-reflection"
    assert pain.next_phase("critical-reflection") is None
    with pytest.raises(NotFoundError) as err:
        pain.phase("middle")
    assert "opening" in err.value.allowed
    with pytest.raises(NotFoundError):
        pain.next_phase("middle")
    with pytest.raises(NotFoundError):
        pain.code("Z9")


def _problems(path):
    with pytest.raises(ProtocolError) as err:
        load_protocol(path)
    found = check_protocol(path)
    assert [str(p) for p in err.value.problems] == [str(p) for p in found]
    return err.value


def test_toml_syntax_error_reports_line(write_toml):
    path = write_toml('id = "x"\ntitle = "T"\nlanguage = = "en"\n', "broken.toml")
    error = _problems(path)
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.line == 3
    assert str(problem).startswith("broken.toml: line 3")
    assert "TOML syntax error" in str(problem)


def test_unknown_key_suggests_nearest(write_toml, minimal):
    path = write_toml(minimal.replace('title = "First"', 'tittle = "First"'), "pain-alliance.toml")
    error = _problems(path)
    lines = str(error).splitlines()
    assert "pain-alliance.toml: phases[0].tittle: unknown key; did you mean 'title'?" in lines
    assert "pain-alliance.toml: phases[0].title: missing required key" in lines


def test_unknown_top_level_key_without_close_match_lists_allowed(write_toml, minimal):
    error = _problems(write_toml("zzzqqq = 1\n" + minimal))
    (problem,) = error.problems
    assert problem.key == "zzzqqq"
    assert "allowed: id, title, language" in str(problem)


@pytest.mark.parametrize(
    ("old", "new", "key", "needle"),
    [
        (
            "target_minutes = 10",
            "target_minutes = 0",
            "phases[0].target_minutes",
            "out of range: got 0",
        ),
        (
            "target_minutes = 10",
            "target_minutes = -5",
            "phases[0].target_minutes",
            "out of range: got -5",
        ),
        (
            "target_minutes = 10",
            'target_minutes = "ten"',
            "phases[0].target_minutes",
            "wrong type: got 'ten'",
        ),
        ('language = "en"', 'language = "English"', "language", "invalid language code"),
        ('text = "How are you?"', 'text = ""', "phases[0].prompts[0].text", "empty"),
        ('id = "q1"', 'id = "bad id!"', "phases[0].prompts[0].id", "invalid id"),
    ],
)
def test_bad_values_name_the_key(write_toml, minimal, old, new, key, needle):
    error = _problems(write_toml(minimal.replace(old, new)))
    (problem,) = error.problems
    assert problem.key == key
    assert needle in str(problem)
    assert str(problem).startswith(f"t.toml: {key}: ")


def test_missing_phases(write_toml):
    error = _problems(write_toml('id = "x"\ntitle = "T"\nlanguage = "en"\n'))
    assert [str(p) for p in error.problems] == ["t.toml: phases: missing required key"]
    error = _problems(write_toml('id = "x"\ntitle = "T"\nlanguage = "en"\nphases = []\n'))
    assert "t.toml: phases: no phases; allowed: at least one [[phases]] table" in str(error)


def test_duplicate_ids(write_toml, minimal):
    text = (
        minimal
        + """
[[phases]]
id = "first"
title = "Again"
purpose = "Repeat."
target_minutes = 5

[[phases.prompts]]
id = "q1"
text = "Same prompt id in another phase"

[[codes]]
id = "c1"
name = "One"
description = "d"
group = "g"
key = "1"

[[codes]]
id = "c1"
name = "Two"
description = "d"
group = "g"
key = "1"
"""
    )
    error = _problems(write_toml(text))
    messages = str(error).splitlines()
    assert (
        "t.toml: phases[1].id: duplicate phase id: got 'first'; already used at phases[0].id"
        in messages
    )
    assert any(
        m.startswith("t.toml: phases[1].prompts[0].id: duplicate prompt id") for m in messages
    )
    assert any(m.startswith("t.toml: codes[1].id: duplicate code id") for m in messages)
    assert any(m.startswith("t.toml: codes[1].key: duplicate quick key") for m in messages)
    assert len(error.problems) == 4


def test_duplicate_rule_ids(write_toml, minimal, instrument_toml):
    rule = """
[[rules]]
id = "same"
signal = "small_gap"
max_gap = 20
priority = 1
prompt = "p"
reason = "r"
"""
    error = _problems(write_toml(minimal + instrument_toml + rule + rule))
    assert [p.key for p in error.problems] == ["rules[1].id"]
    assert "duplicate rule id" in str(error)


def test_many_problems_reported_at_once(write_toml, minimal):
    text = (
        minimal.replace('title = "First"', 'titel = "First"')
        .replace("target_minutes = 10", "target_minutes = 0")
        .replace('language = "en"', "language = 7")
        + '\n[[codes]]\nid = "c"\nname = "C"\ngroup = "g"\nkey = "ab"\n'
    )
    error = _problems(write_toml(text))
    keys = [p.key for p in error.problems]
    assert set(keys) >= {
        "language",
        "phases[0].titel",
        "phases[0].title",
        "phases[0].target_minutes",
        "codes[0].description",
        "codes[0].key",
    }
    assert str(error).count("\n") == len(error.problems) - 1
    assert isinstance(error, InputError)
    assert error.exit_code == 2


def test_instrument_problems(write_toml, minimal, instrument_toml):
    text = (
        instrument_toml.replace("scale_max = 100", "scale_max = 0")
        .replace('n = 12\ndomain = "task"', 'n = 13\ndomain = "tsak"')
        .replace("ceiling_fraction = 0.95", "ceiling_fraction = 1.5")
    )
    error = _problems(write_toml(minimal + text))
    text_out = str(error)
    assert "instrument.scale_max: out of range: got 0" in text_out
    assert (
        "instrument.items[11].domain: unknown domain: got 'tsak'; did you mean 'task'?" in text_out
    )
    assert "instrument.items: item numbers do not run 1..N" in text_out
    assert "instrument.ceiling_fraction: out of range: got 1.5" in text_out


def test_domain_without_items(write_toml, minimal, instrument_toml):
    text = instrument_toml.replace(
        'domains = ["task", "goal", "bond"]', 'domains = ["task", "goal", "bond", "extra"]'
    )
    error = _problems(write_toml(minimal + text))
    assert "instrument.items: no items for domain 'extra'" in str(error)


def test_wai_red_shape_is_enforced(write_toml, minimal, instrument_toml):
    text = instrument_toml.replace('id = "alliance"', 'id = "wai-red"').replace(
        '\n[[instrument.items]]\nn = 12\ndomain = "task"\nlabel = "item label 12"\n', "\n"
    )
    error = _problems(write_toml(minimal + text))
    assert "instrument.items: not the WAI-ReD item layout" in str(error)


def test_reference_problems(write_toml, minimal, instrument_toml):
    text = (
        instrument_toml.replace("median = 324.0", "median = 250.0").replace(
            "p75 = 380.8", "p75 = 480.8"
        )
        + "[reference.most.totl]\nmedian = 1\np25 = 1\np75 = 1\n"
        + "[reference.least.total]\nmedian = 1300\np25 = 900\np75 = 1400\n"
    )
    error = _problems(write_toml(minimal + text))
    out = str(error)
    assert "reference.most.task: quartiles out of order: got p25 283.5, median 250" in out
    assert (
        "reference.most.goal.p75: out of range: got 480.8; allowed: a number from 0 to 400" in out
    )
    assert "reference.most.totl: unknown key; did you mean 'total'?" in out
    assert (
        "reference.least.total.median: out of range: got 1300; allowed: a number from 0 to 1200"
        in out
    )


def test_rule_problems(write_toml, minimal, instrument_toml):
    rules = """
[[rules]]
id = "a"
signal = "largest_gaps"
priority = 1
prompt = "p"
reason = "r"

[[rules]]
id = "b"
signal = "largest_gap"
min_gap = 900
priority = 1
prompt = "{role} vs {other_rol}"
reason = "{nonsense}"

[[rules]]
id = "c"
signal = "small_gap"
priority = -1
prompt = "{role"
reason = "r"

[[rules]]
id = "d"
signal = "weakest_domain"
domain = "bnd"
below = "p30"
priority = 1
prompt = "p"
reason = "r"
"""
    error = _problems(write_toml(minimal + instrument_toml + rules))
    out = str(error)
    assert "rules[0].signal: unknown signal: got 'largest_gaps'; did you mean 'largest_gap'?" in out
    assert "rules[1].min_gap: out of range: got 900" in out
    assert (
        "rules[1].prompt: unknown placeholder: got '{other_rol}'; did you mean {other_role}?" in out
    )
    assert "rules[1].reason: unknown placeholder: got '{nonsense}'" in out
    assert "rules[2].max_gap: missing required key" in out
    assert "rules[2].priority: out of range: got -1" in out
    assert "rules[2].prompt: bad placeholder syntax" in out
    assert "rules[3].domain: not allowed: got 'bnd'; did you mean 'bond'?" in out
    assert "rules[3].below: not allowed: got 'p30'" in out


def test_rules_need_an_instrument_and_reference_placeholders_a_reference(write_toml, minimal):
    rule = """
[[rules]]
id = "w"
signal = "weakest_domain"
priority = 1
prompt = "{role}"
reason = "{p25}"
"""
    error = _problems(write_toml(minimal + rule))
    out = str(error)
    assert "t.toml: rules: rules without an [instrument]" in out
    assert "rules[0].reason: placeholder needs reference values: got '{p25}'" in out


def test_missing_file_is_a_problem(tmp_path):
    problems = check_protocol(tmp_path / "nope.toml")
    assert len(problems) == 1 and "file not found" in str(problems[0])
    with pytest.raises(ProtocolError):
        load_protocol(tmp_path / "nope.toml")
