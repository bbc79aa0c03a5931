"""The command line, fuzzed: no input a user can type ends in a traceback.

Hypothesis picks a command of the real command tree (read from click itself, so a new
command is fuzzed too), fills its arguments and a random choice of its options with ids
(in and out of range, in other scripts' digits), texts with control characters, paths
(into another study's database among them) and stray options, and runs it in-process
against a study with participants, sessions, notes and an imported recording. Every run
must end in exit status 0, 1 or 2 with no exception escaping; an exit 2 says its error
in one line. Derandomized: the same examples every run, a few thousand in seconds.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import click
import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.cli import main

# Commands left out: the interview screens (no subcommand), recording from the sound
# card, the one download, the two that probe the sound system and hash the
# multilingual model on every call (the doctor has tests of its own), and the set-up step
# that loads the Dutch name lists (seconds a call; it takes no input to fuzz).
LEFT_OUT = {("record",), ("model", "download"), ("doctor",), ("devices",),
            ("pseudonymise", "prepare")}


def _commands(group: click.Group, path: tuple[str, ...] = ()
              ) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        elif (*path, name) not in LEFT_OUT:
            yield (*path, name), command


COMMANDS = list(_commands(main))

IDS = st.sampled_from(["1", "2", "3", "0", "-1", "007", " 2 ", "9223372036854775807",
                       str(2**63), str(2**64), "1" * 40, "\u00b2", "\u0661", "\uff11",
                       "1e3", "0x10", "1.5", "nan", "inf", ""])
CODES = st.sampled_from(["P05", "p05", "P06", "P5", "P0", "Q1", "Anna de Vries"])
PATHS = st.sampled_from(["nowhere.wav", "out/", "out/x.txt", "/nonexistent/x.qdpx", ".",
                         "..", "study", "study/companion.db", "other/companion.db",
                         "other/exports/../companion.db", "other/recordings/a.wav",
                         "speech.wav", "study/companion.toml", "-"])
# Argument strings: pieces a user could paste (terminal escapes, a NUL, right-to-left
# marks, emoji, XML's forbidden U+FFFE, line separators, a long run, format strings),
# joined at random once, so each example only picks among them (drawing fresh unicode
# text costs hypothesis more time than the command takes to refuse it).
_PIECES = ["", " ", "\x1b[31m", "\x1b]0;t\x07", "\x00", "\u202e", "\u2028", "\r\n", "\t",
           "\x7f", "\ufffe", "\ud7ff", "\U0001f642", "\u00e9", "P05", "p05", "1", "-1",
           "..", "/", "a" * 300, "%s", "{x}", "'", '"', "--x", "-", "\\", "*", "\u0661"]
_pick = random.Random(24)
TEXTS = st.sampled_from(sorted({"".join(_pick.choices(_PIECES, k=_pick.randint(1, 4)))
                                for _ in range(400)}))
TOKENS = st.one_of(IDS, CODES, PATHS, TEXTS,
                   st.sampled_from(["most", "least", "txt", "qdpx", "json", "on", "off",
                                    "opening", "A1", "00:00:05", "99:99", "12,13", "--",
                                    "--bogus", "-o"]))


@st.composite
def invocations(draw: st.DrawFn) -> list[str]:
    path, command = draw(st.sampled_from(COMMANDS))
    argv = list(path)
    for param in command.params:
        if isinstance(param, click.Argument):
            if param.required or draw(st.booleans()):
                argv.append(draw(TOKENS))
        elif isinstance(param, click.Option) and draw(st.integers(0, 3)) == 0:
            argv.append(param.opts[0])
            if not param.is_flag:
                argv.append(draw(TOKENS))
    if draw(st.integers(0, 5)) == 0:
        argv.insert(draw(st.integers(len(path), len(argv))), draw(TOKENS))
    return argv


@pytest.fixture(scope="module")
def fuzz_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a study in it (and another study beside it) that the fuzz may
    change as it likes; commands run with it as the current folder."""
    home = tmp_path_factory.mktemp("fuzz")
    runner = CliRunner()
    speech = home / "speech.wav"
    sf.write(speech, (np.sin(np.arange(16_000) / 5) * 3000).astype(np.int16), 16_000)
    for args in (["init"], ["participant", "add", "P05", "--consent-date", "2026-01-05"],
                 ["participant", "add", "P06"], ["session", "new", "P05"],
                 ["session", "new", "P06"], ["note", "1", "a first note"],
                 ["import-audio", "1", str(speech)]):
        result = runner.invoke(main, ["--study", str(home / "study"), *args],
                               catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
    other = runner.invoke(main, ["--study", str(home / "other"), "init"])
    assert other.exit_code == 0
    return home


@pytest.fixture
def in_fuzz_home(fuzz_home: Path) -> Iterator[Path]:
    before = Path.cwd()
    os.chdir(fuzz_home)  # relative -o paths land here, never in the repository
    try:
        yield fuzz_home
    finally:
        os.chdir(before)


@settings(max_examples=2000, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(argv=invocations())
def test_no_command_line_ends_in_a_traceback(in_fuzz_home: Path, argv: list[str]) -> None:
    study = in_fuzz_home / "study"
    result = CliRunner().invoke(main, ["--study", str(study), *argv], input="")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"companion {' '.join(map(repr, argv))} raised "
                             f"{type(result.exception).__name__}: {result.exception}"
                             ) from result.exception
    assert result.exit_code in (0, 1, 2), (argv, result.exit_code, result.output)
    assert "Traceback" not in result.output, (argv, result.output)
    errors = result.stderr.strip().splitlines()
    if result.exit_code == 2 and not result.output.startswith("Usage:"):
        # One line saying what was wrong (a progress label may come before it).
        assert errors and errors[-1].startswith("error: "), (argv, result.stderr)
        assert sum(line.startswith("error: ") for line in errors) == 1, (argv, errors)
