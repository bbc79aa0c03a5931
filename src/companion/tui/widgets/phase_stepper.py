"""The interview's phases in a row, the current one highlighted with its time against target."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from companion.notation import format_hms


@dataclass(frozen=True)
class StepperPhase:
    id: str
    title: str
    target_minutes: float


def _mmss(ms: int) -> str:
    hms = format_hms(ms)
    return hms[3:] if hms.startswith("00:") else hms


class PhaseStepper(Widget):
    """``① Opening 12:03/15:00 ▶ ② Deepening ▶ ③ Critical reflection``."""

    DEFAULT_CSS = """
    PhaseStepper {
        height: 1;
        width: 1fr;
    }
    """

    phases: reactive[tuple[StepperPhase, ...]] = reactive(())
    current: reactive[int] = reactive(0)
    in_phase_ms: reactive[int] = reactive(0)

    NUMBERS = "①②③④⑤⑥⑦⑧⑨"

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, phase in enumerate(self.phases):
            if index:
                text.append("  ▶  ", style="dim")
            number = self.NUMBERS[index] if index < len(self.NUMBERS) else f"{index + 1}."
            if index == self.current:
                target_ms = int(phase.target_minutes * 60_000)
                over = self.in_phase_ms > target_ms
                text.append(f" {number} {phase.title} ", style="bold reverse")
                clock = f" {_mmss(self.in_phase_ms)} / {_mmss(target_ms)}"
                text.append(clock, style="bold red" if over else "bold")
                if over:
                    text.append(" over", style="red")
            elif index < self.current:
                text.append(f"{number} {phase.title} ✓", style="dim")
            else:
                text.append(f"{number} {phase.title}")
        return text
