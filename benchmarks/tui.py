"""TUI benchmarks: start-up against a minimal Textual app, and note commit latency.

    .venv/bin/python benchmarks/tui.py [--runs 7] [--notes 200]
    .venv/bin/python benchmarks/tui.py --screenshot docs/live-session.svg

1. Start-up: wall time from spawning the process to the first frame of the sessions
   screen (headless: the sessions screen is mounted and a refresh has run after it),
   against a minimal Textual app (one Label, measured the same way) in the same run,
   alternating; the ratio of the medians is the figure (target <= 1.5). Also reported:
   when the sessions' rows, read by a worker thread, are in the table.
2. Note commit: with the real recorder running on the ALSA file microphone (paced to real
   time), the time from pressing Enter on a note to the Stamped message the live screen
   posts right after the row is committed; 95th percentile (target <= 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Both children poll (1 ms) until their screen is up, then wait for a refresh after it.
FIRST_FRAME = """
import asyncio, time
async def painted(app, screen_name):
    while type(app.screen).__name__ != screen_name or not app.screen.is_mounted:
        await asyncio.sleep(0.001)
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await done.wait()
    print(time.time(), flush=True)
"""

CHILD_COMPANION = FIRST_FRAME + """
import sys
from companion.study import open_study
from companion.tui.app import CompanionApp
async def first_frame(pilot):
    await painted(pilot.app, "SessionsScreen")
    while not pilot.app.screen.loaded:
        await asyncio.sleep(0.001)
    print(time.time(), flush=True)
    pilot.app.exit()
CompanionApp(open_study(sys.argv[1]), check_recovery=False).run(
    headless=True, auto_pilot=first_frame)
"""

CHILD_MINIMAL = FIRST_FRAME + """
from textual.app import App
from textual.widgets import Label
class Minimal(App):
    def compose(self):
        yield Label("hello")
async def first_frame(pilot):
    await painted(pilot.app, "Screen")
    pilot.app.exit()
Minimal().run(headless=True, auto_pilot=first_frame)
"""


def _stamps(code: str, *args: str) -> list[float]:
    """Seconds from spawning the child to each time it prints."""
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return [float(line) - start for line in out.stdout.split()]


def startup(runs: int, study_dir: Path) -> dict[str, float]:
    _stamps(CHILD_MINIMAL)  # warm the file cache for both
    _stamps(CHILD_COMPANION, str(study_dir))
    ours, rows, minimal = [], [], []
    for _ in range(runs):
        minimal.append(_stamps(CHILD_MINIMAL)[0])
        frame, loaded = _stamps(CHILD_COMPANION, str(study_dir))
        ours.append(frame)
        rows.append(loaded)
    return {"companion_s": statistics.median(ours), "minimal_s": statistics.median(minimal),
            "rows_s": statistics.median(rows),
            "ratio": statistics.median(ours) / statistics.median(minimal)}


async def note_latency(count: int, study_dir: Path, session_id: int) -> dict[str, float]:
    from companion.study import open_study
    from companion.tui.app import CompanionApp
    from companion.tui.messages import Stamped
    from tests.support.fakes import clocked_factory, feed_fakemic

    feed_fakemic(5.0)
    committed: list[float] = []

    def hook(message: object) -> None:
        if isinstance(message, Stamped) and message.kind == "note":
            committed.append(time.perf_counter())

    app = CompanionApp(open_study(study_dir), recorder_factory=clocked_factory,
                       check_recovery=False)
    latencies: list[float] = []
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        app.start_live(session_id)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert getattr(screen, "recorder", None) is not None, "the recorder did not start"
        for index in range(count):
            await pilot.press(*f"note {index}")
            seen = len(committed)
            pressed = time.perf_counter()
            await pilot.press("enter")
            while len(committed) == seen:
                await asyncio.sleep(0)
            latencies.append((committed[seen] - pressed) * 1000)
        state = screen.recorder.status().state  # type: ignore[attr-defined]
        await pilot.press("f10", "y")
        await app.workers.wait_for_complete()
    latencies.sort()
    return {"notes": count, "recorder_state": state,  # type: ignore[dict-item]
            "p50_ms": statistics.median(latencies),
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
            "max_ms": latencies[-1]}


async def screenshot(path: Path) -> None:
    """Write the README's SVG of the live screen (fake recorder, fixed clock)."""
    from textual.widgets import Input

    from companion.operations import participants, ratings, sessions
    from companion.study import init_study
    from companion.tui.app import CompanionApp
    from tests.support.fakes import FakeRecorder
    from tests.support.people import LEAST_DOMAINS, MOST_ITEMS
    from tests.tui.test_snapshots import NOW_MS, _history

    study, _ = init_study(Path(tempfile.mkdtemp(prefix="companion-shot-")) / "study")
    participants.add(study, "P05", consent_date="2024-03-01")
    session = sessions.plan(study, "P05")
    ratings.rate(study, session.id, ratings.RatingEntry("most", "physiotherapist",
                                                        items=MOST_ITEMS))
    ratings.rate(study, session.id, ratings.RatingEntry("least", "psychologist",
                                                        domains=LEAST_DOMAINS))
    _history(study, session.id)
    recorder = FakeRecorder(ms=NOW_MS)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False,
                       clock=lambda: NOW_MS)
    async with app.run_test(size=(140, 42)) as pilot:
        app.start_live(session.id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        for box in app.screen.query(Input):
            box.cursor_blink = False
        await pilot.press(*"Long silence after the question")
        app.clear_notifications()
        await pilot.pause()
        path.write_text(app.export_screenshot(title="companion: live session"),
                        encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--notes", type=int, default=200)
    parser.add_argument("--screenshot", type=Path,
                        help="only write the live-screen SVG to this path")
    options = parser.parse_args()

    import tests.conftest  # noqa: F401  (private HOME with the ALSA file microphone)

    if options.screenshot:
        asyncio.run(screenshot(options.screenshot))
        return
    from companion.operations import participants, sessions
    from companion.study import init_study

    study_dir = Path(tempfile.mkdtemp(prefix="companion-bench-")) / "study"
    study, _ = init_study(study_dir)
    participants.add(study, "P01", consent_date="2024-03-01")
    session = sessions.plan(study, "P01")

    start = startup(options.runs, study_dir)
    print(f"start-up to first frame: companion {start['companion_s'] * 1000:.0f} ms, "
          f"minimal Textual app {start['minimal_s'] * 1000:.0f} ms, "
          f"ratio {start['ratio']:.2f} (target <= 1.5); rows in the table at "
          f"{start['rows_s'] * 1000:.0f} ms")
    notes = asyncio.run(note_latency(options.notes, study_dir, session.id))
    print(f"note Enter -> committed ({notes['notes']} notes, recorder "
          f"{notes['recorder_state']}): p50 {notes['p50_ms']:.1f} ms, "
          f"p95 {notes['p95_ms']:.1f} ms, max {notes['max_ms']:.1f} ms (target p95 <= 50 ms)")


if __name__ == "__main__":
    main()
