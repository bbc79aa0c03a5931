"""Recording as the fronts drive it: a session's recorder, recovery after a crash, audio
recorded elsewhere, and the reads around them.

The recorder (:mod:`companion.audio.recorder`) keeps its own bookkeeping in its own thread
and connection while it runs. Each of the user's actions leaves one audit entry: start
(the session's status goes to ``live``), pause and resume (at their session time), stop
(the status it ends in; a crash leaves ``interrupted``). The files it opens and closes
are recorded in ``recording_segments`` (start, end, frames, why it ended), not in the
audit log.

Recovering a session and importing a file also leave one entry each. Their slow part
(repairing or decoding audio) runs before the transaction that records it, so it never
holds the database while a recorder writes to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from companion.operations._base import acting, reading
from companion.store import recordings
from companion.store.backup import backup_quietly
from companion.store.recordings import Segment as AudioSegment
from companion.study.folder import Study

if TYPE_CHECKING:
    from companion.audio.recover import RecoveryReport
    from companion.audio.status import RecorderStatus

__all__ = ["AudioSegment", "RecorderControls", "Recording", "RecordingOptions", "audio_segments",
           "import_audio", "interrupted_sessions", "prepare_recording", "recorded_ms",
           "recover", "recover_all", "truncation_warning"]


@dataclass(frozen=True)
class RecordingOptions:
    """What a front may choose for a recording; None takes the study's ``[audio]`` setting."""

    device: str | None = None  # a name, part of one, or an index
    channels: int | None = None  # 1, or 2 (interviewer, participant)
    fmt: str | None = None  # flac or wav
    samplerate: int | None = None  # None and no setting: the device's own
    silence_seconds: float | None = None  # warn when a channel is silent this long
    max_seconds: float | None = None  # stop by itself after this much audio
    # A clean stop completes the session (``companion record``); the live screen leaves it
    # ``stopped`` instead, to be continued or completed on its summary.
    stop_completes: bool = True


class RecorderControls(Protocol):
    """What the live screen drives: its keys, the status it polls, the clock it stamps by
    (tests hand it a fixed one)."""

    def start(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def stop(self) -> RecorderStatus: ...
    def status(self) -> RecorderStatus: ...
    def session_ms(self) -> int: ...


class Recording(RecorderControls, Protocol):
    """A session's recording as a front drives it (a real one runs in its own thread);
    ``companion record`` also waits for it and lists its files."""

    def wait(self, timeout: float | None = None) -> bool: ...
    @property
    def segments(self) -> list[AudioSegment]: ...


def prepare_recording(study: Study, session_id: int,
                      options: RecordingOptions | None = None) -> Recording:
    """The recording of a session, checked and ready but not started.

    Checked: the session exists, its participant consented, the device and its channels,
    and that a model can transcribe the session's language (a Dutch interview is never
    recorded for ``tiny.en``). The front attaches the live transcript to it, if any, before
    ``start()``, so that no audio is missed."""
    from companion.audio.recorder import Recorder
    from companion.operations.models import check_session_model

    options = options or RecordingOptions()
    check_session_model(study, session_id)
    audio = study.settings.audio
    return Recorder(
        study, session_id,
        device=options.device if options.device is not None else audio.device,
        channels=options.channels if options.channels is not None else audio.channels,
        fmt=options.fmt if options.fmt is not None else audio.format,
        samplerate=options.samplerate if options.samplerate is not None else audio.samplerate,
        silence_seconds=(options.silence_seconds if options.silence_seconds is not None
                         else audio.silence_seconds),
        max_seconds=options.max_seconds,
        stopped_status="completed" if options.stop_completes else "stopped",
    )


def audio_segments(study: Study, session_id: int) -> list[AudioSegment]:
    """The session's recording files in order, each placed on the session timeline."""
    with reading(study) as db:
        return recordings.list_segments(db, session_id)


def recorded_ms(study: Study, session_id: int) -> int:
    """Where the session timeline ends so far (a new recording continues from here)."""
    with reading(study) as db:
        return recordings.session_end_ms(db, session_id)


# -- after a crash ---------------------------------------------------------------------

def interrupted_sessions(study: Study) -> list[int]:
    """Sessions a recorder left ``live`` or with open files, that no recorder holds now."""
    from companion.audio.recover import find_interrupted

    with reading(study) as db:
        return find_interrupted(study, db)


def recover(study: Study, session_id: int | str) -> RecoveryReport:
    """Repair the files a crash left open in one session, and mark it ``interrupted``.

    A session a recorder is holding is refused (InputError). The files are repaired first;
    then one transaction closes their segments (or drops one that got no audio) and sets
    the session's status and duration: one audit entry."""
    from companion.audio import recover as repair
    from companion.study.session_folder import refuse_if_recording

    with reading(study) as db:
        session, left_open = repair.segments_to_repair(study, db, session_id)
    repaired = repair.repair_segments(study, left_open)
    with acting(study, entity="session", action="recover") as act:
        refuse_if_recording(study, session)  # a recorder may have started meanwhile
        report = repair.record_recovery(act.db, session, repaired)
        if act.entry.changes:
            act.entry.entity_id = act.entry.session_id = session.id
        return report


def recover_all(study: Study) -> list[RecoveryReport]:
    """Recover every interrupted session, one action each."""
    return [recover(study, session_id) for session_id in interrupted_sessions(study)]


# -- audio recorded elsewhere ------------------------------------------------------------

def import_audio(study: Study, session_id: int | str,
                 path: str | os.PathLike[str]) -> AudioSegment:
    """Attach a file recorded elsewhere (WAV, FLAC, MP3, M4A, …) to the session: decoded to
    a FLAC segment at the end of its timeline, the original kept beside it unchanged. A
    session without audio so far becomes ``completed``. One audit entry."""
    from companion.audio import importer
    from companion.study.session_folder import refuse_if_recording

    with reading(study) as db:
        session, seq = importer.check_import(study, db, session_id, path)
    decoded = importer.decode_into_session(study, session, seq, path)
    try:
        with acting(study, entity="session", action="import-audio") as act:
            refuse_if_recording(study, session)
            act.entry.entity_id = act.entry.session_id = session.id
            segment = importer.attach(study, act.db, session, decoded)
    except BaseException:
        decoded.discard()  # nothing recorded it: leave no file behind
        raise
    # An imported session is a completed one too: its backup, as a recorded one's.
    backup_quietly(study.root)
    return segment


def truncation_warning(segment: AudioSegment, source: str) -> str | None:
    """The warning to show after importing a file that was cut off, or None."""
    from companion.audio.importer import truncation_warning as warning

    return warning(segment, source)
