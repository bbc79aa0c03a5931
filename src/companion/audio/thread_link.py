"""What the recorder gives its writer thread, and all the thread knows of it.

The recorder (:mod:`companion.audio.recorder`) makes these; the thread
(:mod:`companion.audio.recording_thread`) reads the config, calls the hooks and empties
the inbox. Neither reaches into the other's fields.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from companion.audio.devices import InputDevice
from companion.audio.status import RecorderStatus
from companion.study.folder import Study

STREAM_ENDED = object()  # put on the queue by PortAudio's finished callback


@dataclass(frozen=True)
class ThreadConfig:
    """What the writer thread records, where, and within which limits."""

    study: Study
    session_id: int
    folder: Path  # the session's recordings folder (the owner holds its lock)
    device: InputDevice  # the microphone at the start; a reconnect looks it up again
    fmt: str
    samplerate: int
    channels: int
    flush_interval: float
    max_frames: int | None
    silence_seconds: float
    stall_seconds: float
    start_grace_seconds: float
    retry_interval: float
    disk_warn_minutes: float
    disk_reserve_bytes: int
    disk_usage: Callable[[Path], Any]
    stopped_status: str  # the session's status after a clean stop
    status_before: str  # put back when the device never opens


@dataclass(frozen=True)
class OwnerHooks:
    """What the writer thread asks of the recorder that runs it, and nothing more."""

    open_stream: Callable[[InputDevice], Any]  # started; blocks arrive in the inbox
    overflows: Callable[[], int]  # input overflows PortAudio reported so far
    tap: Callable[[np.ndarray, int], None]  # a written block and its session time (ms)
    started: Callable[[BaseException | None], None]  # the device opened, or why not
    publish: Callable[[RecorderStatus], None]  # the newest snapshot for the owner


@dataclass(frozen=True)
class Inbox:
    """What reaches the writer thread: audio blocks (and ``STREAM_ENDED``) from the audio
    callback, and the owner's commands, each with the event set once it is done."""

    blocks: queue.SimpleQueue[Any] = field(default_factory=queue.SimpleQueue)
    commands: queue.SimpleQueue[tuple[str, threading.Event]] = field(
        default_factory=queue.SimpleQueue)
