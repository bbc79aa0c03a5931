"""Transcribing on this machine: the one queue both fronts run, and what follows a finished
transcript.

- :func:`request` checks what was asked (one session or every waiting one, threads,
  speakers, language; for one session, everything its run needs) before any model is
  loaded: bad input is an InputError before anything is written.
- :func:`transcribe_queue` runs :func:`companion.transcribe.queue.run_queue`: sessions one
  after the other, a failing one recorded while the others go on. What happens reaches the
  caller as the queue's own dataclasses (:data:`QueueEvent`), which the CLI draws as
  progress bars and the TUI as rows.
- :func:`after_transcript` is what follows a transcript a run finished, as one step.
- :func:`talk_time` is who talked how much in a transcribed session.

A run commits chunk by chunk over minutes; its audit entries (start or resume, and end)
are written by the run itself (see :mod:`companion.transcribe.runner`). The listing of what
waits is :func:`companion.operations.listings.transcription_queue`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from companion.errors import InputError
from companion.live.final import replace_with_final
from companion.operations._base import reading
from companion.speakers.session import MODES as SPEAKER_MODES
from companion.speakers.session import attribute_session, store_separation
from companion.speakers.talktime import session_talk_time
from companion.store import transcripts
from companion.store.db import checkpoint, transaction
from companion.study.folder import Study
from companion.transcribe.engine import Engine, check_language
from companion.transcribe.job import Progress, TranscribeOptions, TranscribeResult
from companion.transcribe.plan import plan_session, study_options
from companion.transcribe.queue import (
    EventCallback,
    Failure,
    ModelLoading,
    QueueEvent,
    QueueOutcome,
    SessionFinished,
    SessionStarted,
    reason_of,
    run_queue,
)

__all__ = ["Failure", "ModelLoading", "Progress", "QueueEvent", "QueueOutcome", "Request",
           "SessionFinished", "SessionStarted", "TranscribeOptions", "TranscribeResult",
           "after_transcript", "reason_of", "request", "talk_time", "transcribe_queue"]


MAX_THREADS = 1024  # more than any machine has; a larger number overflows CTranslate2


@dataclass(frozen=True)
class Request:
    """What to transcribe, checked: ``session_ids`` (None: every session waiting for a
    transcript) with the options of the run."""

    session_ids: list[int] | None
    options: TranscribeOptions


def request(study: Study, session_id: int | str | None, *, all_sessions: bool = False,
            model: str | None = None, language: str | None = None, threads: int = 0,
            restart: bool = False, speakers: str = "auto") -> Request:
    """One session or ``all_sessions``, checked before the model is loaded: the choice
    itself, threads, speakers, language and, for one session, its audio and protocol
    language. Writes nothing."""
    if bool(session_id) == bool(all_sessions):
        raise InputError("SESSION", session_id or "", "a session id, or --all (not both)")
    if not 0 <= threads <= MAX_THREADS:
        raise InputError("--threads", threads, f"0 (automatic) to {MAX_THREADS}")
    if speakers not in SPEAKER_MODES:
        raise InputError("--speakers", speakers, "auto (separate voices on mono audio) or none")
    check_language(language)
    options = TranscribeOptions(model=model, language=language, threads=threads,
                                restart=restart, speakers=speakers)
    if all_sessions:
        return Request(None, options)
    with reading(study) as db:
        planned = plan_session(db, study, session_id or "", study_options(study, options))
    return Request([planned.session.id], options)


def transcribe_queue(study: Study, session_ids: Sequence[int] | None = None, *,
                     options: TranscribeOptions | None = None, engine: Engine | None = None,
                     on_event: EventCallback | None = None,
                     cancel: threading.Event | None = None) -> QueueOutcome:
    """These sessions (default: every one waiting for a transcript), one after the other,
    each finished transcript followed by :func:`after_transcript`; a failing session is
    recorded in the outcome and the others still run. The model is loaded once (with no
    model named, once per language); if it cannot be, that error is raised."""
    chosen = options or TranscribeOptions()

    def after(result: TranscribeResult) -> None:
        after_transcript(study, result.session_id, speakers=chosen.speakers)

    return run_queue(study, session_ids, options=chosen, engine=engine, on_event=on_event,
                     cancel=cancel, on_done=after)


def after_transcript(study: Study, session_id: int, *, speakers: str = "auto") -> None:
    """What follows a finished transcript, the transcript being the record now: the quotes
    pinned from live lines move onto the final words that match them, the live lines go;
    on one-channel audio with ``speakers`` auto, each word gets its speaker from the
    voices (two channels keep the channel rule the run applied).

    The transcript is marked done here, in the one transaction that stores the quotes and
    the speakers (the run left it ``running`` with its last chunk committed): a failure
    on the way (a full disk) leaves it not done, and the next run does this step again
    instead of saying the session already has a transcript. The voices are told apart
    before that transaction, which holds no write lock while the audio is read."""
    with reading(study) as db:
        voices = attribute_session(study, db, session_id) if speakers == "auto" else None
        with transaction(db):
            replace_with_final(db, session_id)
            if voices is not None:
                store_separation(db, session_id, voices)
            transcript = transcripts.get_transcript(db, session_id)
            if transcript is not None and transcript["status"] != "done":
                transcripts.finish_transcript(db, session_id, "done")
        checkpoint(db)


def talk_time(study: Study, session_id: int) -> list[dict[str, Any]]:
    """Who talked how much in a transcribed session, overall: one row per speaker (see
    :func:`companion.speakers.talktime.describe` for it in words); empty without speech."""
    with reading(study) as db:
        rows: list[dict[str, Any]] = session_talk_time(db, session_id)["overall"]
    return rows
