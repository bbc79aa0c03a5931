"""Transcribing a session: plan, resume, progress, cancel.

``transcribe_session`` runs in the calling thread (a CLI, or a TUI worker thread: it opens
its own database connection and prints nothing). Progress goes to ``on_progress``, called
in that same thread (a TUI forwards it with ``call_from_thread``); a set ``cancel`` event
stops it after the segment being decoded, dropping the rest of its chunk.

Each recording file is decoded in chunks decided up front from the whole file (see
:mod:`companion.transcribe.chunks`), each on its own, so a resumed transcript is the one an
uninterrupted run makes. A chunk is committed whole, with its pauses, phases and full-text
rows, and moves the transcript's resume point (``transcripts.done_ms``) to its end; a rerun
skips the committed chunks.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from companion.audio.lock import transcribing
from companion.errors import CompanionError, InputError
from companion.models.resolve import resolve_model
from companion.store import transcripts as store
from companion.store.db import transaction
from companion.store.dropped import list_dropped, store_dropped
from companion.store.sessions import get_session
from companion.study.folder import Study
from companion.transcribe import audiofile
from companion.transcribe.ahead import Lookahead
from companion.transcribe.audiofile import SAMPLE_RATE
from companion.transcribe.chunks import TAIL_S, plan_chunks, voiced_frames
from companion.transcribe.convert import RecordingPart, Source, convert_chunk
from companion.transcribe.coverage import fill_gaps, fill_tail
from companion.transcribe.engine import (
    DecodeOptions,
    Engine,
    RawSegment,
    check_language,
    load_engine,
    vad_pays,
)
from companion.transcribe.job import (
    Plan,
    Progress,
    ProgressCallback,
    TranscribeOptions,
    TranscribeResult,
)
from companion.transcribe.pauses import Silence, TimedWord
from companion.transcribe.speakers import speaker_labels
from companion.transcribe.verbatim import Style, initial_prompt


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
    db = study.db()
    try:
        session = get_session(db, session_id)
    finally:
        db.conn.close()
    return engine_for(options, protocol_hints(study, session.protocol_id)[0])


def _resolve_path(study: Study, path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else study.root / candidate


def plan_session(db: Any, study: Study, session_id: int | str,
                 options: TranscribeOptions = TranscribeOptions()) -> Plan:
    """Check everything a run needs (session, audio files, language); writes nothing."""
    session = get_session(db, session_id)
    if session.status == "live":
        raise InputError("session", session.id, "a session that is not being recorded now",
                         hint="stop the recording first")
    rows = list(db.query("SELECT id, seq, path, offset_ms, frames, samplerate "
                         "FROM recording_segments WHERE session_id = ? "
                         "ORDER BY offset_ms, seq", [session.id]))
    if not rows:
        raise InputError("session", session.id, "a session with recorded or imported audio",
                         hint="this session has no audio to transcribe")
    parts = []
    for row in rows:
        path = _resolve_path(study, row["path"])
        if not path.is_file():
            raise InputError("recording", str(path), "an existing audio file",
                             hint=f"segment {row['seq']} of session {session.id} is missing")
        try:
            length = audiofile.duration_ms(path)
        except Exception:  # no decoder can read it: damaged, like an emptied file
            length = 0
        # The database knows how long the segment was: a file much shorter is damaged.
        known = int(row["frames"] or 0) * 1000 // max(1, int(row["samplerate"] or 1))
        if known > 0 and length < known * 0.9:
            raise InputError("recording", str(path), "the audio recorded for it",
                             hint=f"segment {row['seq']} of session {session.id} is damaged: "
                                  f"it holds {length / 1000:.1f} s of {known / 1000:.1f} s; "
                                  "'companion recover' or re-import it")
        if length <= 0:
            # An emptied or torn file would otherwise make a finished, empty transcript.
            raise InputError("recording", str(path), "an audio file with sound in it",
                             hint=f"segment {row['seq']} of session {session.id} holds no "
                                  "audio; 'companion recover' or re-import it")
        parts.append(RecordingPart(int(row["id"]), int(row["seq"]), path,
                                   int(row["offset_ms"]), length))
    proto_language, style = protocol_hints(study, session.protocol_id)
    verbatim = study.settings.transcribe.verbatim
    if verbatim is not None:  # the study's setting wins over the protocol's
        style = replace(style, verbatim=verbatim)
    if options.language:
        language = check_language(options.language)
    else:
        language = check_language(proto_language, field="protocol language")
    return Plan(session, tuple(parts), language, style)


def pending_sessions(study: Study) -> list[int]:
    """Sessions with audio and no finished transcript, in id order (for --all, a queue)."""
    db = study.db()
    try:
        return store.sessions_needing_transcript(db)
    finally:
        db.conn.close()


def transcribe_session(
    study: Study,
    session_id: int | str,
    *,
    options: TranscribeOptions = TranscribeOptions(),
    engine: Engine | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> TranscribeResult:
    """Transcribe (or resume transcribing) one session into the study database.

    Bad input (unknown session, no audio, bad language, bad model) raises InputError
    before anything is written. A set ``cancel`` stops after the segment being decoded,
    with status 'cancelled', keeping the chunks committed so far; the next call resumes
    with the next chunk.
    """
    db = study.db()
    try:
        options = study_options(study, options)
        plan = plan_session(db, study, session_id, options)
        if engine is None:
            engine = engine_for(options, plan.language)
        engine.check_language(plan.language)
        with transcribing(study, plan.session):  # a second run on it is refused
            if options.restart:
                store.delete_transcript(db, plan.session.id)  # and its dropped words
            existing = store.get_transcript(db, plan.session.id)
            if existing is not None and existing["status"] == "done":
                return _result(db, plan, "already-done", existing, 0, 0.0)
            with engine.lock:
                result = _run(db, plan, engine, options, on_progress, cancel)
            if result.status == "done" and options.speakers == "auto":
                # mono audio: who spoke each word, from the voices (two channels keep
                # the channel rule and are skipped there)
                from companion.speakers.session import separate_session

                separate_session(study, db, plan.session.id)
            return result
    finally:
        db.conn.close()


def _result(db: Any, plan: Plan, status: str, transcript: dict[str, Any], new: int,
            elapsed: float) -> TranscribeResult:
    sid = plan.session.id
    count = db.execute("SELECT COUNT(*) FROM transcript_segments WHERE session_id = ?",
                       [sid]).fetchone()[0]
    pauses = db.execute("SELECT COUNT(*) FROM pauses WHERE session_id = ?", [sid]).fetchone()[0]
    return TranscribeResult(
        session_id=sid, participant_code=plan.session.participant_code, status=status,
        model=transcript["model"], language=transcript["language"], segments=int(count),
        new_segments=new, pauses=int(pauses), done_ms=int(transcript["done_ms"]),
        total_ms=int(transcript["total_ms"] or plan.total_ms), elapsed_s=round(elapsed, 3),
        dropped=len(list_dropped(db, sid)))


def _run(db: Any, plan: Plan, engine: Engine, options: TranscribeOptions,
         on_progress: ProgressCallback | None, cancel: threading.Event | None) -> TranscribeResult:
    sid = plan.session.id
    labels = speaker_labels(plan.session.participant_code)
    transcript = store.begin_transcript(db, sid, model=engine.label, language=plan.language,
                                        total_ms=plan.total_ms)
    resume_ms = int(transcript["done_ms"])
    started = time.monotonic()
    start_ms = resume_ms
    stored = int(db.execute("SELECT COUNT(*) FROM transcript_segments WHERE session_id = ?",
                            [sid]).fetchone()[0])
    new = 0
    # The language a multilingual model detected in the first chunk is stored at once, so
    # a resumed run decodes its chunks in that same language.
    language = plan.language or transcript["language"]
    # The vocabulary and the verbatim style go in as a prompt (hotwords merged whole
    # windows into one segment); no conditioning on earlier text (see DecodeOptions).
    # The verbatim sample in the language decoded: an English-only model speaks English, a
    # multilingual one with no language set gets its sample once it has heard the first chunk.
    decode = DecodeOptions(language=language, beam_size=options.beam_size,
                           initial_prompt=initial_prompt(
                               plan.style, language or (None if engine.multilingual else "en")))
    vad = vad_pays(engine.choice) if options.vad_filter is None else options.vad_filter

    def report(state: str, done_ms: int) -> None:
        if on_progress is None:
            return
        elapsed = time.monotonic() - started
        covered = done_ms - start_ms
        eta = None
        if state == "running" and covered > 0 and elapsed > 0:
            eta = (plan.total_ms - done_ms) / covered * elapsed
        on_progress(Progress(sid, plan.session.participant_code, state, done_ms,
                             plan.total_ms, stored, new, round(elapsed, 3), eta))

    def stopped() -> bool:
        return cancel is not None and cancel.is_set()

    cancelled = False
    lookahead = Lookahead(engine)
    try:
        report("running", resume_ms)
        for part in plan.parts:
            if stopped():
                cancelled = True
                break
            if part.end_ms <= resume_ms:
                continue
            audio = audiofile.load_audio(part.path)
            silence = Silence(audio.mix_db)
            voiced = voiced_frames(audio.mix_db)
            source = Source(part, audio, silence, voiced, labels,
                             options.interviewer_channel, plan.style)
            # Decided from the whole file, whatever the resume point: every run decodes
            # the same chunks (see companion.transcribe.chunks).
            chunks = plan_chunks(audio.mono, silence.silent, vad_filter=vad,
                                 mix_db=audio.mix_db)
            previous = _last_word(db, sid, part) if resume_ms > part.offset_ms else None
            for index, chunk in enumerate(chunks):
                if part.offset_ms + chunk.end_ms <= resume_ms:
                    continue  # committed by an earlier run
                if stopped():
                    cancelled = True
                    break
                # Only a transcript left by a version that committed segment by segment
                # has its resume point inside a chunk: what it stored before that point
                # is kept, the rest of the chunk decoded.
                floor_ms = max(0, resume_ms - part.offset_ms - chunk.start_ms)
                raws: list[RawSegment] = []
                if language is not None and index + 1 < len(chunks):
                    following = chunks[index + 1]
                    lookahead.start(following, following.clip(audio.mono), decode)
                segments, detected = (lookahead.take(chunk)
                                      or engine.transcribe(chunk.clip(audio.mono), decode))
                if language is None:
                    language = detected
                    store.set_language(db, sid, language)
                    heard = replace(decode, language=language,
                                    initial_prompt=initial_prompt(plan.style, language))
                    if heard.initial_prompt != decode.initial_prompt:
                        # decoded again with the heard language's prompt, as a resumed run
                        # (which knows the language) decodes it
                        getattr(segments, "close", lambda: None)()
                        segments, _ = engine.transcribe(chunk.clip(audio.mono), heard)
                    decode = heard
                complete = False
                try:
                    for raw in segments:
                        raws.append(raw)
                        # The position decoded so far (not yet the resume point): the
                        # bar moves within a chunk, which can take a minute on a big model.
                        position = part.offset_ms + chunk.to_file_ms(raw.end)
                        report("running", max(resume_ms, position))
                        if stopped():
                            break  # the rest of this chunk is not decoded, nor stored
                        if raw.end >= chunk.tail_s:
                            complete = True  # the rest: see fill_tail below
                            break
                    else:
                        complete = True
                finally:
                    close = getattr(segments, "close", None)
                    if close is not None:
                        close()
                if not complete or stopped():
                    # asked to stop: not the retries below either (each a decoder pass
                    # that an interviewer going live would otherwise share the CPU with)
                    cancelled = True
                    break
                # The whole chunk in one transaction: its segments, pauses, full-text rows
                # and the resume point, its end.
                done_ms = part.offset_ms + chunk.end_ms
                def again(clip: np.ndarray, how: DecodeOptions = decode) -> list[RawSegment]:
                    # One pass, no fallback to sampling, at most a fast talker's tokens:
                    # on a noise Whisper would otherwise try six temperatures, each
                    # writing up to a full window of invented text (the guard's work).
                    longest = 12 + round(len(clip) / SAMPLE_RATE * 6)
                    how = replace(how, extra={**how.extra, "temperature": 0.0,
                                              "max_new_tokens": longest})
                    found: list[RawSegment] = []
                    for raw in engine.transcribe(clip, how)[0]:
                        found.append(raw)
                        if raw.end >= len(clip) / SAMPLE_RATE - TAIL_S:
                            break  # as above: no window for the closing padding
                    return found

                raws = fill_tail(chunk, raws, audio.mono, voiced, again)
                # a stretch still skipped after a retry is decoded once more without the
                # prompt, which is what made Whisper skip it (see transcribe.coverage)
                unprompted = replace(decode, initial_prompt=None)
                bare = (None if decode.initial_prompt is None else
                        lambda clip, how=unprompted: again(clip, how))
                raws, _ = fill_gaps(chunk, raws, audio.mono, voiced, again, bare)
                rows, pauses, last, dropped = convert_chunk(source, chunk, raws, previous, floor_ms)
                with transaction(db):
                    store.commit_segments(db, sid, rows, pauses, done_ms=done_ms)
                    store_dropped(db, sid, [replace(d, start_ms=part.offset_ms + d.start_ms,
                                                    end_ms=part.offset_ms + d.end_ms)
                                            for d in dropped])
                stored += len(rows)
                new += len(rows)
                previous = last
                resume_ms = max(resume_ms, done_ms)
                report("running", resume_ms)
                if stopped():
                    # Asked during the commit or its report (a TUI's report waits for the
                    # screen): cancelled, as asked, even after the last chunk; a rerun
                    # only marks the rest done.
                    cancelled = True
                    break
            if cancelled:
                break
            store.set_done_ms(db, sid, part.end_ms)
            resume_ms = max(resume_ms, part.end_ms)
            report("running", resume_ms)
        status = "cancelled" if cancelled else "done"
        store.finish_transcript(db, sid, status, done_ms=resume_ms if not cancelled else None,
                                language=language)
    except BaseException as exc:
        status = "cancelled" if isinstance(exc, KeyboardInterrupt) else "failed"
        store.finish_transcript(db, sid, status)
        if isinstance(exc, (KeyboardInterrupt, CompanionError)) or not isinstance(exc, Exception):
            raise
        raise CompanionError(f"transcription of session {sid} failed: {exc}") from exc
    finally:
        lookahead.close()
    report(status, resume_ms)
    final = store.get_transcript(db, sid)
    assert final is not None
    return _result(db, plan, status, final, new, time.monotonic() - started)


def _last_word(db: Any, session_id: int, part: RecordingPart) -> TimedWord | None:
    """The last stored word in this recording file, on the file's timeline (for the pause
    between the last committed segment and the first new one)."""
    last = store.last_segment(db, session_id)
    if last is None or last.recording_segment_id != part.id or not last.words:
        return None
    word = last.words[-1]
    return TimedWord(word.word, word.start_ms - part.offset_ms, word.end_ms - part.offset_ms,
                     word.probability)
