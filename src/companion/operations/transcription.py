"""Transcribing on this machine: one session, or every session waiting in the queue.

Thin: the work (and the resumable bookkeeping, with its audit entries per run) is
:mod:`companion.transcribe.runner`'s; the listing of what waits is
:func:`companion.operations.listings.transcription_queue`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from companion.study.folder import Study
from companion.transcribe.engine import Engine
from companion.transcribe.queue import EventCallback, QueueOutcome, run_queue
from companion.transcribe.runner import (
    Progress,
    TranscribeOptions,
    TranscribeResult,
    transcribe_session,
)

__all__ = ["Progress", "TranscribeOptions", "TranscribeResult", "transcribe_one",
           "transcribe_queue"]

ProgressCallback = Callable[[Progress], None]


def transcribe_one(study: Study, session_id: int | str, *,
                   options: TranscribeOptions | None = None,
                   on_progress: ProgressCallback | None = None,
                   cancel: threading.Event | None = None) -> TranscribeResult:
    """Transcribe (or continue) one session; bad input raises before anything is written."""
    return transcribe_session(study, session_id, options=options or TranscribeOptions(),
                              on_progress=on_progress, cancel=cancel)


def transcribe_queue(study: Study, session_ids: Sequence[int] | None = None, *,
                     options: TranscribeOptions | None = None, engine: Engine | None = None,
                     on_event: EventCallback | None = None,
                     cancel: threading.Event | None = None) -> QueueOutcome:
    """These sessions (default: every one waiting for a transcript), one after the other;
    a failing one is recorded in the outcome and the others still run (the CLI's queue)."""
    return run_queue(study, session_ids, options=options, engine=engine, on_event=on_event,
                     cancel=cancel)
