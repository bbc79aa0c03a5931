"""A protocol rule of type ``mention``: words heard from the participant raise the rule's
own card. Checked like every other ``[[rules]]`` entry: every problem at once, with the
nearest spelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.protocol import (
    ProtocolError,
    check_protocol,
    load_protocol,
    packaged_protocols_dir,
)

MENTION = """
[[rules]]
id = "mention-surgery"
signal = "mention"
words = ["surgery", "an operation"]
priority = 5
prompt = "You mentioned {heard} at {time}. What did it change for you?"
reason = "An operation often changes what people hope for from rehabilitation."
"""


def _problems(path: Path) -> list[str]:
    with pytest.raises(ProtocolError) as err:
        load_protocol(path)
    return [str(p) for p in err.value.problems]


def test_a_mention_rule_loads_without_an_instrument(write_toml, minimal) -> None:
    protocol = load_protocol(write_toml(minimal + MENTION))
    [rule] = protocol.rules
    assert (rule.id, rule.signal, rule.words) == ("mention-surgery", "mention",
                                                   ("surgery", "an operation"))
    [mention] = protocol.live.mentions  # the live engine listens for it
    assert (mention.id, mention.words, mention.target) == (
        "mention-surgery", ("surgery", "an operation"), None)


def test_every_problem_of_mention_rules_is_listed_at_once(write_toml, minimal) -> None:
    rules = """
[[rules]]
id = "no-words"
signal = "mention"
words = []
priority = 1
prompt = "{heard}"
reason = "r"

[[rules]]
id = "bad-words"
signal = "mention"
words = ["pain", 3, " ", "Pain"]
priority = 1
prompt = "p"
reason = "r"

[[rules]]
id = "misspelt"
signal = "mention"
word = ["pain"]
priority = 1
prompt = "{role} said {heard}"
reason = "{score}"

[[rules]]
id = "target"
signal = "mentoin"
words = "pain"
priority = 1
prompt = "p"
reason = "r"

[[rules]]
id = "leas"
signal = "mention"
words = ["pain"]
target = "leas"
priority = 1
prompt = "p"
reason = "r"

[[rules]]
id = "role-ok"
signal = "mention"
words = ["pain", "ache"]
target = "least"
priority = 1
prompt = "Your {role}: you said {heard} at {time}."
reason = "r"
"""
    path = write_toml(minimal + rules)
    problems = _problems(path)
    assert problems == [str(p) for p in check_protocol(path)]
    out = "\n".join(problems)
    assert "rules[0].words: empty: got []; allowed: a list of at least one word" in out
    assert "rules[1].words[1]: wrong type: got 3; allowed: non-empty text" in out
    assert "rules[1].words[2]: empty" in out
    assert "rules[2].word: unknown key; did you mean 'words'?" in out
    assert "rules[2].words: missing required key" in out
    # {role} needs a target; a score placeholder means nothing to a mention rule
    assert ("rules[2].prompt: unknown placeholder: got '{role}'; needs target = \"most\" or "
            "\"least\"") in out
    assert "rules[2].reason: unknown placeholder: got '{score}'" in out
    assert "rules[3].signal: unknown signal: got 'mentoin'; did you mean 'mention'?" in out
    assert "rules[3].words: wrong type: got 'pain'; allowed: a list of texts" in out
    assert "rules[4].target: not allowed: got 'leas'; did you mean 'least'?" in out
    assert not any(p.split(": ")[1].startswith("rules[5]") for p in problems)
    # Mention rules read no scores, so no instrument is asked for.
    assert not any("without an [instrument]" in p for p in problems)
    assert len(problems) == 10


def test_a_word_listed_twice_is_named_with_its_first_place(write_toml, minimal) -> None:
    problems = _problems(write_toml(minimal + MENTION.replace(
        '"an operation"]', '"an operation", "Surgery"]')))
    assert problems == ["t.toml: rules[0].words[2]: repeated word: got 'Surgery'; allowed: "
                        "each word once (already at [0])"]


def test_the_draft_live_mentions_table_points_to_rules(write_toml, minimal) -> None:
    problems = _problems(write_toml(minimal + """
[live]
quote_phases = ["first"]

[[live.mentions]]
id = "mention-surgery"
words = ["surgery"]
prompt = "p"
"""))
    assert problems == ['t.toml: live.mentions: not a [live] table; allowed: [[rules]] '
                        'with signal = "mention" (same keys, plus priority)']


def test_words_belong_to_mention_rules_only(write_toml, minimal, instrument_toml) -> None:
    problems = _problems(write_toml(minimal + instrument_toml + """
[[rules]]
id = "gap"
signal = "largest_gap"
min_gap = 10
words = ["pain"]
priority = 1
prompt = "p"
reason = "r"
"""))
    assert [p.split("; ")[0] for p in problems] == ["t.toml: rules[0].words: unknown key"]


def test_both_pain_alliance_protocols_listen_for_being_heard(pain) -> None:
    english = pain
    dutch = load_protocol(packaged_protocols_dir() / "pain-alliance-nl.toml")
    [en] = [r for r in english.rules if r.signal == "mention"]
    [nl] = [r for r in dutch.rules if r.signal == "mention"]
    assert en.id == nl.id == "mention-being-heard"
    assert "listened" in en.words and "geluisterd" in nl.words
    assert [m.id for m in english.live.mentions] == [m.id for m in dutch.live.mentions] == [
        en.id]
