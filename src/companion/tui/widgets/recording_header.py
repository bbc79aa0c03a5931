"""The top of the live screen: recording state in big letters, time, level, device, disk."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.widgets import Static

from companion.audio.status import RecorderStatus
from companion.notation import format_duration, format_hms
from companion.tui.widgets.level_meter import LevelMeter

STATE_LABELS = {
    "idle": ("NOT RECORDING", "-idle"),
    "starting": ("STARTING…", "-paused"),
    "recording": ("● REC", "-recording"),
    "paused": ("❚❚ PAUSED", "-paused"),
    "reconnecting": ("⚠ DEVICE LOST", "-fault"),
    "stopped": ("■ STOPPED", "-idle"),
    "failed": ("⚠ NOT RECORDING", "-fault"),
}


class RecordingHeader(Horizontal):
    """Recording state (coloured; three rows tall, two when narrow: see companion.tcss),
    elapsed time, level meter, device, disk."""

    DEFAULT_CSS = """
    RecordingHeader {
        height: 3;
        width: 1fr;
    }
    RecordingHeader > #rec-state {
        width: 17;
        height: 3;
        content-align: center middle;
        text-style: bold;
    }
    RecordingHeader.-recording > #rec-state { background: $error; color: $text; }
    RecordingHeader.-paused > #rec-state { background: $warning; color: $text; }
    RecordingHeader.-fault > #rec-state {
        background: $error; color: $text; text-style: bold reverse;
    }
    RecordingHeader.-idle > #rec-state { background: $panel; color: $text-muted; }
    RecordingHeader > #rec-elapsed {
        width: 12;
        height: 3;
        content-align: center middle;
        text-style: bold;
    }
    RecordingHeader > #rec-info { width: 1fr; height: 3; padding: 0 1; }
    RecordingHeader #rec-lines { height: 2; layout: vertical; }
    RecordingHeader #rec-lines > Static { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def compose(self) -> ComposeResult:
        yield Static("NOT RECORDING", id="rec-state")
        yield Static("00:00:00", id="rec-elapsed")
        with Vertical(id="rec-info"):
            yield LevelMeter(id="rec-level")
            with Container(id="rec-lines"):
                yield Static("", id="rec-device")
                yield Static("", id="rec-disk")

    def on_mount(self) -> None:
        self.add_class("-idle")

    def show(self, status: RecorderStatus, *, has_recorder: bool = True) -> None:
        """Reflect one status snapshot."""
        state = status.state if has_recorder else "idle"
        if status.device_lost and state not in ("stopped",):
            state = "reconnecting"
        label, css = STATE_LABELS.get(state, (state.upper(), "-idle"))
        for name in ("-recording", "-paused", "-fault", "-idle"):
            self.set_class(name == css, name)
        self.query_one("#rec-state", Static).update(label if has_recorder else "NO RECORDING")
        self.query_one("#rec-elapsed", Static).update(format_hms(status.session_ms))
        meter = self.query_one(LevelMeter)
        # A lost microphone sends nothing: its last level, left standing, read as sound.
        heard = status.rms_dbfs and state != "reconnecting"
        meter.level_db = status.level_dbfs if heard else float("-inf")
        meter.clipping = status.clipping
        device = Text("mic: ", style="dim")
        device.append(status.device or "—")
        if status.overflows:
            device.append(f"  dropped blocks: {status.overflows}", style="yellow")
        self.query_one("#rec-device", Static).update(device)
        disk = Text("disk: ", style="dim")
        if status.disk_minutes_left is None:
            disk.append("—")
        else:
            left = format_duration(status.disk_minutes_left * 60)
            disk.append(f"{left} left", style="bold red" if status.disk_warning else "")
        self.query_one("#rec-disk", Static).update(disk)
