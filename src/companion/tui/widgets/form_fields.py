"""Pieces of a checked form: an Input validator that asks the screen, and the inline error."""

from __future__ import annotations

from collections.abc import Callable

from textual.validation import ValidationResult, Validator
from textual.widgets import Static


class FieldCheck(Validator):
    """Lets the Input mark itself invalid with the screen's own check (which calls the
    domain validators), so the red border and the message below always agree."""

    def __init__(self, check: Callable[[str, str], str | None], widget_id: str) -> None:
        super().__init__()
        self.check = check
        self.widget_id = widget_id

    def validate(self, value: str) -> ValidationResult:
        message = self.check(self.widget_id, value)
        return self.failure(message) if message else self.success()


class FieldError(Static):
    """The inline error under a field or a group of fields (hidden when empty)."""

    DEFAULT_CSS = """
    FieldError { color: $error; height: auto; display: none; padding: 0 1; }
    FieldError.-shown { display: block; }
    """

    def show_errors(self, messages: list[str]) -> None:
        self.update("\n".join(messages))
        self.set_class(bool(messages), "-shown")
