"""Export from the app: Ctrl+O (or the palette) on the summary, review and sessions screens
opens a dialog that writes the chosen formats into a folder through the export operation
the CLI uses, shows its progress and says where the files are; what it refuses is said in
the dialog, and nothing is written then."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, ProgressBar, SelectionList, Static

from companion.operations.export import format_choices
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.export import ExportFinished, ExportScreen, ExportStep
from companion.tui.screens.review import ReviewScreen
from companion.tui.screens.summary import SummaryScreen
from tests.support.interview import make_interview
from tests.support.tui import sessions_loaded, wait_for


def _interview(study: Study) -> int:
    """A recorded, transcribed and annotated session (a minute of audio)."""
    db = study.db()
    try:
        return make_interview(study, db).session_id
    finally:
        db.conn.close()


def _status(screen: ExportScreen) -> str:
    return str(screen.query_one("#export-status", Static).content)


async def _dialog(pilot: Pilot[None]) -> ExportScreen:
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportScreen),
                   what="the export dialog")
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    return screen


async def _tick(pilot: Pilot[None], *keys: str) -> None:
    """Tick formats by keyboard: down the list to each, space."""
    order = [f"{c.fmt}:{c.for_tool}" if c.for_tool else c.fmt for c, _ in format_choices()]
    at = 0
    for key in keys:
        for _ in range(order.index(key) - at):
            await pilot.press("down")
        at = order.index(key)
        await pilot.press("space")


async def _finished(pilot: Pilot[None], screen: ExportScreen) -> None:
    await wait_for(pilot, lambda: not screen.running, timeout=60, what="the export")


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


async def test_two_formats_from_the_summary_go_into_the_folder_it_names(
        study: Study, tmp_path: Path) -> None:
    session_id = _interview(study)
    folder = tmp_path / "for-the-team"
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        app.open_summary(session_id)
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen)
                       and bool(app.screen.status), what="the summary")
        # The palette offers it here too, with its key.
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Export  (^o)" in titles
        screen = await _dialog(pilot)
        assert screen.session_id == session_id
        await _tick(pilot, "txt", "docx")
        assert screen.chosen() == [("txt", None), ("docx", None)]
        screen.query_one("#export-folder", Input).value = str(folder)
        await pilot.press("ctrl+s")
        await _finished(pilot, screen)
        said = _status(screen)
    names = ["P05_session-1.docx", "P05_session-1.txt"]
    assert _files(folder) == names
    assert said == (f"Wrote 2 file(s) in {folder}: P05_session-1.txt, P05_session-1.docx"
                    " (outside the study folder: a withdrawal will name this copy but cannot "
                    "erase it)")
    text = (folder / "P05_session-1.txt").read_text("utf-8")
    assert text.startswith("Session 1, participant P05")
    paragraphs = [p.text for p in docx.Document(str(folder / "P05_session-1.docx")).paragraphs]
    assert any(p.startswith("[00:00:00]") for p in paragraphs)


async def test_a_refused_folder_is_said_in_the_dialog_and_nothing_is_written(
        study: Study, tmp_path: Path) -> None:
    session_id = _interview(study)
    recordings = sorted(p.name for p in study.recordings_dir.rglob("*"))
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        app.open_review(session_id)
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen)
                       and app.screen.doc is not None, what="the review")
        assert "Export  (^o)" in [c.title for c in app.get_system_commands(app.screen)]
        screen = await _dialog(pilot)
        await _tick(pilot, "txt", "md")
        # The study's own audio folder: refused, force or not.
        screen.query_one("#export-force", Checkbox).value = True
        screen.query_one("#export-folder", Input).value = str(study.recordings_dir)
        await pilot.press("ctrl+s")
        await _finished(pilot, screen)
        said = _status(screen)
        assert screen.query_one("#export-status", Static).has_class("-error")
        assert isinstance(app.screen, ExportScreen)  # the dialog stays, to try again
        # An existing file is replaced only when asked: first written, then refused.
        screen.query_one("#export-force", Checkbox).value = False
        screen.query_one("#export-folder", Input).value = str(tmp_path / "out")
        await pilot.press("ctrl+s")
        await _finished(pilot, screen)
        assert _status(screen).startswith("Wrote 2 file(s)")
        txt_before = (tmp_path / "out" / "P05_session-1.txt").read_bytes()
        (tmp_path / "out" / "P05_session-1.md").write_text("the analyst's edits")
        await pilot.press("ctrl+s")
        await _finished(pilot, screen)
        again = _status(screen)
    assert said == (f"Nothing written: folder: got '{study.recordings_dir}'; allowed: a "
                    "folder outside the study's audio (it is the study's audio)")
    assert sorted(p.name for p in study.recordings_dir.rglob("*")) == recordings
    assert again.startswith("Nothing written: folder: got ")
    # The first file there is named; neither is touched.
    assert "P05_session-1.txt" in again and "tick 'Replace files that are there'" in again
    assert (tmp_path / "out" / "P05_session-1.md").read_text() == "the analyst's edits"
    assert (tmp_path / "out" / "P05_session-1.txt").read_bytes() == txt_before


async def test_a_qdpx_with_the_recording_shows_its_progress(study: Study,
                                                            tmp_path: Path) -> None:
    session_id = _interview(study)
    seen: list[Message] = []
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        screen_rows = await sessions_loaded(pilot)
        assert screen_rows.export_session_id() == session_id
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Export  (^o)" in titles  # the palette offers it on the sessions screen
        screen = await _dialog(pilot)
        await _tick(pilot, "qdpx")
        folder = screen.query_one("#export-folder", Input)
        folder.value = str(tmp_path / "qdpx")
        folder.focus()
        await pilot.press("enter")  # Enter in the folder field exports too
        await _finished(pilot, screen)
        bar = screen.query_one(ProgressBar)
        assert (bar.total, bar.progress) == (1, 1)
        said = _status(screen)
    steps = [(m.done, m.total, m.path.name) for m in seen if isinstance(m, ExportStep)]
    assert steps == [(0, 1, "P05_session-1.qdpx"), (1, 1, "P05_session-1.qdpx")]
    [done] = [m for m in seen if isinstance(m, ExportFinished)]
    assert done.error is None
    path = tmp_path / "qdpx" / "P05_session-1.qdpx"
    assert said.startswith(f"Wrote 1 file(s) in {path.parent}: {path.name} (outside")
    with zipfile.ZipFile(path) as archive:
        assert any(name.endswith(".wav") for name in archive.namelist())


async def test_no_format_chosen_is_said_and_the_palette_hides_export_without_a_session(
        study: Study) -> None:
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await sessions_loaded(pilot)
        # No session yet: nothing to export, so neither key nor palette entry.
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Export  (^o)" not in titles
        await pilot.press("ctrl+o")
        assert not isinstance(app.screen, ExportScreen)
    session_id = _interview(study)
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await sessions_loaded(pilot)
        screen = await _dialog(pilot)
        assert screen.session_id == session_id
        assert not screen.query_one(SelectionList).selected
        await pilot.press("ctrl+s")
        assert _status(screen) == ("Choose at least one format (space ticks the highlighted "
                                   "one).")
        await pilot.press("escape")
        assert not isinstance(app.screen, ExportScreen)


async def test_at_80_columns_the_summary_footer_keeps_export_and_back_and_ticks_read_as_ticks(
        study: Study) -> None:
    from textual.widgets._footer import FooterKey

    from companion.tui.widgets.tick_box import TickBox, TickList

    session_id = _interview(study)
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_summary(session_id)
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen)
                       and bool(app.screen.status), what="the summary")
        await pilot.pause()
        footer = [k.description for k in app.screen.query(FooterKey)
                  if not k.has_class("-command-palette")]
        # The way back and the export stay beside the screen's own keys and Quit.
        assert {"Save", "Reopen", "Sessions", "Export", "Quit"} <= set(footer), footer
        # A title longer than its row ends in "…", not in a word cut off as if whole.
        title = app.screen.query_one("#summary-title")
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        assert title.render_line(0).text.rstrip().endswith("…")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        screen = await _dialog(pilot)
        await _tick(pilot, "txt", "docx")
        formats = screen.query_one(TickList)
        rows = {line.text[4:].split()[0]: line.text[:3]
                for line in (formats.render_line(y) for y in range(formats.size.height))
                if line.text.strip()}
        # The tick is a shape, not only a colour: ✓ on the two ticked, blank on the rest.
        assert {name for name, box in rows.items() if box == "▐✓▌"} == {"txt", "docx"}
        assert all(box == "▐ ▌" for name, box in rows.items() if name not in ("txt", "docx"))
        force = screen.query_one("#export-force", TickBox)
        assert str(force.render().plain).startswith("▐ ▌")
        force.focus()
        await pilot.press("space")
        assert force.value and str(force.render().plain).startswith("▐✓▌")
