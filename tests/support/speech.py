"""Speech with known content for the transcription tests: espeak-ng voices, exact timing.

Each utterance is synthesised, trimmed of espeak's own leading and trailing silence, and
placed on a timeline with silences of known length between the turns, so every word and
every pause has a known time.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from companion.store.db import now_iso
from tests.support.espeak import espeak

if TYPE_CHECKING:
    from companion.study.folder import Study
    from companion.transcribe import Engine, Progress, TranscribeResult

RATE = 22050  # espeak-ng's native rate: the engine must resample it
VOICES = {"I": "en-us", "P": "en-gb+f3"}


@dataclass(frozen=True)
class Utterance:
    speaker: str  # "I" (interviewer, left channel) or "P" (participant, right channel)
    text: str
    start_ms: int
    end_ms: int


def synth(text: str, voice: str, *, speed: int = 160) -> np.ndarray:
    """One utterance as float32 mono at ``RATE``, without leading or trailing silence."""
    return espeak(text, voice, speed=speed, rate=RATE)


def build_interview(
    turns: list[tuple[str, str, float]],
) -> tuple[np.ndarray, list[Utterance]]:
    """``turns``: (speaker, text, silence in seconds BEFORE this turn).

    Returns a (frames, 2) float32 array (interviewer left, participant right) and the
    known utterances with their times in milliseconds.
    """
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    truth: list[Utterance] = []
    pos = 0
    for speaker, text, gap_s in turns:
        gap = np.zeros(round(gap_s * RATE), dtype=np.float32)
        left.append(gap)
        right.append(gap)
        pos += len(gap)
        voice = synth(text, VOICES[speaker])
        silent = np.zeros_like(voice)
        left.append(voice if speaker == "I" else silent)
        right.append(voice if speaker == "P" else silent)
        truth.append(Utterance(speaker, text, round(pos * 1000 / RATE),
                               round((pos + len(voice)) * 1000 / RATE)))
        pos += len(voice)
    tail = np.zeros(RATE // 2, dtype=np.float32)
    stereo = np.stack([np.concatenate([*left, tail]), np.concatenate([*right, tail])], axis=1)
    return stereo, truth


def write(path: Path, audio: np.ndarray, rate: int = RATE) -> Path:
    sf.write(path, audio, rate, subtype="PCM_16")
    return path


# Two voices; the silences before the turns: 1 s, 3 s and 6 s between speakers, and 1.5 s
# inside one answer. Other gaps are short (< 1 s) and are no pauses.
TURNS: list[tuple[str, str, float]] = [
    ("I", "Welcome. Can you tell me about your history with chronic pain?", 0.5),
    ("P", "My back has hurt for more than ten years.", 1.0),
    ("I", "And how was the physiotherapist with you?", 0.6),
    ("P", "She was friendly. But she never really listened to me.", 3.0),
    ("I", "Did you ever tell her that?", 0.7),
    ("P", "No.", 6.0),
    ("P", "I did not dare to say it.", 1.5),
    ("I", "What happened in the team meetings?", 0.8),
    ("P", "The doctor decided everything without asking me.", 0.6),
]


@dataclass(frozen=True)
class Interview:
    stereo: Path  # interviewer left, participant right
    mono: Path
    audio: np.ndarray
    truth: list[Utterance]

    @property
    def pauses(self) -> list[tuple[int, int]]:
        """The known silences of 1 s or more between utterances (ms)."""
        gaps = [(a.end_ms, b.start_ms) for a, b in itertools.pairwise(self.truth)]
        return [g for g in gaps if g[1] - g[0] >= 1000]

    def utterance_at(self, ms: int) -> Utterance | None:
        for u in self.truth:
            if u.start_ms <= ms <= u.end_ms:
                return u
        return None


def new_session(db, code: str = "P05") -> int:
    """A session of a consented participant on the plain English protocol (whose
    vocabulary does not steer the model)."""
    from tests.support.people import consented_session

    return consented_session(db, code, protocol_id="semi-structured").id


def add_recording(db, session_id: int, path: Path, *, seq: int = 1, offset_ms: int = 0) -> int:
    info = sf.info(str(path))
    return int(db["recording_segments"].insert({
        "session_id": session_id, "seq": seq, "path": str(path), "format": info.format.lower(),
        "samplerate": info.samplerate, "channels": info.channels, "offset_ms": offset_ms,
        "frames": info.frames, "status": "closed", "started_at": now_iso(),
    }).last_pk)


def cut(audio: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    return audio[round(start_s * RATE): round(end_s * RATE)]


def speech_of(mono: np.ndarray) -> list[tuple[int, int]]:
    """The voice filter's regions of a 16 kHz signal, heard as a run hears a file: in
    blocks (see companion.transcribe.chunks.SpeechFinder)."""
    from companion.transcribe.chunks import SpeechFinder

    finder = SpeechFinder()
    finder.feed(mono)
    return finder.regions()


def cancelled_after_first_chunk(study: Study, session_id: int,
                                engine: Engine) -> TranscribeResult:
    """Transcribe a session, cancelled as soon as its first chunk is committed (the run's
    result; a rerun resumes after that chunk)."""
    from companion.transcribe import transcribe_session

    cancel = threading.Event()

    def stop_after_the_first_chunk(progress: Progress) -> None:
        if progress.new_segments > 0:
            cancel.set()

    return transcribe_session(study, session_id, engine=engine, cancel=cancel,
                              on_progress=stop_after_the_first_chunk)
