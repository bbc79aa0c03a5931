"""A one-line input level meter in dBFS, coloured by loudness."""

from __future__ import annotations

import math

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

FLOOR_DB = -60.0


class LevelMeter(Widget):
    """Shows the last measured peak level as a bar from -60 dBFS to 0 dBFS."""

    DEFAULT_CSS = """
    LevelMeter {
        height: 1;
        width: 1fr;
        min-width: 12;
    }
    LevelMeter.-clipping { text-style: bold; }
    """

    level_db: reactive[float] = reactive(-math.inf)
    """Peak level in dBFS (``-inf`` for digital silence)."""

    clipping: reactive[bool] = reactive(False)

    def watch_clipping(self, clipping: bool) -> None:
        self.set_class(clipping, "-clipping")

    def render(self) -> Text:
        width = max(self.size.width - 8, 4)
        level = self.level_db if math.isfinite(self.level_db) else FLOOR_DB
        level = min(max(level, FLOOR_DB), 0.0)
        filled = round((level - FLOOR_DB) / -FLOOR_DB * width)
        text = Text(no_wrap=True, overflow="crop")
        for cell in range(width):
            cell_db = FLOOR_DB + (cell + 1) / width * -FLOOR_DB
            if cell < filled:
                colour = "red" if cell_db > -3 else "yellow" if cell_db > -12 else "green"
                text.append("█", style=colour)
            else:
                text.append("·", style="dim")
        label = "  -∞ dB" if not math.isfinite(self.level_db) else f"{self.level_db:5.0f} dB"
        text.append(f" {label:>7}", style="bold red" if self.clipping else "")
        return text
