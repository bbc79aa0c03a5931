"""A whole interview through the TUI, recording from the ALSA file microphone.

The file microphone is unclocked: it delivers audio as fast as PortAudio reads, which on
two cores starves the UI and makes the session clock race (about 200x real time). The
recorder here is the real one with one change: its audio callback paces itself to real
time, as a hardware microphone would. Each action is bracketed by two reads of
``recorder.session_ms()``; its stamp in the database must lie inside that bracket (with
100 ms of slack), which only holds if the TUI stamped it with the recorder's frame clock
at the moment of the action.
"""

from __future__ import annotations

import pytest

from companion.store import events, notes, participants, ratings, sessions
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.messages import Stamped
from companion.tui.screens.live import LiveScreen
from companion.tui.screens.setup import SetupScreen
from companion.tui.screens.summary import SummaryScreen
from tests.support.fakes import clocked_factory, feed_fakemic

pytestmark = pytest.mark.audio

SLACK_MS = 100


async def _type_into(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.press(*text)


async def test_full_interview_flow(study: Study) -> None:
    feed_fakemic()
    said: list[object] = []
    app = CompanionApp(study, recorder_factory=clocked_factory,
                       check_recovery=False)
    async with app.run_test(size=(120, 40), message_hook=said.append) as pilot:
        # Sessions screen -> new participant.
        await pilot.press("n")
        assert isinstance(app.screen, SetupScreen)
        await _type_into(pilot, "#code", "P07")
        await _type_into(pilot, "#char-pdi", "35")
        app.screen.query_one("#consent").value = True
        await _type_into(pilot, "#role-most", "physio")
        await _type_into(pilot, "#item-most-1", "90")
        # The other fields are filled in directly (typing each costs time, not coverage).
        app.screen.query_one("#role-most").value = "physiotherapist"
        for n, value in enumerate([85, 88, 92, 95, 90, 93, 91, 87, 89, 94, 90], start=2):
            app.screen.query_one(f"#item-most-{n}").value = str(value)
        app.screen.query_one("#role-least").value = "psychologist"
        app.screen.query_one("#mode-least").value = "domains"
        await pilot.pause()
        await _type_into(pilot, "#dom-least-task", "250")
        for domain, value in {"goal": "300", "bond": "280"}.items():
            app.screen.query_one(f"#dom-least-{domain}").value = value
        await pilot.pause()
        assert app.screen.errors == {}
        await pilot.press("f5")  # save and start recording
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        live: LiveScreen = app.screen
        await app.workers.wait_for_complete()
        await pilot.pause()
        recorder = live.recorder
        assert recorder is not None and recorder.status().state == "recording"
        session_id = live.session_id

        brackets: dict[str, tuple[int, int]] = {}

        async def act(name: str, *keys: str) -> None:
            before = recorder.session_ms()
            await pilot.press(*keys)
            brackets[name] = (before, recorder.session_ms())

        # A note: the first keystroke is its moment, not Enter.
        await act("note-first-key", "T")
        await pilot.press(*"ired of explaining")
        before_enter = recorder.session_ms()
        await pilot.press("enter")
        await act("bookmark", "f5")
        await act("code", "alt+6")  # C1 Avoidance in the alliance
        await act("asked", "f3")
        await act("phase", "f2")
        await act("down-asked", "down", "f3")
        await act("used", "f4")
        await pilot.press("f10")  # stop, with a confirm
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        final_ms = recorder.status().session_ms

    def inside(name: str, at_ms: int) -> None:
        low, high = brackets[name]
        assert low - SLACK_MS <= at_ms <= high + SLACK_MS, (name, low, at_ms, high)

    db = study.db()
    try:
        person = participants.get_participant(db, "P07")
        assert person.pdi == 35 and person.consented
        session = sessions.get_session(db, session_id)
        assert session.status == "stopped"  # F10 stops; completing is F8 on the summary
        assert {r.target: r.role for r in ratings.list_ratings(db, session_id)} == {
            "most": "physiotherapist", "least": "psychologist"}
        stored = notes.list_notes(db, session_id)
        [note] = [n for n in stored if n.kind == "note" and n.text]
        assert note.text == "Tired of explaining"
        inside("note-first-key", note.at_ms)
        assert note.at_ms < before_enter  # stamped at the first key, well before Enter
        [bookmark] = [n for n in stored if n.kind == "bookmark"]
        inside("bookmark", bookmark.at_ms)
        [tag] = [n for n in stored if n.codes]
        assert tag.codes == ("C1",)
        inside("code", tag.at_ms)
        phases = events.list_phase_events(db, session_id)
        assert [p["phase_id"] for p in phases] == ["opening", "deepening"]
        assert phases[0]["at_ms"] == 0
        inside("phase", phases[1]["at_ms"])
        prompts = events.list_prompt_events(db, session_id)
        asked = [p for p in prompts if p["kind"] == "asked"]
        assert [p["prompt_id"] for p in asked] == ["pain-history", "handling-discomfort"]
        inside("asked", asked[0]["at_ms"])
        inside("down-asked", asked[1]["at_ms"])
        [used] = [p for p in prompts if p["kind"] == "suggestion_used"]
        inside("used", used["at_ms"])
        # Every stamp lies on the recording's own timeline.
        assert all(0 <= n.at_ms <= final_ms for n in stored)
        assert session.duration_ms is not None and session.duration_ms >= used["at_ms"]
    finally:
        db.conn.close()
    # The app said what it wrote, once each.
    stamped = list({id(m): m for m in said if isinstance(m, Stamped)}.values())  # bubbles
    kinds = [m.kind for m in stamped]
    assert kinds == ["note", "bookmark", "code", "asked", "phase", "asked", "used"]
