"""The prompts panel: the current phase's prompts, each marked asked at its moment (F3)."""

from __future__ import annotations

from typing import Unpack

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from companion.operations import marks
from companion.protocol.model import Phase
from companion.tui.context import companion_of
from companion.tui.messages import Stamped
from companion.tui.widget_options import WidgetOptions
from companion.tui.widgets.prompt_list import CursorList, Entry, PromptList


def mark_highlighted(items: CursorList, session_id: int, kind: str, at_ms: int) -> Entry | None:
    """Stamp the highlighted prompt (``asked``) or card (``suggestion_used``) on the
    timeline and tick it; posts :class:`Stamped`. None when the list is empty."""
    entry = items.current
    if entry is None:
        return None
    # A prompt is named by its id in the protocol, a card by the rule behind it.
    ref = {"prompt_id": entry.key} if kind == "asked" else {"rule_id": entry.key}
    marks.mark_prompt(companion_of(items).study, session_id, kind=kind, text=entry.text,
                      at_ms=at_ms, **ref)
    items.mark(entry.key)
    items.post_message(Stamped(session_id, "asked" if kind == "asked" else "used", at_ms,
                               entry.key, entry.text))
    return entry


class PromptsPanel(Vertical):
    """The prompts of the phase, follow-ups beneath each; those asked ticked."""

    def __init__(self, session_id: int, **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        yield Static("Prompts", id="live-prompts-title", classes="panel-title",
                     markup=False)  # names the protocol's phase
        yield PromptList("No prompts in this phase.", id="prompt-list")

    def show_phase(self, phase: Phase) -> None:
        self.query_one("#live-prompts-title", Static).update(
            f"Prompts · ↑↓ · F3 asked · {phase.title}")
        asked = {e["prompt_id"] for e in marks.prompt_marks(companion_of(self).study,
                                                            self.session_id)
                 if e["kind"] == "asked"}
        prompts = self.query_one(PromptList)
        prompts.cursor = 0
        prompts.set_entries([Entry(p.id, p.text.strip(), tuple(f"→ {f}" for f in p.follow_ups))
                             for p in phase.prompts], asked)

    def move(self, step: int) -> None:
        self.query_one(PromptList).move(step)

    def mark_asked(self, at_ms: int) -> None:
        mark_highlighted(self.query_one(PromptList), self.session_id, "asked", at_ms)
