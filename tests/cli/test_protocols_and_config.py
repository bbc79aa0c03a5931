"""`companion protocol ...` and the study's own settings file."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import as_json

ROOT = Path(__file__).resolve().parents[2]


def test_both_shipped_protocols_pass_protocol_check(run) -> None:
    for name, expected in (("pain-alliance", "3 phases"), ("semi-structured", "phases")):
        result = run("protocol", "check", str(ROOT / "protocols" / f"{name}.toml"))
        assert result.exit_code == 0, result.output
        assert "ok" in result.output and expected in result.output


def test_protocol_check_lists_every_problem_with_key_and_line(run, tmp_path: Path) -> None:
    text = (ROOT / "protocols" / "semi-structured.toml").read_text()
    bad = tmp_path / "bad.toml"
    # Two schema problems at once: a misspelt key and a non-positive target.
    bad.write_text(text.replace("target_minutes = ", "target_minutes = -", 1)
                   .replace("title =", "tittle =", 1))
    result = run("protocol", "check", str(bad))
    assert result.exit_code == 2
    assert "bad.toml" in result.output
    assert "tittle" in result.output and "did you mean 'title'" in result.output
    assert "target_minutes" in result.output
    syntax = tmp_path / "syntax.toml"
    syntax.write_text('id = "x"\ntitle = \n')
    result = run("protocol", "check", str(syntax))
    assert result.exit_code == 2 and "line 2" in result.output


def test_protocol_list_includes_the_studys_own_protocols(run, study_dir: Path) -> None:
    shipped = as_json(run("protocol", "list", "--json"))
    assert {"pain-alliance", "semi-structured"} <= {p["id"] for p in shipped}
    own = study_dir / "protocols"
    own.mkdir()
    text = (ROOT / "protocols" / "semi-structured.toml").read_text()
    (own / "mine.toml").write_text(text.replace('id = "semi-structured"', 'id = "follow-up"'))
    ids = {p["id"] for p in as_json(run("protocol", "list", "--json"))}
    assert "follow-up" in ids


def test_study_config_chooses_the_protocol_for_new_sessions(run, study_dir: Path) -> None:
    run("participant", "add", "P01")
    (study_dir / "companion.toml").write_text('[study]\nprotocol = "semi-structured"\n')
    doc = as_json(run("session", "new", "P01", "--json"))
    assert doc["protocol_id"] == "semi-structured"


def test_a_bad_study_config_names_file_and_dotted_keys_all_at_once(run, dump,
                                                                   study_dir: Path) -> None:
    run("participant", "add", "P01")
    (study_dir / "companion.toml").write_text(
        '[study]\nprotocl = "semi-structured"\n[audio]\nsamplerate = "fast"\n')
    before = dump()
    result = run("session", "new", "P01")
    assert result.exit_code == 2
    assert "companion.toml" in result.output
    assert "study.protocl: unknown key; did you mean 'protocol'?" in result.output
    assert "audio.samplerate" in result.output
    assert dump() == before
