"""Attaching audio recorded on a separate device (WAV, FLAC, MP3, M4A, …) to a session.

The file is decoded with PyAV, written as a FLAC segment placed at the end of the
session's timeline, and the original is copied beside it unchanged. Three steps (check,
decode, attach) so that the decoding runs outside the transaction that records it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import sqlite_utils

from companion.audio.recover import decode_int16
from companion.audio.writer import exclusive_path
from companion.errors import InputError
from companion.store import recordings
from companion.store.recordings import Segment
from companion.store.sessions import Session, get_session, set_status
from companion.study.folder import Study
from companion.study.session_folder import ensure_session_dir, refuse_if_recording

MIN_RATE, MAX_RATE = 8_000, 192_000
ALLOWED = "an audio file PyAV can decode (WAV, FLAC, MP3, M4A, OGG, …)"


@dataclass(frozen=True)
class DecodedAudio:
    """An audio file decoded into the session folder (with its original beside it), not
    yet a segment of the session."""

    source: Path
    target: Path
    original: Path
    seq: int
    samplerate: int
    channels: int
    frames: int
    truncated: bool  # its header promised more audio than it held

    def discard(self) -> None:
        self.target.unlink(missing_ok=True)
        self.original.unlink(missing_ok=True)


def check_import(study: Study, db: sqlite_utils.Database, session_id: int | str,
                 path: str | os.PathLike[str]) -> tuple[Session, int]:
    """The session to import into and the number its new segment gets; InputError when
    the file is missing or empty or a recorder holds the session."""
    source = Path(path).expanduser()
    session = get_session(db, session_id)
    if not source.is_file():
        raise InputError("file", str(path), "an existing audio file")
    if source.stat().st_size == 0:
        raise InputError("file", str(path), ALLOWED, hint="the file is empty")
    refuse_if_recording(study, session)
    return session, recordings.next_seq(db, session.id)


def decode_into_session(study: Study, session: Session, seq: int,
                        path: str | os.PathLike[str]) -> DecodedAudio:
    """Decode ``path`` into a FLAC file in the session folder and copy the original
    beside it (no database: decoding a long file holds no lock on it)."""
    source = Path(path).expanduser()
    rate, channels = _probe(source)
    folder = ensure_session_dir(study, session)
    stem = f"session-{session.id}-{seq:03d}-imported"
    target, fd = exclusive_path(folder, stem, ".flac")
    frames = 0
    try:
        try:
            with sf.SoundFile(fd, "w", samplerate=rate, channels=channels, format="FLAC",
                              subtype="PCM_16") as out:
                for block in _decode(source, channels):
                    out.write(block)
                    frames += len(block)
        except sf.SoundFileRuntimeError as exc:
            # libsndfile says "System error" or "Error writing": the write failed, which
            # the front says in one line as the OS error it is (a full disk, mostly).
            raise write_failure(target, exc) from None
        if frames == 0:
            raise InputError("file", str(path), ALLOWED, hint="no audio could be decoded")
        declared = declared_frames(source)
        original, ofd = exclusive_path(folder, f"{stem}-original", source.suffix.lower())
        with os.fdopen(ofd, "wb") as dst, source.open("rb") as src:
            shutil.copyfileobj(src, dst)
    except BaseException:
        target.unlink(missing_ok=True)
        if "original" in locals():
            original.unlink(missing_ok=True)
        raise
    return DecodedAudio(source, target, original, seq, rate, channels, frames,
                        truncated=_short(frames, declared, rate))


def write_failure(target: Path, exc: Exception) -> OSError:
    """libsndfile's failed write as the OS error it was: ENOSPC when the disk is full."""
    import errno

    full = False
    with contextlib.suppress(OSError):
        full = shutil.disk_usage(target.parent).free < 1024 * 1024
    code = errno.ENOSPC if full else errno.EIO
    return OSError(code, os.strerror(code) if full else str(exc), str(target))


def attach(study: Study, db: sqlite_utils.Database, session: Session,
           decoded: DecodedAudio) -> Segment:
    """The decoded file as the session's newest segment, placed at the end of its
    timeline; a session without audio so far becomes ``completed``."""
    offset = recordings.session_end_ms(db, session.id)
    segment = recordings.add_segment(
        db, session.id, seq=decoded.seq, path=str(decoded.target.relative_to(study.root)),
        fmt="flac", samplerate=decoded.samplerate, channels=decoded.channels,
        offset_ms=offset, device=None, status="imported", frames=decoded.frames,
        end_reason=TRUNCATED if decoded.truncated else "imported",
        original_path=str(decoded.original.relative_to(study.root)),
    )
    if session.status in ("planned", "completed"):
        set_status(db, session.id, "completed",
                   duration_ms=recordings.session_end_ms(db, session.id))
    return segment


TRUNCATED = "imported, truncated"


def _short(frames: int, declared: int | None, rate: int) -> bool:
    # A file whose header promises more than it holds was cut off (a copy that stopped,
    # a recorder that died): some of the interview is missing. A tenth of a second of
    # slack for decoders that drop a last partial frame.
    return declared is not None and frames < declared - rate // 10


def declared_frames(source: Path) -> int | None:
    """The length the file's header promises, in frames (None if it promises none).

    WAV: the data chunk's size (decoders quietly use the bytes actually there instead).
    FLAC and others: the stream's declared duration.
    """
    try:
        with open(source, "rb") as handle:
            head = handle.read(1 << 16)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            return _wav_declared(head)
        import av

        with av.open(str(source)) as container:
            stream = container.streams.audio[0]
            if stream.duration and stream.time_base and stream.codec_context.sample_rate:
                return int(stream.duration * stream.time_base
                           * stream.codec_context.sample_rate)
    except Exception:  # no header we can read: nothing is promised
        return None
    return None


def _wav_declared(head: bytes) -> int | None:
    import struct

    pos, align = 12, 0
    while pos + 8 <= len(head):
        chunk, size = head[pos:pos + 4], int(struct.unpack("<I", head[pos + 4:pos + 8])[0])
        if chunk == b"fmt ":
            align = int(struct.unpack("<H", head[pos + 20:pos + 22])[0])
        elif chunk == b"data":
            if not align or size in (0, 0xFFFFFFFF):  # streaming writers leave it open
                return None
            return size // align
        pos += 8 + size + (size & 1)
    return None


def truncation_warning(segment: Segment, source: str) -> str | None:
    """The warning to show after importing a file that was cut off, or None."""
    if segment.end_reason != TRUNCATED:
        return None
    return (f"warning: {source} is truncated: its header promises more audio than it holds; "
            f"imported the {segment.duration_ms / 1000:.1f} s that are there")


def _probe(source: Path) -> tuple[int, int]:
    import av

    try:
        with av.open(str(source)) as container:
            if not container.streams.audio:
                raise InputError("file", str(source), ALLOWED, hint="it has no audio stream")
            ctx = container.streams.audio[0].codec_context
            rate, channels = int(ctx.sample_rate or 0), int(ctx.channels or 0)
    except av.FFmpegError as exc:
        raise InputError("file", str(source), ALLOWED, hint=f"not audio: {exc}") from None
    if not rate or not channels:
        raise InputError("file", str(source), ALLOWED, hint="unknown rate or channels")
    if not MIN_RATE <= rate <= MAX_RATE:
        # Below 8 kHz speech is not intelligible enough to transcribe; above 192 kHz is
        # not an interview recording but a measurement file.
        raise InputError("sample rate", f"{rate} Hz", f"{MIN_RATE} to {MAX_RATE} Hz",
                         hint=str(source))
    # Keep two channels (interviewer, participant); more are mixed down to mono.
    return rate, 2 if channels == 2 else 1


def _decode(source: Path, channels: int) -> Iterator[np.ndarray]:
    import av

    try:
        container = av.open(str(source))
    except av.FFmpegError as exc:
        raise InputError("file", str(source), ALLOWED, hint=f"not audio: {exc}") from None
    with container:
        yield from decode_int16(container, container.streams.audio[0], channels)
