"""The enrolled interviewer: one voice model per study, kept only in the study folder.

The model (mixture weights, means and variances of cepstral frames, no audio) is a file
``voices/interviewer.npz`` in the study folder (folder 0700, file 0600). Exports never read
it, and withdrawing a participant leaves it; only ``companion speaker forget`` removes it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from companion.errors import InputError
from companion.files import make_private_dir
from companion.speakers.features import HOP, mfcc, voiced
from companion.speakers.voice import Voice, fit_voice
from companion.study.folder import Study

VOICES_DIR = "voices"
FILE = "interviewer.npz"
MIN_SECONDS = 3.0
"""Less voiced speech than this makes an unreliable model."""


def voice_path(study: Study) -> Path:
    return study.root / VOICES_DIR / FILE


def load_interviewer(study: Study) -> Voice | None:
    return load_interviewer_at(voice_path(study))


def load_interviewer_at(path: Path) -> Voice | None:
    if not path.is_file():
        return None
    with np.load(path) as data:
        return Voice.from_arrays({k: data[k] for k in data.files})


def save_interviewer(study: Study, voice: Voice) -> Path:
    folder = make_private_dir(study.root / VOICES_DIR)
    buffer = io.BytesIO()
    np.savez(buffer, **voice.to_arrays())
    target = folder / FILE
    temp = folder / (FILE + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(buffer.getvalue())
    os.chmod(temp, 0o600)
    os.replace(temp, target)
    return target


def forget_interviewer(study: Study) -> bool:
    """Erase the enrolled voice (True when there was one)."""
    path = voice_path(study)
    if not path.exists():
        return False
    size = path.stat().st_size
    with open(path, "r+b") as out:  # overwrite before unlinking: no model left on disk
        out.write(b"\0" * size)
        out.flush()
        os.fsync(out.fileno())
    path.unlink()
    return True


def voice_from_frames(frames: np.ndarray, source: str) -> Voice:
    if len(frames) * HOP / 16_000 < MIN_SECONDS:
        raise InputError("enrolment", source,
                         f"at least {MIN_SECONDS:.0f} s of the interviewer's speech")
    return fit_voice(frames)


def frames_of(audio: np.ndarray, mask_ms: list[tuple[int, int]] | None = None) -> np.ndarray:
    """Voiced cepstral frames of ``audio``, optionally only inside the given spans."""
    cepstra, level = mfcc(audio)
    keep = voiced(level)
    if mask_ms is not None:
        inside = np.zeros(len(keep), bool)
        for start, end in mask_ms:
            inside[start // 10: max(start // 10 + 1, end // 10)] = True
        keep &= inside
    kept: np.ndarray = cepstra[keep]
    return kept


def enrol_from_file(study: Study, path: str | os.PathLike[str]) -> dict[str, Any]:
    from companion.audio import decode

    source = Path(path)
    if not source.is_file():
        raise InputError("--file", str(path), "an existing audio file of the interviewer")
    try:
        audio = decode.load_audio(source).mono
    except Exception as exc:  # any decoder failure is bad input here
        raise InputError("--file", str(path), "a readable audio file (WAV, FLAC, MP3…)",
                         hint=str(exc)) from exc
    frames = frames_of(audio)
    save_interviewer(study, voice_from_frames(frames, str(path)))
    return {"source": "file", "seconds": round(len(frames) * HOP / 16_000, 1)}


def enrol_from_session(study: Study, session_id: int, *, channel: int = 1,
                       speaker: str = "I") -> dict[str, Any]:
    """From a two-channel session (frames where ``channel``, 1 = left, clearly carries the
    voice) or from a corrected transcript (the words whose speaker is ``speaker``)."""
    from companion.audio import decode
    from companion.store.transcripts import list_segments

    if channel not in (1, 2):
        raise InputError("--channel", channel, "1 (left) or 2 (right)")
    with study.connected() as db:
        rows = list(db.query("SELECT path, offset_ms FROM recording_segments "
                             "WHERE session_id = ? ORDER BY offset_ms", [session_id]))
        segments = list_segments(db, session_id)
    if not rows:
        raise InputError("--from-session", session_id, "a session with recorded audio")
    chunks: list[np.ndarray] = []
    for row in rows:
        path = Path(row["path"])
        path = path if path.is_absolute() else study.root / path
        loaded = decode.load_audio(path)
        offset = int(row["offset_ms"])
        if loaded.channels == 2:
            power = loaded.channel_power
            mine, theirs = power[:, channel - 1], power[:, 2 - channel]
            loud = np.flatnonzero(mine >= 4.0 * theirs)
            spans = [(int(f) * 10, int(f) * 10 + 10) for f in loud]
        else:
            spans = [(w.start_ms - offset, w.end_ms - offset) for s in segments
                     for w in s.words if (w.speaker or s.speaker) == speaker]
        if spans:
            chunks.append(frames_of(loaded.mono, spans))
    frames = np.concatenate(chunks) if chunks else np.zeros((0, 19))
    if not len(frames):
        raise InputError("--from-session", session_id,
                         f"a two-channel session, or a transcript with words of {speaker!r}")
    save_interviewer(study, voice_from_frames(frames, f"session {session_id}"))
    return {"source": f"session {session_id}",
            "seconds": round(len(frames) * HOP / 16_000, 1)}
