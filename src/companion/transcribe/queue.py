"""The transcription queue: sessions transcribed one after the other, for both fronts.

``companion transcribe`` (one session or ``--all``) and the TUI's transcription screen run
the same loop, :func:`run_queue`: each model is loaded once (with no model or language
named, each session's protocol language picks its own, so a Dutch session never goes to
the English-only ``tiny.en``); each session is handed to
:func:`companion.transcribe.runner.transcribe_session`; a session that fails is recorded
and the queue **goes on** with the next one (a damaged file in one interview must not
keep the others from being transcribed). A set ``cancel`` stops after the segment being
decoded; the sessions after it are left as they were.

What happens is told to one callback as plain dataclasses (:data:`QueueEvent`), in the
calling thread: the model loading, a session started, the runner's
:class:`~companion.transcribe.job.Progress` reports, a session finished. Both fronts get
them through :mod:`companion.operations.transcription`: the CLI draws them as progress
bars, the TUI posts each to its screen as it is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from companion.errors import CompanionError
from companion.study.folder import Study
from companion.transcribe.engine import Engine
from companion.transcribe.job import Progress, TranscribeOptions, TranscribeResult
from companion.transcribe.plan import engine_for, pending_sessions, session_engine, study_options
from companion.transcribe.runner import DoneCallback, transcribe_session


@dataclass(frozen=True)
class ModelLoading:
    """The queue is loading the Whisper model (before its first session)."""

    session_id: int


@dataclass(frozen=True)
class SessionStarted:
    """The queue moved on to ``session_id``, the ``index``-th (from 0) of ``count``."""

    session_id: int
    index: int
    count: int
    model: str


@dataclass(frozen=True)
class SessionFinished:
    """A session's run ended: ``status`` done, already-done, cancelled or failed."""

    session_id: int
    status: str
    result: TranscribeResult | None = None
    error: str | None = None

    @property
    def elapsed_s(self) -> float:
        return self.result.elapsed_s if self.result is not None else 0.0


QueueEvent = ModelLoading | SessionStarted | Progress | SessionFinished
EventCallback = Callable[[QueueEvent], None]


@dataclass(frozen=True)
class Failure:
    """A session the queue could not transcribe, and why (in words)."""

    session_id: int
    reason: str
    exception: Exception | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class QueueOutcome:
    """What a run of the queue did: results of the sessions it finished or stopped, the
    failures, and whether it was cancelled."""

    results: list[TranscribeResult]
    failures: list[Failure]
    cancelled: bool

    @property
    def ok(self) -> bool:
        return not self.failures

    def failure_line(self) -> str:
        """One line naming every failed session and why, '' when none failed."""
        if not self.failures:
            return ""
        parts = [f"session {f.session_id} ({f.reason})" for f in self.failures]
        return "Not transcribed: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"results": [r.to_dict() for r in self.results],
                "failures": [{"session_id": f.session_id, "reason": f.reason}
                             for f in self.failures],
                "cancelled": self.cancelled}


def reason_of(exc: BaseException) -> str:
    """An error in words: our own errors say what to do; others name their type."""
    if isinstance(exc, CompanionError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_queue(
    study: Study,
    session_ids: Sequence[int] | None = None,
    *,
    options: TranscribeOptions | None = None,
    engine: Engine | None = None,
    on_event: EventCallback | None = None,
    cancel: threading.Event | None = None,
    on_done: DoneCallback | None = None,
) -> QueueOutcome:
    """Transcribe ``session_ids`` in turn (default: every session waiting for one).

    A failing session is recorded in the outcome and the queue goes on. The model is
    loaded before the first session; if it cannot be loaded, that error is raised
    (nothing can be transcribed). With no ``engine``, model or language given, each
    session's protocol language picks its model (engines are cached: each loads once); a
    later session whose model cannot be loaded is a failure like any other. ``on_done``
    follows each transcript the queue finishes (see ``transcribe_session``); when it fails,
    so does that session. A KeyboardInterrupt stops the queue and propagates.
    """
    options = options or TranscribeOptions()
    ids = list(pending_sessions(study) if session_ids is None else session_ids)
    emit: EventCallback = on_event or (lambda _event: None)
    results: list[TranscribeResult] = []
    failures: list[Failure] = []
    if not ids:
        return QueueOutcome(results, failures, False)
    filled = study_options(study, options)
    per_session = engine is None and not (filled.model or filled.language)
    if engine is None:
        emit(ModelLoading(ids[0]))
        engine = (session_engine(study, ids[0], options) if per_session
                  else engine_for(filled))
    cancelled = False
    for index, session_id in enumerate(ids):
        # A queue cancelled at once still hands its first session to the runner, which
        # records it as cancelled (so what is shown and the database agree).
        if index > 0 and cancel is not None and cancel.is_set():
            cancelled = True
            break
        if per_session and index > 0:
            try:
                engine = session_engine(study, session_id, options)
            except Exception as exc:  # no model for this session's language
                failure = Failure(session_id, reason_of(exc), exc)
                failures.append(failure)
                emit(SessionFinished(session_id, "failed", error=failure.reason))
                continue
        emit(SessionStarted(session_id, index, len(ids), engine.label))
        try:
            result = transcribe_session(study, session_id, options=options, engine=engine,
                                        on_progress=emit, cancel=cancel, on_done=on_done)
        except Exception as exc:  # this session failed; the others still run
            failure = Failure(session_id, reason_of(exc), exc)
            failures.append(failure)
            emit(SessionFinished(session_id, "failed", error=failure.reason))
            continue
        results.append(result)
        emit(SessionFinished(session_id, result.status, result=result))
        if result.status == "cancelled":
            cancelled = True
    return QueueOutcome(results, failures, cancelled)
