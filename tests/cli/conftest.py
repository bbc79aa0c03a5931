from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from companion.cli import main


@pytest.fixture
def run(study_dir: Path) -> Callable[..., Result]:
    """Run the CLI against the test study; returns click's Result."""

    def _run(*args: str, study: Path | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(main, ["--study", str(study or study_dir), *args],
                             catch_exceptions=False)

    return _run


@pytest.fixture
def dump(study_dir: Path) -> Callable[[], list[str]]:
    """Every row of the study database, to prove a failed command wrote nothing."""

    def _dump() -> list[str]:
        conn = sqlite3.connect(study_dir / "companion.db")
        try:
            return list(conn.iterdump())
        finally:
            conn.close()

    return _dump


def as_json(result: Result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)
