"""Review a session: its timeline, the transcript with notes in place, playback, edits.

Left: the timeline (phases, interruptions of the recording, prompts asked, suggestions
used, notes, bookmarks, code tags). Right: the transcript, speaker by speaker, with pause
marks, the notes at their times and a line where the recording broke off.
Enter plays from the highlighted line; Space pauses; ←/→ skip 5 s; the segment being
played is highlighted. ``e`` corrects a segment's text or a note, ``s`` changes who spoke,
``x`` splits a segment at a word, ``w`` gives it to the other speaker, ``R`` renames a
speaker for the whole session, ``n`` writes a note at the moment being played. Every edit
is a new version: the original stays in the audit log. The head shows the talk-time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from companion.audio.play import SKIP_MS, Player, PlayerLike
from companion.errors import CompanionError
from companion.notation import format_hms
from companion.operations import notes, recording, review
from companion.operations.pseudonymise import Finding
from companion.session.document import Entry, SessionDocument, memo_text
from companion.session.separation import uncertain_text
from companion.tui.context import CompanionScreen
from companion.tui.faults import playback_problem
from companion.tui.footer import FittingFooter
from companion.tui.screens.review_findings import FindingsPanel, marked
from companion.tui.symbols import SYMBOLS
from companion.tui.widgets.text_prompt import TextPrompt

PlayerFactory = Callable[["ReviewScreen"], PlayerLike]

# The bookmark's flag as on the live screen (SYMBOLS); a star reads as "suggestion used".
NOTE_ICON = {"note": "✎", "bookmark": "⚑", "reflection": "✎", "quote": "❝"}


@dataclass(frozen=True)
class Row:
    key: str
    entry: Entry


def default_player_factory(screen: ReviewScreen) -> PlayerLike:
    study = screen.companion.study
    return Player.for_session(study.root, recording.audio_segments(
        study, screen.session_id))


class ReviewScreen(CompanionScreen):
    """One session, reviewed: timeline, transcript, playback and versioned edits."""

    DEFAULT_CSS = """
    ReviewScreen #review-head { height: auto; padding: 0 1; background: $boost; }
    ReviewScreen #review-body { height: 1fr; }
    ReviewScreen #timeline { width: 40%; min-width: 30; }
    ReviewScreen #transcript { width: 1fr; }
    ReviewScreen OptionList { height: 1fr; }
    ReviewScreen .pane-title { text-style: bold; padding: 0 1; }
    """

    # At 80 columns the footer has room for about half the keys: these stay.
    FOOTER_KEEPS = ("play_pause", "edit", "swap", "rename", "back")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "play_here", "Play here", id="review.play-here",
                tooltip="Play the recording from the highlighted line"),
        Binding("space", "play_pause", "Play/pause", id="review.toggle",
                tooltip="Pause, or go on playing"),
        Binding("left", "skip(-1)", "−5 s", id="review.back", tooltip="Skip back 5 seconds"),
        Binding("right", "skip(1)", "+5 s", id="review.forward",
                tooltip="Skip forward 5 seconds"),
        Binding("e", "edit", "Edit", id="review.edit",
                tooltip="Correct the highlighted segment's text, or edit the note"),
        Binding("s", "speaker", "Speaker", id="review.speaker",
                tooltip="Change who spoke the highlighted segment"),
        Binding("x", "split", "Split", id="review.split",
                tooltip="Split the highlighted segment at a word: two turns"),
        Binding("n", "note", "Note here", id="review.note",
                tooltip="Write a note at the moment being played"),
        Binding("slash", "search", "Search", id="review.search",
                tooltip="Search notes and transcripts of every session"),
        Binding("w", "swap", "Swap", id="review.swap",
                tooltip="Give the highlighted segment to the session's other speaker"),
        Binding("R", "rename", "Rename", id="review.rename",
                tooltip="Rename the highlighted segment's speaker in the whole session"),
        Binding("D", "doubtful", "Doubtful", id="review.doubtful",
                tooltip="Mark the words whose speaker the separation was unsure of"),
        Binding("i", "identifiers", "Identifiers", id="review.identifiers",
                tooltip="The names, places and dates found: accept or reject each"),
        Binding("escape", "back", "Back", id="review.back-screen", tooltip="Close the review"),
    ]

    def __init__(self, session_id: int, *, at_ms: int | None = None,
                 player_factory: PlayerFactory | None = None) -> None:
        super().__init__()
        self.session_id = session_id
        self.start_at_ms = at_ms
        self.player_factory = player_factory or default_player_factory
        self.player: PlayerLike | None = None
        self.playback_problem = ""
        """Set when no output device could play: review goes on without sound."""
        self.doc: SessionDocument | None = None
        self.transcript_rows: list[Row] = []
        self.timeline_rows: list[Row] = []
        self.current_segment: int | None = None
        self._head_base = ""
        self._head_shown = ""
        self.show_doubtful = False
        """D marks the segments holding words the separation was unsure of."""
        self.findings: list[Finding] = []
        """The session's identifiers, as the findings panel last read them."""

    # --- building --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="review-head")
        with Horizontal(id="review-body"):
            with Vertical(id="timeline"):
                yield Static("Timeline", classes="pane-title")
                yield OptionList(id="timeline-list")
            with Vertical(id="transcript"):
                yield Static("Transcript", classes="pane-title")
                yield OptionList(id="transcript-list")
        yield FindingsPanel(self.companion.study, self.session_id, widget_id="findings")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.reload()
        if self.start_at_ms is not None:
            self.go_to(self.start_at_ms)
        self.query_one("#transcript-list", OptionList).focus()
        self.set_interval(0.1, self.follow_player)
        self.offer_enrolment()

    def on_unmount(self) -> None:
        if self.player is not None:
            self.player.close()
            self.player = None

    def _label(self, entry: Entry) -> Text:
        doc = self.doc
        assert doc is not None
        stamp = f"[{format_hms(entry.at_ms)}] "
        if entry.kind == "phase":
            return Text(f"── {entry.text} {stamp}──", style="bold")
        if entry.kind == "interruption":
            return Text(f"{stamp}{SYMBOLS['interruption']}{entry.text}", style="bold yellow")
        if entry.kind == "pause":
            return Text(f"{' ' * 11}{entry.text}", style="dim")
        if entry.kind == "segment":
            text = Text(stamp, style="dim")
            if self.show_doubtful and self._doubtful(entry):
                text.append("?? ", style="bold reverse yellow")
            text.append(f"{doc.speaker_label(entry.speaker) or '?'}: ", style="bold")
            text.append_text(marked(entry.text, [
                f for f in self.findings if f.source == "segment" and f.ref_id == entry.ref_id]))
            return text
        if entry.kind == "prompt":
            verb = "Suggestion used" if entry.sub == "suggestion_used" else "Asked"
            return Text(f"{stamp}▸ {verb}: {entry.text}", style="italic cyan")
        icon = NOTE_ICON.get(entry.sub or "note", "✎")
        body = memo_text(doc, entry).strip("[]")
        return Text(f"{stamp}{icon} {body}", style="italic yellow")

    def reload(self) -> None:
        """(Re)read the session from the store, keeping the highlighted lines."""
        self.doc = review.document(self.companion.study, self.session_id)
        doc = self.doc
        transcript = self.query_one("#transcript-list", OptionList)
        timeline = self.query_one("#timeline-list", OptionList)
        keep_t, keep_l = transcript.highlighted, timeline.highlighted
        self.transcript_rows = [Row(self._key(e), e) for e in doc.entries]
        self.timeline_rows = [Row(self._key(e), e) for e in doc.entries
                              if e.kind in ("phase", "interruption", "prompt", "note")]
        transcript.clear_options()
        transcript.add_options([Option(self._label(r.entry), id=r.key)
                                for r in self.transcript_rows])
        timeline.clear_options()
        timeline.add_options([Option(self._label(r.entry), id=r.key)
                              for r in self.timeline_rows])
        if self.transcript_rows:
            transcript.highlighted = min(keep_t or 0, len(self.transcript_rows) - 1)
        if self.timeline_rows:
            timeline.highlighted = min(keep_l or 0, len(self.timeline_rows) - 1)
        s = doc.session
        transcript_state = "" if doc.has_transcript else "  (no transcript yet)"
        self._head_base = (f"Session {s.id} · {doc.participant.code} · {s.status}"
                           f"{' · pilot' if s.pilot else ''} · {format_hms(doc.duration_ms)}"
                           f"{transcript_state}")
        if doc.has_transcript:
            from companion.speakers.talktime import describe, talk_time_data

            self._head_base += "\ntalk-time: " + describe(
                talk_time_data(doc.segments, doc.phases)["overall"])
            doubt = uncertain_text(doc.separation, doc.session.id)
            if doubt:
                self._head_base += f"\n{doubt}"
            spans = (doc.separation or {}).get("doubtful") or []
            if spans:
                self._head_base += (f"\nD marks the {len(spans)} stretches whose speaker "
                                    "the separation was unsure of")
        self._show_head()

    def _show_head(self) -> None:
        state = ""
        if self.player is not None:
            state = (f"  {'▶' if self.player.playing else '⏸'} "
                     f"{format_hms(self.player.position_ms)}")
        elif self.playback_problem:
            state = "  playback unavailable (no audio output)"
        head = self._head_base + state
        if head != self._head_shown:  # ten times a second: redraw only on a change
            self._head_shown = head
            self.query_one("#review-head", Static).update(head)

    @staticmethod
    def _key(entry: Entry) -> str:
        key = f"{entry.kind}-{entry.ref_id if entry.ref_id is not None else entry.at_ms}"
        return f"{key}-{entry.part}" if entry.part else key  # a segment cut by a note

    # --- where we are ------------------------------------------------------------------

    def _focused_row(self) -> Row | None:
        timeline = self.query_one("#timeline-list", OptionList)
        if timeline.has_focus:
            index, rows = timeline.highlighted, self.timeline_rows
        else:
            index = self.query_one("#transcript-list", OptionList).highlighted
            rows = self.transcript_rows
        if index is None or not 0 <= index < len(rows):
            return None
        return rows[index]

    def go_to(self, at_ms: int) -> None:
        """Highlight the transcript line at ``at_ms`` (the last one starting at or before)."""
        index = 0
        for i, row in enumerate(self.transcript_rows):
            if row.entry.at_ms <= at_ms:
                index = i
            else:
                break
        if self.transcript_rows:
            self.query_one("#transcript-list", OptionList).highlighted = index

    def segment_at(self, at_ms: int) -> int | None:
        """The row index of the segment being spoken at ``at_ms`` (None between turns)."""
        for i, row in enumerate(self.transcript_rows):
            e = row.entry
            if e.kind == "segment" and e.at_ms <= at_ms < (e.end_ms or e.at_ms):
                return i
        return None

    def follow_player(self) -> None:
        """Highlight the segment being played (called ten times a second); the head says
        ▶ only while it plays (paused, or at the end, ⏸)."""
        if self.player is None:
            return
        if not self.player.playing:
            self._show_head()
            return
        index = self.segment_at(self.player.position_ms)
        if index is not None:
            entry = self.transcript_rows[index].entry
            if entry.ref_id != self.current_segment:
                self.current_segment = entry.ref_id
                self.query_one("#transcript-list", OptionList).highlighted = index
        self._show_head()

    # --- playback ------------------------------------------------------------------------

    def _ensure_player(self) -> PlayerLike | None:
        if self.playback_problem:
            return None  # said once; the head keeps saying it
        if self.player is None:
            try:
                self.player = self.player_factory(self)
            except CompanionError as exc:
                self.notify(str(exc), severity="error")
                return None
        return self.player

    def _playing(self, start: Callable[[PlayerLike], object]) -> None:
        """Start or toggle playback; without an output device say so once, calmly, and
        keep everything else working (the review is still readable and editable)."""
        player = self._ensure_player()
        if player is None:
            return
        try:
            start(player)
        except Exception as exc:  # PortAudio: no output device, device busy, …
            self.playback_problem = playback_problem(exc)
            with contextlib.suppress(Exception):
                player.close()
            self.player = None
            self.notify(self.playback_problem, title="Playback", severity="warning",
                        timeout=20)
            self._show_head()

    def action_play_here(self) -> None:
        row = self._focused_row()
        if row is None:
            return
        if self.query_one("#timeline-list", OptionList).has_focus:
            self.go_to(row.entry.at_ms)
        at_ms = row.entry.at_ms
        self._playing(lambda player: player.play(at_ms))
        self.current_segment = None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a line of either list (the lists take Enter themselves)."""
        event.stop()
        self.action_play_here()

    def action_play_pause(self) -> None:
        self._playing(lambda player: player.toggle())

    def action_skip(self, direction: int) -> None:
        if self.player is not None:
            self.player.skip(direction * SKIP_MS)

    # --- edits -----------------------------------------------------------------------------

    def action_edit(self) -> None:
        row = self._focused_row()
        if row is None:
            return
        entry = row.entry
        if entry.kind == "segment" and entry.ref_id is not None:
            current = review.get_segment(self.companion.study, entry.ref_id).text
            self.app.push_screen(
                TextPrompt(f"Correct the segment at {format_hms(entry.at_ms)}", current),
                partial(self._save_segment, entry.ref_id))
        elif entry.kind == "note" and entry.ref_id is not None:
            note = notes.get_note(self.companion.study, entry.ref_id)
            self.app.push_screen(
                TextPrompt(f"Edit the {note.kind} at {format_hms(entry.at_ms)}", note.text),
                partial(self._save_note, entry.ref_id))
        else:
            self.notify("Only a transcript segment or a note can be edited.")

    def _save_segment(self, segment_id: int, text: str | None) -> None:
        if text is not None:
            self._apply(partial(review.correct_segment, self.companion.study, segment_id, text))

    def _save_note(self, note_id: int, text: str | None) -> None:
        if text is not None:
            self._apply(partial(notes.edit_note, self.companion.study, note_id, text=text))

    def _highlighted_segment(self, to_do: str) -> tuple[int, Entry] | None:
        """The highlighted transcript segment's id and entry; else say what to highlight."""
        row = self._focused_row()
        if row is None or row.entry.kind != "segment" or row.entry.ref_id is None:
            self.notify(f"Highlight a transcript segment to {to_do}.")
            return None
        return row.entry.ref_id, row.entry

    def _apply(self, change: Callable[[], object]) -> None:
        """Make ``change`` through an operation and show the result (or say why not)."""
        try:
            change()
        except CompanionError as exc:
            self.notify(str(exc), severity="error")
            return
        self.reload()

    def action_speaker(self) -> None:
        highlighted = self._highlighted_segment("change its speaker")
        if highlighted is None:
            return
        segment_id, entry = highlighted
        doc = self.doc
        assert doc is not None
        # a second participant voice (a partner who joined) is the code with -2
        cycle: list[str | None] = ["I", doc.participant.code, f"{doc.participant.code}-2", None]
        current = entry.speaker
        following = cycle[(cycle.index(current) + 1) % len(cycle)] if current in cycle else "I"
        self._apply(partial(review.set_speaker, self.companion.study, segment_id, following))

    def action_split(self) -> None:
        highlighted = self._highlighted_segment("split it")
        if highlighted is None:
            return
        segment_id, entry = highlighted
        current = review.get_segment(self.companion.study, segment_id).text
        self.app.push_screen(
            TextPrompt(f"Split the segment at {format_hms(entry.at_ms)}: type | where "
                       "the second turn begins", current),
            partial(self._split_segment, segment_id))

    def _split_segment(self, segment_id: int, text: str | None) -> None:
        if text is None:
            return
        before, bar, _ = text.partition("|")
        if not bar:
            self.notify("Nothing split: type | before the first word of the second turn.",
                        severity="warning")
            return
        self._apply(partial(review.split_segment, self.companion.study, segment_id,
                            len(before.split())))

    def _doubtful(self, entry: Entry) -> bool:
        spans = ((self.doc.separation if self.doc else None) or {}).get("doubtful") or []
        end = entry.end_ms if entry.end_ms is not None else entry.at_ms
        return any(start < end and entry.at_ms < stop for start, stop in spans)

    def action_doubtful(self) -> None:
        self.show_doubtful = not self.show_doubtful
        self.reload()

    def offer_enrolment(self) -> None:
        """Ask "Is this you?" once per study, after a separation without an enrolled
        voice, the voice's longest turn played from here."""
        from companion.tui.screens.enrol_offer import offer_enrolment

        def play(at_ms: int) -> None:
            self._playing(lambda player: player.play(at_ms))

        offer_enrolment(self, self.companion.study, self.session_id, play)

    def action_swap(self) -> None:
        highlighted = self._highlighted_segment("give it to the other speaker")
        if highlighted is not None:
            self._apply(partial(review.swap_speaker, self.companion.study, highlighted[0]))

    def action_rename(self) -> None:
        row = self._focused_row()
        if row is None or row.entry.kind != "segment" or not row.entry.speaker:
            self.notify("Highlight a segment whose speaker is known to rename that speaker.")
            return
        old = row.entry.speaker
        self.app.push_screen(
            TextPrompt(f"Call {old} in this whole session", old),
            lambda new: None if not new else self._apply(
                partial(review.rename_speaker, self.companion.study, self.session_id, old,
                        new)))

    def action_note(self) -> None:
        if self.player is not None:
            at_ms = self.player.position_ms
        else:
            row = self._focused_row()
            at_ms = row.entry.at_ms if row else 0
        self.app.push_screen(TextPrompt(f"Note at {format_hms(at_ms)}"),
                             partial(self._save_new_note, at_ms))

    def _save_new_note(self, at_ms: int, text: str | None) -> None:
        if text:
            self._apply(partial(notes.add_note, self.companion.study, self.session_id, text,
                                at_ms=at_ms))

    # --- identifiers ---------------------------------------------------------------------

    def action_identifiers(self) -> None:
        panel = self.query_one(FindingsPanel)
        if panel.has_class("-open"):
            panel.close()
            self.query_one("#transcript-list", OptionList).focus()
        else:
            panel.open()

    def on_findings_panel_changed(self, message: FindingsPanel.Changed) -> None:
        self.findings = message.findings
        if self.doc is not None:
            self.reload()

    def on_findings_panel_show(self, message: FindingsPanel.Show) -> None:
        self.go_to(message.at_ms)

    # --- navigation ---------------------------------------------------------------------------

    def action_search(self) -> None:
        self.companion.open_search()

    def export_session_id(self) -> int | None:
        """What the export dialog (Ctrl+O) writes: the session under review."""
        return self.session_id

    def action_back(self) -> None:
        if self.player is not None:
            self.player.pause()
        self.app.pop_screen()
