"""Running the real CLI in-process against a study, and reading what it left behind."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from companion.cli import main

Run = Callable[..., Result]


def cli_runner(study_dir: Path | None) -> Run:
    """``run(*args, study=None, stdin=None)``: ``companion --study DIR args`` in-process.

    ``study=None`` uses ``study_dir``; with ``study_dir`` None too no ``--study`` is passed
    (the environment or the current folder decides). Exceptions are not swallowed: a
    traceback fails the test."""

    def run(*args: str, study: Path | None = None, stdin: str | None = None) -> Result:
        root = study or study_dir
        prefix = ["--study", str(root)] if root is not None else []
        return CliRunner().invoke(main, [*prefix, *args], input=stdin,
                                  catch_exceptions=False)

    return run


def as_json(result: Result) -> Any:
    """The JSON a successful command printed."""
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def dump_database(study_dir: Path) -> list[str]:
    """Every row of the study database, to prove a failed command wrote nothing."""
    conn = sqlite3.connect(study_dir / "companion.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
