"""Set-up screen: field-by-field validation, nothing saved while invalid, profile, preview."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input

from companion.store import participants, ratings, sessions
from companion.study.folder import Study
from companion.tui.screens.live import LiveScreen
from companion.tui.screens.setup import FieldError, SetupScreen
from companion.tui.widgets.profile_chart import ProfileChart
from tests.support.fakes import FakeRecorder
from tests.support.tui import companion_app, count_rows

_app = companion_app
_count = count_rows


async def test_bad_wai_entries_show_inline_errors_and_save_nothing(study: Study) -> None:
    app = _app(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        screen.query_one("#code", Input).value = "P09"
        screen.query_one("#role-most", Input).value = "physician"
        screen.query_one("#item-most-3", Input).focus()
        await pilot.press(*"abc")  # not a number
        screen.query_one("#item-most-5", Input).focus()
        await pilot.press(*"140")  # above the 0-100 scale
        screen.query_one("#mode-least").value = "domains"
        await pilot.pause()
        screen.query_one("#dom-least-goal", Input).focus()
        await pilot.press(*"401")  # above the domain maximum
        await pilot.pause()
        assert screen.query_one("#item-most-3", Input).has_class("-invalid")
        assert screen.query_one("#item-most-5", Input).has_class("-invalid")
        assert screen.query_one("#dom-least-goal", Input).has_class("-invalid")
        most_error = screen.query_one("#wai-most-error", FieldError)
        assert most_error.has_class("-shown")
        shown = str(most_error.render())
        assert "item 3" in shown and "'abc'" in shown and "item 5" in shown
        assert "goal" in str(screen.query_one("#wai-least-error", FieldError).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert _count(study, "participants") == 0 and _count(study, "sessions") == 0
        assert _count(study, "wai_ratings") == 0
        # Fixing the fields clears the errors; then saving writes everything.
        screen.query_one("#item-most-3", Input).value = "70"
        screen.query_one("#item-most-5", Input).value = "100"
        screen.query_one("#dom-least-goal", Input).value = "300"
        await pilot.press("ctrl+s")  # a rating without its professional's role is refused
        await pilot.pause()
        assert "role" in str(screen.query_one("#wai-least-error", FieldError).render())
        assert _count(study, "participants") == 0
        screen.query_one("#role-least", Input).value = "psychologist"
        await pilot.pause()
        assert not most_error.has_class("-shown")
        assert not screen.query_one("#item-most-3", Input).has_class("-invalid")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert _count(study, "participants") == 1 and _count(study, "sessions") == 1
        db = study.db()
        try:
            most, least = ratings.list_ratings(db, 1)
            assert most.target == "most" and most.items[2] == 70  # type: ignore[index]
            assert least.entered_as == "domains" and least.goal == 300 and least.task is None
        finally:
            db.conn.close()


async def test_bad_characteristics_and_pseudonym_are_refused(study: Study) -> None:
    app = _app(study)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        screen = app.screen
        screen.query_one("#code", Input).focus()
        await pilot.press(*"5 Jan")  # a pseudonym must start with a letter, no spaces
        screen.query_one("#char-pdi", Input).value = "71"
        await pilot.pause()
        assert screen.query_one("#code-error", FieldError).has_class("-shown")
        assert "0 to 70" in str(screen.query_one("#char-pdi-error", FieldError).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert _count(study, "participants") == 0


async def test_recording_needs_consent(study: Study) -> None:
    recorder = FakeRecorder()
    app = _app(study, recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        app.screen.query_one("#code", Input).value = "P10"
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert app.screen.query_one("#consent-error", FieldError).has_class("-shown")
        assert _count(study, "participants") == 0 and recorder.calls == []
        app.screen.query_one("#consent").value = True
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert recorder.calls == ["start"]
        db = study.db()
        try:
            assert participants.get_participant(db, "P10").consented
            assert sessions.list_sessions(db)[0].participant_code == "P10"
        finally:
            db.conn.close()


async def test_profile_chart_and_suggestions_follow_the_typing(study: Study) -> None:
    app = _app(study)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("n")
        screen = app.screen
        assert "Enter the ratings" in str(screen.query_one("#suggestions-preview").render())
        screen.query_one("#role-most", Input).value = "physiotherapist"
        for n in range(1, 13):
            screen.query_one(f"#item-most-{n}", Input).value = "98"
        await pilot.pause()
        chart = screen.query_one(ProfileChart)
        score = chart.scores["most"]
        assert score is not None and score.domains["task"] == 392 and score.total == 1176
        rendered = str(chart.render())
        assert "near max" in rendered and "physiothe" in rendered
        preview = str(screen.query_one("#suggestions-preview").render())
        assert "1. " in preview and "why:" in preview
        assert screen.suggestions and screen.suggestions[0].rule_id
        assert _count(study, "wai_ratings") == 0  # a preview, not a save


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
async def test_every_field_is_reachable_and_shown_as_focus_moves(
        study: Study, size: tuple[int, int]) -> None:
    app = _app(study)
    async with app.run_test(size=size) as pilot:
        await pilot.press("n")
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        form = screen.query_one("#setup-form")
        fields = [w for w in form.query("Input, Select, Checkbox") if w.focusable]
        # The items in the paper form's order, each with its domain beside it.
        labels = [str(label.render()) for label in screen.query("#items-most Label")]
        assert [label.split()[0] for label in labels] == [str(n) for n in range(1, 13)]
        assert [label.strip() for label in labels[:3]] == ["1 Task", "2 Task", "3 Bond"]
        seen: list[str | None] = []
        first = app.focused
        for _ in range(100):
            focused = app.focused
            assert focused is not None
            if focused in fields:
                await pilot.pause()
                # Scrolling follows the focus: the whole field is inside the form's window.
                assert form.region.contains_region(focused.region), focused.id
                seen.append(focused.id)
            else:
                assert focused.id == "setup-preview"  # the chart and questions, scrollable
            await pilot.press("tab")
            if app.focused is first:
                break
        assert "item-least-12" in seen and "dom-least-bond" not in seen  # hidden: items mode
        assert {"code", "char-consent_date", "role-most", "item-most-1"} <= set(seen)


async def test_consent_date_is_shown_and_saved(study: Study) -> None:
    app = _app(study)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        screen = app.screen
        date_box = screen.query_one("#char-consent_date", Input)
        assert date_box.value == dt.date.today().isoformat()  # shown, not silently today
        screen.query_one("#code", Input).value = "P11"
        screen.query_one("#consent").value = True
        date_box.value = "2099-01-01"
        await pilot.pause()
        assert "future" in str(screen.query_one("#char-consent_date-error").render())
        date_box.value = "2024-05-02"
        await pilot.press("ctrl+s")
        await pilot.pause()
    db = study.db()
    try:
        assert participants.get_participant(db, "P11").consent_date == "2024-05-02"
    finally:
        db.conn.close()
