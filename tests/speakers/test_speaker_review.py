"""Review of who spoke: split a segment at a word, give a segment to the other speaker,
rename a speaker for the session (keys in the review screen), each kept as a version with
its before and after in the audit trail; talk-time per phase adds to 100 %."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from companion.speakers.talktime import session_talk_time
from companion.store.audit import session_trail
from companion.store.corrections import segment_history
from companion.store.events import add_phase_event
from companion.store.transcripts import list_segments, refresh_phases
from companion.study import open_study
from companion.tui.app import CompanionApp
from companion.tui.screens.review import ReviewScreen
from tests.support.speakers import Interview, cli

pytestmark = pytest.mark.model


class StillPlayer:
    """The review's player, never started here (no sound device needed)."""

    position_ms = 0
    playing = False
    duration_ms = 60_000

    def play(self, at_ms: int | None = None) -> None: ...
    def pause(self) -> None: ...
    def toggle(self) -> None: ...
    def skip(self, delta_ms: int) -> None: ...
    def close(self) -> None: ...


async def _wait(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause()


def _highlight(screen: ReviewScreen, contains: str) -> int:
    transcript = screen.query_one("#transcript-list", OptionList)
    transcript.focus()
    index = next(i for i, r in enumerate(screen.transcript_rows)
                 if r.entry.kind == "segment" and contains in (r.entry.text or ""))
    transcript.highlighted = index
    return int(screen.transcript_rows[index].entry.ref_id)


async def test_split_swap_and_rename_in_review_are_versions_in_the_audit_trail(
        study_copy: Callable[[], Path]) -> None:
    root = study_copy()
    study = open_study(root)
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = ReviewScreen(1, player_factory=lambda _s: StillPlayer())
        await pilot.app.push_screen(screen)
        await pilot.pause()
        head = str(screen.query_one("#review-head").render())
        assert "talk-time" in head and "P05" in head

        nervous = _highlight(screen, "nervous")
        await pilot.press("x")
        field = pilot.app.screen.query_one("#prompt-input", Input)
        assert field.value.startswith("At first I was nervous")
        field.value = field.value.replace("because", "| because")
        await pilot.press("enter")
        await _wait(pilot, lambda: pilot.app.screen is screen)

        asked = _highlight(screen, "group sessions")
        await pilot.press("w")
        await pilot.pause()

        _highlight(screen, "pain began")
        await pilot.press("R")
        pilot.app.screen.query_one("#prompt-input", Input).value = "Interviewer Vos"
        await pilot.press("enter")
        await _wait(pilot, lambda: pilot.app.screen is screen)
        assert any("Interviewer Vos:" in str(screen.query_one("#transcript-list", OptionList)
                                              .get_option_at_index(i).prompt)
                   for i in range(len(screen.transcript_rows)))

    db = study.db()
    segments = list_segments(db, 1)
    texts = {s.text: s for s in segments}
    assert texts["At first I was nervous"].id == nervous
    assert any(t.startswith("because I did not know anyone there") for t in texts)
    assert next(s for s in segments if s.id == asked).speaker == "P05"
    assert {s.speaker for s in segments} == {"Interviewer Vos", "P05"}
    assert "I" not in {w.speaker for s in segments for w in s.words}

    history = segment_history(db, nervous)
    split = next(e for e in history if e["action"] == "split")
    assert split["before"]["text"].startswith("At first I was nervous because")
    assert split["after"]["first"]["text"] == "At first I was nervous"
    swapped = [e for e in segment_history(db, asked) if e["action"] == "speaker"]
    assert swapped[0]["before"]["speaker"] == "I" and swapped[0]["after"]["speaker"] == "P05"
    renamed = [e for e in session_trail(db, 1) if e["action"] == "speaker"
               and (e.get("after") or {}).get("renamed")]
    assert renamed and all(e["after"]["renamed"] == {"from": "I", "to": "Interviewer Vos"}
                           for e in renamed)
    db.conn.close()


def test_talk_time_shares_add_to_100_per_phase(study_copy: Callable[[], Path],
                                               interview: Interview) -> None:
    study = open_study(study_copy())
    db = study.db()
    for phase, at_ms in (("opening", 0), ("deepening", 15_000), ("closing", 26_500)):
        add_phase_event(db, 1, phase, at_ms)
    refresh_phases(db, 1)
    data = session_talk_time(db, 1)
    assert [p["phase_id"] for p in data["phases"]] == ["opening", "deepening", "closing"]
    for group in [data["overall"]] + [p["speakers"] for p in data["phases"]]:
        assert sum(r["percent"] for r in group) == 100
        assert abs(sum(r["share"] for r in group) - 1.0) < 1e-9
        assert {r["speaker"] for r in group} == {"I", "P05"}
    overall = {r["speaker"]: r for r in data["overall"]}
    # the participant answers at length; the interviewer asks short questions
    assert overall["P05"]["percent"] > overall["I"]["percent"]
    # a turn is a run of one speaker's words: as many as the words heard have in truth
    truth = [interview.speaker_at(w.start_ms, w.end_ms) for s in list_segments(db, 1)
             for w in s.words]
    runs = [who for k, who in enumerate(truth) if who and who != next(
        (t for t in reversed(truth[:k]) if t), None)]
    assert overall["I"]["turns"] == runs.count("I") >= 4
    assert overall["P05"]["turns"] == runs.count("P") >= 4
    assert overall["P05"]["median_turn_ms"] > overall["I"]["median_turn_ms"]
    db.conn.close()


def test_swap_and_rename_from_the_command_line(study_copy: Callable[[], Path]) -> None:
    root = study_copy()
    db = open_study(root).db()
    asked = next(s for s in list_segments(db, 1) if s.speaker == "I")
    db.conn.close()

    swapped = cli(root, "segment", "swap", str(asked.id))
    assert swapped.exit_code == 0 and "speaker P05" in swapped.output
    renamed = cli(root, "speaker", "rename", "1", "P05", "Mrs  Jansen")
    assert renamed.exit_code == 0 and "Mrs Jansen" in renamed.output
    unknown = cli(root, "speaker", "rename", "1", "Nobody", "X")
    assert unknown.exit_code == 2 and "Nobody" in unknown.output
    assert "Traceback" not in unknown.output

    db = open_study(root).db()
    segments = list_segments(db, 1)
    assert {s.speaker for s in segments} == {"I", "Mrs Jansen"}
    assert next(s for s in segments if s.id == asked.id).speaker == "Mrs Jansen"
    # one user action, one audit entry: the rename lists every segment it changed
    renames = [e for e in session_trail(db, 1) if (e.get("after") or {}).get("renamed")]
    assert len(renames) == 1
    assert len(renames[0]["after"]["changes"]) == sum(
        s.speaker == "Mrs Jansen" for s in segments)
    db.conn.close()
