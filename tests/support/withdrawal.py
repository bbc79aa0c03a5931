"""A study to withdraw a participant from, and the proof that the withdrawal is complete.

Three participants whose codes start the same way (P1, P10, P2), each transcribed, with
notes, coding from a QDA tool, a draft note, exports inside and outside the study and a
study report outside it. Shared by the withdrawal tests and ``benchmarks/withdraw_kills.py``
(the soak that kills a withdrawal at random moments).
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import soundfile as sf
from sqlite_utils import Database

from companion.operations.recording import import_audio
from companion.report import render_report, study_report, write_report
from companion.store import notes, transcripts
from companion.store.backup import backup_study, list_backups
from companion.store.dropped import Dropped, store_dropped
from companion.store.settings import set_setting
from companion.study import init_study
from tests.support.exports import export_paths
from tests.support.interview import make_interview

SRC = Path(__file__).parents[2] / "src"
WORDS = {"P1": "aubergine", "P10": "bergamot", "P2": "cinnabar"}
GONE, KEPT = "P1", ("P10", "P2")


def phrases(code: str) -> list[str]:
    """What each participant left in the study: a note, a spoken line, a draft note and a
    memo on a coding (each with their own word, so a byte search finds them)."""
    word = WORDS[code]
    return [f"{word} fieldnote", f"{word} spokenline", f"{word} draftline",
            f"{word} codedmemo"]


def build_study(root: Path, tmp: Path) -> dict[str, list[int]]:
    """The study at ``root`` (copies outside it go to ``tmp/outside``); each code's
    sessions."""
    study, _ = init_study(root)
    db = study.db()
    wav = tmp / "speech.wav"
    sf.write(wav, (np.sin(np.arange(8_000) / 6) * 6000).astype(np.int16), 16_000)
    sessions: dict[str, list[int]] = {}
    outside = tmp / "outside"
    outside.mkdir(exist_ok=True)
    for code in ("P1", "P10", "P2"):
        made = make_interview(study, db, code, audio=False)
        sid = made.session_id
        sessions[code] = [sid]
        note, spoken, draft, coded = phrases(code)
        notes.add_note(db, sid, kind="note", at_ms=2_000, text=note, codes=["C1", "C3"])
        transcripts.commit_segments(db, sid, [transcripts.NewSegment(
            None, 59_000, 59_900, spoken, code, -0.1, (transcripts.Word(spoken, 59_000,
                                                                        59_900, 0.9),))],
            [], done_ms=60_000)
        # A word the transcription's guard left out (heard in silence): session data too.
        store_dropped(db, sid, [Dropped(f"{spoken} unheard", 61_000, 61_400, 0.2, "silence")])
        set_setting(db, f"tui.draft-note.{sid}", f'{{"text": "{draft}", "at_ms": 3000}}')
        if "live_segments" in db.table_names():  # the live transcript shown while recording
            from companion.store.live import add_live_segment

            add_live_segment(db, sid, start_ms=58_000, end_ms=58_900, text=f"{spoken} live",
                             speaker=None, shown_at_ms=59_500)
        import_audio(study, sid, wav)  # the session folder, with the kept original
        _import_coding(db, code, sid, spoken, coded)
        for fmt in ("txt", "docx", "qdpx"):
            export_paths(study, session=sid, fmt=fmt)
        for fmt in ("txt", "docx"):
            export_paths(study, session=sid, fmt=fmt, output=f"{outside}/{code}/")
    write_report(render_report(study_report(study, db), "md"), outside / "report.md",
                 study=study, db=db)
    db.conn.close()
    assert backup_study(root) is not None  # a session's end takes one; it holds P1 too
    return sessions


def _import_coding(db: Database, code: str, sid: int, spoken: str, memo: str) -> None:
    """What import-qdpx brings back for a session: a code, a coding with its memo and a
    memo on the session, from a project named as companion's export named it."""
    from companion.exchange.qdpx_import import (
        ImportedCode,
        ImportedCoding,
        ImportedMemo,
        ImportPlan,
        write_import,
    )

    code_guid = "00000000-0000-4000-8000-000000000001"
    plan = ImportPlan(f"{code}_session-{sid}.qdpx", "test", "0" * 64,
                      codes=[ImportedCode(code_guid, "Z1 Dismissed", None, None, True)],
                      sessions={sid: "text"})
    plan.codings.append(ImportedCoding(sid, code_guid, f"sel-{sid}", 0, len(spoken), 59_000,
                                       59_900, spoken, memo, "guid", None, None))
    plan.memos.append(ImportedMemo(f"memo-{sid}", sid, "Memo", memo))
    write_import(db, plan)


def every_byte(root: Path) -> bytes:
    """Names and contents of every file, with every zip member's content unpacked."""
    chunks = []
    for path in sorted(root.rglob("*")):
        chunks.append(str(path.relative_to(root)).encode())
        if path.is_file():
            data = path.read_bytes()
            chunks.append(data)
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    for info in archive.infolist():
                        chunks.append(info.filename.encode())
                        chunks.append(archive.read(info))
    return b"\n".join(chunks)


def names_code(rel: str, code: str) -> bool:
    """``rel`` names ``code`` as a whole (P1 in ``P1_session-1.txt``, not in ``P10/``)."""
    return bool(re.search(rf"(^|[/_.-]){re.escape(code)}($|[/_.-])", rel))


def names_of(root: Path, code: str) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob("*")
            if names_code(str(p.relative_to(root)), code)]


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``companion --study ROOT ARGS`` in a process of its own."""
    return subprocess.run(cli_command(root, *args), capture_output=True, text=True,
                          env=cli_env(), timeout=300)


def cli_command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "companion.cli", "--study", str(root), *args]


def cli_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC)}


def assert_withdrawn(root: Path, sessions: dict[str, list[int]], *,
                     fresh_backup: bool = True) -> None:
    """No byte, file name or row of the study remembers P1; all of P10 and P2 is there."""
    blob = every_byte(root)
    for phrase in phrases(GONE):
        assert phrase.encode() not in blob, phrase
    assert WORDS[GONE].encode() not in blob
    assert names_of(root, GONE) == []
    # A fresh backup, taken after the erasure (a kill just before it leaves none: the next
    # session's end takes one); the old ones, holding P1, are gone either way.
    assert len(list_backups(root)) in ((1,) if fresh_backup else (0, 1))
    for code in KEPT:
        for phrase in phrases(code):
            assert phrase.encode() in blob, (code, phrase)
        assert names_of(root, code), code  # their audio folder and exports are there
    conn = sqlite3.connect(root / "companion.db")
    try:
        assert conn.execute("SELECT count(*) FROM withdrawals").fetchone()[0] == 0
        assert [r[0] for r in conn.execute("SELECT code FROM participants ORDER BY code")] \
            == ["P10", "P2"]
        gone = sessions[GONE][0]
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            cols = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
            if "session_id" in cols:
                assert conn.execute(f"SELECT count(*) FROM [{table}] WHERE session_id = ?",
                                    [gone]).fetchone()[0] == 0, table
        imported = [r[0] for r in conn.execute("SELECT file_name FROM qda_imports")]
        assert not any(name.startswith(f"{GONE}_") for name in imported), imported
        assert all(any(name.startswith(f"{c}_") for name in imported) for c in KEPT)
        keys = [r[0] for r in conn.execute("SELECT key FROM settings")]
        assert f"tui.draft-note.{gone}" not in keys
        assert all(f"tui.draft-note.{sessions[c][0]}" in keys for c in KEPT)
        tomb = conn.execute("SELECT after FROM audit_log WHERE action = 'withdrawn'").fetchall()
        assert len(tomb) == 1 and "hash" not in tomb[0][0] and GONE not in tomb[0][0]
    finally:
        conn.close()
