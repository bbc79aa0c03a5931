"""Withdrawal: after `companion withdraw`, no byte of the study folder remembers them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from click.testing import CliRunner

from companion.audio.importer import import_audio
from companion.cli import main
from companion.store.participants import add_participant
from companion.store.transcripts import NewSegment, Pause, Word, commit_segments
from companion.study import open_study

NOTE_PHRASE = "zebracrossing marmalade confession"
SPOKEN_PHRASE = "quixotic lighthouse grievance"
KEEP_PHRASE = "kept heliotrope remark"


def _every_byte(root: Path) -> bytes:
    chunks = []
    for path in sorted(root.rglob("*")):
        chunks.append(str(path.relative_to(root)).encode())
        if path.is_file():
            chunks.append(path.read_bytes())
    return b"\n".join(chunks)


def _populate(study, db, code: str, phrase_note: str, phrase_spoken: str, wav: Path) -> int:
    from companion.interview import add_note, new_session

    add_participant(db, code, consent_date="2026-01-05", pdi=33)
    session = new_session(study, db, code, interviewer="DP")
    add_note(study, db, session.id, phrase_note, at_ms=1_000, codes=["C1"])
    import_audio(study, session.id, wav)
    db.execute("INSERT INTO transcripts (session_id, status, model, started_at) "
               "VALUES (?, 'done', 'tiny.en', 'now')", [session.id])
    commit_segments(db, session.id, [NewSegment(None, 0, 1_500, phrase_spoken, code, -0.2,
                                                (Word(phrase_spoken, 0, 1_500),))],
                    [Pause(1_500, 3_000, False)], done_ms=1_500)
    (study.exports_dir / f"{code}-session-{session.id}.txt").write_text(
        f"{code}: {phrase_spoken}\n[{phrase_note}]\n")
    return session.id


def test_withdraw_erases_every_trace_and_keeps_the_others(study_dir: Path,
                                                          tmp_path: Path) -> None:
    study = open_study(study_dir)
    db = study.db()
    wav = tmp_path / "interview.wav"
    sf.write(wav, (np.sin(np.arange(16_000) / 8) * 8000).astype(np.int16), 16_000)
    _populate(study, db, "P17", NOTE_PHRASE, SPOKEN_PHRASE, wav)
    other = _populate(study, db, "P18", KEEP_PHRASE, "unrelated words", wav)
    before = _every_byte(study_dir)
    assert NOTE_PHRASE.encode() in before and SPOKEN_PHRASE.encode() in before
    db.conn.close()

    result = CliRunner().invoke(main, ["--study", str(study_dir), "withdraw", "P17", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Erased participant P17" in result.output and "notes: 1 rows" in result.output
    assert "recordings/P17" in result.output

    after = _every_byte(study_dir)
    for secret in (NOTE_PHRASE, SPOKEN_PHRASE, "P17"):
        assert secret.encode() not in after, secret
    # The other participant is untouched and still searchable.
    assert KEEP_PHRASE.encode() in after
    db = study.db()
    from companion.store.search import search

    assert [h["session_id"] for h in search(db, "heliotrope")] == [other]
    # The audit log keeps a tombstone without content.
    audit = CliRunner().invoke(main, ["--study", str(study_dir), "withdraw", "P17", "--yes"])
    assert audit.exit_code == 2 and "participant" in audit.output
    rows = list(db.query("SELECT action FROM audit_log WHERE action = 'withdrawn'"))
    assert len(rows) == 1


def test_withdraw_asks_before_erasing(study_dir: Path) -> None:
    study = open_study(study_dir)
    db = study.db()
    add_participant(db, "P20")
    result = CliRunner().invoke(main, ["--study", str(study_dir), "withdraw", "P20"], input="n\n")
    assert result.exit_code == 1
    assert [p["code"] for p in db.query("SELECT code FROM participants")] == ["P20"]
