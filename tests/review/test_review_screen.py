"""The review and search screens, driven with Textual's Pilot (player is a test double)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from textual.widgets import DataTable, Input, OptionList

from companion.store import notes, search, transcripts
from companion.store.audit import entity_trail
from companion.store.corrections import original_text, segment_history
from companion.tui.app import CompanionApp
from companion.tui.screens.review import ReviewScreen
from companion.tui.screens.search import SearchScreen
from tests.support.interview import make_interview


class FakePlayer:
    def __init__(self) -> None:
        self.position_ms = 0
        self.playing = False
        self.duration_ms = 60_000
        self.calls: list[tuple[str, int | None]] = []

    def play(self, at_ms: int | None = None) -> None:
        self.calls.append(("play", at_ms))
        if at_ms is not None:
            self.position_ms = at_ms
        self.playing = True

    def pause(self) -> None:
        self.calls.append(("pause", None))
        self.playing = False

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def skip(self, delta_ms: int) -> None:
        self.calls.append(("skip", delta_ms))
        self.position_ms = max(0, self.position_ms + delta_ms)

    def close(self) -> None:
        self.calls.append(("close", None))


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause()


@pytest.fixture
def made(study, db):
    return make_interview(study, db)


def _app(study) -> CompanionApp:
    return CompanionApp(study, check_recovery=False)


async def _open_review(pilot, made, player: FakePlayer, at_ms: int | None = None
                       ) -> ReviewScreen:
    screen = ReviewScreen(made.session_id, at_ms=at_ms, player_factory=lambda _s: player)
    await pilot.app.push_screen(screen)
    await pilot.pause()
    return screen


def _labels(screen: ReviewScreen, list_id: str) -> list[str]:
    options = screen.query_one(list_id, OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_review_shows_the_words_as_said_and_only_the_export_replaces_names(
        study, db, made, tmp_path):
    """The study's replacement list is for what leaves the study: review reads the
    session as it was said and typed, the export of the same session has the names out
    (also where a pause mark falls between them and the next word)."""
    from tests.support.exports import export_paths
    from tests.support.interview import write_replacements

    write_replacements(study)
    async with _app(study).run_test(size=(160, 50)) as pilot:
        screen = await _open_review(pilot, made, FakePlayer())
        lines = _labels(screen, "#transcript-list")
        assert "[00:00:05] P05: It started in (..) Utrecht years ago with my back." in lines
        assert "[00:00:12] P05: Anna my" in lines
    [path] = export_paths(study, session=made.session_id, fmt="txt",
                          output=tmp_path / "out.txt")
    text = path.read_text(encoding="utf-8")
    assert "It started in (..) [Place] years ago" in text and "[Name] my" in text
    assert "Anna" not in text and "Utrecht" not in text


async def test_timeline_and_transcript_with_notes_in_place(study, made):
    async with _app(study).run_test(size=(160, 50)) as pilot:
        screen = await _open_review(pilot, made, FakePlayer())
        timeline = _labels(screen, "#timeline-list")
        assert timeline[0].startswith("── Opening [00:00:00]")
        assert "[00:00:00] ▸ Asked: Tell me about your pain history." in timeline
        assert "[00:00:20] ▸ Suggestion used: You rated the physician lower on task." in timeline
        assert any(t.startswith("[00:00:30] ⚑ Bookmark") for t in timeline)
        assert any("codes: C3 Multidisciplinary relationships" in t for t in timeline)
        lines = _labels(screen, "#transcript-list")
        i = lines.index("[00:00:12] P05: Anna my")
        # The note at 13.5 s between the words spoken around it; the pause marks.
        assert lines[i + 1].startswith("[00:00:13] ✎ Note at 00:00:13: Mentions Anna")
        assert lines[i + 2] == "[00:00:13] P05: physiotherapist said it was nothing serious."
        assert "[00:00:05] P05: It started in (..) Utrecht years ago with my back." in lines
        assert lines[lines.index("[00:00:21] I: How did that feel for you?") + 1].strip() == "(...)"


async def test_play_from_a_note_and_follow_the_playing_segment(study, made):
    player = FakePlayer()
    async with _app(study).run_test(size=(160, 50)) as pilot:
        screen = await _open_review(pilot, made, player)
        timeline = screen.query_one("#timeline-list", OptionList)
        timeline.focus()
        timeline.highlighted = next(i for i, r in enumerate(screen.timeline_rows)
                                    if r.key == f"note-{made.note_ids['field']}")
        await pilot.press("enter")
        assert player.calls[-1] == ("play", 13_500)
        # The transcript jumps to the note's place: the segment spoken when it was taken.
        transcript = screen.query_one("#transcript-list", OptionList)
        await wait_for(pilot, lambda: screen.current_segment == made.segment_ids[2])
        assert screen.transcript_rows[transcript.highlighted].entry.ref_id == (
            made.segment_ids[2])
        # As the recording plays on, the segment being spoken is highlighted.
        player.position_ms = 29_000
        await wait_for(pilot, lambda: screen.current_segment == made.segment_ids[4])
        assert screen.transcript_rows[transcript.highlighted].entry.ref_id == made.segment_ids[4]
        await pilot.press("right")
        assert player.calls[-1] == ("skip", 5000)
        await pilot.press("left")
        assert player.calls[-1] == ("skip", -5000)
        await pilot.press("space")
        assert player.calls[-1] == ("pause", None) and not player.playing


async def test_edit_segment_text_and_speaker_as_versions(study, db, made):
    seg_id = made.segment_ids[0]
    async with _app(study).run_test(size=(160, 50)) as pilot:
        screen = await _open_review(pilot, made, FakePlayer())
        transcript = screen.query_one("#transcript-list", OptionList)
        transcript.focus()
        transcript.highlighted = next(i for i, r in enumerate(screen.transcript_rows)
                                      if r.key == f"segment-{seg_id}")
        await pilot.press("e")
        field = pilot.app.screen.query_one("#prompt-input", Input)
        field.value = "Could you tell me about your history with pain?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await pilot.press("s")
        await pilot.pause()
        assert any(label.startswith("[00:00:00] P05: Could you tell me about your history")
                   for label in _labels(screen, "#transcript-list"))
    segment = transcripts.get_segment(db, seg_id)
    assert segment.text == "Could you tell me about your history with pain?"
    assert segment.speaker == "P05" and segment.version == 3
    assert original_text(db, seg_id) == "Could you tell me about your pain history?"
    assert [e["action"] for e in segment_history(db, seg_id)] == ["edit", "speaker"]
    assert [h["ref_id"] for h in search.search(db, "history with pain")] == [seg_id]


async def test_edit_a_note_and_add_one_at_the_playing_moment(study, db, made):
    player = FakePlayer()
    note_id = made.note_ids["field"]
    async with _app(study).run_test(size=(160, 50)) as pilot:
        screen = await _open_review(pilot, made, player)
        transcript = screen.query_one("#transcript-list", OptionList)
        transcript.focus()
        transcript.highlighted = next(i for i, r in enumerate(screen.transcript_rows)
                                      if r.key == f"note-{note_id}")
        await pilot.press("e")
        pilot.app.screen.query_one("#prompt-input", Input).value = "Looks away when naming her"
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await pilot.press("enter")  # play from the note: the player now exists
        player.position_ms = 42_250
        await pilot.press("n")
        await pilot.press("a", "s", "k", "s")
        pilot.app.screen.query_one("#prompt-input", Input).value += " for water"
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
    assert notes.get_note(db, note_id).text == "Looks away when naming her"
    assert [v["text"] for v in notes.note_versions(db, note_id)] == [
        "Mentions Anna; looks away", "Looks away when naming her"]
    added = [n for n in notes.list_notes(db, made.session_id) if n.text == "asks for water"]
    assert [n.at_ms for n in added] == [42_250]
    assert entity_trail(db, "note", added[0].id)[0]["action"] == "create"


async def test_search_finds_speech_in_one_session_and_a_note_in_another(study, db, made):
    other = make_interview(study, db, "P06", audio=False, transcript=False)
    notes.add_note(db, other.session_id, kind="note", at_ms=61_000,
                   text="Mentions the lighthouse walk")
    async with _app(study).run_test(size=(160, 50)) as pilot:
        await pilot.app.push_screen(SearchScreen())
        await pilot.pause()
        await pilot.press(*"tulip", "enter")
        screen = pilot.app.screen
        assert isinstance(screen, SearchScreen)
        assert [(h["participant_code"], h["kind"], h["at_ms"]) for h in screen.hits] == [
            ("P05", "segment", 28_500)]
        table = screen.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)[:4]] == ["P05", str(made.session_id),
                                                               "00:00:28", "transcript"]
        assert "tulip" in str(table.get_row_at(0)[4])
        screen.query_one(Input).value = "lighthouse"
        screen.query_one(Input).focus()
        await pilot.press("enter")
        assert [(h["participant_code"], h["kind"], h["at_ms"]) for h in screen.hits] == [
            ("P06", "note", 61_000)]
        screen.query_one(Input).value = "tulip"
        screen.query_one(Input).focus()
        await pilot.press("enter")
        assert screen.query_one(DataTable).has_focus
        await pilot.press("enter")  # open the session at that moment
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        review = pilot.app.screen
        await pilot.pause()
        transcript = review.query_one("#transcript-list", OptionList)
        assert review.session_id == made.session_id
        assert review.transcript_rows[transcript.highlighted].key == (
            f"segment-{made.segment_ids[4]}")


async def test_app_keys_open_search_and_the_report_with_saturation(study, db, made):
    from companion.tui.screens.report import ReportScreen
    from companion.tui.widgets.saturation_chart import SaturationChart

    make_interview(study, db, "P06", audio=False, transcript=False, codes_tagged=("C1", "A1"))
    async with _app(study).run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SearchScreen))
        await pilot.press("escape")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportScreen))
        chart = pilot.app.screen.query_one(SaturationChart)
        # P05: C1, C3 new; P06: A1 new (C1 seen before).
        assert [(r.participant, r.new) for r in chart.rows] == [("P05", 2), ("P06", 1)]
        pilot.app.open_review(made.session_id, at_ms=41_000)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen)
                       and bool(pilot.app.screen.transcript_rows))
        review = pilot.app.screen
        highlighted = review.query_one("#transcript-list", OptionList).highlighted
        assert review.transcript_rows[highlighted].key == f"segment-{made.segment_ids[5]}"
