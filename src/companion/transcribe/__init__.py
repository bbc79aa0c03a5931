"""Local, verbatim transcription: faster-whisper onto the session timeline.

Public entry points (the CLI and the TUI's transcription view use the same ones):

- :func:`transcribe_session` / :func:`run_queue` (many, going on past a failing one) with
  :class:`TranscribeOptions`,
  an ``on_progress(Progress)`` callback and a ``threading.Event`` to cancel;
- :func:`pending_sessions` for a queue; :func:`load_engine` to load a model once (which
  model: :func:`companion.models.resolve.resolve_model`);
- :mod:`companion.notation` for the conventions (pause marks, timestamps).
"""

from companion.transcribe.engine import Engine, load_engine
from companion.transcribe.queue import QueueOutcome, run_queue
from companion.transcribe.runner import (
    Progress,
    TranscribeOptions,
    TranscribeResult,
    pending_sessions,
    transcribe_session,
)

__all__ = [
    "Engine",
    "Progress",
    "QueueOutcome",
    "TranscribeOptions",
    "TranscribeResult",
    "load_engine",
    "pending_sessions",
    "run_queue",
    "transcribe_session",
]
