"""Cutting the live audio into phrases: speech between pauses, at most a few seconds long.

The live transcriber decodes one phrase at a time, so a line appears soon after the
speaker pauses. Speech is told from silence by the level of 20 ms frames against a noise
floor that follows the room (it drops at once and rises slowly). A phrase ends after
``pause_ms`` of silence, at ``max_ms`` of speech, or where the audio jumps in time (the
recording was paused, or blocks were skipped).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

RATE = 16_000
FRAME = RATE // 50  # 20 ms
FRAME_MS = 20


def resample_to_16k(block: np.ndarray, samplerate: int) -> np.ndarray:
    """int16 (frames, channels) at ``samplerate`` → float32 (frames', channels) at 16 kHz.

    Exact multiples (48 k, 32 k) average each group of samples (a crude low-pass that is
    enough for speech); other rates are interpolated.
    """
    audio = block.astype(np.float32) / 32768.0
    if samplerate == RATE:
        return audio
    if samplerate % RATE == 0:
        step = samplerate // RATE
        usable = len(audio) - len(audio) % step
        averaged: np.ndarray = audio[:usable].reshape(-1, step, audio.shape[1]).mean(axis=1)
        return averaged
    n_out = int(len(audio) * RATE / samplerate)
    if n_out == 0:
        return np.zeros((0, audio.shape[1]), dtype=np.float32)
    x_old = np.arange(len(audio)) / samplerate
    x_new = np.arange(n_out) / RATE
    return np.stack([np.interp(x_new, x_old, audio[:, c]) for c in range(audio.shape[1])],
                    axis=1).astype(np.float32)


def level_db(frame: np.ndarray) -> float:
    return float(10.0 * np.log10(float(np.mean(np.square(frame))) + 1e-12))


@dataclass
class Phrase:
    start_ms: int
    audio: np.ndarray  # float32 (frames, channels) at 16 kHz

    @property
    def end_ms(self) -> int:
        return self.start_ms + len(self.audio) * 1000 // RATE


@dataclass
class Segmenter:
    pause_ms: int = 500
    max_ms: int = 10_000
    preroll_ms: int = 200
    min_speech_ms: int = 200
    floor_db: float = -70.0
    _pending: list[np.ndarray] = field(default_factory=list)
    _carry: np.ndarray | None = None
    _next_ms: int | None = None  # session time of the next expected sample
    _frames: list[np.ndarray] = field(default_factory=list)
    _phrase_start: int | None = None
    _speech_ms: int = 0
    _silence_ms: int = 0
    _preroll: list[tuple[int, np.ndarray]] = field(default_factory=list)

    def threshold(self) -> float:
        return max(self.floor_db + 10.0, -55.0)

    def feed(self, start_ms: int, audio: np.ndarray) -> list[Phrase]:
        """Add 16 kHz audio that starts at ``start_ms``; return the phrases it completes."""
        done: list[Phrase] = []
        if self._next_ms is not None and abs(start_ms - self._next_ms) > 40:
            done += self.flush()  # a jump in time: what came before is a phrase of its own
            self._carry = None
        if self._carry is not None and len(self._carry):
            audio = np.concatenate([self._carry, audio])
            start_ms -= len(self._carry) * 1000 // RATE
        self._carry = None
        position = 0
        while position + FRAME <= len(audio):
            frame = audio[position:position + FRAME]
            at = start_ms + position * 1000 // RATE
            phrase = self._frame(at, frame)
            if phrase is not None:
                done.append(phrase)
            position += FRAME
        self._carry = audio[position:]
        self._next_ms = start_ms + len(audio) * 1000 // RATE
        return done

    def _frame(self, at_ms: int, frame: np.ndarray) -> Phrase | None:
        level = level_db(frame.mean(axis=1))
        self.floor_db = level if level < self.floor_db else self.floor_db + 0.01
        speech = level > self.threshold()
        if self._phrase_start is None:
            self._preroll.append((at_ms, frame))
            self._preroll = self._preroll[-(self.preroll_ms // FRAME_MS):]
            if speech:
                self._phrase_start = self._preroll[0][0]
                self._frames = [f for _, f in self._preroll]
                self._preroll = []
                self._speech_ms = FRAME_MS
                self._silence_ms = 0
            return None
        self._frames.append(frame)
        if speech:
            self._speech_ms += FRAME_MS
            self._silence_ms = 0
        else:
            self._silence_ms += FRAME_MS
        length = len(self._frames) * FRAME_MS
        if self._silence_ms >= self.pause_ms or length >= self.max_ms:
            return self._close()
        return None

    def _close(self) -> Phrase | None:
        start, frames, speech = self._phrase_start, self._frames, self._speech_ms
        self._phrase_start = None
        self._frames = []
        self._speech_ms = 0
        self._silence_ms = 0
        if start is None or not frames or speech < self.min_speech_ms:
            return None
        return Phrase(start, np.concatenate(frames))

    def flush(self) -> list[Phrase]:
        """The phrase in progress, if any (at the end, or before a jump in time)."""
        phrase = self._close()
        self._preroll = []
        return [phrase] if phrase is not None else []

    def pending_ms(self) -> int:
        return len(self._frames) * FRAME_MS
