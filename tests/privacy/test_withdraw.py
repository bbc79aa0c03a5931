"""Withdrawal: a transcribed participant with notes, codes, a draft, exports inside and
outside the study, next to neighbours whose codes start the same way (P1 / P10 / P2).

After `companion withdraw P1` no byte of the study folder (database, WAL, SHM, every zip
member of a docx or qdpx, every file name) remembers P1, and everything of P10 and P2 is
still there. Killed at 20 random moments, the next `withdraw` always completes it.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from companion.operations.recording import import_audio
from companion.privacy.withdraw import NO_SESSION_DATA
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


def _phrases(code: str) -> list[str]:
    word = WORDS[code]
    return [f"{word} fieldnote", f"{word} spokenline", f"{word} draftline",
            f"{word} codedmemo"]


def _build(root: Path, tmp: Path) -> dict[str, list[int]]:
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
        note, spoken, draft, coded = _phrases(code)
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


def _import_coding(db, code: str, sid: int, spoken: str, memo: str) -> None:
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


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[int]]]:
    base = tmp_path_factory.mktemp("withdraw-template")
    sessions = _build(base / "study", base)
    return base / "study", sessions


@pytest.fixture
def copy(template, tmp_path: Path) -> tuple[Path, dict[str, list[int]]]:
    root, sessions = template
    shutil.copytree(root, tmp_path / "study", symlinks=True)
    return tmp_path / "study", sessions


def _every_byte(root: Path) -> bytes:
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


def _names_of(root: Path, code: str) -> list[str]:
    token = re.compile(rf"(^|[/_.-]){re.escape(code)}($|[/_.-])")
    return [str(p.relative_to(root)) for p in root.rglob("*")
            if token.search(str(p.relative_to(root)))]


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-m", "companion.cli", "--study", str(root), *args],
                          capture_output=True, text=True, env=env, timeout=300)


def _assert_withdrawn(root: Path, sessions: dict[str, list[int]], *,
                      fresh_backup: bool = True) -> None:
    blob = _every_byte(root)
    for phrase in _phrases(GONE):
        assert phrase.encode() not in blob, phrase
    assert WORDS[GONE].encode() not in blob
    assert _names_of(root, GONE) == []
    # A fresh backup, taken after the erasure (a kill just before it leaves none: the next
    # session's end takes one); the old ones, holding P1, are gone either way.
    assert len(list_backups(root)) in ((1,) if fresh_backup else (0, 1))
    for code in KEPT:
        for phrase in _phrases(code):
            assert phrase.encode() in blob, (code, phrase)
        assert _names_of(root, code), code  # their audio folder and exports are there
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


def test_withdraw_erases_p1_and_keeps_p10_and_p2(copy, template) -> None:
    root, sessions = copy
    outside = template[0].parent / "outside"
    before = _every_byte(root)
    for code in ("P1", "P10", "P2"):
        for phrase in _phrases(code):
            assert phrase.encode() in before, phrase

    result = _cli(root, "withdraw", "p1", "--yes")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Erased participant P1: sessions")
    # Exactly P1's files: their exports, their audio folder and its kept original.
    files = re.findall(r"^  file: (.+)$", out, flags=re.M)
    assert files and all(_names_of_one(f, "P1") or f.startswith(".backups/")
                         for f in files), files
    assert sorted(f for f in files if f.startswith("exports/")) == [
        f"exports/P1_session-{sessions['P1'][0]}.{ext}" for ext in ("docx", "qdpx", "txt")]
    assert any(f.startswith(".backups/") for f in files)  # the backups held P1 too
    assert not any("P10" in f or "P2" in f for f in files), files
    assert any("original" in f for f in files)
    # The copies outside the study are named, not erased; P10's are not named.
    assert f"{outside}/P1/P1_session-{sessions['P1'][0]}.txt" in out
    assert "P10_session" not in out and "P2_session" not in out
    assert str(outside / "report.md") in out
    _assert_withdrawn(root, sessions)
    # Run again: nothing left to do, one line, exit 2.
    again = _cli(root, "withdraw", "P1", "--yes")
    assert again.returncode == 2 and len(again.stderr.strip().splitlines()) == 1


def _names_of_one(rel: str, code: str) -> bool:
    return bool(re.search(rf"(^|[/_.-]){re.escape(code)}($|[/_.-])", rel))


def test_every_table_is_covered(copy) -> None:
    """Every table of the schema holds P1's rows in the fixture (so withdrawal is tested
    against it) or is listed as holding no session data; a table added later fails here
    until it is."""
    root, sessions = copy
    conn = sqlite3.connect(root / "companion.db")
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = [n for n, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    gone = sessions[GONE][0]
    pid = conn.execute("SELECT id FROM participants WHERE code = 'P1'").fetchone()[0]
    for name, _ in rows:
        if name.startswith("sqlite_") or any(name.startswith(v + "_") for v in virtual):
            continue
        cols = {r[1] for r in conn.execute(f"PRAGMA table_info([{name}])")}
        if name in NO_SESSION_DATA:
            continue
        assert cols & {"session_id", "participant_id"}, f"{name}: how is it withdrawn?"
        where = " OR ".join(f"{c} = ?" for c in ("session_id", "participant_id") if c in cols)
        args = [v for c, v in (("session_id", gone), ("participant_id", pid)) if c in cols]
        assert conn.execute(f"SELECT count(*) FROM [{name}] WHERE {where}", args
                            ).fetchone()[0] > 0, f"the fixture gives P1 no rows in {name}"
    conn.close()

    # A table withdrawal cannot tie to a participant stops it before anything is erased.
    conn = sqlite3.connect(root / "companion.db")
    conn.execute("CREATE TABLE interview_tags (interview INTEGER, tag TEXT)")
    conn.commit()
    conn.close()
    before = _every_byte(root)
    result = _cli(root, "withdraw", "P1", "--yes")
    assert result.returncode != 0 and "interview_tags" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert _every_byte(root) == before


def test_sigkill_at_20_moments_then_withdraw_completes(template, tmp_path: Path) -> None:
    root0, sessions = template
    # How long one withdrawal takes here, so the kills spread over all of it.
    probe = tmp_path / "probe" / "study"
    shutil.copytree(root0, probe, symlinks=True)
    started = time.monotonic()
    assert _cli(probe, "withdraw", "P99", "--yes").returncode == 2
    ready = time.monotonic() - started  # start-up and opening the study: nothing to kill
    started = time.monotonic()
    assert _cli(probe, "withdraw", "P1", "--yes").returncode == 0
    span = time.monotonic() - started
    rng = random.Random(20261201)
    outcomes = []
    for i in range(20):
        root = tmp_path / f"kill-{i}" / "study"
        shutil.copytree(root0, root, symlinks=True)
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        proc = subprocess.Popen([sys.executable, "-m", "companion.cli", "--study", str(root),
                                 "withdraw", "P1", "--yes"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(ready * 0.8, span))
        proc.send_signal(signal.SIGKILL)
        killed_rc = proc.wait()
        rerun = _cli(root, "withdraw", "P1", "--yes")
        # Either the kill came too late (all done: "no such participant", exit 2) or the
        # rerun finished the withdrawal (exit 0).
        assert rerun.returncode in (0, 2), rerun.stderr
        if rerun.returncode == 2:
            assert "participant" in rerun.stderr and "Traceback" not in rerun.stderr
        outcomes.append((killed_rc, rerun.returncode,
                         "interrupted" in rerun.stdout))
        _assert_withdrawn(root, sessions, fresh_backup=False)
        doctor = _cli(root, "doctor")
        assert "unfinished withdrawal" not in doctor.stdout
        shutil.rmtree(root.parent)
    print(f"start-up {ready:.2f} s, withdrawal {span:.2f} s; kill outcomes "
          f"(killed rc, rerun rc, resumed): {outcomes}")
    # Where each kill lands depends on this machine's speed; the resumed paths are also
    # driven deterministically below.
    assert any(rc == -signal.SIGKILL for rc, _, _ in outcomes)


def _journal_only(root: Path, stage: str | None) -> None:
    """Leave what a kill leaves: the plan in the journal, some files already gone, and
    (stage "compact") the rows erased too."""
    import json

    from companion.privacy.withdraw import _erase_rows, plan_withdrawal
    from companion.store.db import transaction
    from companion.study import open_study

    study = open_study(root)
    db = study.db()
    plan = plan_withdrawal(study, db, "P1")
    with transaction(db):
        cursor = db.execute("INSERT INTO withdrawals (participant_id, plan, started_at) "
                            "VALUES (?, ?, 'now')", [plan["participant_id"], json.dumps(plan)])
    plan["id"] = cursor.lastrowid
    (root / plan["files"][0]).unlink()
    if stage == "compact":
        for rel in plan["files"][1:]:
            (root / rel).unlink()
        for rel in plan["dirs"]:
            shutil.rmtree(root / rel)
        (root / plan["participant_dir"]).rmdir()
        _erase_rows(db, plan, plan["id"])
    db.conn.close()


@pytest.mark.parametrize("stage", [None, "compact"])
def test_an_interrupted_withdrawal_is_reported_and_completed(copy, stage) -> None:
    root, sessions = copy
    _journal_only(root, stage)
    doctor = _cli(root, "doctor")
    assert doctor.returncode == 1
    assert "[FAIL] withdrawal: an unfinished withdrawal" in doctor.stdout
    assert "companion doctor --repair" in doctor.stdout
    result = _cli(root, "withdraw", "P1", "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Completed the interrupted withdrawal of participant P1")
    _assert_withdrawn(root, sessions)


def test_doctor_repair_completes_an_interrupted_withdrawal(copy) -> None:
    root, sessions = copy
    _journal_only(root, None)
    repaired = _cli(root, "doctor", "--repair")
    assert "withdrawal: completed the interrupted withdrawal" in repaired.stdout, \
        repaired.stdout
    _assert_withdrawn(root, sessions)


def test_a_withdrawal_killed_before_its_fresh_backup_takes_it_on_the_next_run(copy) -> None:
    """Killed after the journal went (a backup must not hold it) and before the fresh
    backup: the next withdraw command takes that backup, though P1 is gone already."""
    from companion.privacy.withdraw import BACKUP_OWED

    root, sessions = copy
    assert _cli(root, "withdraw", "P1", "--yes").returncode == 0
    for backup in list_backups(root):  # the state the kill leaves: the old ones erased,
        backup.unlink()                # the new one not yet taken
    (root / BACKUP_OWED).touch()
    again = _cli(root, "withdraw", "P1", "--yes")
    assert again.returncode == 2 and "P1" in again.stderr
    assert not (root / BACKUP_OWED).exists()
    _assert_withdrawn(root, sessions)
