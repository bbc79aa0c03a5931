"""The live screen's share of the live transcript (a mixin of :class:`LiveScreen`).

It starts the transcriber beside the recorder, shows its lines and the talk balance on
each poll, pins the highlighted line as a quote (F7), raises the cards the participant's
words name, and keeps the suggestion list in the order :func:`companion.live.cards.arrange`
gives. None of it can stop the recording: the transcriber is another process, and when it
dies the panel says so and the interview goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from companion.errors import CompanionError
from companion.live.cards import PinnedQuote, ScoreCard, arrange, card_key
from companion.live.client import STOPPED, LiveLine, LiveTranscriber
from companion.live.mentions import Mention, find_mentions
from companion.live.talk import balance
from companion.operations import live as live_ops
from companion.operations import marks
from companion.tui.widgets.live_transcript import LiveTranscriptPanel, TalkBar
from companion.tui.widgets.note_input import NoteInput
from companion.tui.widgets.prompt_list import Entry, SuggestionList

if TYPE_CHECKING:
    from companion.protocol.model import Phase, Protocol
    from companion.protocol.suggestions import Suggestion
    from companion.study.folder import Study


class LiveTranscriptMixin:
    """State and actions of the live transcript; the screen calls the ``_live_*`` hooks."""

    live: LiveTranscriber | None = None
    _live_seen_version = -1
    _live_lines_checked = 0
    _live_mentions: list[Mention]
    _live_labels: tuple[str, str] = ("I", "P")
    _live_off_reason = ""

    if TYPE_CHECKING:
        session_id: int
        protocol: Protocol | None
        suggestions: list[Suggestion]
        phase_started_ms: int

        @property
        def phase(self) -> Phase: ...
        @property
        def app(self) -> Any: ...
        def query_one(self, *args: Any) -> Any: ...
        def notify(self, *args: Any, **kwargs: Any) -> None: ...
        def _now(self) -> int: ...
        def _stamp(self, kind: str, at_ms: int | None, ref: object, shown: str) -> None: ...

    @property
    def _study(self) -> Study:
        return self.app.study  # type: ignore[no-any-return]

    # -- hooks the screen calls -------------------------------------------------------

    def _live_attach(self, recorder: Any) -> None:
        """In the start worker, before the recorder starts (so no block is missed)."""
        try:
            self.live = live_ops.start_live(self._study, self.session_id, recorder)
        except Exception as exc:  # no model, no process: the interview goes on without
            self.live = None
            self._live_off_reason = f"live transcript unavailable: {exc}"
            return
        if self.live is not None:
            self._live_labels = self.live.labels

    def _live_detach(self) -> None:
        """In the stop worker, after the recorder stopped: decode the rest, then end."""
        if self.live is not None:
            self.live.stop(timeout=15)

    def _live_poll(self) -> None:
        panel = self.query_one(LiveTranscriptPanel)
        live = self.live
        box = self.query_one("#live-transcript")
        box.display = live is not None
        if self._live_off_reason.startswith("live transcript unavailable"):
            self.notify(self._live_off_reason, title="Live transcript", severity="warning")
            self._live_off_reason = ""
        if live is None:
            return
        if live.version == self._live_seen_version:
            return
        self._live_seen_version = live.version
        lines = list(live.lines)
        status = "" if live.state == "running" and not live.skipped else live.message
        if live.state == STOPPED:
            status = "⚠ " + live.message
        panel.set_lines([(line.start_ms, line.speaker, line.text) for line in lines], status)
        self._live_hear(lines[self._live_lines_checked:])
        self._live_lines_checked = len(lines)
        self._live_talk()

    def _live_talk(self) -> None:
        live = self.live
        share = None
        if live is not None:
            found = balance(channels=live.channels, labels=live.labels,
                            since_ms=self.phase_started_ms, talk=list(live.talk),
                            lines=list(live.lines))
            share = None if found is None else found.interviewer_share
        self.query_one(TalkBar).show_balance(self._live_labels, share)

    def _live_hear(self, lines: list[LiveLine]) -> None:
        """Participant lines that name a card's role (or a mention rule's words)."""
        if not hasattr(self, "_live_mentions"):
            self._live_mentions = []
        if self.protocol is None or not lines:
            return
        cards = [(card_key(s, self.suggestions), s.evidence) for s in self.suggestions]
        raised = []
        for line in lines:
            if line.speaker is not None and line.speaker == self._live_labels[0]:
                continue  # the interviewer naming a role raises nothing
            raised += find_mentions(line.text, line.start_ms, cards, self.protocol.live)
        if raised:
            self._live_mentions += raised
            self._live_cards()

    # -- cards ------------------------------------------------------------------------

    def _live_cards(self) -> None:
        """Rebuild the suggestion list: raised cards, quotes (in their phases), the rest."""
        if self.protocol is None:
            return
        if not hasattr(self, "_live_mentions"):
            self._live_mentions = []
        study = self._study
        used = {str(e["rule_id"]) for e in marks.prompt_marks(study, self.session_id)
                if e["kind"] == "suggestion_used" and e.get("rule_id")}
        quotes = [PinnedQuote(n.id, n.at_ms or 0, n.text)
                  for n in live_ops.quotes(study, self.session_id)]
        scores = [ScoreCard(card_key(s, self.suggestions), s.text, (f"why: {s.trigger or s.reason}",
                                                *(f"or: {w.text}" for w in s.alternatives)),
                            s.evidence) for s in self.suggestions]
        cards = arrange(scores, self._live_mentions, quotes, phase_id=self.phase.id,
                        live=self.protocol.live, used=used)
        listing = self.query_one(SuggestionList)
        listing.set_entries([Entry(c.card_id, c.text, c.details, "italic dim",
                                   {"kind": c.kind}) for c in cards], set())

    # -- actions ----------------------------------------------------------------------

    def action_pin_quote(self) -> None:
        """Pin the highlighted line, or the words of it typed in the note box."""
        live = self.live
        panel = self.query_one(LiveTranscriptPanel)
        index = panel.current_index
        if live is None or index is None or index >= len(live.lines):
            self.notify("No live line to pin yet.", severity="warning")
            return
        line = live.lines[index]
        # Words typed in the note box that the line contains: pin only that part.
        box = self.query_one(NoteInput)
        typed = box.value.strip()
        part = typed if typed and " ".join(typed.split()).lower() in line.text.lower() else ""
        try:
            note = live_ops.pin_quote(self._study, self.session_id, line, part)
        except CompanionError as exc:
            self.notify(str(exc), severity="error")
            return
        if part:
            self.action_cancel_note()  # type: ignore[attr-defined]
        self._stamp("quote", note.at_ms, note.id, f"“{note.text}”")
        self.notify(f"Pinned: “{note.text}”", title="Quote")
        self._live_cards()

    def action_line_cursor(self, step: int) -> None:
        self.query_one(LiveTranscriptPanel).move(step)
