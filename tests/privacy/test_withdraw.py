"""Withdrawal: a transcribed participant with notes, codes, a draft, exports inside and
outside the study, next to neighbours whose codes start the same way (P1 / P10 / P2).

After `companion withdraw P1` no byte of the study folder (database, WAL, SHM, every zip
member of a docx or qdpx, every file name) remembers P1, and everything of P10 and P2 is
still there. Killed with SIGKILL at each stage of its work, the next `withdraw` always
completes it (``benchmarks/withdraw_kills.py`` kills it at random moments instead).
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from companion.privacy.withdraw import BACKUP_OWED, NO_SESSION_DATA
from companion.store.backup import list_backups
from tests.support.cli import cli_runner
from tests.support.withdrawal import (
    GONE,
    assert_withdrawn,
    build_study,
    cli,
    cli_command,
    cli_env,
    every_byte,
    names_code,
    phrases,
)

STRACE = shutil.which("strace")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[int]]]:
    base = tmp_path_factory.mktemp("withdraw-template")
    sessions = build_study(base / "study", base)
    return base / "study", sessions


@pytest.fixture
def copy(template, tmp_path: Path) -> tuple[Path, dict[str, list[int]]]:
    root, sessions = template
    shutil.copytree(root, tmp_path / "study", symlinks=True)
    return tmp_path / "study", sessions


def test_withdraw_erases_p1_and_keeps_p10_and_p2(copy, template) -> None:
    root, sessions = copy
    outside = template[0].parent / "outside"
    before = every_byte(root)
    for code in ("P1", "P10", "P2"):
        for phrase in phrases(code):
            assert phrase.encode() in before, phrase

    result = cli(root, "withdraw", "p1", "--yes")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Erased participant P1: sessions")
    # Exactly P1's files: their exports, their audio folder and its kept original.
    files = re.findall(r"^  file: (.+)$", out, flags=re.M)
    assert files and all(names_code(f, "P1") or f.startswith(".backups/")
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
    assert_withdrawn(root, sessions)
    # Run again: nothing left to do, one line, exit 2.
    again = cli(root, "withdraw", "P1", "--yes")
    assert again.returncode == 2 and len(again.stderr.strip().splitlines()) == 1


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
    before = every_byte(root)
    result = cli(root, "withdraw", "P1", "--yes")
    assert result.returncode != 0 and "interview_tags" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert every_byte(root) == before


# Each stage of a withdrawal, and the system call that marks it: strace stops the run with
# SIGKILL as it enters that call (on the named file, where one is named), so the call itself
# never happens. Then what the kill left is checked (to prove the stage was reached) and the
# next `withdraw` must finish the job.
KILLS = {
    # the journal written, the first files erased, this one not yet
    "erasing files": ("unlink", "exports/P1_session-{sid}.docx"),
    # every file erased, the rows not
    "files erased": ("rmdir", "recordings/P1"),
    # the rows erased, the database not yet compacted (erased bytes may still lie in it)
    "rows erased": ("openat", BACKUP_OWED),
    # compacting: the first checkpoint of the database file
    "compacting": ("fdatasync", "companion.db"),
    # the journal gone (a backup must not hold it), the fresh backup not yet named
    "before the fresh backup": ("linkat", None),
    # the fresh backup taken, the mark that one is owed not yet cleared
    "after the fresh backup": ("unlink", BACKUP_OWED),
}


def _killed_at(root: Path, stage: str, sid: int) -> subprocess.CompletedProcess[str]:
    assert STRACE, "strace is a test package (scripts/setup.sh installs it)"
    call, name = KILLS[stage]
    only = ["-P", str(root / name.format(sid=sid))] if name else []
    return subprocess.run([STRACE, "-f", "-qq", "-o", "/dev/null", *only, "-e",
                           f"trace={call}", "-e", f"inject={call}:signal=KILL:when=1",
                           *cli_command(root, "withdraw", "P1", "--yes")],
                          capture_output=True, text=True, env=cli_env(), timeout=300)


def _left_by_the_kill(root: Path) -> dict[str, object]:
    conn = sqlite3.connect(root / "companion.db")
    try:
        plans = [json.loads(p) for (p,) in conn.execute("SELECT plan FROM withdrawals")]
        p1 = conn.execute("SELECT count(*) FROM participants WHERE code = 'P1'").fetchone()
    finally:
        conn.close()
    return {"journal": [p.get("stage", "erase") for p in plans], "P1 rows": p1[0] > 0,
            "P1 files": sorted(str(p.relative_to(root)) for p in root.rglob("*")
                               if p.is_file() and names_code(str(p.relative_to(root)), GONE)),
            "P1 folder": (root / "recordings" / GONE).exists(),
            "backups": len(list_backups(root)), "owed": (root / BACKUP_OWED).exists()}


@pytest.mark.parametrize("stage", list(KILLS))
def test_sigkill_at_each_stage_then_withdraw_completes(copy, stage: str) -> None:
    root, sessions = copy
    root = root.resolve()  # the paths strace compares are the ones the command opens
    sid = sessions[GONE][0]
    killed = _killed_at(root, stage, sid)
    assert killed.returncode in (-signal.SIGKILL, 128 + signal.SIGKILL), (
        f"the run was not killed {stage}: {killed.returncode} {killed.stderr[-2000:]}")
    left = _left_by_the_kill(root)
    expected = {
        # the backups went first (they hold P1 too), this export and the audio not yet
        "erasing files": {"journal": ["erase"], "P1 rows": True, "owed": False, "backups": 0,
                          "P1 files": [f"exports/P1_session-{sid}.{ext}"
                                       for ext in ("docx", "qdpx", "txt")] + [
                              f"recordings/P1/{sid}/.transcribing.lock"] + [
                              f"recordings/P1/{sid}/session-{sid}-001-imported{end}"
                              for end in ("-original.wav", ".flac")]},
        "files erased": {"journal": ["erase"], "P1 rows": True, "P1 files": [],
                         "P1 folder": True, "backups": 0},
        "rows erased": {"journal": ["compact"], "P1 rows": False, "P1 folder": False,
                        "owed": False},
        "compacting": {"P1 rows": False, "owed": True, "backups": 0},
        "before the fresh backup": {"journal": [], "P1 rows": False, "owed": True,
                                    "backups": 0},
        "after the fresh backup": {"journal": [], "owed": True, "backups": 1},
    }[stage]
    assert {key: left[key] for key in expected} == expected, left

    again = cli_runner(root)("withdraw", "P1", "--yes")
    if left["journal"]:
        assert again.exit_code == 0, again.output
        assert again.stdout.startswith("Completed the interrupted withdrawal of participant P1")
    else:  # all of P1 was gone: only the backup was owed, and the next run takes it
        assert again.exit_code == 2 and "P1" in again.stderr, again.output
    assert_withdrawn(root, sessions)
    assert not (root / BACKUP_OWED).exists()
    doctor = cli_runner(root)("doctor")
    assert "unfinished withdrawal" not in doctor.stdout, doctor.stdout


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
    doctor = cli(root, "doctor")
    assert doctor.returncode == 1
    assert "[FAIL] withdrawal: an unfinished withdrawal" in doctor.stdout
    assert "companion doctor --repair" in doctor.stdout
    result = cli(root, "withdraw", "P1", "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Completed the interrupted withdrawal of participant P1")
    assert_withdrawn(root, sessions)


def test_doctor_repair_completes_an_interrupted_withdrawal(copy) -> None:
    root, sessions = copy
    _journal_only(root, None)
    repaired = cli(root, "doctor", "--repair")
    assert "withdrawal: completed the interrupted withdrawal" in repaired.stdout, \
        repaired.stdout
    assert_withdrawn(root, sessions)


def test_a_withdrawal_killed_before_its_fresh_backup_takes_it_on_the_next_run(copy) -> None:
    """Killed after the journal went (a backup must not hold it) and before the fresh
    backup: the next withdraw command takes that backup, though P1 is gone already."""
    from companion.privacy.withdraw import BACKUP_OWED

    root, sessions = copy
    assert cli(root, "withdraw", "P1", "--yes").returncode == 0
    for backup in list_backups(root):  # the state the kill leaves: the old ones erased,
        backup.unlink()                # the new one not yet taken
    (root / BACKUP_OWED).touch()
    again = cli(root, "withdraw", "P1", "--yes")
    assert again.returncode == 2 and "P1" in again.stderr
    assert not (root / BACKUP_OWED).exists()
    assert_withdrawn(root, sessions)


def test_doctor_repair_takes_the_backup_a_killed_withdrawal_owes(copy) -> None:
    """Killed after its journal went and before its fresh backup: 'doctor' says so and
    'doctor --repair' takes it (no withdraw command needed)."""
    from companion.privacy.withdraw import BACKUP_OWED

    root, sessions = copy
    assert cli(root, "withdraw", "P1", "--yes").returncode == 0
    for backup in list_backups(root):
        backup.unlink()
    (root / BACKUP_OWED).touch()
    doctor = cli(root, "doctor")
    assert doctor.returncode == 1
    assert "[FAIL] withdrawal: a finished withdrawal was stopped before its fresh backup" \
        in doctor.stdout, doctor.stdout
    repaired = cli(root, "doctor", "--repair")
    assert "[ok  ] withdrawal: took the fresh backup" in repaired.stdout, repaired.stdout
    assert not (root / BACKUP_OWED).exists()
    assert_withdrawn(root, sessions)


def test_withdrawal_names_an_imported_coded_project_and_erases_project_memos(
        copy, tmp_path: Path) -> None:
    """The analyst's coded copy of P1's project, saved into exports/ under a name of their
    own and imported back: named in the receipt (companion did not write it), its name
    blanked in the database; a project memo that names P1 erased, one that does not kept."""
    root, sessions = copy
    sid = sessions["P1"][0]
    out = tmp_path / "handed-out"
    exported = cli(root, "export", str(sid), "--format", "qdpx", "-o", f"{out}/")
    assert exported.returncode == 0, exported.stderr
    coded = root / "exports" / f"P1_session-{sid}-coded.qdpx"
    shutil.copy(out / f"P1_session-{sid}.qdpx", coded)  # what the QDA tool saved
    imported = cli(root, "import-qdpx", str(coded))
    assert imported.returncode == 0, imported.stderr
    conn = sqlite3.connect(root / "companion.db")
    import_id = conn.execute("SELECT max(id) FROM qda_imports").fetchone()[0]
    conn.execute("INSERT INTO qda_memos (guid, session_id, name, text, import_id) VALUES "
                 "('m-p1', NULL, 'Project memo', 'What P1 said about the aubergine "
                 "fieldnote', ?), ('m-all', NULL, 'Project memo', 'Saturation after ten "
                 "interviews', ?)", [import_id, import_id])
    conn.commit()
    conn.close()

    result = cli(root, "withdraw", "P1", "--yes")
    assert result.returncode == 0, result.stderr
    receipt = result.stdout
    assert "coded projects imported back" in receipt
    assert f"exports/P1_session-{sid}-coded.qdpx" in receipt
    assert coded.exists()  # named, not erased: the analyst's file
    conn = sqlite3.connect(root / "companion.db")
    names = [r for r in conn.execute("SELECT file_name, project_name, path FROM qda_imports")]
    memos = [r[0] for r in conn.execute("SELECT guid FROM qda_memos WHERE session_id IS NULL")]
    conn.close()
    token = re.compile(r"(?<![A-Za-z0-9])P1(?![A-Za-z0-9])")
    assert not any(token.search(value or "") for row in names for value in row), names
    assert memos == ["m-all"]
    coded.unlink()  # as the receipt asks: then nothing of P1 is left
    out_copy = out / f"P1_session-{sid}.qdpx"
    assert str(out_copy.resolve()) in receipt  # the copy handed out is named too
    assert_withdrawn(root, sessions)


def test_exports_inside_a_moved_study_folder_are_erased_under_any_name(
        copy, tmp_path: Path) -> None:
    """An export written inside the study under a name of its own, and one an older
    version recorded by its absolute path: the study folder is moved, and withdrawal
    still finds both."""
    root, sessions = copy
    sid = sessions["P1"][0]
    (root / "analysis").mkdir()
    own = cli(root, "export", str(sid), "--format", "txt", "-o",
               str(root / "analysis" / "for-the-supervisor.txt"))
    assert own.returncode == 0 and "outside the study" not in own.stdout, own.stdout
    older = root / "notes" / "p-one.docx"
    older.parent.mkdir()
    shutil.copy(root / "exports" / f"P1_session-{sid}.docx", older)
    conn = sqlite3.connect(root / "companion.db")
    stored = [r[0] for r in conn.execute("SELECT path FROM exports WHERE path LIKE "
                                         "'%for-the-supervisor.txt'")]
    assert stored == ["analysis/for-the-supervisor.txt"]  # relative to the study
    conn.execute("INSERT INTO exports (session_id, participant_id, kind, path, inside_study, "
                 "written_at) VALUES (?, NULL, 'docx', ?, 1, 'then')",
                 [sid, "/home/someone/old-place/study/notes/p-one.docx"])
    conn.commit()
    conn.close()
    moved = tmp_path / "moved" / "study"
    moved.parent.mkdir()
    shutil.move(root, moved)
    result = cli(moved, "withdraw", "P1", "--yes")
    assert result.returncode == 0, result.stderr
    assert "file: analysis/for-the-supervisor.txt" in result.stdout
    assert "file: notes/p-one.docx" in result.stdout
    assert not (moved / "analysis" / "for-the-supervisor.txt").exists()
    assert not (moved / "notes" / "p-one.docx").exists()
    assert_withdrawn(moved, sessions)
