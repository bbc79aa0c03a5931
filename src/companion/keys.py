"""The key binding ids a study's ``[keymap]`` may move, with their default keys.

The TUI declares its bindings with these ids (``Binding(..., id="live.bookmark")``); this
list lets the settings loader check ``[keymap]`` without importing Textual (the domain
stays free of it). ``tests/tui`` fails when a TUI binding id is missing here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyBinding:
    id: str
    key: str
    description: str


KEY_BINDINGS: tuple[KeyBinding, ...] = (
    KeyBinding("app.theme", "ctrl+t", "Light/dark"),
    KeyBinding("app.search", "ctrl+f", "Search"),
    KeyBinding("app.report", "ctrl+r", "Report"),
    KeyBinding("app.quit", "ctrl+q", "Quit"),
    KeyBinding("app.export", "ctrl+o", "Export"),
    KeyBinding("export.write", "ctrl+s", "Export"),
    KeyBinding("export.close", "escape", "Close"),
    KeyBinding("enrol-offer.yes", "y", "Yes, it is me"),
    KeyBinding("enrol-offer.no", "n", "No"),
    KeyBinding("enrol-offer.later", "escape", "Later"),
    KeyBinding("enrol-offer.play", "p", "Play it"),
    KeyBinding("confirm.yes", "y", "Yes"),
    KeyBinding("confirm.no", "n,escape", "No"),
    KeyBinding("prompt.cancel", "escape", "Cancel"),
    KeyBinding("sessions.new-participant", "n", "New participant"),
    KeyBinding("sessions.new-session", "s", "New session"),
    KeyBinding("sessions.open", "enter", "Open"),
    KeyBinding("sessions.live", "l", "Go live"),
    KeyBinding("sessions.recover", "r", "Recover"),
    KeyBinding("sessions.transcribe", "t", "Transcribe"),
    KeyBinding("setup.save", "ctrl+s", "Save"),
    KeyBinding("setup.start", "f5", "Start recording"),
    KeyBinding("setup.back", "escape", "Back"),
    KeyBinding("live.next-phase", "f2", "Next phase"),
    KeyBinding("live.prompt-asked", "f3", "Asked"),
    KeyBinding("live.suggestion-used", "f4", "Used"),
    KeyBinding("live.bookmark", "f5", "Bookmark"),
    KeyBinding("live.pause", "f6", "Pause / resume"),
    KeyBinding("live.stop", "f10", "Stop"),
    KeyBinding("live.prompt-up", "up", "Prompt ↑"),
    KeyBinding("live.prompt-down", "down", "Prompt ↓"),
    KeyBinding("live.suggestion-up", "pageup", "Suggestion ↑"),
    KeyBinding("live.suggestion-down", "pagedown", "Suggestion ↓"),
    KeyBinding("live.clear-note", "escape", "Clear note"),
    KeyBinding("live.retry", "f9", "Retry recording"),
    KeyBinding("live.tag", "ctrl+t", "Tag"),
    KeyBinding("live.pin-quote", "f7", "Pin quote"),
    KeyBinding("live.line-up", "ctrl+up", "Live line ↑"),
    KeyBinding("live.line-down", "ctrl+down", "Live line ↓"),
    KeyBinding("summary.save", "ctrl+s", "Save"),
    KeyBinding("summary.complete", "f8", "Complete"),
    KeyBinding("summary.continue", "f5", "Continue"),
    KeyBinding("summary.back", "escape", "Sessions"),
    KeyBinding("review.play-here", "enter", "Play here"),
    KeyBinding("review.toggle", "space", "Play/pause"),
    KeyBinding("review.back", "left", "−5 s"),
    KeyBinding("review.forward", "right", "+5 s"),
    KeyBinding("review.edit", "e", "Edit"),
    KeyBinding("review.speaker", "s", "Speaker"),
    KeyBinding("review.split", "x", "Split"),
    KeyBinding("review.swap", "w", "Swap"),
    KeyBinding("review.rename", "R", "Rename"),
    KeyBinding("review.doubtful", "D", "Doubtful"),
    KeyBinding("review.note", "n", "Note here"),
    KeyBinding("review.search", "slash", "Search"),
    KeyBinding("review.identifiers", "i", "Identifiers"),
    KeyBinding("findings.accept", "a", "Accept"),
    KeyBinding("findings.accept-study", "A", "Accept for study"),
    KeyBinding("findings.label", "l", "Label…"),
    KeyBinding("findings.reject", "r", "Reject"),
    KeyBinding("review.back-screen", "escape", "Back"),
    KeyBinding("search.back", "escape", "Back"),
    KeyBinding("report.back", "escape", "Back"),
    KeyBinding("transcription.start", "t", "Transcribe"),
    KeyBinding("transcription.start-all", "a", "Transcribe all"),
    KeyBinding("transcription.cancel", "c", "Cancel"),
    KeyBinding("transcription.back", "escape", "Back"),
)

BINDING_IDS: frozenset[str] = frozenset(b.id for b in KEY_BINDINGS)
