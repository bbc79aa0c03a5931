"""The protocol's codebook on the live screen: a column when wide, one line when narrow.

Both show each code's quick key first; Ctrl+T then that key (or Alt+key) tags the moment.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from companion.protocol.model import Protocol


class CodeLegend(Static):
    """One line per code (never wrapped: all ten fit), key first."""

    def show(self, protocol: Protocol) -> None:
        lines = []
        for code in protocol.codes:
            if code.key:
                line = Text(no_wrap=True, overflow="ellipsis")
                line.append(f"{code.key}", style="bold reverse")
                line.append(f" {code.id} {code.name}")
                lines.append(line)
        self.update(Text("\n", no_wrap=True, overflow="ellipsis").join(lines))


class CodeStrip(Static):
    """The codebook on one line, for narrow terminals: 'Codes ^T+ 1 A1  2 A2 …'."""

    def show(self, protocol: Protocol) -> None:
        text = Text("Codes ^T+ ", style="bold", no_wrap=True, overflow="ellipsis")
        for code in protocol.codes:
            if code.key:
                text.append(code.key, style="bold reverse")
                text.append(f" {code.id[:4]}  ", style="")
        self.update(text)
