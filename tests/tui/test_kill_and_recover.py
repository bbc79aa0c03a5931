"""Killing the app mid-interview loses nothing typed; the next start offers recovery.

A child process runs the app headless on the file microphone, takes a note, drops a
bookmark, tags a code, marks a prompt, advances the phase, starts typing a second note,
and then kills itself with SIGKILL (no clean-up of any kind runs).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from companion.store import events, notes, sessions
from companion.store.settings import get_setting
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.dialogs import ConfirmScreen
from companion.tui.screens.live import LiveScreen
from tests.support.fakes import FakeRecorder, feed_fakemic

pytestmark = pytest.mark.audio
ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import asyncio, os, signal, sys
    from companion.study import open_study
    from companion.tui.app import CompanionApp
    from tests.support.fakes import clocked_factory

    async def main():
        app = CompanionApp(open_study({study!r}), recorder_factory=clocked_factory,
                           check_recovery=False)
        async with app.run_test(size=(100, 30)) as pilot:
            app.start_live({session})
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.recorder is not None
            await pilot.press(*"She hesitates", "enter", "f5", "alt+6", "f3", "f2")
            await pilot.press(*"half typed")
            await pilot.pause()
            os.kill(os.getpid(), signal.SIGKILL)

    asyncio.run(main())
""")


async def test_kill_loses_nothing_and_restart_offers_recovery(
        study: Study, planned_session: int) -> None:
    feed_fakemic()
    script = CHILD.format(study=str(study.root), session=planned_session)
    # ``python -c`` imports from the folder it runs in: tests.support from the repository.
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           timeout=120, cwd=ROOT)
    assert child.returncode == -9, child.stderr[-3000:]

    db = study.db()
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = notes.list_notes(db, planned_session)
        assert [n.text for n in stored if n.kind == "note" and n.text] == ["She hesitates"]
        assert [n.kind for n in stored if n.kind == "bookmark"] == ["bookmark"]
        assert [n.codes for n in stored if n.codes] == [("C1",)]
        assert [e["prompt_id"] for e in events.list_prompt_events(db, planned_session)] == [
            "pain-history"]
        assert [e["phase_id"] for e in events.list_phase_events(db, planned_session)] == [
            "opening", "deepening"]
        draft = json.loads(get_setting(db, f"tui.draft-note.{planned_session}") or "{}")
        assert draft["text"] == "half typed" and draft["at_ms"] is not None
        assert sessions.get_session(db, planned_session).status == "live"
    finally:
        db.conn.close()

    # Start again: the app finds the interrupted session and offers to recover it.
    recorder = FakeRecorder(ms=5000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "interrupted" in app.screen.title_text
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        db = study.db()
        try:
            assert sessions.get_session(db, planned_session).status == "interrupted"
        finally:
            db.conn.close()
        # ... and to continue it as a new segment.
        assert isinstance(app.screen, ConfirmScreen)
        assert "Continue" in app.screen.title_text
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert recorder.calls == ["start"]
        box = app.screen.query_one("#note-input")
        assert box.value == "half typed"
        assert box.started_ms == draft["at_ms"]
        assert app.screen.phase.id == "deepening"
