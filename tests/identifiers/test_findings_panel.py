"""The review screen's findings panel, driven with Pilot: the session is searched in a
worker, the words are marked in the transcript, one key accepts, rejects or accepts for
the whole study."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from companion.tui.app import CompanionApp
from companion.tui.screens.review import ReviewScreen
from companion.tui.screens.review_findings import FindingsPanel
from tests.support.identifiers import transcribed_session

SAID = ["My physio, Anna Whitfield, was the first who listened.",
        "I live in Harlow, so it was two buses every time."]


class SilentPlayer:
    position_ms = 0
    playing = False

    def play(self, at_ms: int | None = None) -> None: ...
    def pause(self) -> None: ...
    def toggle(self) -> None: ...
    def skip(self, delta_ms: int) -> None: ...
    def close(self) -> None: ...


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause()


def _statuses(study) -> dict[str, tuple[str, str | None]]:
    conn = sqlite3.connect(study.db_path)
    try:
        rows = conn.execute("SELECT f.text, f.status, r.label FROM identifier_findings f "
                            "LEFT JOIN identifier_replacements r ON r.session_id = f.session_id"
                            " AND r.name_key = lower(f.text)").fetchall()
    finally:
        conn.close()
    return {text: (status, label) for text, status, label in rows}


async def test_findings_are_marked_and_decided_with_one_key(study):
    first, _ = transcribed_session(study, SAID, code="P05")
    second, _ = transcribed_session(study, ["We drove back to Harlow after the intake."],
                                    code="P07")
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = ReviewScreen(first, player_factory=lambda _s: SilentPlayer())
        await pilot.app.push_screen(screen)
        panel = screen.query_one(FindingsPanel)
        assert not panel.display  # the review looks as before until asked
        await pilot.press("i")
        assert panel.display and panel.has_focus
        # Never searched: the worker searches, then the panel lists what it found.
        await wait_for(pilot, lambda: not panel.searching and len(panel.findings) == 2)
        assert [(f.text, f.label) for f in panel.findings] == [
            ("Anna Whitfield", "[physiotherapist 1]"), ("Harlow", "[town]")]
        # In the transcript the open finding's words are marked.
        await wait_for(pilot, lambda: bool(screen.findings))
        prompt = screen.query_one("#transcript-list").get_option_at_index(0).prompt
        marked = [prompt.plain[s.start:s.end] for s in prompt.spans if "yellow" in str(s.style)]
        assert marked == ["Anna Whitfield"]
        panel.highlighted = 0
        await pilot.press("a")
        await wait_for(pilot, lambda: _statuses(study).get("Anna Whitfield", ("",))[0]
                       == "accepted")
        assert _statuses(study)["Anna Whitfield"] == ("accepted", "[physiotherapist 1]")
        # The next finding is highlighted: accepted for the whole study with one key.
        assert panel.chosen().text == "Harlow"
        await pilot.press("A")
        await wait_for(pilot, lambda: panel.findings[1].status == "accepted")
    conn = sqlite3.connect(study.db_path)
    try:
        whole = conn.execute("SELECT session_id, label FROM identifier_replacements "
                             "WHERE name_key = 'harlow' ORDER BY session_id").fetchall()
    finally:
        conn.close()
    assert whole == [(first, "[town]"), (second, "[town]")]


async def test_reject_keeps_the_words_and_the_panel_says_so(study):
    first, _ = transcribed_session(study, SAID, code="P05")
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = ReviewScreen(first, player_factory=lambda _s: SilentPlayer())
        await pilot.app.push_screen(screen)
        panel = screen.query_one(FindingsPanel)
        await pilot.press("i")
        await wait_for(pilot, lambda: not panel.searching and len(panel.findings) == 2)
        panel.highlighted = 1
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.findings[1].status == "rejected")
        assert "(kept)" in str(panel.get_option_at_index(1).prompt)
        assert _statuses(study)["Harlow"] == ("rejected", None)
        await pilot.press("i")  # closed again: the transcript has the keys
        assert not panel.display and screen.query_one("#transcript-list").has_focus
