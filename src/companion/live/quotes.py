"""Quote-back: a pinned live line becomes a card in the phases that return to it."""

from __future__ import annotations

from companion.notation import format_hms
from companion.protocol.live import LiveProtocol

MAX_QUOTE_CHARS = 160


def shorten(quote: str, limit: int = MAX_QUOTE_CHARS) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"


def quote_card(live: LiveProtocol, at_ms: int, quote: str) -> str:
    """The card's question in the protocol's words: "At 00:12:40 you said: '…'. …"."""
    return live.quote_prompt.format(time=format_hms(at_ms), quote=shorten(quote))


def quotes_shown_in(live: LiveProtocol, phase_id: str) -> bool:
    return phase_id in live.quote_phases
