"""Mutated protocol files load or fail with a clean ProtocolError, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.protocol.loader import ProtocolError, load_protocol

SOURCE = (Path(__file__).resolve().parents[2] / "protocols" / "pain-alliance.toml").read_text()
LINES = SOURCE.splitlines(keepends=True)
_DIR = Path(tempfile.mkdtemp(prefix="protocol-fuzz-"))

mutation = st.one_of(
    # delete a line
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1), st.just("")),
    # replace a line's value part with arbitrary text
    st.tuples(st.just("value"), st.integers(0, len(LINES) - 1),
              st.sampled_from(['-1', '"x"', "[]", "{}", "1e999", "true", '""', "nan",
                               "[1, 2]", '"\\u0000"', "9999999999999999999999"])),
    # insert arbitrary text
    st.tuples(st.just("insert"), st.integers(0, len(LINES) - 1), st.text(max_size=30)),
    # duplicate a line (duplicate keys, duplicate tables)
    st.tuples(st.just("duplicate"), st.integers(0, len(LINES) - 1), st.just("")),
)


def _apply(lines: list[str], change: tuple[str, int, str]) -> list[str]:
    kind, index, text = change
    lines = list(lines)
    index %= max(len(lines), 1)
    if not lines:
        return lines
    if kind == "delete":
        del lines[index]
    elif kind == "value" and "=" in lines[index]:
        key = lines[index].split("=", 1)[0]
        lines[index] = f"{key}= {text}\n"
    elif kind == "insert":
        lines.insert(index, text + "\n")
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    return lines


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_protocol_loads_or_fails_cleanly(changes) -> None:
    lines = LINES
    for change in changes:
        lines = _apply(lines, change)
    path = _DIR / "mutated.toml"
    path.write_text("".join(lines), encoding="utf-8")
    try:
        protocol = load_protocol(path)
    except ProtocolError as exc:
        text = str(exc)
        # A clean error: every problem names the place and what is wrong with it, one
        # line each, and the message is exactly those lines (no stray exception text).
        assert exc.problems and text.splitlines() == [str(p) for p in exc.problems]
        assert all(p.problem for p in exc.problems)
        assert all(line.startswith("mutated.toml") or line.startswith(str(path))
                   for line in text.splitlines()), text
        return
    assert protocol.phases
