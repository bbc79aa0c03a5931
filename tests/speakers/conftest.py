"""Fixtures: the espeak-ng interview, the real tiny.en model, and a study in which the
interviewer was enrolled and the mono interview transcribed (speakers on) once per test
process: the tests only read it, or change a copy of it (``study_copy``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.speakers import Interview, Transcribed, add_session, build, cli


@pytest.fixture(scope="session")
def interview(tmp_path_factory: pytest.TempPathFactory) -> Interview:
    return build(tmp_path_factory.mktemp("voices"))


@pytest.fixture(scope="session")
def transcribed(tmp_path_factory: pytest.TempPathFactory, interview: Interview) -> Transcribed:
    root = tmp_path_factory.mktemp("speakers") / "study"
    assert cli(root, "init").exit_code == 0
    wav = root / "recordings" / "interview.wav"
    shutil.copy(interview.wav, wav)
    sid = add_session(root, wav)
    enrolled = cli(root, "speaker", "enrol", "--file", str(interview.enrolment))
    assert enrolled.exit_code == 0, enrolled.output
    done = cli(root, "transcribe", str(sid))
    assert done.exit_code == 0, done.output
    return Transcribed(root, sid, done.output)


@pytest.fixture
def study_copy(tmp_path: Path, transcribed: Transcribed) -> Callable[[], Path]:
    """A private copy of the transcribed study, for tests that change it."""

    def make() -> Path:
        target = tmp_path / "copy"
        shutil.copytree(transcribed.root, target)
        # the recording path is stored absolute: point it at the copy's file
        from companion.study import open_study

        db = open_study(target).db()
        db.execute("UPDATE recording_segments SET path = ?",
                   [str(target / "recordings" / "interview.wav")])
        db.conn.commit()
        db.conn.close()
        return target

    return make
