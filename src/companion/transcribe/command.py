"""The ``companion transcribe`` command's work: options checked, progress bar, summary.

Kept here so the CLI (``companion.cli``) only declares the options; the progress bar and
its ETA are fed by the runner's progress reports and drawn on stderr (stdout stays clean
for ``--json``).
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

import click

from companion.errors import InputError
from companion.notation import format_eta, format_hms
from companion.study.folder import Study
from companion.transcribe.engine import check_language
from companion.transcribe.queue import run_queue
from companion.transcribe.runner import (
    Progress,
    TranscribeOptions,
    TranscribeResult,
    plan_session,
    study_options,
)


class ProgressBars:
    """One click progress bar per session, with the runner's own estimate of time left."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._session: int | None = None
        self._position = 0
        self.last: Progress | None = None

    def __call__(self, progress: Progress) -> None:
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


def _summary(result: TranscribeResult) -> str:
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


def run_transcribe(
    study: Study, session_id: str | None, *, all_sessions: bool, model: str | None,
    language: str | None, threads: int, restart: bool, as_json: bool, speakers: str = "auto",
) -> None:
    """One session or ``--all``, through the one queue the TUI uses too: a failing session
    is named and the others still run; the exit status is 1 when any failed."""
    if bool(session_id) == bool(all_sessions):
        raise InputError("SESSION", session_id or "", "a session id, or --all (not both)")
    if threads < 0:
        raise InputError("--threads", threads, "0 (automatic) or more")
    if speakers not in ("auto", "none"):
        raise InputError("--speakers", speakers, "auto (separate voices on mono audio) or none")
    check_language(language)
    options = TranscribeOptions(model=model, language=language, threads=threads,
                                restart=restart, speakers=speakers)
    ids: list[int] | None = None
    if not all_sessions:
        # Bad input is said (exit 2) before the model is loaded, as before any write.
        db = study.db()
        try:
            ids = [plan_session(db, study, session_id or "", study_options(study, options))
                   .session.id]
        finally:
            db.conn.close()
    bars = ProgressBars()
    cancel = threading.Event()
    try:
        outcome = run_queue(study, ids, options=options, cancel=cancel,
                            on_event=lambda e: bars(e) if isinstance(e, Progress) else None)
    except KeyboardInterrupt:
        bars.close()
        where = f" at {format_hms(bars.last.done_ms)}" if bars.last else ""
        click.echo(f"Interrupted{where}; the segments so far are saved: run the same "
                   "command again to continue.", err=True)
        raise SystemExit(130) from None
    finally:
        bars.close()
    if not all_sessions and outcome.failures and isinstance(
            outcome.failures[0].exception, InputError):
        raise outcome.failures[0].exception
    if as_json:
        data = [r.to_dict() for r in outcome.results] + [
            {"session_id": f.session_id, "status": "failed", "error": f.reason}
            for f in outcome.failures]
        click.echo(json.dumps(data if all_sessions else data[0], ensure_ascii=False, indent=2))
    else:
        if all_sessions and not outcome.results and not outcome.failures:
            click.echo("Nothing to transcribe: every session with audio has a transcript.")
        for result in outcome.results:
            click.echo(_summary(result))
            click.echo(_talk_time(study, result.session_id))
    if outcome.failures:
        click.echo(outcome.failure_line(), err=True)
        raise SystemExit(1)


def _talk_time(study: Study, session_id: int) -> str:
    """The talk-time line under a summary: who talked how much."""
    from companion.speakers.talktime import describe, session_talk_time

    db = study.db()
    try:
        rows = session_talk_time(db, session_id)["overall"]
    finally:
        db.conn.close()
    return f"  talk-time: {describe(rows)}" if rows else "  talk-time: no speech"
