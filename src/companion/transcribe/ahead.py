"""Two chunks at a time: the next one is decoded by a second worker while the current one
is read, stored and reported.

On a small model one decoding stream cannot keep two cores busy (CTranslate2 splits one
beam search over threads poorly), so the engine runs two workers of one thread each (see
:func:`companion.transcribe.engine.workers_for`) and the runner keeps the second busy with
the chunk after the one it is on. Chunks are decoded on their own anyway (see
:mod:`companion.transcribe.chunks`), so the text is the same either way; only the time
changes. The chunk being read is still decoded segment by segment in the caller's thread,
so a cancel still stops it there; the one decoded ahead is dropped, unstored.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from companion.transcribe.engine import DecodeOptions, RawSegment

if TYPE_CHECKING:
    from companion.transcribe.chunks import Chunk
    from companion.transcribe.engine import Engine


class Lookahead:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pool = (ThreadPoolExecutor(1, thread_name_prefix="companion-decode")
                     if engine.workers > 1 else None)
        self.stop = threading.Event()
        self.pending: dict[Chunk, Future[tuple[list[RawSegment], str]]] = {}

    def start(self, chunk: Chunk, clip: np.ndarray, options: DecodeOptions) -> None:
        """Begin decoding ``chunk`` (its audio: ``clip``) in the second worker."""
        if self.pool is not None and chunk not in self.pending and not self.stop.is_set():
            self.pending[chunk] = self.pool.submit(self._decode, clip, options, chunk.tail_s)

    def take(self, chunk: Chunk) -> tuple[Iterator[RawSegment], str] | None:
        """The segments of ``chunk`` if it was decoded ahead (waiting for them), else None."""
        future = self.pending.pop(chunk, None)
        if future is None:
            return None
        segments, language = future.result()
        return iter(segments), language

    def _decode(self, clip: np.ndarray, options: DecodeOptions,
                tail_s: float) -> tuple[list[RawSegment], str]:
        segments, language = self.engine.transcribe(clip, options)
        found: list[RawSegment] = []
        try:
            for raw in segments:
                found.append(raw)
                # as the runner does: no window for the closing padding
                if self.stop.is_set() or raw.end >= tail_s:
                    break
        finally:
            close = getattr(segments, "close", None)
            if close is not None:
                close()
        return found, language

    def close(self) -> None:
        """Drop what was decoded ahead; return once the worker is idle."""
        self.stop.set()
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        self.pending.clear()
