"""Sessions, WAI-ReD ratings, suggestions, phases and notes through the CLI."""

from __future__ import annotations

import pytest

from tests.support.cli import as_json

MOST_ITEMS = "90,85,88,92,80,86,90,84,91,83,87,89"


@pytest.fixture
def session_id(run) -> str:
    assert run("participant", "add", "P05", "--consent-date", "2026-03-02").exit_code == 0
    result = run("session", "new", "P05", "--interviewer", "DP")
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_session_new_prints_the_id_and_json_gives_the_document(run, session_id) -> None:
    assert session_id == "1"
    doc = as_json(run("session", "new", "P05", "--pilot", "--json"))
    assert doc["id"] == 2 and doc["pilot"] is True and doc["status"] == "planned"
    assert doc["protocol_id"] == "pain-alliance" and len(doc["protocol_hash"]) == 64
    listing = as_json(run("session", "list", "--json"))
    assert [(s["id"], s["participant_code"], s["interviewer"]) for s in listing] == [
        (1, "P05", "DP"), (2, "P05", None)]
    assert "pilot" in run("session", "list").output


def test_session_new_with_another_protocol_and_errors(run, dump, session_id) -> None:
    doc = as_json(run("session", "new", "P05", "--protocol", "semi-structured", "--json"))
    assert doc["protocol_id"] == "semi-structured"
    before = dump()
    unknown = run("session", "new", "P05", "--protocol", "pain-aliance")
    assert unknown.exit_code == 2 and "pain-aliance" in unknown.output
    assert "pain-alliance" in unknown.output  # lists what is available
    nobody = run("session", "new", "P99")
    assert nobody.exit_code == 2 and "participant" in nobody.output and "P05" in nobody.output
    assert dump() == before


def test_wai_items_and_domains_are_scored_and_shown(run, session_id) -> None:
    most = as_json(run("wai", "set", session_id, "--target", "most", "--role",
                       "physiotherapist", "--items", MOST_ITEMS, "--json"))
    # WAI-SR map: Task 1,2,10,12; Goal 4,6,8,11; Bond 3,5,7,9.
    assert (most["task"], most["goal"], most["bond"]) == (347, 349, 349)
    assert most["total"] == 1045 and most["entered_as"] == "items"
    least = as_json(run("wai", "set", session_id, "--target", "least", "--role",
                        "psychologist", "--task", "220", "--goal", "210", "--bond", "300",
                        "--json"))
    assert least["total"] == 730 and least["entered_as"] == "domains"
    shown = run("session", "show", session_id).output
    assert "physiotherapist" in shown and "Total 1045" in shown and "Total 730" in shown
    # A rating entered again replaces the earlier one for that target.
    run("wai", "set", session_id, "--target", "least", "--role", "psychologist",
        "--task", "230", "--goal", "210", "--bond", "300")
    doc = as_json(run("session", "show", session_id, "--json"))
    assert [r["task"] for r in doc["ratings"] if r["target"] == "least"] == [230]


def test_missing_items_are_prorated_or_refused(run, session_id) -> None:
    three_of_four = "80,,88,92,80,86,90,84,91,83,87,89"  # item 2 (Task) missing
    doc = as_json(run("wai", "set", session_id, "--target", "most", "--role", "physician",
                      "--items", three_of_four, "--json"))
    assert doc["prorated"]["task"] is True
    assert doc["task"] == pytest.approx((80 + 83 + 89) / 3 * 4)
    two_of_four = "-,-,88,92,80,86,90,84,91,83,87,89"
    doc = as_json(run("wai", "set", session_id, "--target", "most", "--role", "physician",
                      "--items", two_of_four, "--json"))
    assert doc["task"] is None and doc["total"] is None


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [
        (["--items", "90,85,88"], "items", "3"),
        (["--items", "90,85,888,92,80,86,90,84,91,83,87,89"], "items[3]", "888"),
        (["--items", "90,x,88,92,80,86,90,84,91,83,87,89"], "items[2]", "x"),
        (["--items", "90,nan,88,92,80,86,90,84,91,83,87,89"], "items[2]", "nan"),
        (["--task", "-5", "--goal", "200", "--bond", "200"], "task", "-5"),
        (["--task", "200", "--goal", "401", "--bond", "200"], "goal", "401"),
        (["--task", "200", "--goal", "abc", "--bond", "200"], "goal", "abc"),
        (["--task", "200", "--goal", "200"], "bond", "None"),
    ],
)
def test_bad_wai_values_exit_2_with_one_line_and_write_nothing(run, dump, session_id, args,
                                                               field, value) -> None:
    before = dump()
    result = run("wai", "set", session_id, "--target", "most", "--role", "physician", *args)
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert "\n" not in line and field in line and value in line and "allowed" in line, line
    assert dump() == before


def test_wai_on_unknown_session_or_protocol_without_instrument(run, dump, session_id) -> None:
    plain = as_json(run("session", "new", "P05", "--protocol", "semi-structured", "--json"))
    before = dump()
    for sid, expected in (("77", "session"), ("abc", "session"), (str(plain["id"]), "instrument")):
        result = run("wai", "set", sid, "--target", "most", "--role", "physician",
                     "--task", "1", "--goal", "1", "--bond", "1")
        assert result.exit_code == 2 and expected in result.output, result.output
    assert dump() == before


def test_suggest_lists_questions_with_reasons(run, session_id) -> None:
    empty = run("suggest", session_id)
    assert empty.exit_code == 0 and "enter both WAI-ReD ratings" in empty.output
    run("wai", "set", session_id, "--target", "most", "--role", "physiotherapist",
        "--task", "330", "--goal", "360", "--bond", "345")
    run("wai", "set", session_id, "--target", "least", "--role", "psychologist",
        "--task", "250", "--goal", "210", "--bond", "330")
    items = as_json(run("suggest", session_id, "--json"))
    assert items and [s["rank"] for s in items] == list(range(1, len(items) + 1))
    assert {"rank", "rule_id", "signal", "text", "reason", "evidence"} <= set(items[0])
    weakest = [s for s in items if s["signal"] == "weakest_domain" and "psychologist" in s["text"]
               + s["reason"]]
    assert weakest and "210" in weakest[0]["reason"] and "286" in weakest[0]["reason"]
    text = run("suggest", session_id).output
    assert "why:" in text and "210" in text


def test_phase_and_note_on_the_timeline(run, dump, session_id) -> None:
    assert run("phase", session_id, "deepening", "--at", "00:15:30").exit_code == 0
    result = run("note", session_id, "long silence before answering", "--at", "00:41:07",
                 "--code", "C1", "--json")
    note = as_json(result)
    assert note["at_ms"] == 2_467_000 and note["codes"] == ["C1"]
    shown = run("session", "show", session_id).output
    assert "[00:15:30] phase deepening" in shown
    assert "[00:41:07] note: long silence before answering #C1" in shown
    before = dump()
    for args, expected in (
        (["phase", session_id, "middle", "--at", "00:10:00"], "critical-reflection"),
        (["phase", session_id, "opening", "--at", "ten past"], "HH:MM:SS"),
        (["note", session_id, "x", "--code", "Z9"], "A1"),
        (["note", session_id, "x", "--at", "1:99:00"], "HH:MM:SS"),
        (["note", "999", "x"], "session"),
    ):
        bad = run(*args)
        assert bad.exit_code == 2 and expected in bad.output, (args, bad.output)
    assert dump() == before


def test_audit_lists_every_change_with_earlier_versions(run, study_dir, session_id) -> None:
    from companion.store.notes import edit_note
    from companion.study import open_study

    note = as_json(run("note", session_id, "first wording", "--at", "00:01:00", "--json"))
    run("phase", session_id, "opening", "--at", "00:00:00")
    db = open_study(study_dir).db()
    edit_note(db, note["id"], text="second wording")
    from companion.store.corrections import correct_text
    from companion.store.transcripts import NewSegment, commit_segments

    [segment_id] = commit_segments(db, int(session_id), [
        NewSegment(None, 1_000, 3_000, "the physio was kind", None, -0.2, ())], [],
        done_ms=3_000)
    correct_text(db, segment_id, "the physiotherapist was kind")
    trail = as_json(run("audit", session_id, "--json"))
    actions = [(t["entity"], t["action"]) for t in trail]
    assert actions == [("session", "create"), ("note", "create"), ("phase_event", "create"),
                       ("note", "edit"), ("transcript_segment", "edit")]
    text = run("audit", session_id).output
    assert "'first wording' -> 'second wording'" in text
    assert "'the physio was kind' -> 'the physiotherapist was kind'" in text
    assert run("audit", "42").exit_code == 2


def test_a_phase_placed_after_transcription_moves_the_segments(run, study_dir,
                                                              session_id) -> None:
    from companion.store.transcripts import NewSegment, commit_segments, list_segments
    from companion.study import open_study

    db = open_study(study_dir).db()
    commit_segments(db, int(session_id), [
        NewSegment(None, 5_000, 9_000, "how it started", None, -0.3, ()),
        NewSegment(None, 700_000, 704_000, "it never felt right", None, -0.3, ()),
    ], [], done_ms=704_000)
    assert [s.phase_id for s in list_segments(db, int(session_id))] == [None, None]
    run("phase", session_id, "opening", "--at", "00:00:00")
    run("phase", session_id, "deepening", "--at", "00:10:00")
    assert [s.phase_id for s in list_segments(db, int(session_id))] == ["opening", "deepening"]
