"""Playback of a session's recording through sounddevice, from any moment of its timeline.

A session's audio may be several files (pause/resume, a reconnected microphone); each
sits at its ``offset_ms`` on the session timeline, and the gaps play as silence. So
``play(at_ms)`` with a note's time plays exactly what was being said when the note was
taken. The first block handed to the device starts at the requested frame; the stream is
opened once and restarted on each play, so starting is quick.

The player has no UI: the review screen polls :attr:`Player.position_ms` to highlight the
segment being played. Tests (and level meters) may pass ``tap`` to see every block.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import soundfile as sf

from companion.errors import CompanionError
from companion.session.timeline import audio_map
from companion.store.recordings import Segment

SKIP_MS = 5000


class PlayerLike(Protocol):
    """What the review screen needs from a player (the real one or a test double)."""

    @property
    def position_ms(self) -> int: ...

    @property
    def playing(self) -> bool: ...

    @property
    def duration_ms(self) -> int: ...

    def play(self, at_ms: int | None = None) -> None: ...

    def pause(self) -> None: ...

    def toggle(self) -> None: ...

    def skip(self, delta_ms: int) -> None: ...

    def close(self) -> None: ...


class Timeline:
    """The session's audio files laid out on the session timeline, read by frame."""

    def __init__(self, study_root: Path, segments: Sequence[Segment]) -> None:
        # The session clock's mapping to files is the timeline's (the qdpx export's too).
        usable = audio_map(segments).present(study_root).parts
        if not usable:
            raise CompanionError("this session has no recording to play")
        self.samplerate = int(usable[0].samplerate)
        self.channels = max(1, min(2, max(int(p.channels) for p in usable)))
        self._parts: list[tuple[int, int, sf.SoundFile]] = []
        for part in usable:
            handle = sf.SoundFile(str(part.abspath(study_root)))
            start = part.start_frame(self.samplerate)
            self._parts.append((start, start + handle.frames, handle))
        self.frames = max(end for _, end, _ in self._parts)

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.samplerate

    def read(self, start: int, frames: int) -> np.ndarray:
        out = np.zeros((frames, self.channels), dtype=np.float32)
        stop = start + frames
        for part_start, part_end, handle in self._parts:
            a, b = max(start, part_start), min(stop, part_end)
            if a >= b:
                continue
            handle.seek(a - part_start)
            data = handle.read(b - a, dtype="float32", always_2d=True)
            if data.shape[1] >= self.channels:
                data = data[:, : self.channels]
            else:
                data = np.repeat(data[:, :1], self.channels, axis=1)
            out[a - start: a - start + len(data)] = data
        return out

    def close(self) -> None:
        for _, _, handle in self._parts:
            handle.close()


def _sd() -> Any:
    import sounddevice

    return sounddevice


class Player:
    """Plays a :class:`Timeline` on an output device; all methods are thread-safe."""

    def __init__(self, timeline: Timeline, *, device: int | str | None = None,
                 blocksize: int = 512,
                 tap: Callable[[int, np.ndarray], None] | None = None) -> None:
        self.timeline = timeline
        self.device = device
        self.blocksize = blocksize
        self.tap = tap
        self._lock = threading.Lock()
        self._frame = 0
        self._playing = False
        self._stream: Any = None

    @classmethod
    def for_session(cls, study_root: Path, segments: Sequence[Segment], **kwargs: Any
                    ) -> Player:
        return cls(Timeline(study_root, segments), **kwargs)

    # --- state ------------------------------------------------------------------------

    @property
    def position_ms(self) -> int:
        with self._lock:
            return self._frame * 1000 // self.timeline.samplerate

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def duration_ms(self) -> int:
        return self.timeline.duration_ms

    def _to_frame(self, ms: int) -> int:
        frame = int(ms) * self.timeline.samplerate // 1000
        return max(0, min(frame, self.timeline.frames))

    # --- the audio thread ---------------------------------------------------------------

    def _callback(self, outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        with self._lock:
            start = self._frame
            self._frame = min(start + frames, self.timeline.frames)
        block = self.timeline.read(start, frames)
        outdata[:] = block
        if self.tap is not None:
            self.tap(start, block)
        if start + frames >= self.timeline.frames:
            raise _sd().CallbackStop

    def _finished(self) -> None:
        self._playing = False

    def _open(self) -> Any:
        if self._stream is None:
            sd = _sd()
            try:
                self._stream = sd.OutputStream(
                    samplerate=self.timeline.samplerate, channels=self.timeline.channels,
                    dtype="float32", device=self.device, blocksize=self.blocksize,
                    latency="low", callback=self._callback,
                    finished_callback=self._finished)
            except (sd.PortAudioError, ValueError) as exc:
                raise CompanionError(f"cannot play audio on output device "
                                     f"{self.device or 'default'}: {exc}") from None
        return self._stream

    # --- controls ------------------------------------------------------------------------

    def play(self, at_ms: int | None = None) -> None:
        """Play from ``at_ms`` (session time), or from where it stands."""
        stream = self._open()
        if stream.active:
            stream.abort()
        with self._lock:
            if at_ms is not None:
                self._frame = self._to_frame(at_ms)
            if self._frame >= self.timeline.frames:
                self._frame = 0
        self._playing = True
        stream.start()

    def pause(self) -> None:
        if self._stream is not None and self._stream.active:
            self._stream.abort()
        self._playing = False

    def toggle(self) -> None:
        if self._playing:
            self.pause()
        else:
            self.play()

    def seek(self, at_ms: int) -> None:
        with self._lock:
            self._frame = self._to_frame(at_ms)

    def skip(self, delta_ms: int) -> None:
        """Jump forward (or back, with a negative delta) by ``delta_ms``."""
        with self._lock:
            now = self._frame * 1000 // self.timeline.samplerate
            self._frame = self._to_frame(max(0, now + delta_ms))

    def close(self) -> None:
        if self._stream is not None:
            self._stream.abort()
            self._stream.close()
            self._stream = None
        self._playing = False
        self.timeline.close()
