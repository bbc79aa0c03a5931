"""Run by ``test_faults.py`` in a child process whose ALSA has no devices at all.

PortAudio reads the ALSA configuration once, when sounddevice is first imported, and the
test process has a file microphone configured; so the fault is made here, in a process
started with HOME pointing at an ``.asoundrc`` that defines none and no PulseAudio to
reach. The real recorder and the real player run; the script prints what an interviewer
would see as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from companion.operations import participants
from companion.operations.notes import add_note
from companion.operations.sessions import get, plan
from companion.store import notes
from companion.study import init_study, open_study
from companion.tui.app import CompanionApp
from companion.tui.screens.live import LiveScreen
from companion.tui.screens.review import ReviewScreen
from tests.support.interview import make_interview


async def _until(pilot, condition, what: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await pilot.pause()


async def no_microphone(study_root: Path) -> dict[str, object]:
    study = open_study(study_root)
    participants.add(study, "P05", consent_date="2024-03-01")
    session_id = plan(study, "P05", interviewer="AB").id
    app = CompanionApp(study, check_recovery=False)  # the real recorder factory
    async with app.run_test(size=(120, 36)) as pilot:
        app.start_live(session_id)
        await _until(pilot, lambda: isinstance(app.screen, LiveScreen)
                     and bool(app.screen.recorder_panel.failed), "the recorder to fail")
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        first = str(screen.query_one("#rec-elapsed").render())
        await pilot.press(*"said she slept badly", "enter")
        await pilot.pause(0.3)  # time passes: the clock must not move with it
        footer_keys = sorted({b.binding.key for b in screen.active_bindings.values()
                              if b.binding.show})
        seen = {
            "state": str(screen.query_one("#rec-state").render()),
            "elapsed_before": first,
            "elapsed_after": str(screen.query_one("#rec-elapsed").render()),
            "alert": str(screen.query_one("#live-alert").render()),
            "footer_keys": footer_keys,
            "recording_active": screen.recording_active,
        }
    db = study.db()
    try:
        seen["notes"] = [(n.text, n.at_ms) for n in notes.list_notes(db, session_id)
                         if n.text == "said she slept badly"]
    finally:
        db.conn.close()
    seen["status"] = get(study, session_id).status
    return seen


async def no_speakers(study_root: Path) -> dict[str, object]:
    study = open_study(study_root)
    db = study.db()
    made = make_interview(study, db)
    db.conn.close()
    session_id = made.session_id
    app = CompanionApp(study, check_recovery=False)  # the real player
    async with app.run_test(size=(120, 36)) as pilot:
        app.open_review(session_id)
        await _until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
        screen = app.screen
        await pilot.pause()
        await pilot.press("enter")
        await pilot.press("space")
        await pilot.pause()
        alive_on = type(app.screen).__name__
        await pilot.press("down")  # everything else still works
        add_note(study, session_id, "still editable", at_ms=1_000)
        seen = {
            "screen": alive_on,
            "running": app.is_running,
            "head": str(screen.query_one("#review-head").render()),
            "messages": [n.message for n in app._notifications],
        }
    return seen


def main() -> None:
    which = sys.argv[1]
    root = Path(tempfile.mkdtemp()) / "study"
    init_study(root)
    run = no_microphone if which == "microphone" else no_speakers
    print(json.dumps(asyncio.run(run(root))))


if __name__ == "__main__":
    main()
