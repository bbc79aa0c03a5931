"""The cards panel: questions from the scores, cards the participant's words raise, quotes.

The order is :func:`companion.live.cards.arrange`'s: cards raised by a mention first, then
the pinned quotes in the phases that return to them, then the rest from the scores, each
kind under its own heading. A card marked used (F4) drops away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Unpack

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from companion.live.attribution import template_words
from companion.live.cards import PinnedQuote, ScoreCard, arrange, card_key
from companion.live.client import LiveLine
from companion.live.mentions import Mention, find_mentions
from companion.live.quotes import quote_card
from companion.operations import live as live_ops
from companion.operations import marks
from companion.protocol.model import Protocol
from companion.protocol.suggestions import Suggestion
from companion.tui.context import companion_of
from companion.tui.screens.live.prompts import mark_highlighted
from companion.tui.widget_options import WidgetOptions
from companion.tui.widgets.prompt_list import Entry, SuggestionList

GROUPS = {"mention": "Heard just now", "quote": "Quotes you pinned",
          "score": "From the scores"}
"""The heading each kind of card stands under: a pinned quote is not a score's question."""


class CardsPanel(Vertical):
    """The cards the interviewer may turn to next, each with why it is there."""

    def __init__(self, session_id: int, **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.session_id = session_id
        self.protocol: Protocol | None = None
        self.suggestions: list[Suggestion] = []
        self.phase_id = ""
        self.mentions: list[Mention] = []
        """Every card the participant's words raised so far."""

    def compose(self) -> ComposeResult:
        yield Static("Cards · PgUp/PgDn · F4 used", classes="panel-title")
        yield SuggestionList("No suggestions: enter the ratings in the set-up.",
                             id="suggestion-list")

    def show(self, protocol: Protocol, suggestions: Sequence[Suggestion], phase_id: str) -> None:
        self.protocol = protocol
        self.suggestions = list(suggestions)
        self.show_phase(phase_id)

    def show_phase(self, phase_id: str) -> None:
        self.phase_id = phase_id
        self.refresh_cards()

    def hear(self, lines: Sequence[tuple[LiveLine, str]]) -> None:
        """Raise the cards whose roles (or a mention rule's words) the lines name; each
        says which line raised it and whose (``source``)."""
        if self.protocol is None:
            return
        cards = [(card_key(s, self.suggestions), s.evidence) for s in self.suggestions]
        raised = [replace(mention, source=said) for line, said in lines
                  for mention in find_mentions(line.text, line.start_ms, cards,
                                               self.protocol.live)]
        if raised:
            self.mentions += raised
            self.refresh_cards()

    def refresh_cards(self) -> None:
        """Rebuild the list: raised cards, quotes (in their phases), the rest."""
        if self.protocol is None:
            return
        study = companion_of(self).study
        used = {str(e["rule_id"]) for e in marks.prompt_marks(study, self.session_id)
                if e["kind"] == "suggestion_used" and e.get("rule_id")}
        quotes = [PinnedQuote(n.id, n.at_ms or 0, n.text)
                  for n in live_ops.quotes(study, self.session_id)]
        scores = [ScoreCard(card_key(s, self.suggestions), s.text,
                            (f"why: {s.trigger or s.reason}",), s.evidence,
                            tuple(f"or: {w.text}" for w in s.alternatives))
                  for s in self.suggestions]
        cards = arrange(scores, self.mentions, quotes, phase_id=self.phase_id,
                        live=self.protocol.live, used=used)
        self.query_one(SuggestionList).set_entries(
            [Entry(c.card_id, c.text, c.details, "italic dim", {"kind": c.kind},
                   group=GROUPS[c.kind], more=c.more) for c in cards], set())

    def script(self) -> list[str]:
        """Everything the cards ask, as the interviewer would read it out: the questions
        from the scores and their alternatives, the mention rules' questions, the quote
        cards (with the quotes in them)."""
        if self.protocol is None:
            return []
        live = self.protocol.live
        texts = [text for s in self.suggestions
                 for text in (s.text, *(w.text for w in s.alternatives))]
        texts += [template_words(rule.prompt) for rule in live.mentions]
        study = companion_of(self).study
        texts += [quote_card(live, n.at_ms or 0, n.text)
                  for n in live_ops.quotes(study, self.session_id)]
        return texts

    def move(self, step: int) -> None:
        self.query_one(SuggestionList).move(step)

    def use_current(self, at_ms: int) -> None:
        """Mark the highlighted card used at ``at_ms``; it drops away."""
        if mark_highlighted(self.query_one(SuggestionList), self.session_id,
                            "suggestion_used", at_ms) is not None:
            self.refresh_cards()
