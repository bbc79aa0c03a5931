"""Attaching audio recorded on a separate device (WAV, FLAC, MP3, M4A, …) to a session.

The file is decoded with PyAV, written as a FLAC segment placed at the end of the
session's timeline, and the original is copied beside it unchanged.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import soundfile as sf

from companion.audio.lock import ensure_session_dir, is_locked, session_dir
from companion.audio.recover import decode_int16
from companion.audio.writer import exclusive_path
from companion.errors import InputError
from companion.store import recordings
from companion.store.recordings import Segment
from companion.store.sessions import get_session, set_status
from companion.study.folder import Study

MIN_RATE, MAX_RATE = 8_000, 192_000
ALLOWED = "an audio file PyAV can decode (WAV, FLAC, MP3, M4A, OGG, …)"


def import_audio(study: Study, session_id: int | str, path: str | os.PathLike[str]) -> Segment:
    """Decode ``path`` into a new segment of the session; keep a copy of the original."""
    source = Path(path).expanduser()
    db = study.db()
    try:
        session = get_session(db, session_id)
        if not source.is_file():
            raise InputError("file", str(path), "an existing audio file")
        if source.stat().st_size == 0:
            raise InputError("file", str(path), ALLOWED, hint="the file is empty")
        if is_locked(session_dir(study, session)):
            raise InputError("session", session.id, "a session that is not being recorded")
        rate, channels = _probe(source)
        folder = ensure_session_dir(study, session)
        seq = recordings.next_seq(db, session.id)
        stem = f"session-{session.id}-{seq:03d}-imported"
        target, fd = exclusive_path(folder, stem, ".flac")
        frames = 0
        try:
            with sf.SoundFile(fd, "w", samplerate=rate, channels=channels, format="FLAC",
                              subtype="PCM_16") as out:
                for block in _decode(source, channels):
                    out.write(block)
                    frames += len(block)
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
        offset = recordings.session_end_ms(db, session.id)
        segment = recordings.add_segment(
            db, session.id, seq=seq, path=str(target.relative_to(study.root)), fmt="flac",
            samplerate=rate, channels=channels, offset_ms=offset, device=None,
            status="imported", frames=frames,
            end_reason=TRUNCATED if _short(frames, declared, rate) else "imported",
            original_path=str(original.relative_to(study.root)),
        )
        if session.status in ("planned", "completed"):
            set_status(db, session.id, "completed",
                       duration_ms=recordings.session_end_ms(db, session.id))
        return segment
    finally:
        db.conn.close()


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
        chunk, size = head[pos:pos + 4], struct.unpack("<I", head[pos + 4:pos + 8])[0]
        if chunk == b"fmt ":
            align = struct.unpack("<H", head[pos + 20:pos + 22])[0]
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
            streams = [s for s in container.streams if s.type == "audio"]
            if not streams:
                raise InputError("file", str(source), ALLOWED, hint="it has no audio stream")
            ctx = streams[0].codec_context
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


def _decode(source: Path, channels: int):  # type: ignore[no-untyped-def]
    import av

    try:
        container = av.open(str(source))
    except av.FFmpegError as exc:
        raise InputError("file", str(source), ALLOWED, hint=f"not audio: {exc}") from None
    with container:
        stream = next(s for s in container.streams if s.type == "audio")
        yield from decode_int16(container, stream, channels)
