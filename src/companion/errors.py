"""Errors that reach the user.

Every error a person can cause by what they typed or which file they pointed at is an
``InputError``: it names the field, the value found and what is allowed. The CLI prints it
on one line and exits 2; the TUI shows it inline next to the field.
"""

from __future__ import annotations


class CompanionError(Exception):
    """Base class for errors companion reports to the user (never a traceback)."""

    exit_code = 1


class InputError(CompanionError):
    """Bad input: names the field, the value and what is allowed. Nothing was written."""

    exit_code = 2

    def __init__(self, field: str, value: object, allowed: str, *, hint: str = "") -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # show 888, as typed, not 888.0
        text = f"{self.field}: got {value!r}; allowed: {self.allowed}"
        return f"{text} ({self.hint})" if self.hint else text


class NotAStudyError(CompanionError):
    """The folder is not a study (no companion.db)."""

    exit_code = 2


class NotFoundError(InputError):
    """A session, participant or protocol named by the user does not exist."""


def one_line(text: str) -> str:
    """``text`` as one printable line: line breaks and other control characters a user
    typed (or a file name held) are shown escaped (``\\n``, ``\\x1b``), never acted on
    by the terminal."""
    return "".join(ch if ch.isprintable() or ch == " " else
                   ascii(ch)[1:-1] for ch in text)
