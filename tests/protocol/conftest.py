"""Fixtures for the protocol tests: the shipped protocols and small protocol files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from companion.protocol import Protocol, load_protocol, packaged_protocols_dir
from tests.support.protocols import minimal_protocol

MINIMAL = minimal_protocol()

# Same shape as the WAI-ReD (WAI-SR item map), with the study's reference values.
INSTRUMENT = (
    """
[instrument]
id = "alliance"
name = "Test alliance scale"
scale_min = 0
scale_max = 100
domains = ["task", "goal", "bond"]
min_items_per_domain = 3
ceiling_fraction = 0.95
"""
    + "".join(
        f'\n[[instrument.items]]\nn = {n}\ndomain = "{d}"\nlabel = "item label {n}"\n'
        for n, d in enumerate(
            [
                "task",
                "task",
                "bond",
                "goal",
                "bond",
                "goal",
                "bond",
                "goal",
                "bond",
                "task",
                "goal",
                "task",
            ],
            start=1,
        )
    )
    + """
[reference]
source = "test"
n = 26
[reference.most.task]
median = 324.0
p25 = 283.5
p75 = 363.0
[reference.most.goal]
median = 357.0
p25 = 322.8
p75 = 380.8
[reference.most.bond]
median = 342.5
p25 = 318.3
p75 = 366.8
[reference.least.task]
median = 292.0
p25 = 223.0
p75 = 340.3
[reference.least.goal]
median = 335.0
p25 = 286.0
p75 = 372.0
[reference.least.bond]
median = 332.5
p25 = 292.0
p75 = 359.3
"""
)

# One rule per signal, thresholds chosen so each can be triggered on its own.
SIX_RULES = """
[[rules]]
id = "r-weakest"
signal = "weakest_domain"
below = "p25"
priority = 10
prompt = "Weakest {domain} for the {role}."
reason = "{domain} {score} for the {role}: {placement}, {p25}."

[[rules]]
id = "r-gap"
signal = "largest_gap"
min_gap = 60
priority = 20
prompt = "Gap on {domain}: {role} {score} vs {other_role} {other_score}."
reason = "gap {gap}"

[[rules]]
id = "r-ceiling"
signal = "near_ceiling"
min_fraction = 0.9
priority = 1
prompt = "Anything left unsaid with your {role}?"
reason = "{scores}"

[[rules]]
id = "r-small"
signal = "small_gap"
max_gap = 20
priority = 30
prompt = "One team, {role} and {other_role}?"
reason = "{gaps}"

[[rules]]
id = "r-spread"
signal = "domain_spread"
min_spread = 80
priority = 21
prompt = "{high_domain} high, {low_domain} low for the {role}."
reason = "spread {spread}"

[[rules]]
id = "r-item"
signal = "low_item"
min_drop = 25
priority = 25
prompt = "Item '{item_label}' for the {role}."
reason = "item {item} {item_score} vs median {item_median}"
"""

WriteToml = Callable[..., Path]


@pytest.fixture
def write_toml(tmp_path: Path) -> WriteToml:
    """Write TOML text (dedented) to tmp_path/<name> and return the path."""

    def write(text: str, name: str = "t.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def pain() -> Protocol:
    return load_protocol(packaged_protocols_dir() / "pain-alliance.toml")


@pytest.fixture(scope="session")
def generic() -> Protocol:
    return load_protocol(packaged_protocols_dir() / "semi-structured.toml")


@pytest.fixture(scope="session")
def six(tmp_path_factory: pytest.TempPathFactory) -> Protocol:
    path = tmp_path_factory.mktemp("six") / "six.toml"
    path.write_text(MINIMAL + INSTRUMENT + SIX_RULES, encoding="utf-8")
    return load_protocol(path)


@pytest.fixture
def minimal() -> str:
    """A valid protocol with one phase and one prompt (append more TOML to it)."""
    return MINIMAL


@pytest.fixture
def instrument_toml() -> str:
    """An [instrument] plus [reference] block, WAI-ReD shaped, to append to ``minimal``."""
    return INSTRUMENT


@pytest.fixture
def six_rules_toml() -> str:
    return SIX_RULES
