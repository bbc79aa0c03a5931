"""Local, verbatim transcription: faster-whisper onto the session timeline.

Public entry points (both fronts reach them through :mod:`companion.operations.transcription`):

- :func:`transcribe_session` / :func:`run_queue` (many, going on past a failing one) with
  :class:`TranscribeOptions`, a callback for progress (or the queue's events), a
  ``threading.Event`` to cancel and one for what follows a finished transcript;
- :func:`pending_sessions` for a queue; :func:`load_engine` to load a model once (which
  model: :func:`companion.models.resolve.resolve_model`);
- :mod:`companion.notation` for the conventions (pause marks, timestamps).
"""

from companion.transcribe.engine import Engine, load_engine
from companion.transcribe.job import Progress, TranscribeOptions, TranscribeResult
from companion.transcribe.plan import pending_sessions
from companion.transcribe.queue import QueueOutcome, run_queue
from companion.transcribe.runner import transcribe_session

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
