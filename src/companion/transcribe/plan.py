"""What a transcription run will do, checked before the model loads or anything is written.

A run needs the session (not being recorded), every recording file of it on disk and
whole, a language Whisper knows (the one asked for, else the protocol's), the protocol's
transcription style, and a model that can transcribe that language. Each is checked here
so bad input is said before a minute of model loading, and before any write.
"""

from __future__ import annotations

from dataclasses import replace

import sqlite_utils

from companion.audio import decode
from companion.errors import CompanionError, InputError
from companion.models.resolve import resolve_model
from companion.store import recordings
from companion.store.sessions import get_session
from companion.store.transcripts import sessions_needing_transcript
from companion.study.folder import Study
from companion.transcribe.convert import RecordingPart
from companion.transcribe.engine import Engine, check_language, load_engine
from companion.transcribe.job import Plan, TranscribeOptions
from companion.transcribe.verbatim import Style

DAMAGED_SHARE = 0.9
"""A file holding less than this share of the audio recorded for it is damaged."""


def protocol_hints(study: Study, protocol_id: str) -> tuple[str | None, Style]:
    """(language, transcription style) of the session's protocol; (None, Style()) when
    unavailable."""
    try:
        from companion.protocol.registry import get_protocol
    except ImportError:
        return None, Style()
    try:
        proto = get_protocol(protocol_id, study.root)
    except CompanionError:
        return None, Style()
    style = Style(verbatim=bool(getattr(proto, "verbatim", False)),
                  pause_ms=round(float(getattr(proto, "turn_pause_seconds", 0.8)) * 1000),
                  vocabulary=tuple(getattr(proto, "vocabulary", ()) or ()))
    return getattr(proto, "language", None), style


def study_options(study: Study, options: TranscribeOptions) -> TranscribeOptions:
    """Fill what the caller left open from the study's ``companion.toml`` [transcribe]."""
    settings = study.settings.transcribe
    return replace(
        options,
        model=options.model or settings.model,
        language=options.language or settings.language,
        threads=options.threads or settings.threads,
    )


def engine_for(options: TranscribeOptions, language: str | None = None) -> Engine:
    """The (cached) engine for these options; InputError/NoModelError for a bad model.
    With no model named, ``language`` (the session's) picks one that can transcribe it."""
    return load_engine(resolve_model(options.model, language=options.language or language),
                       device=options.device,
                       compute_type=options.compute_type, threads=options.threads)


def session_engine(study: Study, session_id: int | str,
                   options: TranscribeOptions = TranscribeOptions()) -> Engine:
    """The engine for one session: with no model named, its protocol's language picks one
    (tiny.en for English, the multilingual base otherwise). Engines are cached per model."""
    options = study_options(study, options)
    with study.connected() as db:
        session = get_session(db, session_id)
    return engine_for(options, protocol_hints(study, session.protocol_id)[0])


def recording_part(study: Study, segment: recordings.Segment) -> RecordingPart:
    """One recording file of the session, checked: on disk, and holding the audio that was
    recorded into it (an emptied or torn file would make a finished, empty transcript)."""
    path = segment.abspath(study.root)
    where = f"segment {segment.seq} of session {segment.session_id}"
    if not path.is_file():
        raise InputError("recording", str(path), "an existing audio file",
                         hint=f"{where} is missing")
    try:
        length = decode.duration_ms(path)
    except Exception:  # no decoder can read it: damaged, like an emptied file
        length = 0
    # The database knows how long the segment was: a file much shorter is damaged.
    known = int(segment.frames or 0) * 1000 // max(1, int(segment.samplerate or 1))
    if known > 0 and length < known * DAMAGED_SHARE:
        raise InputError("recording", str(path), "the audio recorded for it",
                         hint=f"{where} is damaged: it holds {length / 1000:.1f} s of "
                              f"{known / 1000:.1f} s; 'companion recover' or re-import it")
    if length <= 0:
        raise InputError("recording", str(path), "an audio file with sound in it",
                         hint=f"{where} holds no audio; 'companion recover' or re-import it")
    return RecordingPart(segment.id, segment.seq, path, segment.offset_ms, length)


def plan_session(db: sqlite_utils.Database, study: Study, session_id: int | str,
                 options: TranscribeOptions = TranscribeOptions()) -> Plan:
    """Check everything a run needs (session, audio files, language); writes nothing."""
    session = get_session(db, session_id)
    if session.status == "live":
        raise InputError("session", session.id, "a session that is not being recorded now",
                         hint="stop the recording first")
    segments = sorted(recordings.list_segments(db, session.id),
                      key=lambda s: (s.offset_ms, s.seq))
    if not segments:
        raise InputError("session", session.id, "a session with recorded or imported audio",
                         hint="this session has no audio to transcribe")
    parts = tuple(recording_part(study, segment) for segment in segments)
    proto_language, style = protocol_hints(study, session.protocol_id)
    verbatim = study.settings.transcribe.verbatim
    if verbatim is not None:  # the study's setting wins over the protocol's
        style = replace(style, verbatim=verbatim)
    if options.language:
        language = check_language(options.language)
    else:
        language = check_language(proto_language, field="protocol language")
    return Plan(session, parts, language, style)


def pending_sessions(study: Study) -> list[int]:
    """Sessions with audio and no finished transcript, in id order (for --all, a queue)."""
    with study.connected() as db:
        return sessions_needing_transcript(db)
