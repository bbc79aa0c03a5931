"""The proposed deepening questions on the set-up screen: one card per finding.

Cards come strongest first; the first names, in colour, the score that triggered it.
Each card gives the question, why it is proposed, and other wordings of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from companion.protocol.suggestions import Suggestion


def _why(suggestion: Suggestion) -> str:
    """The reason, without the words the card's title already says."""
    reason = " ".join(suggestion.reason.split())
    trigger = " ".join((suggestion.trigger or "").split())
    if trigger and reason.startswith(trigger):
        rest = reason[len(trigger):].strip(" .;:")
        if rest.startswith("(") and rest.endswith(")"):
            rest = rest[1:-1]
        return rest
    return reason


class SuggestionCards(Static):
    def show(self, suggestions: Sequence[Suggestion]) -> None:
        text = Text()
        if not suggestions:
            text.append("Enter the ratings to see the questions they point to.", style="dim")
        for suggestion in suggestions:
            text.append(f"{suggestion.rank}. ", style="bold")
            if suggestion.trigger:
                text.append(suggestion.trigger + "\n", style="bold yellow"
                            if suggestion.rank == 1 else "bold")
                text.append("   ")
            text.append(" ".join(suggestion.text.split()) + "\n")
            why = _why(suggestion)
            if why:
                text.append("   why: " + why + "\n", style="italic dim")
            for other in suggestion.alternatives:
                text.append("   or: " + " ".join(other.text.split()) + "\n", style="dim")
        self.update(text)
