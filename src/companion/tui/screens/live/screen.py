"""The live interview: the recorder, the phases, prompts, cards, live transcript and notes.

Focus stays in the note box the whole time, so typing always starts a note and everything
typed is text; every other action is one function key (overridable in the study's
``[keymap]``), and Alt with a codebook quick key (Alt+1) tags the moment, even mid-note.
Everything is written to the database the moment it happens, on the UI thread (single-row
writes take about a millisecond).

The screen composes panels that own their state (see :mod:`companion.tui.screens.live`);
it holds what they share: the session's clock, the phase the interview is in and the keys.
It passes each key to the panel it belongs to and tells the panels what the others did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from companion.operations import marks, ratings, sessions
from companion.protocol.model import Phase, Protocol
from companion.tui.context import CompanionScreen
from companion.tui.footer import FittingFooter
from companion.tui.messages import Stamped
from companion.tui.recording import RecorderFactory
from companion.tui.screens.dialogs import ConfirmScreen
from companion.tui.screens.live.cards import CardsPanel
from companion.tui.screens.live.clock import SessionClock
from companion.tui.screens.live.notes import NotesPanel
from companion.tui.screens.live.prompts import PromptsPanel
from companion.tui.screens.live.recorder import RecorderPanel
from companion.tui.screens.live.transcript import LiveTranscriptPanel
from companion.tui.screens.summary import SummaryScreen
from companion.tui.widgets.codebook import CodeLegend, CodeStrip
from companion.tui.widgets.phase_stepper import PhaseStepper, StepperPhase

if TYPE_CHECKING:
    from companion.operations.recording import RecorderControls

LOGGED = ("note", "bookmark", "code", "phase", "quote")
"""What the notes log shows of everything stamped (prompts and cards tick themselves)."""


class LiveScreen(CompanionScreen):
    """One interview in progress (or opened again without a recorder)."""

    # The screen's own layout, read when it is first opened (not before the sessions
    # screen's first frame); scoped to this screen, on top of the app's companion.tcss.
    CSS = """
    #live-recorder {
        height: auto;
    }

    /* Narrow (80x24): every row the live screen can spare goes to the prompts and cards.
       The recording header takes two rows (device and disk share one), panels lose their
       frames (a title bar marks each), the note box is one row. */
    LiveScreen.-narrow RecordingHeader {
        height: 2;
    }

    LiveScreen.-narrow RecordingHeader > #rec-state,
    LiveScreen.-narrow RecordingHeader > #rec-elapsed,
    LiveScreen.-narrow RecordingHeader > #rec-info {
        height: 2;
    }

    LiveScreen.-narrow RecordingHeader #rec-lines {
        height: 1;
        layout: horizontal;
    }

    LiveScreen.-narrow RecordingHeader #rec-device {
        width: 1fr;
    }

    LiveScreen.-narrow RecordingHeader #rec-disk {
        width: auto;
        padding-left: 2;
    }

    LiveScreen.-narrow .panel {
        border: none;
    }

    LiveScreen.-narrow .panel-title {
        background: $boost;
    }

    /* A title is one row: its keys come first, the rest may be cut. */
    LiveScreen .panel-title {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }

    LiveScreen.-narrow #live-prompts {
        margin-right: 1;
    }

    LiveScreen.-narrow #live-notes {
        height: auto;
    }

    LiveScreen.-narrow #note-log {
        height: 2;
    }

    LiveScreen.-narrow #note-row {
        height: 1;
    }

    LiveScreen.-narrow #note-stamp {
        padding: 0 1;
    }

    LiveScreen.-narrow #note-input {
        border: none;
        height: 1;
        padding: 0 1;
    }

    #live-alert {
        display: none;
        height: auto;
        background: $error;
        color: $text;
        text-style: bold;
        padding: 0 1;
    }

    #live-alert.-shown {
        display: block;
    }

    #live-stepper {
        padding: 0 1;
        background: $boost;
    }

    /* One row at 80 columns, cut with "…" (wrapped into one row it stopped mid-sentence,
       as if that were all the phase asked). */
    #live-purpose {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-style: italic;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }

    LiveScreen.-wide #live-purpose {
        height: auto;
        max-height: 3;
        text-wrap: wrap;
    }

    #live-body {
        height: 1fr;
    }

    #live-prompts, #live-suggestions {
        width: 1fr;
    }

    #live-codes {
        width: 34;
        display: none;
    }

    LiveScreen.-wide #live-codes {
        display: block;
    }

    /* All ten codes in view: one line each, cut with an ellipsis rather than wrapped. */
    #code-legend {
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
    }

    /* Narrow: no room for the codebook column; its keys on one line above the notes. */
    #code-strip {
        height: 1;
        padding: 0 1;
    }

    LiveScreen.-wide #code-strip {
        display: none;
    }

    #live-notes {
        height: 8;
    }

    /* Wide: the codebook column needs 13 rows for all ten codes, beside the live transcript
       (talk bar and three lines) and the notes; the notes gave up rows they left empty. */
    LiveScreen.-wide #live-notes {
        height: 8;
    }

    LiveScreen.-wide #live-transcript.panel {
        height: 7;
    }

    #live-transcript-head {
        height: 1;
    }

    #live-transcript-head > .panel-title {
        width: auto;
    }

    LiveScreen.-narrow #live-transcript {
        height: auto;
    }

    LiveScreen.-narrow #live-lines {
        height: 2;
    }

    #note-row {
        height: 3;
    }

    #note-stamp {
        width: 18;
        padding: 1 1 0 1;
        color: $accent;
        text-style: bold;
    }
    """

    INTERVIEW = True
    FOOTER_KEEPS = ("next_phase", "bookmark", "pause", "resume", "stop", "finish")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "next_phase", "Next phase", id="live.next-phase",
                tooltip="Move on to the next phase; its start is stamped on the timeline"),
        # Asked and Used are named in their panels' titles (F3, F4); out of the footer,
        # which has no room for them at 80 columns.
        Binding("f3", "prompt_asked", "Asked", id="live.prompt-asked", show=False,
                tooltip="Mark the highlighted prompt as asked, at this moment"),
        Binding("f4", "suggestion_used", "Used", id="live.suggestion-used", show=False,
                tooltip="Mark the highlighted suggested question as used, at this moment"),
        Binding("f5", "bookmark", "Bookmark", id="live.bookmark",
                tooltip="Drop a bookmark at this moment of the recording"),
        # One key, one id (a keymap moves both); check_action shows the one that applies.
        Binding("f6", "pause", "Pause", id="live.pause",
                tooltip="Pause the recording (the timeline stops with it)"),
        Binding("f6", "resume", "Resume", id="live.pause",
                tooltip="Resume the paused recording"),
        # Priority: the note box must not take it. The next key names the code.
        Binding("ctrl+t", "tag_next", "Tag", id="live.tag", priority=True,
                tooltip="Tag this moment with a code: press Ctrl+T, then the code's key "
                        "(Alt with the code's key does the same at once)"),
        Binding("f9", "retry_recording", "Retry recording", id="live.retry",
                tooltip="Try again to start the recording (after connecting the microphone)"),
        Binding("f10", "stop", "Stop", id="live.stop",
                tooltip="Stop recording (asks first) and go to the session summary"),
        # When the recording ended by itself (a limit, a full disk) F10 only moves on.
        Binding("f10", "finish", "Summary", id="live.stop",
                tooltip="The recording has ended: go to the session summary"),
        Binding("up", "prompt_cursor(-1)", "Prompt ↑", id="live.prompt-up", show=False,
                tooltip="Highlight the previous prompt"),
        Binding("down", "prompt_cursor(1)", "Prompt ↓", id="live.prompt-down", show=False,
                tooltip="Highlight the next prompt"),
        Binding("pageup", "suggestion_cursor(-1)", "Suggestion ↑", id="live.suggestion-up",
                show=False, tooltip="Highlight the previous suggested question"),
        Binding("pagedown", "suggestion_cursor(1)", "Suggestion ↓", id="live.suggestion-down",
                show=False, tooltip="Highlight the next suggested question"),
        Binding("escape", "cancel_note", "Clear note", id="live.clear-note", show=False,
                tooltip="Throw away the note being typed"),
        # Named in the live transcript's title (it means nothing without one).
        Binding("f7", "pin_quote", "Pin quote", id="live.pin-quote", show=False,
                tooltip="Keep the highlighted live line as a quote (a card in deepening)"),
        Binding("ctrl+up", "line_cursor(-1)", "Line ↑", id="live.line-up", show=False,
                tooltip="Highlight the previous live transcript line"),
        Binding("ctrl+down", "line_cursor(1)", "Line ↓", id="live.line-down", show=False,
                tooltip="Highlight the next live transcript line"),
    ]

    def __init__(
        self,
        session_id: int,
        *,
        recorder: RecorderControls | None = None,
        recorder_factory: RecorderFactory | None = None,
        clock: Callable[[], int] | None = None,
        poll_interval: float = 0.1,
    ) -> None:
        """``recorder``: one already made; ``recorder_factory``: make and start one in a
        worker; neither: the session opened again without recording (the clock counts
        from the opening). ``clock`` fixes the session clock (tests and snapshots)."""
        super().__init__()
        self.session_id = session_id
        self.clock = SessionClock(clock)
        self.poll_interval = poll_interval
        self.protocol: Protocol | None = None
        self.phase_index = 0
        self.phase_started_ms = 0
        # Made here, not in compose: the footer asks check_action before they are shown.
        self.transcript = LiveTranscriptPanel(session_id, poll_interval=poll_interval,
                                              id="live-transcript", classes="panel")
        self.recorder_panel = RecorderPanel(
            session_id, self.clock, recorder=recorder, recorder_factory=recorder_factory,
            beside=[self.transcript], poll_interval=poll_interval, id="live-recorder")
        self.prompts = PromptsPanel(session_id, id="live-prompts", classes="panel")
        self.cards = CardsPanel(session_id, id="live-suggestions", classes="panel")
        self.notes = NotesPanel(session_id, self.clock, id="live-notes", classes="panel")

    @property
    def recorder(self) -> RecorderControls | None:
        """The running recorder (None before it started, or without one)."""
        return self.recorder_panel.recorder

    @property
    def recording_active(self) -> bool:
        """A recording is starting, running or paused here (leaving must ask first)."""
        return self.recorder_panel.recording_active

    @property
    def phase(self) -> Phase:
        assert self.protocol is not None
        return self.protocol.phases[self.phase_index]

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.recorder_panel
        yield PhaseStepper(id="live-stepper")
        yield Static("", id="live-purpose", markup=False)  # the protocol's words
        with Horizontal(id="live-body"):
            yield self.prompts
            yield self.cards
            with Vertical(id="live-codes", classes="panel"):
                yield Static("Codes · ^T then key", classes="panel-title")
                yield CodeLegend(id="code-legend")
        yield CodeStrip(id="code-strip")
        yield self.transcript
        yield self.notes
        yield FittingFooter()

    # -- start ------------------------------------------------------------------------

    def on_mount(self) -> None:
        study = self.companion.study
        overview = sessions.overview(study, self.session_id)
        protocol = self.protocol = overview.protocol
        self.sub_title = f"{overview.session.participant_code} · session {self.session_id}"
        self._bind_code_keys()
        self.query_one(CodeLegend).show(protocol)
        self.query_one(CodeStrip).show(protocol)
        self.query_one(PhaseStepper).phases = tuple(
            StepperPhase(p.id, p.title, p.target_minutes) for p in protocol.phases)
        self.recorder_panel.start()  # first: the clock holds at where the recording begins
        titles = {p.id: p.title for p in protocol.phases}
        phase_lines = [(int(e["at_ms"]), titles.get(e["phase_id"], str(e["phase_id"])))
                       for e in overview.phases]
        if overview.phases:
            last = overview.phases[-1]
            ids = [p.id for p in protocol.phases]
            self.phase_index = ids.index(last["phase_id"]) if last["phase_id"] in ids else 0
            self.phase_started_ms = int(last["at_ms"])
        else:
            at = self.clock()
            marks.mark_phase(study, self.session_id, protocol.phases[0].id, at)
            self.phase_started_ms = at
            phase_lines.append((at, protocol.phases[0].title))
        self.notes.show_history(protocol, overview.notes, phase_lines)
        continues_at = self.recorder_panel.continues_at_ms
        if continues_at is not None:
            # Continuing a stopped session: the time between the two is a pause.
            self.notes.add_line(continues_at, "pause", "stopped here; continued in a new segment")
        self.cards.show(protocol, ratings.suggestions(study, self.session_id), self.phase.id)
        self._learn_script()
        self._show_phase()
        self.notes.restore_draft()
        self._tick()
        self.set_interval(self.poll_interval, self._tick, name="phase-clock")
        self.notes.focus_input()

    def _bind_code_keys(self) -> None:
        """Alt+key for each code with a quick key; the footer shows one entry for them all."""
        assert self.protocol is not None
        codes = [c for c in self.protocol.codes if c.key]
        label = "Alt+0‥9" if all(str(c.key).isdigit() for c in codes) else "Alt+key"
        for index, code in enumerate(codes):
            self._bindings.bind(f"alt+{code.key}", f"tag_code({code.key!r})", "Code",
                                show=False,
                                key_display=label if index == 0 else f"Alt+{code.key}")
            binding = self._bindings.key_to_bindings[f"alt+{code.key}"][-1]
            # What the palette offers: one line per code, with its own key.
            self._bindings.key_to_bindings[f"alt+{code.key}"][-1] = replace(
                binding, tooltip=f"Tag this moment {code.id} {code.name}")
        self.refresh_bindings()

    # -- the phase ----------------------------------------------------------------------

    def _show_phase(self) -> None:
        phase = self.phase
        self.query_one(PhaseStepper).current = self.phase_index
        self.query_one("#live-purpose", Static).update(" ".join(phase.purpose.split()))
        self.prompts.show_phase(phase)
        self.cards.show_phase(phase.id)
        self.transcript.since_ms = self.phase_started_ms

    def _tick(self) -> None:
        """The time spent in this phase, against its target."""
        self.query_one(PhaseStepper).in_phase_ms = max(self.clock() - self.phase_started_ms, 0)

    def action_next_phase(self) -> None:
        assert self.protocol is not None
        following = self.protocol.next_phase(self.phase.id)
        if following is None:
            self.notify("This is the last phase. F10 stops the recording.",
                        severity="information")
            return
        at = self.clock()
        marks.mark_phase(self.companion.study, self.session_id, following.id, at)
        self.phase_index += 1
        self.phase_started_ms = at
        self._show_phase()
        self._tick()
        self.post_message(Stamped(self.session_id, "phase", at, following.id, following.title))

    # -- what the panels say -----------------------------------------------------------

    @on(Stamped)
    def _log_stamp(self, event: Stamped) -> None:
        if event.kind in LOGGED:
            self.notes.add_line(event.at_ms, event.kind, event.shown)

    @on(RecorderPanel.Ready)
    @on(RecorderPanel.Failed)
    @on(RecorderPanel.Ended)
    def _recorder_changed(self) -> None:
        self.refresh_bindings()  # f6, f9, f10 follow the recorder: the footer must show it

    @on(RecorderPanel.PauseChanged)
    def _paused(self, event: RecorderPanel.PauseChanged) -> None:
        self.refresh_bindings()
        self.notes.add_line(event.at_ms, "pause", "paused" if event.paused else "resumed")

    @on(RecorderPanel.DeviceChanged)
    def _device(self, event: RecorderPanel.DeviceChanged) -> None:
        back = f"microphone back after {event.away_s} s" if event.away_s else "microphone back"
        self.notes.add_line(event.at_ms, "pause", "microphone lost" if event.lost else back)

    @on(RecorderPanel.Stopped)
    def _stopped(self) -> None:
        self._go_to_summary()

    @on(LiveTranscriptPanel.Heard)
    def _heard(self, event: LiveTranscriptPanel.Heard) -> None:
        self.cards.hear(event.lines)

    @on(LiveTranscriptPanel.Pinned)
    def _pinned(self, event: LiveTranscriptPanel.Pinned) -> None:
        if event.typed:
            self.notes.clear()  # the words typed became the quote
        self.cards.refresh_cards()  # a quote is a card in the phases that return to it
        self._learn_script()  # reading that card out is the interviewer speaking

    def _learn_script(self) -> None:
        """What the interviewer may read out: every phase's prompts and follow-ups, and
        what the cards ask (a line without a speaker that reads it is the interviewer's)."""
        assert self.protocol is not None
        prompts = [text for phase in self.protocol.phases for prompt in phase.prompts
                   for text in (prompt.text, *prompt.follow_ups)]
        self.transcript.script.add([*prompts, *self.cards.script()])

    # -- keys ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """f6 reads Pause while recording and Resume while paused; once the recording
        is stopping (or ended by itself) neither, and F10 is not offered again."""
        panel = self.recorder_panel
        if action == "retry_recording":
            return panel.can_retry
        if action in ("pause", "resume") and (panel.recorder is None or panel.stopping):
            return False  # nothing to pause: f6 stays out of the footer
        if action == "stop":
            return not panel.stopping
        if action == "finish":
            return panel.ended and not panel.stop_asked
        if action == "pause":
            return not panel.paused
        if action == "resume":
            return panel.paused
        return True

    def action_pause(self) -> None:
        self.recorder_panel.pause_or_resume("pause")

    def action_resume(self) -> None:
        self.recorder_panel.pause_or_resume("resume")

    def action_retry_recording(self) -> None:
        self.recorder_panel.retry()
        self.refresh_bindings()

    def action_stop(self) -> None:
        if self.recorder is None:
            self.finish()
            return
        self.app.push_screen(
            ConfirmScreen("Stop the recording?",
                          "The recording ends here; you go on to the session summary. "
                          "You can continue later as a new segment.",
                          yes="Stop", no="Keep recording"),
            self._confirmed_stop,
        )

    def _confirmed_stop(self, answer: bool | None) -> None:
        if answer:
            self.finish()

    def action_finish(self) -> None:
        self.finish()

    def finish(self) -> None:
        """Stop recording (in a worker) and move on to the summary of this session."""
        if self.recorder is None:
            self._go_to_summary()
        else:
            self.recorder_panel.stop()
            self.refresh_bindings()  # F6 and F10 leave the footer: nothing to pause or stop

    def _go_to_summary(self) -> None:
        self.app.switch_screen(SummaryScreen(self.session_id))

    def action_bookmark(self) -> None:
        self.notes.bookmark()

    def action_tag_code(self, key: str) -> None:
        self.notes.tag(key)

    def action_tag_next(self) -> None:
        self.notes.tag_next()

    def action_cancel_note(self) -> None:
        self.notes.clear()

    def action_prompt_cursor(self, step: int) -> None:
        self.prompts.move(step)

    def action_prompt_asked(self) -> None:
        self.prompts.mark_asked(self.clock())

    def action_suggestion_cursor(self, step: int) -> None:
        self.cards.move(step)

    def action_suggestion_used(self) -> None:
        self.cards.use_current(self.clock())

    def action_pin_quote(self) -> None:
        self.transcript.pin(self.notes.typed)

    def action_line_cursor(self, step: int) -> None:
        self.transcript.move(step)
