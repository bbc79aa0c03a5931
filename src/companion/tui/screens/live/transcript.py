"""The live transcript panel: the transcriber beside the recorder, its lines, the pin.

It starts the transcriber when the recorder starts (it is one of the recorder panel's
:class:`~companion.tui.screens.live.recorder.BesideRecorder`), shows the newest lines and
the talk balance of the phase, tells the screen which lines the participant said (the
cards listen for roles named in them) and pins the highlighted line as a quote (F7).
None of it can stop the recording: the transcriber is another process, and when it dies
the panel says so and the interview goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from companion.errors import CompanionError
from companion.live.attribution import InterviewerScript, Whose, source, whose
from companion.live.client import STOPPED, LiveLine, LiveTranscriber
from companion.live.talk import balance
from companion.operations import live as live_ops
from companion.operations import notes
from companion.operations.notes import Note
from companion.tui.context import companion_of
from companion.tui.messages import Stamped
from companion.tui.widget_options import WidgetOptions
from companion.tui.widgets.live_transcript import LiveLines, TalkBar

if TYPE_CHECKING:
    from companion.operations.recording import RecorderControls


class LiveTranscriptPanel(Vertical):
    """Shown only while a live transcript runs beside the recording."""

    @dataclass(eq=False)  # a message is one event: identity, not equality
    class Heard(Message):
        """New lines the participant said (or nobody knows who said, and they read out
        nothing of the interviewer's), each with which line it is and whose."""

        lines: list[tuple[LiveLine, str]]

    @dataclass(eq=False)
    class Pinned(Message):
        """A line was kept as a quote; ``typed`` if only the words typed in the note box."""

        note: Note
        typed: bool

    def __init__(self, session_id: int, *, poll_interval: float = 0.1,
                 **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.session_id = session_id
        self.poll_interval = poll_interval
        self.live: LiveTranscriber | None = None
        """The transcriber, once the recorder started with one beside it."""
        self.labels: tuple[str, str] = ("I", "P")
        """The interviewer's and the participant's labels on the lines."""
        self.since_ms = 0
        """The start of the current phase: the talk balance counts from there."""
        self.script = InterviewerScript.of(())
        """What the interviewer reads out (prompts, questions, cards): a line without a
        speaker that reads it is the interviewer's (the screen fills it in)."""
        self._off_reason = ""
        self._seen_version = -1
        self._lines_heard = 0
        self._shown = False
        self.display = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="live-transcript-head"):
            yield Static("Live transcript · F7 pin · Ctrl+↑↓", classes="panel-title")
            yield TalkBar(id="talk-bar")
        yield LiveLines(id="live-lines")

    def on_mount(self) -> None:
        self.set_interval(self.poll_interval, self.poll, name="live-transcript-poll")

    # -- beside the recorder (called in the recorder panel's workers) --------------------

    def attach(self, recorder: RecorderControls) -> None:
        """Start the transcriber on the recorder's blocks, before the recorder starts."""
        try:
            self.live = live_ops.start_live(companion_of(self).study, self.session_id, recorder)
        except Exception as exc:  # no model, no process: the interview goes on without
            self.live = None
            self._off_reason = f"live transcript unavailable: {exc}"
            return
        if self.live is not None:
            self.labels = self.live.labels

    def detach(self) -> None:
        """After the recorder stopped: decode the rest, then end."""
        if self.live is not None:
            self.live.stop(timeout=15)

    # -- showing ------------------------------------------------------------------------

    def poll(self) -> None:
        """Show new lines when the transcriber has them (its version moved)."""
        live = self.live
        if (live is not None) != self._shown:  # the panel comes and goes with it
            self._shown = live is not None
            self.display = self._shown
        if self._off_reason:
            self.notify(self._off_reason, title="Live transcript", severity="warning")
            self._off_reason = ""
        if live is None or live.version == self._seen_version:
            return
        self._seen_version = live.version
        lines = list(live.lines)
        status = "" if live.state == "running" and not live.skipped else live.message
        if live.state == STOPPED:
            status = "⚠ " + live.message
        self.query_one(LiveLines).set_lines(
            [(line.start_ms, line.speaker, line.text) for line in lines], status)
        new = lines[self._lines_heard:]
        self._lines_heard = len(lines)
        # The interviewer naming a role (or reading a card that names one) raises nothing.
        said = [(line, source(who, self.labels[1], line.text)) for line in new
                if (who := self.whose(line)) != "interviewer"]
        if said:
            self.post_message(self.Heard(said))
        self.show_balance()

    def whose(self, line: LiveLine) -> Whose:
        return whose(line.speaker, line.text, self.labels, self.script)

    def show_balance(self) -> None:
        """The interviewer's share of speaking since the phase began."""
        live = self.live
        share = None
        if live is not None:
            found = balance(channels=live.channels, labels=live.labels, since_ms=self.since_ms,
                            talk=live.talk.since(self.since_ms),
                            lines=list(live.lines))
            share = None if found is None else found.interviewer_share
        self.query_one(TalkBar).show_balance(self.labels, share)

    def move(self, step: int) -> None:
        self.query_one(LiveLines).move(step)

    # -- pinning ------------------------------------------------------------------------

    def pin(self, typed: str) -> None:
        """Pin the highlighted line, or only the words of it ``typed`` in the note box."""
        live = self.live
        index = self.query_one(LiveLines).current_index
        if live is None or index is None or index >= len(live.lines):
            self.notify("No live line to pin yet.", severity="warning")
            return
        line = live.lines[index]
        if self.whose(line) == "interviewer":
            self._pin_as_note(line)
            return
        typed = typed.strip()
        part = typed if typed and " ".join(typed.split()).lower() in line.text.lower() else ""
        try:
            note = live_ops.pin_quote(companion_of(self).study, self.session_id, line, part)
        except CompanionError as exc:
            self.notify(str(exc), severity="error")
            return
        self.query_one(LiveLines).follow()  # what is said next shows again
        self.post_message(self.Pinned(note, typed=bool(part)))
        self.post_message(Stamped(self.session_id, "quote", note.at_ms, note.id,
                                  f"“{note.text}”"))
        self.notify(f"Pinned: “{note.text}”", title="Quote")

    def _pin_as_note(self, line: LiveLine) -> None:
        """The interviewer's own words are kept as a note at their moment: never a quote
        card that would ask the participant about what they did not say."""
        text = f"I said: “{' '.join(line.text.split())}”"
        try:
            note = notes.add_note(companion_of(self).study, self.session_id, text,
                                  at_ms=line.start_ms)
        except CompanionError as exc:
            self.notify(str(exc), severity="error")
            return
        self.query_one(LiveLines).follow()
        self.post_message(Stamped(self.session_id, "note", note.at_ms, note.id, note.text))
        self.notify("Your own words: kept as a note, not as a quote.", title="Note")
