"""The command palette (Ctrl+P, offered in every footer) on every screen: it opens, lists
the screen's keys as they read, and each command it lists runs without ending the app.

The live screen records with a fake recorder (a recording cannot run on two tests' worth
of microphones at once and nothing here is about audio); everything else is real.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

import pytest
from textual.command import Command, CommandList, CommandPalette
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen

from companion.study.folder import Study
from companion.tui.app import CompanionApp
from tests.support.fakes import FakeRecorder
from tests.support.interview import make_interview
from tests.support.people import rated_session
from tests.support.tui import companion_app, sessions_loaded, wait_for

Opener = Callable[[Pilot, CompanionApp], Awaitable[Screen[None]]]  # type: ignore[type-arg]


async def _settle(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


Listing = dict[str, tuple[str, Callable[[], object]]]
"""Each command as the palette shows it: its title -> its help line and what it runs."""


async def _listing(pilot: Pilot) -> Listing:  # type: ignore[type-arg]
    """Open the palette (Ctrl+P), read what it lists, close it again."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    results = app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: results.option_count > 0, what="commands listed")
    await _settle(pilot)
    listed: Listing = {}
    for index in range(results.option_count):
        option = results.get_option_at_index(index)
        assert isinstance(option, Command) and isinstance(option.prompt, Content)
        title, _, help_line = option.prompt.plain.partition("\n")
        listed[title] = (help_line, option.hit.command)
    await pilot.press("escape")
    await pilot.pause()
    return listed


async def _back_to(pilot: Pilot, target: Screen[None],  # type: ignore[type-arg]
                   reopen: Callable[[], Awaitable[Screen[None]]]) -> Screen[None]:
    """Close what a command opened (a question is answered no) and return to ``target``
    (opened again when the command left it)."""
    app = pilot.app
    for _ in range(6):
        if app.screen is target:
            return target
        if isinstance(app.screen, ModalScreen):
            await pilot.press("escape")
        elif target in app.screen_stack:
            app.pop_screen()
        else:
            return await reopen()
        await _settle(pilot)
    assert app.screen is target, f"stuck on {app.screen!r}"
    return target


def _plain_markup(text: str) -> bool:
    return Content.from_markup(text).plain == text


def _screens_own(command: Callable[[], object]) -> bool:
    """A command that runs one of the screen's own keys (the app lists those as
    ``partial(run_action, action, screen)``)."""
    return (isinstance(command, partial) and len(command.args) == 2
            and isinstance(command.args[1], Screen))


# Commands that do the same wherever they are picked (Textual's theme, keys panel and
# maximise, the app's own search, report, transcription, light/dark and focus moves): run
# on the first screen in SCREENS; every other screen runs its own keys, Export (which
# exports what that screen shows) and Quit, and lists the rest.
EVERYWHERE = ("Export", "Quit")


async def _every_command(pilot: Pilot, open_screen: Opener, *,  # type: ignore[type-arg]
                         app_wide: bool = True) -> dict[str, str]:
    """Open the screen, then run every command its palette lists (Quit last; without
    ``app_wide`` only the screen's own and those of EVERYWHERE); returns the titles listed
    with their help lines.

    The first command is picked in the palette with the keys; the others are run as the
    palette runs a pick (its callback, after the palette closed), from a listing read
    again whenever the screen had to be opened anew."""
    app = pilot.app
    assert isinstance(app, CompanionApp)

    async def reopen() -> Screen[None]:
        return await open_screen(pilot, app)

    screen = await reopen()
    # The key panel and tooltips read descriptions as markup: each reads as written.
    for bindings in (screen._bindings, app._bindings):
        for _, binding in bindings:
            assert _plain_markup(binding.description), binding
            assert _plain_markup(binding.tooltip or ""), binding
    listed = await _listing(pilot)
    titles = sorted((title for title, (_, command) in listed.items()
                     if app_wide or _screens_own(command) or title.startswith(EVERYWHERE)),
                    key=lambda t: t.startswith("Quit"))
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    await pilot.press(*titles[0], "enter")  # typed and picked like a user would
    await _settle(pilot)
    for title in titles[1:]:
        back = await _back_to(pilot, screen, reopen)
        if back is not screen:
            screen, listed = back, await _listing(pilot)
        app.call_later(listed[title][1])
        await _settle(pilot)
        assert app.is_running or title.startswith("Quit"), f"{title!r} ended the app"
        if not app.is_running:
            break
    return {title: help_line for title, (help_line, _) in listed.items()}


@pytest.fixture
def recorded(study: Study) -> int:
    """A recorded, transcribed and annotated session, beside a planned and rated one."""
    rated_session(study, "P04")
    db = study.db()
    try:
        return make_interview(study, db).session_id
    finally:
        db.conn.close()


async def _sessions(pilot: Pilot, app: CompanionApp) -> Screen[None]:  # type: ignore[type-arg]
    app.show_sessions()
    return await sessions_loaded(pilot)


def _opening(call: Callable[[CompanionApp], None]) -> Opener:
    async def open_screen(pilot: Pilot, app: CompanionApp) -> Screen[None]:  # type: ignore[type-arg]
        app.show_sessions()
        await sessions_loaded(pilot)
        call(app)
        await _settle(pilot)
        return app.screen

    return open_screen


def _planned(study: Study) -> int:
    from companion.operations.listings import session_listing

    return next(i.session_id for i in session_listing(study) if i.status == "planned"
                and i.session_id is not None)


SCREENS: dict[str, Callable[[Study, int], Opener]] = {
    "sessions": lambda study, made: _sessions,
    "setup": lambda study, made: _opening(
        lambda app: app.open_setup(session_id=_planned(study))),
    "live": lambda study, made: _opening(lambda app: app.start_live(_planned(study))),
    "summary": lambda study, made: _opening(lambda app: app.open_summary(made)),
    "review": lambda study, made: _opening(lambda app: app.open_review(made)),
    "search": lambda study, made: _opening(lambda app: app.action_open_search()),
    "report": lambda study, made: _opening(lambda app: app.action_open_report()),
    "transcription": lambda study, made: _opening(
        lambda app: app.action_open_transcription()),
}


@pytest.mark.parametrize("name", list(SCREENS))
async def test_every_command_of_the_palette_runs(study: Study, recorded: int, name: str,
                                                 tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # the palette's Screenshot writes where the app runs
    app = companion_app(study, FakeRecorder(ms=65_000))
    async with app.run_test(size=(80, 24)) as pilot:
        listed = await _every_command(pilot, SCREENS[name](study, recorded),
                                      app_wide=name == next(iter(SCREENS)))
    assert "Quit  (^q)" in listed and "Quit" not in listed  # once, with its key
    assert not {"Focus Next  (tab)", "Focus Previous  (shift+tab)"} & set(listed)
    if name == "live":  # the interview's own keys only
        assert not {"Search  (^f)", "Report  (^r)", "Light/dark  (^t)"} & set(listed)
    if name == "review":
        # The search key is "/": its help names it as it is pressed.
        assert listed["Search  (/)"] == "[/] Search notes and transcripts of every session"
        # A capital key is no markup either: "[R]" and "[D]" had vanished from the help.
        assert listed["Rename  (R)"].startswith("[R] ")
        assert listed["Doubtful  (D)"].startswith("[D] ")
    if name in ("summary", "review"):
        # Asked under the open palette, the export used to look at the palette itself.
        assert listed["Export  (^o)"].startswith("[^o] Export this session")
    if name == "sessions":
        assert listed["Transcribe  (t)"].startswith("[t] ")
