"""One mark per kind of timeline line, the same on every screen."""

from __future__ import annotations

SYMBOLS: dict[str, str] = {
    "bookmark": "⚑ ",
    "code": "# ",
    "phase": "▶ ",
    "asked": "✓ ",
    "used": "✦ ",  # a suggestion used: not the bookmark's flag
    "pause": "‖ ",
    "quote": "❝ ",
    "interruption": "⏸ ",  # the recording broke off: a pause, a stop, a lost microphone
}
