"""Finding recordings a crash interrupted, and repairing their files.

A recorder killed mid-interview leaves a segment marked ``recording`` and a file whose
header was never finished: a WAV whose sizes are wrong (libsndfile still reads it), a FLAC
whose length is unknown (libsndfile refuses it; PyAV decodes what reached the disk).
Repair decodes what is there, writes a new file beside it, verifies it, and only then
puts it in place of the damaged one. Recovering a session takes three steps, so that the
files are repaired outside any transaction (a long repair must not hold the database
while a recorder writes to it): find the segments left open, repair their files, record
what the repair found.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf
import sqlite_utils

from companion.files import create_exclusive
from companion.store import recordings
from companion.store.db import now_iso
from companion.store.recordings import Segment
from companion.store.sessions import Session, get_session, set_status
from companion.study.folder import Study
from companion.study.session_folder import is_locked, refuse_if_recording, session_dir

if TYPE_CHECKING:  # PyAV loads when audio is decoded, not with this module
    from av.audio.stream import AudioStream
    from av.container import InputContainer

_INSANE_FRAMES = 2**62  # what libsndfile reports for a FLAC whose header was never written
_HEADER_ONLY = 16 * 1024  # bytes: smaller undecodable files hold no audio worth keeping
_SUBTYPES = {"FLAC": "PCM_16", "WAV": "PCM_16"}


@dataclass(frozen=True)
class RepairResult:
    path: Path
    action: str  # 'repaired' | 'empty' | 'missing'
    frames: int
    samplerate: int | None
    channels: int | None


@dataclass
class RecoveryReport:
    session_id: int
    segments: list[tuple[Segment, RepairResult]] = field(default_factory=list)
    status: str = "interrupted"
    duration_ms: int = 0


def _container(path: Path) -> str:
    return "WAV" if path.suffix.lower() == ".wav" else "FLAC"


def _blocks_soundfile(path: Path) -> tuple[int, int, Iterator[np.ndarray]] | None:
    """libsndfile's reading (it repairs a WAV's sizes on read); None if it cannot."""
    try:
        info = sf.info(str(path))
    except Exception:
        return None
    if info.frames <= 0 or info.frames >= _INSANE_FRAMES:
        return None

    def blocks() -> Iterator[np.ndarray]:
        with sf.SoundFile(str(path)) as f:
            while True:
                data = f.read(65536, dtype="int16", always_2d=True)
                if not len(data):
                    return
                yield data

    return info.samplerate, info.channels, blocks()


def _blocks_pyav(path: Path) -> tuple[int, int, Iterator[np.ndarray]] | None:
    """PyAV decodes every whole frame that reached the disk."""
    import av

    try:
        container = av.open(str(path))
    except Exception:
        return None
    if not container.streams.audio:
        container.close()
        return None
    stream = container.streams.audio[0]
    rate = int(stream.codec_context.sample_rate or stream.rate or 0)
    channels = int(stream.codec_context.channels or 0)
    if not rate or not channels:
        container.close()
        return None

    def blocks() -> Iterator[np.ndarray]:
        try:
            yield from decode_int16(container, stream, channels)
        finally:
            container.close()

    return rate, channels, blocks()


def decode_int16(container: InputContainer, stream: AudioStream,
                 channels: int) -> Iterator[np.ndarray]:
    """Decoded int16 blocks (frames x channels); stops quietly at a damaged tail."""
    import av

    layout = "mono" if channels == 1 else "stereo"
    resampler = av.AudioResampler(format="s16", layout=layout)
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.FFmpegError:
                return  # the tail the crash cut off
            for frame in frames:
                for out in resampler.resample(frame):
                    yield out.to_ndarray().reshape(-1, channels)
    except av.FFmpegError:
        return
    for out in resampler.resample(None):
        yield out.to_ndarray().reshape(-1, channels)


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.name}-{n}")
        if not candidate.exists():
            return candidate
        n += 1


def repair_file(path: Path) -> RepairResult:
    """Make ``path`` a valid file holding every frame that can still be decoded."""
    path = Path(path)
    if not path.exists():
        return RepairResult(path, "missing", 0, None, None)
    source = None
    if path.stat().st_size > 0:
        if _container(path) == "WAV":
            source = _blocks_soundfile(path) or _blocks_pyav(path)
        else:
            source = _blocks_pyav(path) or _blocks_soundfile(path)
    tmp = path.with_name(path.name + ".repairing")
    if tmp.exists():
        tmp.unlink()  # our own leftover from a repair that was interrupted itself
    container = _container(path)
    frames = 0
    if source is not None:
        rate, channels, blocks = source
        fd = create_exclusive(tmp)
        with sf.SoundFile(fd, "w", samplerate=rate, channels=channels, format=container,
                          subtype=_SUBTYPES[container]) as out:
            for block in blocks:
                out.write(block)
                frames += len(block)
    if frames == 0:
        # No audio reached the disk. Keep any bytes aside; there is no file to play.
        tmp.unlink(missing_ok=True)
        if path.stat().st_size > _HEADER_ONLY:
            os.rename(path, _free_name(path.with_name(path.name + ".damaged")))
        else:
            path.unlink()  # a header and nothing else
        return RepairResult(path, "empty", 0, None, None)
    if sf.info(str(tmp)).frames != frames:
        raise OSError(f"repaired copy of {path} does not verify; original left untouched")
    damaged = _free_name(path.with_name(path.name + ".damaged"))
    os.rename(path, damaged)
    os.link(tmp, path)  # fails rather than overwrite, should anything be there
    os.unlink(tmp)
    if sf.info(str(path)).frames != frames:
        raise OSError(f"repaired {path} does not verify; the original is kept as {damaged}")
    damaged.unlink()
    return RepairResult(path, "repaired", frames, rate, channels)


def find_interrupted(study: Study, db: sqlite_utils.Database) -> list[int]:
    """Sessions a recorder left ``live`` or with open segments, and no recorder holds."""
    ids = [row["id"] for row in db.query(
        "SELECT id FROM sessions WHERE status = 'live' UNION "
        "SELECT session_id FROM recording_segments WHERE status = 'recording' "
        "ORDER BY 1")]
    return [session_id for session_id in ids
            if not is_locked(session_dir(study, get_session(db, session_id)))]


def segments_to_repair(study: Study, db: sqlite_utils.Database,
                       session_id: int | str) -> tuple[Session, list[Segment]]:
    """The session and the segments a crash left open. A session a live recorder is
    holding is refused (InputError)."""
    session = get_session(db, session_id)
    refuse_if_recording(study, session)
    return session, recordings.open_segments(db, session.id)


def repair_segments(study: Study, segments: list[Segment]) -> list[tuple[Segment, RepairResult]]:
    """Repair each segment's file (no database: a long repair holds no lock on it)."""
    return [(segment, repair_file(segment.abspath(study.root))) for segment in segments]


def record_recovery(db: sqlite_utils.Database, session: Session,
                    repaired: list[tuple[Segment, RepairResult]]) -> RecoveryReport:
    """Write what the repair found: each segment closed as ``recovered`` (or dropped when no
    audio reached the disk) and the session ``interrupted``, with its duration."""
    report = RecoveryReport(session.id)
    for segment, result in repaired:
        if result.frames == 0:
            # Killed before any audio reached the disk: the segment holds nothing.
            recordings.delete_segment(db, segment.id, reason="no audio reached the disk")
            report.segments.append((segment, result))
            continue
        closed = recordings.close_segment(
            db, segment.id, frames=result.frames, status="recovered",
            end_reason="interrupted",
        )
        report.segments.append((closed, result))
    report.duration_ms = recordings.session_end_ms(db, session.id)
    if session.status == "live" or report.segments:
        set_status(db, session.id, "interrupted", duration_ms=report.duration_ms,
                   **({} if session.ended_at else {"ended_at": now_iso()}))
    report.status = get_session(db, session.id).status
    return report
