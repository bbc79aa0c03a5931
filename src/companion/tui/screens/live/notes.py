"""The notes panel: the note box, the log of what was stamped, code tags and bookmarks.

Focus stays in the note box the whole time, so typing always starts a note and everything
typed is text. The note being typed is kept in the database at every change, so a crash
loses nothing typed; it is back in the box when the session opens again. A code tag is
Alt with the code's quick key, or Ctrl+T then the key (stamped at Ctrl+T).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Unpack

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from companion.errors import CompanionError
from companion.notation import format_hms
from companion.operations import notes
from companion.protocol.model import Protocol
from companion.tui.context import companion_of
from companion.tui.messages import Stamped
from companion.tui.screens.live.clock import SessionClock
from companion.tui.widget_options import WidgetOptions
from companion.tui.widgets.note_input import NoteInput
from companion.tui.widgets.note_log import NoteLog


class NotesPanel(Vertical):
    """The log of notes, tags, phases and pauses above the box a note is typed in."""

    def __init__(self, session_id: int, clock: SessionClock,
                 **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.session_id = session_id
        self.clock = clock
        self.protocol: Protocol | None = None
        """Names the codes a tag line shows."""
        self._tag_at = 0

    def compose(self) -> ComposeResult:
        yield NoteLog(id="note-log")
        with Horizontal(id="note-row"):
            yield Static("new note", id="note-stamp")
            # Short enough to be read whole in the 80-column box.
            yield NoteInput(self.clock, placeholder="Type a note, Enter saves "
                            "(Ctrl+T, digit: a code)", id="note-input")

    @property
    def typed(self) -> str:
        """What is in the note box now."""
        return self.query_one(NoteInput).value

    def focus_input(self) -> None:
        self.query_one(NoteInput).focus()

    # -- the log ------------------------------------------------------------------------

    def add_line(self, at_ms: int | None, kind: str, text: str) -> None:
        self.query_one(NoteLog).add(at_ms, kind, text)

    def show_history(self, protocol: Protocol, stored: Iterable[notes.Note],
                     phases: Iterable[tuple[int, str]]) -> None:
        """The session so far: its notes, tags and bookmarks, and its phase starts."""
        self.protocol = protocol
        lines = [(note.at_ms or 0, self._kind(note), self._shown(note))
                 for note in stored if note.kind != "reflection"]
        lines += [(at_ms, "phase", title) for at_ms, title in phases]
        # A phase opens its moment: at the same time stamp it comes before the notes.
        for at_ms, kind, text in sorted(lines, key=lambda line: (line[0], line[1] != "phase")):
            self.add_line(at_ms, kind, text)

    def _kind(self, note: notes.Note) -> str:
        if note.kind in ("bookmark", "quote"):  # a quote keeps its ❝ when continued
            return note.kind
        return "code" if note.codes and not note.text else "note"

    def _shown(self, note: notes.Note) -> str:
        """A note as its log line reads: a tag names its codes, a note lists them after."""
        if note.kind == "bookmark":
            return note.text or "bookmark"
        if note.kind == "quote":  # as it read when it was pinned
            return f"“{note.text}”"
        codes = " ".join(note.codes)
        if note.codes and self.protocol is not None and not note.text:
            names = []
            for code_id in note.codes:
                try:
                    names.append(f"{code_id} {self.protocol.code(code_id).name}")
                except CompanionError:
                    names.append(code_id)
            return ", ".join(names)
        return f"{note.text}  [{codes}]" if codes else note.text

    def _stamped(self, kind: str, note: notes.Note) -> None:
        self.post_message(Stamped(self.session_id, kind, note.at_ms, note.id,
                                  self._shown(note)))

    # -- the note box -------------------------------------------------------------------

    def _show_stamp(self, text: str) -> None:
        self.query_one("#note-stamp", Static).update(text)

    @on(NoteInput.Started)
    def _note_started(self, event: NoteInput.Started) -> None:
        self._show_stamp(f"note @ {format_hms(event.at_ms)}")

    @on(Input.Changed, "#note-input")
    def _keep_draft(self, event: Input.Changed) -> None:
        """Keep the note being typed in the database too: a crash loses nothing typed."""
        box = self.query_one(NoteInput)
        notes.save_draft(companion_of(self).study, self.session_id,
                         notes.Draft(box.started_ms, event.value))

    def restore_draft(self) -> None:
        draft = notes.load_draft(companion_of(self).study, self.session_id)
        if draft is None:
            return
        box = self.query_one(NoteInput)
        box.value = draft.text
        box.started_ms = draft.at_ms
        if draft.at_ms is not None:
            self._show_stamp(f"note @ {format_hms(draft.at_ms)}")
        self.notify("The note you were typing before the interruption is back in the box.")

    @on(Input.Submitted, "#note-input")
    def _save_note(self, event: Input.Submitted) -> None:
        box = self.query_one(NoteInput)
        text = event.value.strip()
        if not text:
            return
        at = box.started_ms if box.started_ms is not None else self.clock()
        try:
            note = notes.commit_draft(companion_of(self).study, self.session_id, text, at_ms=at)
        except CompanionError as exc:
            self.notify(str(exc), severity="error")
            return
        box.reset()
        self._show_stamp("new note")
        self._stamped("note", note)

    def clear(self) -> None:
        """Throw away the note being typed (and its kept draft)."""
        notes.clear_draft(companion_of(self).study, self.session_id)
        self.query_one(NoteInput).reset()
        self._show_stamp("new note")

    # -- tags and bookmarks -------------------------------------------------------------

    def tag_next(self) -> None:
        """Ctrl+T: the moment is now; the next key says which code."""
        self.query_one(NoteInput).code_key_next = True
        self._tag_at = self.clock()
        self._show_stamp(f"tag @ {format_hms(self._tag_at)}: key?")

    @on(NoteInput.CodeKey)
    def _code_key(self, event: NoteInput.CodeKey) -> None:
        started = self.query_one(NoteInput).started_ms
        self._show_stamp("new note" if started is None else f"note @ {format_hms(started)}")
        if event.key:
            self.tag(event.key, self._tag_at)

    def tag(self, key: str, at_ms: int | None = None) -> None:
        """Tag this moment (or ``at_ms``) with the code on ``key``."""
        code = self.protocol.code_for_key(key) if self.protocol is not None else None
        if code is None:
            self.notify(f"No code on key {key}.", severity="warning")
            return
        note = notes.add_note(companion_of(self).study, self.session_id, "",
                              at_ms=self.clock() if at_ms is None else at_ms, codes=[code.id])
        self._stamped("code", note)

    def bookmark(self) -> None:
        note = notes.add_note(companion_of(self).study, self.session_id, "",
                              at_ms=self.clock(), kind="bookmark")
        self.post_message(Stamped(self.session_id, "bookmark", note.at_ms, note.id, "bookmark"))
