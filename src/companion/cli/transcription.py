"""``companion transcribe`` on the terminal: a progress bar per session, a summary line and
the exit status.

The work is :mod:`companion.operations.transcription`'s, the TUI's queue too: this module
only draws the queue's events on stderr (stdout stays clean for ``--json``) and says what
came of it.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from typing import Any

import click

from companion.errors import CompanionError, InputError
from companion.notation import format_eta, format_hms
from companion.operations import speakers as speaker_ops
from companion.operations import transcription
from companion.operations.transcription import Progress, QueueEvent, TranscribeResult
from companion.study.folder import Study

INTERRUPTED = 130
"""The exit status of a run stopped with Ctrl-C (128 + SIGINT), as shells report it."""


class ProgressBars:
    """One click progress bar per session, with the runner's own estimate of time left."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._session: int | None = None
        self._position = 0
        self.last: Progress | None = None

    def __call__(self, event: QueueEvent) -> None:
        if isinstance(event, Progress):
            self.show(event)

    def show(self, progress: Progress) -> None:
        self.last = progress
        if progress.session_id != self._session:
            self.close()
            self._session = progress.session_id
            self._bar = click.progressbar(
                length=max(progress.total_ms, 1),
                label=f"session {progress.session_id} ({progress.participant_code})",
                show_eta=False, show_percent=True,
                item_show_func=lambda p: _eta_text(p) if p is not None else None,
                file=sys.stderr,
            )
            self._bar.__enter__()
            self._position = 0
        step = max(0, progress.done_ms - self._position)
        self._position += step
        self._bar.update(step, progress)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _eta_text(progress: Progress) -> str:
    text = f"{format_hms(progress.done_ms)}/{format_hms(progress.total_ms)}"
    if progress.eta_s is not None and progress.state == "running":
        text += f", {format_eta(progress.eta_s)}"
    return text


def summary(result: TranscribeResult) -> str:
    """One session's outcome in one line."""
    if result.status == "already-done":
        return (f"Session {result.session_id} ({result.participant_code}) already has a "
                f"transcript ({result.segments} segments); --restart to make it again")
    head = (f"Session {result.session_id} ({result.participant_code}): {result.status}, "
            f"{result.segments} segments ({result.new_segments} new), {result.pauses} pauses, "
            f"{format_hms(result.done_ms)} of {format_hms(result.total_ms)}, "
            f"model {result.model}, language {result.language or '?'}")
    if result.dropped:
        head += f"; {result.dropped} words heard in silence or looping left out"
    if result.status == "cancelled":
        head += "; run the same command again to continue"
    return head


def talk_time_line(study: Study, session_id: int) -> str:
    """The line under a summary: who talked how much."""
    from companion.speakers.talktime import describe

    rows = transcription.talk_time(study, session_id)
    return f"  talk-time: {describe(rows)}" if rows else "  talk-time: no speech"


def _said_as_is(exc: Exception | None) -> bool:
    """One session's failure that is said as the error it is (one line, its own exit
    status): bad input, a fault of the machine (a full disk), a damaged model."""
    return isinstance(exc, (InputError, OSError, sqlite3.Error)) or (
        isinstance(exc, CompanionError) and exc.exit_code == 2)


def run(study: Study, session_id: str | None, *, all_sessions: bool, model: str | None,
        language: str | None, threads: int, restart: bool, as_json: bool,
        speakers: str = "auto") -> None:
    """One session or ``--all``, through the one queue the TUI uses too: a failing session
    is named and the others still run; the exit status is 1 when any failed."""
    # Bad input is said (exit 2) before the model is loaded, as before any write.
    asked = transcription.request(study, session_id, all_sessions=all_sessions, model=model,
                                  language=language, threads=threads, restart=restart,
                                  speakers=speakers)
    bars = ProgressBars()
    try:
        outcome = transcription.transcribe_queue(study, asked.session_ids,
                                                 options=asked.options, on_event=bars)
    except KeyboardInterrupt:
        bars.close()
        where = f" at {format_hms(bars.last.done_ms)}" if bars.last else ""
        click.echo(f"Interrupted{where}; the segments so far are saved: run the same "
                   "command again to continue.", err=True)
        raise click.exceptions.Exit(INTERRUPTED) from None
    finally:
        bars.close()
    first = outcome.failures[0].exception if outcome.failures else None
    if not all_sessions and first is not None and _said_as_is(first):
        raise first
    if as_json:
        data = [r.to_dict() for r in outcome.results] + [
            {"session_id": f.session_id, "status": "failed", "error": f.reason}
            for f in outcome.failures]
        click.echo(json.dumps(data if all_sessions else data[0], ensure_ascii=False, indent=2))
    else:
        if all_sessions and not outcome.results and not outcome.failures:
            click.echo("Nothing to transcribe: every session with audio has a transcript.")
        for result in outcome.results:
            click.echo(summary(result))
            click.echo(talk_time_line(study, result.session_id))
            for line in speaker_ops.speakers_note(study, result.session_id):
                click.echo(line)
    if outcome.failures:
        click.echo(outcome.failure_line(), err=True)
        raise click.exceptions.Exit(1)
