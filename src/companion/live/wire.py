"""What crosses the pipes between the app and the live transcriber process.

Audio goes down the transcriber's stdin as frames: a fixed header (session time of the
block's first sample in ms, number of sample frames) then the int16 samples, interleaved.
A gap in session time (a pause, a dropped block) is visible from the headers alone.
Replies come back on its stdout as one JSON object per line.
"""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO, TypeAlias

import numpy as np

HEADER = struct.Struct("<qI")
Block: TypeAlias = tuple[int, np.ndarray]
"""One block of the recording: its start on the session timeline (ms) and int16 samples
(frames, channels)."""


def encode_block(start_ms: int, block: np.ndarray) -> bytes:
    samples = np.ascontiguousarray(block, dtype=np.int16)
    return HEADER.pack(int(start_ms), len(samples)) + samples.tobytes()


def read_exact(stream: BinaryIO, size: int) -> bytes | None:
    """``size`` bytes, or None at the end of the stream."""
    chunks = []
    left = size
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_block(stream: BinaryIO, channels: int) -> Block | None:
    """The next (start_ms, int16 samples (frames, channels)), or None at the end."""
    head = read_exact(stream, HEADER.size)
    if head is None:
        return None
    start_ms, frames = HEADER.unpack(head)
    body = read_exact(stream, frames * channels * 2)
    if body is None:
        return None
    return start_ms, np.frombuffer(body, dtype=np.int16).reshape(frames, channels)


def encode_message(kind: str, **fields: Any) -> bytes:
    return (json.dumps({"type": kind, **fields}, ensure_ascii=False) + "\n").encode()


def decode_message(line: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) and "type" in data else None
