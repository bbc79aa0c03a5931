"""Export a session from the app: choose the formats and the folder, watch it write.

The dialog offers every format of the export registry and every tool's variant of one (the
CLI's ``--format`` and ``--for``), a folder (empty: the study's exports folder, where a new
export replaces the last one, as ``companion export`` without ``-o`` does) and whether to
replace files that are there. It calls the same operation as the CLI, in a thread worker,
so the same output rules hold (never the study's database or audio, an existing file only
when asked); what it refuses is said inside the dialog, and nothing is written then.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, ProgressBar, SelectionList, Static
from textual.widgets.selection_list import Selection

from companion.errors import CompanionError, InputError
from companion.tui.context import companion_of
from companion.tui.footer import FittingFooter
from companion.tui.widgets.tick_box import TickBox, TickList


@dataclass(eq=False)  # a message is one event: identity, not equality
class ExportStep(Message, bubble=False):
    """The worker is about to write file ``done + 1`` of ``total`` (``path``), or has
    written them all (``done == total``)."""

    done: int
    total: int
    path: Path


@dataclass(eq=False)
class ExportFinished(Message, bubble=False):
    """The worker is done: the files written, or ``error`` (a sentence) and none."""

    written: list[Path]
    error: str | None = None


# The operation names what it refuses as the CLI's options; the dialog by its own fields.
_FIELDS = {"-o": "folder", "--format": "format", "--for": "format"}
_HINTS = (("add --force", "tick 'Replace files that are there'"),
          ("--force does not change this", "replacing does not change this"))


def in_dialog_words(exc: CompanionError) -> str:
    """The error as the dialog says it: its fields, not the command line's options."""
    if not isinstance(exc, InputError):
        return str(exc)
    hint = exc.hint
    for cli, dialog in _HINTS:
        hint = hint.replace(cli, dialog)
    return InputError(_FIELDS.get(exc.field, exc.field), exc.value, exc.allowed,
                      hint=hint).message


def choice_key(fmt: str, tool: str | None) -> str:
    """A format's value in the list: ``qdpx``, or ``qdpx:qualcoder`` for a tool's variant."""
    return f"{fmt}:{tool}" if tool else fmt


class ExportScreen(ModalScreen[list[Path] | None]):
    """One session's export: formats, folder, replace or not; progress; where it went."""

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ExportScreen .export--title { text-style: bold; }
    ExportScreen .export--label { margin-top: 1; color: $text-muted; }
    ExportScreen SelectionList { height: auto; min-height: 4; }
    ExportScreen #export-progress { display: none; }
    ExportScreen #export-progress.-running { display: block; }
    ExportScreen #export-status { height: auto; }
    ExportScreen #export-status.-error { color: $error; text-style: bold; }
    ExportScreen Horizontal { height: auto; align-horizontal: right; }
    ExportScreen Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "export", "Export", id="export.write",
                tooltip="Write the chosen formats into the folder"),
        Binding("escape", "close", "Close", id="export.close", tooltip="Close this dialog"),
    ]

    def __init__(self, session_id: int, title: str | None = None) -> None:
        super().__init__()
        self.session_id = session_id
        self.title_text = title or f"Export session {session_id}"
        self.running = False
        self.written: list[Path] = []

    def compose(self) -> ComposeResult:
        from companion.operations.export import format_choices

        study = companion_of(self).study
        # Compact widgets: at 80x24 the list of formats keeps most of the room.
        with Vertical():
            yield Static(Text(f"{self.title_text}: formats (space ticks; one pseudonymised "
                              "file each)"), classes="export--title")
            yield TickList(*[
                Selection(Content(f"{choice_key(c.fmt, c.for_tool):<21}{fmt.description}"),
                          choice_key(c.fmt, c.for_tool))
                for c, fmt in format_choices()], id="export-formats", compact=True)
            yield Static("Folder (empty: the study's exports folder; a new export replaces "
                         "the last)", classes="export--label")
            yield Input(placeholder=str(study.exports_dir), id="export-folder", compact=True)
            yield TickBox("Replace files that are there (never the study's database or "
                           "audio)", id="export-force", compact=True)
            yield ProgressBar(id="export-progress", show_eta=False)
            yield Static("", id="export-status")
            with Horizontal():
                yield Button("Close", id="export-close", compact=True)
                yield Button("Export", id="export-go", variant="primary", compact=True)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def on_resize(self, event: events.Resize) -> None:
        # The list scrolls; the folder, the checkbox and the buttons stay in view (the
        # dialog's other rows take 12 lines with the footer).
        self.query_one(SelectionList).styles.max_height = max(4, event.size.height - 12)

    # --- asking -----------------------------------------------------------------------

    def chosen(self) -> list[tuple[str, str | None]]:
        """(format, tool or None) of every format ticked, in the list's order."""
        out = []
        for key in self.query_one(SelectionList).selected:
            fmt, _, tool = str(key).partition(":")
            out.append((fmt, tool or None))
        return out

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#export-status", Static)
        status.update(Text(text))
        status.set_class(error, "-error")

    @on(Input.Submitted, "#export-folder")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    @on(Button.Pressed, "#export-go")
    def _go(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export()

    @on(Button.Pressed, "#export-close")
    def _close(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def action_export(self) -> None:
        if self.running:
            return
        chosen = self.chosen()
        if not chosen:
            self.say("Choose at least one format (space ticks the highlighted one).",
                     error=True)
            return
        folder = self.query_one("#export-folder", Input).value.strip()
        # A folder, as `-o FOLDER/` names one (created if missing); empty: exports/.
        output = None if not folder else folder.rstrip("/\\") + "/"
        force = self.query_one("#export-force", TickBox).value
        self.running = True
        bar = self.query_one(ProgressBar)
        bar.update(total=len(chosen), progress=0)
        bar.add_class("-running")
        self.say("Checking the request…")
        self._write(self.session_id, chosen, output, force)

    def action_close(self) -> None:
        # A running export goes on to its end (each file is written whole or not at all).
        self.dismiss(list(self.written))

    # --- the worker --------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="export", exit_on_error=False,
          description="Exporting")
    def _write(self, session_id: int, chosen: list[tuple[str, str | None]],
               output: str | None, force: bool) -> None:
        from companion.files import describe_failure
        from companion.operations.export import ExportProgress, FormatChoice, export_formats

        def step(progress: ExportProgress) -> None:
            self.post_message(ExportStep(progress.done, progress.total, progress.path))

        try:
            written = export_formats(
                companion_of(self).study, session=session_id,
                formats=[FormatChoice(fmt, tool) for fmt, tool in chosen], output=output,
                force=force, on_progress=step)
        except CompanionError as exc:
            self.post_message(ExportFinished([], in_dialog_words(exc)))
        except OSError as exc:
            self.post_message(ExportFinished([], describe_failure(exc)))
        except Exception as exc:  # said in the dialog: an export must never fail silently
            self.post_message(ExportFinished([], f"{type(exc).__name__}: {exc}"))
        else:
            self.post_message(ExportFinished([w.path for w in written]))

    @on(ExportStep)
    def _step(self, event: ExportStep) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=event.total, progress=event.done)
        if event.done < event.total:
            self.say(f"Writing {event.path.name} ({event.done + 1} of {event.total})…")

    @on(ExportFinished)
    def _finished(self, event: ExportFinished) -> None:
        self.running = False
        bar = self.query_one(ProgressBar)
        if event.error is not None:
            bar.remove_class("-running")
            self.say(f"Nothing written: {event.error}", error=True)
            return
        from companion.files import outside_note

        self.written += event.written
        folders = sorted({str(path.parent) for path in event.written})
        names = ", ".join(path.name for path in event.written)
        where = folders[0] if len(folders) == 1 else ", ".join(folders)
        note = outside_note(event.written[0], companion_of(self).study.root) \
            if event.written else ""
        self.say(f"Wrote {len(event.written)} file(s) in {where}: {names}{note}")
