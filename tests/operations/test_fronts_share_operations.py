"""The CLI and the TUI run the same operation for the same action: enrolling a participant
and completing a session leave the same audit entry whichever front was used."""

from __future__ import annotations

import json
from typing import Any

from click.testing import Result
from textual.widgets import Input

from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.summary import SummaryScreen
from tests.support.cli import Run
from tests.support.tui import open_setup, wait_for

ITEMS = [90, 85, 88, 92, 95, 90, 93, 91, 87, 89, 94, 90]


def _out(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def _app(study: Study) -> CompanionApp:
    return CompanionApp(study, recorder_factory=lambda s, i: None,  # type: ignore[arg-type,return-value]
                        check_recovery=False)


def _entries(study: Study, action: str) -> list[dict[str, Any]]:
    db = study.db()
    try:
        rows = list(db.query("SELECT * FROM audit_log WHERE action = ? ORDER BY id", [action]))
    finally:
        db.conn.close()
    for row in rows:
        row["after"] = json.loads(row["after"])
    return rows


def _shape(entry: dict[str, Any]) -> tuple[Any, ...]:
    """What an entry says, without ids and times (two participants, two sessions)."""
    after = entry["after"]
    return (entry["entity"], entry["action"], sorted(after),
            [(c["entity"], c["action"]) for c in after.get("changes", [])],
            after.get("ratings"), bool(after.get("consent_date")))


async def test_enrol_from_the_cli_and_from_the_set_up_screen(study: Study, run: Run) -> None:
    session_id = int(_out(run("enrol", "P07", "--gender", "female", "--consent",
                              "--most-role", "physiotherapist",
                              "--most-items", ",".join(map(str, ITEMS)))))
    app = _app(study)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_setup(pilot, "P08")
        screen.query_one("#role-most", Input).value = "physiotherapist"
        for n, value in enumerate(ITEMS, start=1):
            screen.query_one(f"#item-most-{n}", Input).value = str(value)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.session_id is not None, what="saved")
    cli_entry, tui_entry = _entries(study, "enrol")
    assert cli_entry["session_id"] == session_id
    assert tui_entry["session_id"] == screen.session_id != session_id
    assert _shape(cli_entry) == _shape(tui_entry)
    assert _shape(cli_entry)[3] == [("participant", "create"), ("session", "create"),
                                    ("wai_rating", "create")]


async def test_complete_from_the_cli_and_from_the_summary(study: Study, run: Run) -> None:
    _out(run("participant", "add", "P01"))
    first = int(_out(run("session", "new", "P01")))
    second = int(_out(run("session", "new", "P01")))
    assert _out(run("session", "complete", str(first))).strip() == (
        f"Session {first} is completed")
    app = _app(study)
    async with app.run_test(size=(160, 48)) as pilot:
        app.open_summary(second)
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), what="summary")
        await pilot.press("f8")
        await pilot.pause()
    by_session = {e["session_id"]: e for e in _entries(study, "status")}
    assert set(by_session) == {first, second}
    cli_entry, tui_entry = by_session[first], by_session[second]
    assert (cli_entry["entity"], cli_entry["after"]) == ("session", {"status": "completed"})
    assert (tui_entry["entity"], tui_entry["after"]) == ("session", {"status": "completed"})
