"""The live interview: recording state, phases, prompts, suggestions, notes and tags.

Focus stays in the note box the whole time, so typing always starts a note and everything
typed is text; every other action is one function key (overridable in the study's
``[keymap]``), and Alt with a codebook quick key (Alt+1) tags the moment, even mid-note.
Everything is written to the database the moment it happens, on the UI thread (single-row
writes take about a millisecond).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from companion.audio.status import RecorderStatus
from companion.errors import CompanionError
from companion.notation import format_hms
from companion.operations import marks, notes, ratings, sessions
from companion.protocol.model import Phase, Protocol
from companion.protocol.suggestions import Suggestion
from companion.tui.footer import FittingFooter
from companion.tui.messages import Stamped
from companion.tui.recording import MonotonicClock, RecorderFactory, RecorderLike
from companion.tui.screens.live_recorder import LiveRecorderMixin
from companion.tui.screens.live_transcript import LiveTranscriptMixin
from companion.tui.widgets.codebook import CodeLegend, CodeStrip
from companion.tui.widgets.live_transcript import LiveTranscriptPanel, TalkBar
from companion.tui.widgets.note_input import NoteInput
from companion.tui.widgets.note_log import NoteLog
from companion.tui.widgets.phase_stepper import PhaseStepper, StepperPhase
from companion.tui.widgets.prompt_list import CursorList, Entry, PromptList, SuggestionList

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp

__all__ = ["LiveScreen", "NoteLog"]


class LiveScreen(LiveRecorderMixin, LiveTranscriptMixin, Screen[None]):
    """One interview in progress (or reviewed again without a recorder)."""

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
        Binding("f7", "pin_quote", "Pin quote", id="live.pin-quote",
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
        recorder: RecorderLike | None = None,
        recorder_factory: RecorderFactory | None = None,
        clock: Callable[[], int] | None = None,
        poll_interval: float = 0.1,
    ) -> None:
        """``recorder``: one already made; ``recorder_factory``: make and start one in a
        worker; neither: review without recording (a monotonic clock stamps actions).
        ``clock`` overrides the session clock (tests and snapshots)."""
        super().__init__()
        self.session_id = session_id
        self.recorder = recorder
        self.recorder_factory = recorder_factory
        self._clock_override = clock
        self._review_clock = MonotonicClock()
        self._timeline_start_ms = 0
        self.poll_interval = poll_interval
        self.protocol: Protocol | None = None
        self.phase_index = 0
        self.phase_started_ms = 0
        self.suggestions: list[Suggestion] = []
        self._warned: set[str] = set()
        self._stopping = False
        self._failed = ""
        self._retry_factory: RecorderFactory | None = None
        self._tag_at = 0
        self._polls = 0
        """How many status polls ran (tests wait on it instead of on the clock)."""
        self._paused = False

    @property
    def companion(self) -> CompanionApp:
        return self.app  # type: ignore[return-value]

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from companion.tui.widgets.recording_header import RecordingHeader

        yield RecordingHeader(id="live-header")
        yield Static("", id="live-alert")
        yield PhaseStepper(id="live-stepper")
        yield Static("", id="live-purpose")
        with Horizontal(id="live-body"):
            with Vertical(id="live-prompts", classes="panel"):
                yield Static("Prompts", id="live-prompts-title", classes="panel-title")
                yield PromptList("No prompts in this phase.", id="prompt-list")
            with Vertical(id="live-suggestions", classes="panel"):
                yield Static("From the scores · PgUp/PgDn · F4", classes="panel-title")
                yield SuggestionList("No suggestions: enter the ratings in the set-up.",
                                     id="suggestion-list")
            with Vertical(id="live-codes", classes="panel"):
                yield Static("Codes · ^T then key", classes="panel-title")
                yield CodeLegend(id="code-legend")
        yield CodeStrip(id="code-strip")
        # Shown only while a live transcript runs (see LiveTranscriptMixin._live_poll).
        with Vertical(id="live-transcript", classes="panel") as panel:
            panel.display = False
            yield Static("Live transcript · F7 pins a quote · Ctrl+↑↓", classes="panel-title")
            yield TalkBar(id="talk-bar")
            yield LiveTranscriptPanel(id="live-lines")
        with Vertical(id="live-notes", classes="panel"):
            yield NoteLog(id="note-log")
            with Horizontal(id="note-row"):
                yield Static("new note", id="note-stamp")
                # Short enough to be read whole in the 80-column box.
                yield NoteInput(self._now, placeholder="Type a note, Enter saves "
                                "(Ctrl+T, digit: a code)", id="note-input")
        yield FittingFooter()

    # -- start ------------------------------------------------------------------------

    def on_mount(self) -> None:
        app = self.companion
        overview = sessions.overview(app.study, self.session_id)
        self.protocol = overview.protocol
        self.sub_title = f"{overview.session.participant_code} · session {self.session_id}"
        self._bind_code_keys()
        self.query_one(CodeLegend).show(self.protocol)
        self.query_one(CodeStrip).show(self.protocol)
        stepper = self.query_one(PhaseStepper)
        stepper.phases = tuple(StepperPhase(p.id, p.title, p.target_minutes)
                               for p in self.protocol.phases)
        self._start_recorder()
        if overview.phases:
            last = overview.phases[-1]
            ids = [p.id for p in self.protocol.phases]
            self.phase_index = ids.index(last["phase_id"]) if last["phase_id"] in ids else 0
            self.phase_started_ms = int(last["at_ms"])
        else:
            first = self.protocol.phases[0]
            at = self._now()
            marks.mark_phase(app.study, self.session_id, first.id, at)
            self.phase_started_ms = at
        log = self.query_one(NoteLog)
        titles = {p.id: p.title for p in self.protocol.phases}
        lines = [(note.at_ms or 0, self._note_kind(note), self._note_text(note))
                 for note in overview.notes if note.kind != "reflection"]
        lines += [(int(event["at_ms"]), "phase", titles.get(event["phase_id"],
                                                            str(event["phase_id"])))
                  for event in overview.phases]
        if not overview.phases:
            lines.append((self.phase_started_ms, "phase", self.phase.title))
        # A phase opens its moment: at the same time stamp it comes before the notes.
        for at_ms, kind, text in sorted(lines, key=lambda line: (line[0], line[1] != "phase")):
            log.add(at_ms, kind, text)
        if self.recording_expected and self._timeline_start_ms > 0:
            # Continuing a stopped session: the time between the two is a pause.
            log.add(self._timeline_start_ms, "pause",
                    "stopped here; continued in a new segment")
        self.suggestions = ratings.suggestions(app.study, self.session_id)
        used = {e["rule_id"] for e in overview.prompts if e["kind"] == "suggestion_used"}
        self.query_one(SuggestionList).set_entries(
            [Entry(s.rule_id, s.text, (f"why: {s.trigger or s.reason}",
                                       *(f"or: {w.text}" for w in s.alternatives)),
                   "italic dim") for s in self.suggestions], used)
        self._show_phase()
        self._restore_draft()
        self._poll()
        self.set_interval(self.poll_interval, self._poll, name="recorder-poll")
        self.query_one(NoteInput).focus()


    def _now(self) -> int:
        """The session time to stamp an action with: the recorder's frame clock if any."""
        if self._clock_override is not None:
            return int(self._clock_override())
        if self.recorder is not None:
            return int(self.recorder.session_ms())
        if self._failed:
            return self._timeline_start_ms  # nothing recorded: the clock does not run
        if self.recording_expected:
            return self._timeline_start_ms  # starting: the timeline has not moved yet
        return self._review_clock()

    @property
    def phase(self) -> Phase:
        assert self.protocol is not None
        return self.protocol.phases[self.phase_index]

    def _note_kind(self, note: notes.Note) -> str:
        if note.kind == "bookmark":
            return "bookmark"
        return "code" if note.codes and not note.text else "note"

    def _note_text(self, note: notes.Note) -> str:
        if note.kind == "bookmark":
            return note.text or "bookmark"
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

    def _show_phase(self) -> None:
        app = self.companion
        phase = self.phase
        stepper = self.query_one(PhaseStepper)
        stepper.current = self.phase_index
        self.query_one("#live-prompts-title", Static).update(
            f"Prompts · {phase.title} · ↑↓ · F3")
        self.query_one("#live-purpose", Static).update(" ".join(phase.purpose.split()))
        asked = {e["prompt_id"] for e in marks.prompt_marks(app.study, self.session_id)
                 if e["kind"] == "asked"}
        entries = [Entry(p.id, p.text.strip(), tuple(f"→ {f}" for f in p.follow_ups))
                   for p in phase.prompts]
        prompt_list = self.query_one(PromptList)
        prompt_list.cursor = 0
        prompt_list.set_entries(entries, asked)
        self._live_cards()

    def _poll(self) -> None:
        """Read the recorder's status snapshot (cheap) and show it; warn on changes."""
        from companion.tui.widgets.recording_header import RecordingHeader

        self._polls += 1

        if self.recorder is not None:
            status = self.recorder.status()
        elif self._failed:
            status = RecorderStatus(state="failed", session_ms=self._now(), message=self._failed)
        else:
            state = "starting" if self.recording_expected else "idle"
            status = RecorderStatus(state=state, session_ms=self._now())
        self.query_one(RecordingHeader).show(status, has_recorder=self.recording_expected
                                             or bool(self._failed))
        paused = status.state == "paused"
        if paused != self._paused:
            self._paused = paused
            self.refresh_bindings()
            self.query_one(NoteLog).add(status.session_ms, "pause",
                                        "paused" if paused else "resumed")
        now = self._now() if self._clock_override is not None else status.session_ms
        self.query_one(PhaseStepper).in_phase_ms = max(now - self.phase_started_ms, 0)
        self._warn(status)
        self._live_poll()

    def _stamp(self, kind: str, at_ms: int | None, ref: object, shown: str) -> None:
        if kind in ("note", "bookmark", "code", "phase", "quote"):
            self.query_one(NoteLog).add(at_ms, kind, shown)
        self.post_message(Stamped(self.session_id, kind, at_ms, ref))

    # -- notes ------------------------------------------------------------------------

    @on(NoteInput.Started)
    def _note_started(self, event: NoteInput.Started) -> None:
        self.query_one("#note-stamp", Static).update(f"note @ {format_hms(event.at_ms)}")

    @on(Input.Changed, "#note-input")
    def _keep_draft(self, event: Input.Changed) -> None:
        """Keep the note being typed in the database too: a crash loses nothing typed."""
        box = self.query_one(NoteInput)
        notes.save_draft(self.companion.study, self.session_id,
                         notes.Draft(box.started_ms, event.value))

    def _restore_draft(self) -> None:
        draft = notes.load_draft(self.companion.study, self.session_id)
        if draft is None:
            return
        box = self.query_one(NoteInput)
        box.value = draft.text
        box.started_ms = draft.at_ms
        if draft.at_ms is not None:
            self.query_one("#note-stamp", Static).update(f"note @ {format_hms(draft.at_ms)}")
        self.notify("The note you were typing before the interruption is back in the box.")

    @on(Input.Submitted, "#note-input")
    def _save_note(self, event: Input.Submitted) -> None:
        box = self.query_one(NoteInput)
        text = event.value.strip()
        if not text:
            return
        at = box.started_ms if box.started_ms is not None else self._now()
        app = self.companion
        try:
            note = notes.commit_draft(app.study, self.session_id, text, at_ms=at)
        except CompanionError as exc:
            self.notify(str(exc), severity="error")
            return
        box.reset()
        self.query_one("#note-stamp", Static).update("new note")
        self._stamp("note", note.at_ms, note.id, self._note_text(note))

    def action_cancel_note(self) -> None:
        notes.clear_draft(self.companion.study, self.session_id)
        self.query_one(NoteInput).reset()
        self.query_one("#note-stamp", Static).update("new note")

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

    def action_tag_code(self, key: str) -> None:
        self.tag_code(key)

    def action_tag_next(self) -> None:
        """Ctrl+T: the moment is now; the next key says which code."""
        box = self.query_one(NoteInput)
        box.code_key_next = True
        self._tag_at = self._now()
        self.query_one("#note-stamp", Static).update(f"tag @ {format_hms(self._tag_at)}: key?")

    @on(NoteInput.CodeKey)
    def _code_key(self, event: NoteInput.CodeKey) -> None:
        box = self.query_one(NoteInput)
        stamp = "new note" if box.started_ms is None else f"note @ {format_hms(box.started_ms)}"
        self.query_one("#note-stamp", Static).update(stamp)
        if event.key:
            self.tag_code(event.key, self._tag_at)

    def tag_code(self, key: str, at_ms: int | None = None) -> None:
        """Tag the current moment (or ``at_ms``) with the code bound to ``key``."""
        assert self.protocol is not None
        code = self.protocol.code_for_key(key)
        if code is None:
            self.notify(f"No code on key {key}.", severity="warning")
            return
        at = self._now() if at_ms is None else at_ms
        app = self.companion
        note = notes.add_note(app.study, self.session_id, "", at_ms=at,
                                  codes=[code.id])
        self._stamp("code", at, note.id, self._note_text(note))

    def action_bookmark(self) -> None:
        at = self._now()
        app = self.companion
        note = notes.add_note(app.study, self.session_id, "", at_ms=at,
                                  kind="bookmark")
        self._stamp("bookmark", at, note.id, "bookmark")

    # -- phases, prompts, suggestions -------------------------------------------------

    def action_next_phase(self) -> None:
        assert self.protocol is not None
        following = self.protocol.next_phase(self.phase.id)
        if following is None:
            self.notify("This is the last phase. F10 stops the recording.",
                        severity="information")
            return
        at = self._now()
        app = self.companion
        marks.mark_phase(app.study, self.session_id, following.id, at)
        self.phase_index += 1
        self.phase_started_ms = at
        self._show_phase()
        self._poll()
        self._stamp("phase", at, following.id, following.title)

    def action_prompt_cursor(self, step: int) -> None:
        self.query_one(PromptList).move(step)

    def action_suggestion_cursor(self, step: int) -> None:
        self.query_one(SuggestionList).move(step)

    def action_prompt_asked(self) -> None:
        self._mark(self.query_one(PromptList), "asked")

    def action_suggestion_used(self) -> None:
        self._mark(self.query_one(SuggestionList), "suggestion_used")

    def _mark(self, items: CursorList, kind: str) -> None:
        """Stamp the highlighted prompt (asked) or suggestion (used) on the timeline."""
        entry = items.current
        if entry is None:
            return
        at = self._now()
        # A prompt is named by its id in the protocol, a suggestion by the rule behind it.
        ref = {"prompt_id": entry.key} if kind == "asked" else {"rule_id": entry.key}
        marks.mark_prompt(self.companion.study, self.session_id, kind=kind,
                          text=entry.text, at_ms=at, **ref)
        items.mark(entry.key)
        if kind == "suggestion_used":
            self._live_cards()  # a card used drops away
        self._stamp("asked" if kind == "asked" else "used", at, entry.key, entry.text)

