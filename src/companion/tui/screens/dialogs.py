"""Small modal dialogs: confirm with one key (y / n)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; ``y`` confirms, ``n``, Escape or Enter (focus starts on the
    safe answer) declines."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 60;
        max-width: 90%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ConfirmScreen .confirm--title { text-style: bold; margin-bottom: 1; }
    ConfirmScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ConfirmScreen Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Confirm"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", tooltip="Cancel"),
    ]

    def __init__(self, title: str, body: str, yes: str = "Yes", no: str = "No",
                 name: str | None = None) -> None:
        super().__init__(name=name)
        self.title_text = title
        self.body = body
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical():
            # Plain text: a body names sessions and errors; a button's "[y]" read as
            # markup vanished, and with it the key that answers.
            yield Static(self.title_text, classes="confirm--title", markup=False)
            yield Static(self.body, markup=False)
            with Horizontal():
                yield Button(Text(f"{self.no} [n]"), id="confirm-no")
                yield Button(Text(f"{self.yes} [y]"), id="confirm-yes", variant="warning")

    def on_mount(self) -> None:
        # The safe answer has the focus: Enter pressed out of habit changes nothing.
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
