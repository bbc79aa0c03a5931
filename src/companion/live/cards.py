"""The cards beside the interview, in the order to ask them, now that lines are heard.

Cards raised by a mention come first (the latest heard on top) and say what was heard
and when, and in which line by whom; pinned quotes come next in the phases that return
to what was said; then the cards from the scores in their own order. A card already
used is gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from companion.live.mentions import Mention
from companion.live.quotes import quote_card, quotes_shown_in
from companion.protocol.live import LiveProtocol

QUOTE_PREFIX = "quote:"


@dataclass(frozen=True)
class ScoreCard:
    """A suggestion from the scores as the screen shows it."""

    card_id: str
    text: str
    details: tuple[str, ...]
    evidence: Mapping[str, object]
    more: tuple[str, ...] = ()
    """Other wordings of the question, shown when there is room."""


@dataclass(frozen=True)
class PinnedQuote:
    note_id: int
    at_ms: int
    text: str


@dataclass(frozen=True)
class Card:
    card_id: str
    text: str
    details: tuple[str, ...]
    kind: str  # "mention" | "quote" | "score"
    raised_at_ms: int | None = None
    more: tuple[str, ...] = ()


def card_key(suggestion: Any, suggestions: Sequence[Any]) -> str:
    """A card's key: its rule id, with the rating's target when one rule made two cards
    (the weakest domain of each rating)."""
    same = [s for s in suggestions if s.rule_id == suggestion.rule_id]
    if len(same) < 2:
        return str(suggestion.rule_id)
    return f"{suggestion.rule_id}:{suggestion.evidence.get('target', same.index(suggestion))}"


def arrange(
    score_cards: Sequence[ScoreCard],
    mentions: Iterable[Mention],
    quotes: Iterable[PinnedQuote],
    *,
    phase_id: str,
    live: LiveProtocol,
    used: set[str],
) -> list[Card]:
    by_id = {card.card_id: card for card in score_cards}
    latest: dict[str, Mention] = {}
    for mention in mentions:
        latest[mention.card_id] = mention  # the newest mention of a card counts
    raised: list[Card] = []
    for mention in sorted(latest.values(), key=lambda m: m.at_ms, reverse=True):
        if mention.card_id in used:
            continue
        score = by_id.get(mention.card_id)
        heard = (mention.reason, mention.source) if mention.source else (mention.reason,)
        if score is not None:
            raised.append(Card(score.card_id, score.text, (*heard, *score.details),
                               "mention", mention.at_ms, score.more))
        elif mention.text:
            raised.append(Card(mention.card_id, mention.text, heard, "mention",
                               mention.at_ms))
    quote_cards: list[Card] = []
    if quotes_shown_in(live, phase_id):
        for quote in sorted(quotes, key=lambda q: q.at_ms, reverse=True):
            key = f"{QUOTE_PREFIX}{quote.note_id}"
            if key not in used:
                quote_cards.append(Card(key, quote_card(live, quote.at_ms, quote.text),
                                        ("a quote you pinned",), "quote"))
    shown = {card.card_id for card in raised}
    rest = [Card(c.card_id, c.text, c.details, "score", more=c.more) for c in score_cards
            if c.card_id not in shown and c.card_id not in used]
    return [*raised, *quote_cards, *rest]
