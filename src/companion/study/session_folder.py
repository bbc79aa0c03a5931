"""Where a session's audio lives in the study folder, and the locks that say a recorder or
a transcription is working on it.

The lock is an ``flock`` on a file in the session folder: the kernel releases it when the
recording process dies, however it dies, so "locked" means "a recorder is alive".
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from pathlib import Path

from companion.files import make_private_dir, open_private_append
from companion.store.sessions import Session
from companion.study.folder import Study

LOCK_NAME = ".recording.lock"


def session_dir_of(study: Study, participant_code: str, session_id: int) -> Path:
    """The folder of a session's audio (also for a session whose row is gone)."""
    safe = re.sub(r"[^\w.-]", "_", participant_code) or "participant"
    return study.recordings_dir / safe / str(session_id)


def session_dir(study: Study, session: Session) -> Path:
    return session_dir_of(study, session.participant_code, session.id)


def ensure_session_dir(study: Study, session: Session) -> Path:
    return make_private_dir(session_dir(study, session), study.root)


class SessionLock:
    def __init__(self, folder: Path, name: str = LOCK_NAME) -> None:
        self.path = Path(folder) / name
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = open_private_append(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def is_locked(folder: Path, name: str = LOCK_NAME) -> bool:
    """True while a live recorder holds the session folder (with ``name`` the
    transcription lock: a transcription is working on it)."""
    path = Path(folder) / name
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock we may have taken
    return False


def refuse_if_recording(study: Study, session: Session) -> None:
    """InputError while a recorder holds the session: its files are being written."""
    from companion.errors import InputError

    if is_locked(session_dir(study, session)):
        raise InputError("session", session.id, "a session no recorder is running for",
                         hint="it is being recorded right now")


TRANSCRIBE_LOCK_NAME = ".transcribing.lock"


@contextlib.contextmanager
def transcribing(study: Study, session: Session) -> Iterator[None]:
    """Hold the session's transcription lock; a second transcription is refused.

    Two runs on one session would both write its transcript, and the slower one could
    mark a finished transcript failed. Like the recorder's, the lock is an ``flock``: it
    goes with the process, however that ends.
    """
    from companion.errors import InputError

    lock = SessionLock(ensure_session_dir(study, session), name=TRANSCRIBE_LOCK_NAME)
    if not lock.acquire():
        raise InputError("session", session.id, "a session no other transcription is "
                         "working on", hint="it is being transcribed now (another "
                         "'companion transcribe' or the interview screens); wait for it")
    try:
        yield
    finally:
        lock.release()
