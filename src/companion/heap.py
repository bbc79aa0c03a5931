"""How the C heap holds the memory of a long transcription.

A long recording is read in pieces, so what a run holds at one time stays small; but
glibc's defaults let resident memory climb with the recording's length although nothing
more is held:

- every thread that allocates at the same time as another gets an arena of its own (up to
  eight per core), each keeping its own freed space: the decoders, the reader and numpy
  spread their short-lived buffers over many arenas;
- a large buffer is mapped on its own and unmapped when freed, but once one is freed glibc
  raises that threshold (up to 32 MB), so the decoder's buffers of a few megabytes then
  come from the arenas, and leave holes there that a later buffer of another size does not
  fit.

:func:`settle` caps the arenas at two and fixes the threshold at 4 MB, before the first
model loads (and lets up to 64 MB of free space wait at the heap's top);
:func:`give_back` returns the arenas' free space after the scan of a file and after each
chunk. Both are no-ops where the C library has neither (macOS, musl). Measured
by ``benchmarks/transcribe_heap.py`` (the trim) and ``benchmarks/transcribe.py --minutes``
(a whole run; see the README for the figures).
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8

ARENAS = 2
# Smaller maps every mid-sized buffer (1 MB: 170 s against 144 s on 30 minutes of tiny.en);
# larger keeps more of the decoder's buffers in the arenas (benchmarks/heap_settings.py).
MMAP_THRESHOLD = 4 * 2**20
# Fixing the threshold above also fixes this one at 128 KB: the top of the heap would go
# back to the system after nearly every free and be faulted in again at once (4 % more CPU
# on tiny.en). give_back trims it after each chunk instead.
TRIM_THRESHOLD = 64 * 2**20


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


@functools.cache
def settle() -> None:
    """Cap the arenas and fix the mapping and trim thresholds (see the module); once per
    process, before the threads that decode start."""
    libc = _libc()
    if libc is not None:
        mallopt: Callable[[int, int], int] = libc.mallopt
        mallopt(_M_ARENA_MAX, ARENAS)
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def give_back() -> None:
    """Hand the heap's free space back to the system (every arena)."""
    libc = _libc()
    if libc is not None:
        trim: Callable[[int], int] = libc.malloc_trim
        trim(0)
