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
            status="imported", frames=frames, end_reason="imported",
            original_path=str(original.relative_to(study.root)),
        )
        if session.status in ("planned", "completed"):
            set_status(db, session.id, "completed",
                       duration_ms=recordings.session_end_ms(db, session.id))
        return segment
    finally:
        db.conn.close()


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
