"""`companion export`: targets, --all, bad input (exit 2, nothing written), atomic writes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from companion import export as export_module
from companion.export.atomic import atomic_write
from tests.support.exports import export_paths
from tests.support.interview import make_interview, write_replacements


@pytest.fixture
def two(study, db):
    write_replacements(study)
    return [make_interview(study, db, "P05"), make_interview(study, db, "P06")]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_export_one_session_to_the_study_exports_folder(run, study, two):
    result = run("export", str(two[0].session_id), "--format", "txt")
    assert result.exit_code == 0, result.output
    target = study.exports_dir / f"P05_session-{two[0].session_id}.txt"
    assert result.output.strip() == f"Wrote {target}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "[00:00:05] P05: It started in (..) [Place]" in target.read_text("utf-8")


def test_export_all_writes_one_file_per_session(run, two, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = run("export", "--all", "--format", "srt", "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [row["session"] for row in listed] == [m.session_id for m in two]
    assert _files(out) == [f"P05_session-{two[0].session_id}.srt",
                           f"P06_session-{two[1].session_id}.srt"]


def test_export_to_a_named_file_and_into_a_folder(run, two, tmp_path):
    assert run("export", "1", "--format", "qdpx", "-o", str(tmp_path / "x.qdpx")).exit_code == 0
    assert (tmp_path / "x.qdpx").is_file()
    assert run("export", "2", "--format", "f4", "-o", str(tmp_path)).exit_code == 0
    assert (tmp_path / "P06_session-2_f4.txt").is_file()


@pytest.mark.parametrize(("args", "field"), [
    (["1", "--format", "pdf"], "--format"),
    (["99", "--format", "txt"], "session"),
    (["1", "--format", "txt", "-o", "{missing}/x.txt"], "-o"),
    (["--all", "--format", "txt", "-o", "{missing}"], "-o"),
    (["1", "--all", "--format", "txt"], "session"),
    (["--format", "txt"], "session"),
    (["abc", "--format", "txt"], "session"),
])
def test_bad_input_exits_2_and_writes_nothing(run, study, two, tmp_path, args, field):
    missing = tmp_path / "no-such-folder"
    args = [a.replace("{missing}", str(missing)) for a in args]
    result = run("export", *args)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {field}: got ")
    assert "allowed: " in result.output
    assert _files(study.exports_dir) == [] and not missing.exists()


def test_an_interrupted_export_leaves_no_half_file(study, db, two, tmp_path, monkeypatch):
    target = tmp_path / "P05.txt"
    target.write_text("the earlier export\n")

    def half_then_crash(doc, path: Path) -> None:
        path.write_bytes(b"[00:00:00] I: Could you tell")
        raise KeyboardInterrupt

    fmt = export_module.FORMATS["txt"]
    monkeypatch.setitem(export_module.FORMATS, "txt",
                        export_module.Format("txt", ".txt", fmt.description, half_then_crash))
    with pytest.raises(KeyboardInterrupt):
        export_paths(study, session=1, fmt="txt", output=target, force=True)
    assert target.read_text() == "the earlier export\n"
    assert _files(tmp_path) == ["P05.txt", "study"]

    fresh = tmp_path / "new.txt"
    with pytest.raises(KeyboardInterrupt):
        export_paths(study, session=1, fmt="txt", output=fresh)
    assert not fresh.exists() and _files(tmp_path) == ["P05.txt", "study"]


def test_atomic_write_replaces_whole_file_private(tmp_path):
    path = atomic_write(tmp_path / "a.txt", "one\r\ntwo")
    assert path.read_bytes() == b"one\r\ntwo"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
