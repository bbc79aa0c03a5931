"""A Dutch interview imported from a file and transcribed offline by the multilingual
``base`` model under pain-alliance-nl: no turn is lost and no subtitle tag is invented,
with the protocol's own style and with verbatim on (the Dutch verbatim sample as prompt).

Before the prompt followed the language, an English verbatim sample made Whisper write
"MUZIEK" over the second turn and skip its words, and nothing decoded it again."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.support.cli import cli_runner
from tests.support.speech_nl import KEY_WORDS, TURNS, heard

pytestmark = [pytest.mark.model]


def turn_spans(wav: Path) -> list[tuple[int, int]]:
    """(start_ms, end_ms) of each spoken turn: the file's silences between turns are
    digital zero, at least a second long (espeak's pauses inside a turn are shorter)."""
    audio, rate = sf.read(str(wav), dtype="float32")
    frame = rate // 100
    loud = np.abs(audio[: len(audio) // frame * frame]).reshape(-1, frame).max(axis=1) > 1e-3
    spans: list[list[int]] = []
    for index in np.flatnonzero(loud).tolist():
        if spans and index - spans[-1][1] < 90:
            spans[-1][1] = index + 1
        else:
            spans.append([index, index + 1])
    return [(lo * 10, hi * 10) for lo, hi in spans]


@pytest.mark.parametrize("verbatim", [False, True], ids=["protocol-style", "verbatim"])
def test_every_dutch_turn_comes_back_and_no_tag_is_invented(
        study_dir: Path, interview_nl: Path, monkeypatch: pytest.MonkeyPatch,
        verbatim: bool) -> None:
    monkeypatch.delenv("COMPANION_WHISPER_MODEL", raising=False)
    if verbatim:
        with (study_dir / "companion.toml").open("a", encoding="utf-8") as toml:
            toml.write("\n[transcribe]\nverbatim = true\n")
    run = cli_runner(study_dir)
    assert run("participant", "add", "P07", "--consent-date", "2024-05-01").exit_code == 0
    made = run("session", "new", "P07", "--protocol", "pain-alliance-nl")
    assert made.exit_code == 0, made.output
    imported = run("import-audio", "1", str(interview_nl))
    assert imported.exit_code == 0, imported.output
    done = run("transcribe", "1", "--json")
    assert done.exit_code == 0, done.output
    result = json.loads(done.output[done.output.index("{"):])  # after the progress line
    assert result["status"] == "done" and result["language"] == "nl"
    assert result["model"].startswith("base (multilingual")

    conn = sqlite3.connect(study_dir / "companion.db")
    try:
        rows = conn.execute("SELECT text, words FROM transcript_segments "
                            "ORDER BY start_ms").fetchall()
    finally:
        conn.close()
    words = [w for _, listed in rows for w in json.loads(listed)]
    text = " ".join(row[0] for row in rows)

    spans = turn_spans(interview_nl)
    assert len(spans) == len(TURNS)
    silent = [(turn, start, end) for turn, (start, end) in zip(TURNS, spans, strict=True)
              if not any(start <= (w["start_ms"] + w["end_ms"]) / 2 <= end for w in words)]
    assert not silent, f"turns without words: {silent}; transcript: {text}"
    lowered = text.lower()
    missing = [word for word in KEY_WORDS if not heard(word, lowered)]
    assert not missing, f"{missing} not in: {text}"
    assert "pijn" in lowered or "pein" in lowered, text
    assert "muziek" not in lowered, text
