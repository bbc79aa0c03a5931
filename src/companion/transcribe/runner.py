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
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from companion.audio.lock import transcribing
from companion.errors import CompanionError, InputError
from companion.notation import format_eta, format_hms
from companion.store import transcripts as store
from companion.store.sessions import Session, get_session
from companion.study.folder import Study
from companion.transcribe import audiofile
from companion.transcribe.audiofile import SAMPLE_RATE
from companion.transcribe.chunks import Chunk, plan_chunks
from companion.transcribe.engine import (
    DecodeOptions,
    Engine,
    RawSegment,
    check_language,
    load_engine,
    vocabulary_hotwords,
)
from companion.transcribe.model import resolve_model
from companion.transcribe.pauses import Silence, TimedWord, find_pauses
from companion.transcribe.speakers import attribute_words, speaker_labels, split_by_speaker


@dataclass(frozen=True)
class TranscribeOptions:
    model: str | None = None  # size name or folder; None: $COMPANION_WHISPER_MODEL / default
    language: str | None = None  # None: the protocol's language (or the model's)
    device: str = "auto"
    compute_type: str | None = None  # None: int8 on CPU, float16 on CUDA
    threads: int = 0  # CPU threads; 0: CTranslate2's default
    vad_filter: bool = True
    beam_size: int = 5
    interviewer_channel: int = 0  # on 2-channel recordings: 0 = left, 1 = right
    restart: bool = False  # throw away an existing transcript first
    speakers: str = "auto"  # mono recordings: auto = separate voices after decoding; none


@dataclass(frozen=True)
class Progress:
    """A progress report: where the transcript is on the session timeline."""

    session_id: int
    participant_code: str
    state: str  # running | done | cancelled
    # how far decoding has got; at 'cancelled', the resume point (the end of the last
    # committed chunk), which can be before the last 'running' position
    done_ms: int
    total_ms: int
    segments: int  # stored for this session so far
    new_segments: int  # stored by this run
    elapsed_s: float
    eta_s: float | None

    @property
    def fraction(self) -> float:
        return min(1.0, self.done_ms / self.total_ms) if self.total_ms else 1.0

    @property
    def message(self) -> str:
        head = (f"session {self.session_id} ({self.participant_code}): "
                f"{format_hms(self.done_ms)} of {format_hms(self.total_ms)} ({self.fraction:.0%})")
        if self.state != "running":
            return f"{head}, {self.state}"
        if self.eta_s is None:
            return head
        return f"{head}, {format_eta(self.eta_s)}"


@dataclass(frozen=True)
class TranscribeResult:
    session_id: int
    participant_code: str
    status: str  # done | cancelled | already-done
    model: str
    language: str | None
    segments: int
    new_segments: int
    pauses: int
    done_ms: int
    total_ms: int
    elapsed_s: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RecordingPart:
    id: int
    seq: int
    path: Path
    offset_ms: int
    duration_ms: int

    @property
    def end_ms(self) -> int:
        return self.offset_ms + self.duration_ms


@dataclass(frozen=True)
class Plan:
    session: Session
    parts: tuple[RecordingPart, ...]
    language: str | None
    hotwords: str | None

    @property
    def total_ms(self) -> int:
        return max(part.end_ms for part in self.parts)


ProgressCallback = Callable[[Progress], None]


def protocol_hints(study: Study, protocol_id: str) -> tuple[str | None, tuple[str, ...]]:
    """(language, vocabulary) of the session's protocol; (None, ()) when unavailable."""
    try:
        from companion.protocol.registry import get_protocol
    except ImportError:
        return None, ()
    try:
        proto = get_protocol(protocol_id, study.root)
    except CompanionError:
        return None, ()
    return getattr(proto, "language", None), tuple(getattr(proto, "vocabulary", ()) or ())


def study_options(study: Study, options: TranscribeOptions) -> TranscribeOptions:
    """Fill what the caller left open from the study's ``companion.toml`` [transcribe]."""
    settings = study.settings.transcribe
    return replace(
        options,
        model=options.model or settings.model,
        language=options.language or settings.language,
        threads=options.threads or settings.threads,
    )


def engine_for(options: TranscribeOptions) -> Engine:
    """The (cached) engine for these options; InputError/NoModelError for a bad model."""
    return load_engine(resolve_model(options.model), device=options.device,
                       compute_type=options.compute_type, threads=options.threads)


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
    proto_language, vocabulary = protocol_hints(study, session.protocol_id)
    if options.language:
        language = check_language(options.language)
    else:
        language = check_language(proto_language, field="protocol language")
    return Plan(session, tuple(parts), language, vocabulary_hotwords(vocabulary))


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
            engine = engine_for(options)
        engine.check_language(plan.language)
        with transcribing(study, plan.session):  # a second run on it is refused
            if options.restart:
                store.delete_transcript(db, plan.session.id)
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
        total_ms=int(transcript["total_ms"] or plan.total_ms), elapsed_s=round(elapsed, 3))


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
    decode = DecodeOptions(language=language, hotwords=plan.hotwords,
                           beam_size=options.beam_size)

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
            source = _Source(part, audio, silence, labels, options.interviewer_channel)
            # Decided from the whole file, whatever the resume point: every run decodes
            # the same chunks (see companion.transcribe.chunks).
            chunks = plan_chunks(audio.mono, silence.silent, vad_filter=options.vad_filter)
            previous = _last_word(db, sid, part) if resume_ms > part.offset_ms else None
            for chunk in chunks:
                if part.offset_ms + chunk.end_ms <= resume_ms:
                    continue  # committed by an earlier run
                if stopped():
                    cancelled = True
                    break
                # Only a transcript left by a version that committed segment by segment
                # has its resume point inside a chunk: what it stored before that point
                # is kept, the rest of the chunk decoded.
                floor_ms = max(0, resume_ms - part.offset_ms - chunk.start_ms)
                rows: list[store.NewSegment] = []
                pauses: list[store.Pause] = []
                last = previous
                segments, detected = engine.transcribe(chunk.clip(audio.mono), decode)
                if language is None:
                    language = detected
                    store.set_language(db, sid, language)
                    decode = replace(decode, language=language)
                complete = False
                try:
                    for raw in segments:
                        made = _convert(source, chunk, raw, last, floor_ms)
                        if made is not None:
                            rows += made[0]
                            pauses += made[1]
                            last = made[2]
                        # The position decoded so far (not yet the resume point): the
                        # bar moves within a chunk, which can take a minute on a big model.
                        position = part.offset_ms + min(chunk.end_ms, chunk.start_ms
                                                        + round(raw.end * 1000))
                        report("running", max(resume_ms, position))
                        if stopped():
                            break  # the rest of this chunk is not decoded, nor stored
                    else:
                        complete = True
                finally:
                    close = getattr(segments, "close", None)
                    if close is not None:
                        close()
                if not complete:
                    cancelled = True
                    break
                # The whole chunk in one transaction: its segments, pauses, full-text rows
                # and the resume point, its end.
                done_ms = part.offset_ms + chunk.end_ms
                store.commit_segments(db, sid, rows, pauses, done_ms=done_ms)
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
    report(status, resume_ms)
    final = store.get_transcript(db, sid)
    assert final is not None
    return _result(db, plan, status, final, new, time.monotonic() - started)


@dataclass(frozen=True)
class _Source:
    """One recording file being transcribed, and what its words are checked against."""

    part: RecordingPart
    audio: audiofile.LoadedAudio
    silence: Silence
    labels: tuple[str, str]
    interviewer_channel: int


def _convert(
    source: _Source, chunk: Chunk, raw: RawSegment, previous: TimedWord | None,
    floor_ms: int = 0,
) -> tuple[list[store.NewSegment], list[store.Pause], TimedWord] | None:
    """One Whisper segment of ``chunk`` as stored segments (split where the speaker
    changes) and the pauses before and inside it; None when it has no words.

    ``previous`` is the last word before it in the file (for the pause in between); words
    starting before ``floor_ms`` (on the chunk's timeline) are left out.
    """
    part, silence = source.part, source.silence
    offset = chunk.start * 1000 / SAMPLE_RATE  # the chunk's start in the file, in ms
    spoken = [w for w in raw.words if w.word.strip()]
    kept = [w for w in spoken if w.start * 1000 >= floor_ms]
    words = [silence.trim(TimedWord(
        w.word, round(offset + w.start * 1000), round(offset + w.end * 1000),
        round(w.probability, 4))) for w in kept]
    if not words:
        return None
    if source.audio.channels == 2:
        who = attribute_words(words, source.audio.channel_power, source.labels,
                              interviewer_channel=source.interviewer_channel)
        runs = split_by_speaker(words, who)
    else:
        runs = [(None, words)]
    # Whisper's own text (its spacing and punctuation) when the segment is stored whole.
    text = raw.text.strip() if len(runs) == 1 and len(kept) == len(spoken) else None
    found = find_pauses(words, silence, previous=previous)
    firsts = _run_starts(runs)
    rows = [
        store.NewSegment(
            recording_segment_id=part.id,
            start_ms=part.offset_ms + run[0].start_ms,
            end_ms=part.offset_ms + run[-1].end_ms,
            text=text or "".join(w.word for w in run).strip(),
            speaker=speaker, avg_logprob=round(raw.avg_logprob, 4),
            words=tuple(store.Word(w.word, part.offset_ms + w.start_ms,
                                   part.offset_ms + w.end_ms, w.probability, speaker)
                        for w in run))
        for speaker, run in runs]
    pauses = [store.Pause(part.offset_ms + start, part.offset_ms + end,
                          within_segment=index not in firsts)
              for start, end, index in found]
    return rows, pauses, words[-1]


def _run_starts(runs: list[tuple[str | None, list[TimedWord]]]) -> set[int]:
    """Indices (into the segment's words) of the first word of each run."""
    starts, index = set(), 0
    for _, run in runs:
        starts.add(index)
        index += len(run)
    return starts


def _last_word(db: Any, session_id: int, part: RecordingPart) -> TimedWord | None:
    """The last stored word in this recording file, on the file's timeline (for the pause
    between the last committed segment and the first new one)."""
    last = store.last_segment(db, session_id)
    if last is None or last.recording_segment_id != part.id or not last.words:
        return None
    word = last.words[-1]
    return TimedWord(word.word, word.start_ms - part.offset_ms, word.end_ms - part.offset_ms,
                     word.probability)
