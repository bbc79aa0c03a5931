"""`companion init` and `companion participant ...` against a real study folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.cli import Run, as_json, cli_runner


def test_init_creates_a_private_study_folder(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "my-study"
    result = run("init", study=root)
    assert result.exit_code == 0, result.output
    assert "Created study" in result.output
    for sub in ("", "recordings", "exports"):
        assert os.stat(root / sub).st_mode & 0o777 == 0o700
    assert os.stat(root / "companion.db").st_mode & 0o777 == 0o600
    again = run("init", study=root)
    assert again.exit_code == 0 and "Checked study" in again.output


def test_study_comes_from_the_environment_then_the_current_folder(tmp_path: Path,
                                                                  monkeypatch) -> None:
    root = tmp_path / "env-study"
    monkeypatch.setenv("COMPANION_STUDY", str(root))
    no_study_option = cli_runner(None)
    assert no_study_option("init").exit_code == 0
    assert (root / "companion.db").exists()
    monkeypatch.delenv("COMPANION_STUDY")
    monkeypatch.chdir(root)
    result = no_study_option("participant", "list")
    assert result.exit_code == 0 and "No participants yet" in result.output


def test_a_folder_that_is_not_a_study_is_refused_with_a_hint(run: Run, tmp_path: Path) -> None:
    result = run("participant", "list", study=tmp_path)
    assert result.exit_code == 2
    assert "not a study folder" in result.output and "companion init" in result.output
    assert not (tmp_path / "companion.db").exists()


def test_participant_add_and_list(run) -> None:
    result = run("participant", "add", "P05", "--gender", "female", "--age-band", "35-55",
                 "--education", "middle", "--pain-duration", ">10", "--work-status",
                 "reintegrating", "--pdi", "38", "--csi", "52", "--consent-date", "2026-03-02")
    assert result.exit_code == 0, result.output
    run("participant", "add", "P06")
    rows = as_json(run("participant", "list", "--json"))
    assert [r["code"] for r in rows] == ["P05", "P06"]
    assert rows[0] | {"id": 0, "created_at": ""} == {
        "id": 0, "code": "P05", "gender": "female", "age_band": "35-55", "education": "middle",
        "pain_duration": ">10", "work_status": "reintegrating", "pdi": 38, "csi": 52,
        "consent_date": "2026-03-02", "created_at": "",
    }
    text = run("participant", "list").output
    assert "P05" in text and "consent 2026-03-02" in text and "no consent yet" in text


def test_participant_errors_name_field_value_and_allowed_and_write_nothing(run, dump) -> None:
    run("participant", "add", "P05")
    before = dump()
    cases = {
        ("P07", "--pdi", "71"): ("pdi", "71", "0 to 70"),
        ("P07", "--csi", "abc"): ("csi", "abc", "0 to 100"),
        ("P07", "--age-band", "40"): ("age-band", "40", "<35, 35-55, >55"),
        ("P07", "--consent-date", "02/03/2026"): ("consent-date", "02/03/2026", "YYYY-MM-DD"),
        ("Jan Jansen",): ("code", "Jan Jansen", "pseudonym"),
        ("p05",): ("code", "p05", "not used yet"),
    }
    for args, (field, value, allowed) in cases.items():
        result = run("participant", "add", *args)
        assert result.exit_code == 2, (args, result.output)
        line = result.output.strip()
        assert "\n" not in line, line
        assert line.startswith(f"error: {field}:") and value in line and allowed in line, line
    assert dump() == before


def test_console_script_runs_and_reports_errors_on_one_line(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("companion")
    ok = subprocess.run([exe, "--help"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and "qualitative research interviews" in ok.stdout
    bad = subprocess.run([exe, "--study", str(tmp_path), "session", "list"], capture_output=True,
                         text=True, check=False)
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
