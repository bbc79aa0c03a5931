"""While the app runs, the terminal is Textual's alone.

C libraries write straight to file descriptor 2: when a microphone goes away PortAudio
and ALSA print ``Expression '...' failed`` and ``ALSA lib pulse.c:...`` lines, again and
again, right over the screen, where they stayed until a resize. So while the app runs,
descriptor 2 is a log file in the user's state folder (``companion doctor`` names it;
the live transcriber's process, started meanwhile, writes there too), and Textual draws
on a copy of the terminal's descriptor. The app says what matters in its own words
("Microphone lost", "Microphone back at 00:02:53").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from companion.files import make_private_dir, open_private_append

KEEP_BYTES = 1_000_000
"""A log past this size starts again (the one before is kept beside it as ``.old``)."""


def _open_log(path: Path) -> int:
    make_private_dir(path.parent)
    with contextlib.suppress(OSError):
        if path.stat().st_size > KEEP_BYTES:
            path.replace(path.with_name(path.name + ".old"))
    fd = open_private_append(path)
    os.lseek(fd, 0, os.SEEK_END)
    stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    os.write(fd, f"--- companion started {stamp} (pid {os.getpid()})\n".encode())
    return fd


@contextlib.contextmanager
def native_messages_to(path: Path) -> Iterator[TextIO]:
    """Descriptor 2 goes to the log at ``path`` until the block ends; yields a stream on
    the terminal (also ``sys.stderr`` and ``sys.__stderr__``, which Textual draws on and
    prints a crash to). When the log cannot be opened, nothing changes."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stderr.flush()
    try:
        log = _open_log(path)
    except OSError:
        yield sys.__stderr__ or sys.stderr
        return
    saved = os.dup(2)
    os.dup2(log, 2)
    os.close(log)
    terminal = os.fdopen(saved, "w", encoding="utf-8", errors="replace", closefd=True)
    before = sys.stderr, sys.__stderr__
    # Textual's driver draws on sys.__stderr__ (typed Final, hence setattr); a crash's
    # traceback is printed to sys.stderr after the screen is restored.
    sys.stderr = terminal
    setattr(sys, "__stderr__", terminal)  # noqa: B010
    try:
        yield terminal
    finally:
        with contextlib.suppress(OSError, ValueError):
            terminal.flush()
        sys.stderr = before[0]
        setattr(sys, "__stderr__", before[1])  # noqa: B010
        os.dup2(saved, 2)
        terminal.close()
