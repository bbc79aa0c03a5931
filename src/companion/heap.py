"""Giving memory that Python has freed back to the system.

A long recording is read in pieces, so what a run holds at one time stays small; but
glibc keeps the freed space of many short-lived buffers (the decoder's, numpy's) in its
heap, with holes that a later buffer of another size does not fit, and resident memory
then climbs with the recording's length although nothing is held: after the scan of a
150-minute file 130-172 MB stayed resident, 116 MB once given back (30 minutes: 121 and 107
MB; ``benchmarks/transcribe_heap.py``). :func:`give_back` returns those holes to the
system; it is a no-op where the C library has no ``malloc_trim`` (macOS, musl).
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable


@functools.cache
def _trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    trim: Callable[[int], int] | None = getattr(libc, "malloc_trim", None)
    return trim


def give_back() -> None:
    """Hand the heap's free space back to the system (every thread's arena)."""
    trim = _trim()
    if trim is not None:
        trim(0)
