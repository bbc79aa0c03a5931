"""Transcribing a session: resume, decode chunk by chunk, store, report, cancel.

``transcribe_session`` runs in the calling thread (a CLI, or a TUI worker thread: it opens
its own database connection and prints nothing). Progress goes to ``on_progress``, called
in that same thread (a TUI forwards it with ``post_message``); a set ``cancel`` event
stops it after the segment being decoded, dropping the rest of its chunk.

Each recording file is decoded in chunks decided up front from the whole file (see
:mod:`companion.transcribe.chunks`), each on its own, so a resumed transcript is the one an
uninterrupted run makes. A chunk is committed whole, with its pauses, phases and full-text
rows, and moves the transcript's resume point (``transcripts.done_ms``) to its end; a rerun
skips the committed chunks. The steps of a run are :class:`Run`'s methods: the plan
(:mod:`companion.transcribe.plan`), then per chunk :meth:`Run.decode_chunk`,
:meth:`Run.fill` and :meth:`Run.store_chunk`, and :meth:`Run.finish`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import sqlite_utils

from companion.audio import decode
from companion.audio.decode import SAMPLE_RATE
from companion.errors import CompanionError
from companion.heap import give_back
from companion.store import transcripts as store
from companion.store.db import transaction
from companion.store.dropped import list_dropped, store_dropped
from companion.study.folder import Study
from companion.study.session_folder import transcribing
from companion.transcribe.ahead import Lookahead
from companion.transcribe.chunks import (
    TAIL_S,
    Chunk,
    ChunkAudio,
    SpeechFinder,
    plan_chunks,
    voiced_frames,
)
from companion.transcribe.convert import RecordingPart, Source, convert_chunk
from companion.transcribe.coverage import fill_gaps, fill_tail
from companion.transcribe.engine import DecodeOptions, Engine, RawSegment, vad_pays
from companion.transcribe.job import (
    Plan,
    Progress,
    ProgressCallback,
    TranscribeOptions,
    TranscribeResult,
)
from companion.transcribe.pauses import Silence, TimedWord
from companion.transcribe.plan import engine_for, plan_session, study_options
from companion.transcribe.speakers import speaker_labels
from companion.transcribe.verbatim import initial_prompt

__all__ = ["DoneCallback", "Progress", "Run", "TranscribeOptions", "TranscribeResult",
           "transcribe_session"]

DoneCallback = Callable[[TranscribeResult], None]


def transcribe_session(
    study: Study,
    session_id: int | str,
    *,
    options: TranscribeOptions = TranscribeOptions(),
    engine: Engine | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    on_done: DoneCallback | None = None,
) -> TranscribeResult:
    """Transcribe (or resume transcribing) one session into the study database.

    Bad input (unknown session, no audio, bad language, bad model) raises InputError
    before anything is written. A set ``cancel`` stops after the segment being decoded,
    with status 'cancelled', keeping the chunks committed so far; the next call resumes
    with the next chunk. ``on_done`` is what follows a transcript this run finished (the
    caller's: speakers, quotes), called with the session still locked against another run;
    given one, the run leaves the transcript ``running`` with all its chunks stored, and
    ``on_done`` marks it done in the transaction of its own last writes (so a transcript
    is never done without them). If it fails the transcript is ``failed`` and resumable.
    """
    with study.connected() as db:
        options = study_options(study, options)
        plan = plan_session(db, study, session_id, options)
        if engine is None:
            engine = engine_for(options, plan.language)
        engine.check_language(plan.language)
        engine.check_sane()  # a damaged model is named before anything is written
        with transcribing(study, plan.session):  # a second run on it is refused
            if options.restart:
                store.delete_transcript(db, plan.session.id)  # and its dropped words
            existing = store.get_transcript(db, plan.session.id)
            if existing is not None and existing["status"] == "done":
                return result_of(db, plan, "already-done", existing, 0, 0.0)
            with engine.lock:
                result = Run(db, plan, engine, options, on_progress, cancel,
                             marks_done=on_done is None).run()
            if result.status == "done" and on_done is not None:
                try:
                    on_done(result)  # marks the transcript done in its own last transaction
                except BaseException:
                    # Not done: the next run finds every chunk stored and does this again.
                    with contextlib.suppress(sqlite3.Error):
                        store.finish_transcript(db, plan.session.id, "failed")
                    raise
            return result


def result_of(db: sqlite_utils.Database, plan: Plan, status: str, transcript: dict[str, Any],
              new: int, elapsed: float) -> TranscribeResult:
    sid = plan.session.id
    return TranscribeResult(
        session_id=sid, participant_code=plan.session.participant_code, status=status,
        model=transcript["model"], language=transcript["language"],
        segments=store.count_segments(db, sid), new_segments=new,
        pauses=store.count_pauses(db, sid), done_ms=int(transcript["done_ms"]),
        total_ms=int(transcript["total_ms"] or plan.total_ms), elapsed_s=round(elapsed, 3),
        dropped=len(list_dropped(db, sid)))


class Stopped(Exception):
    """Asked to stop: the chunk being decoded is neither finished nor stored."""


class Run:
    """One run over a session's plan: the state its steps share (where the transcript
    is, the language heard, the decoder's options) and the steps themselves."""

    def __init__(self, db: sqlite_utils.Database, plan: Plan, engine: Engine,
                 options: TranscribeOptions, on_progress: ProgressCallback | None,
                 cancel: threading.Event | None, *, marks_done: bool = True) -> None:
        self.db, self.plan, self.engine, self.options = db, plan, engine, options
        self.marks_done = marks_done
        self.on_progress, self.cancel = on_progress, cancel
        self.sid = plan.session.id
        self.labels = speaker_labels(plan.session.participant_code)
        transcript = store.begin_transcript(db, self.sid, model=engine.label,
                                            language=plan.language, total_ms=plan.total_ms)
        self.resume_ms = self.start_ms = int(transcript["done_ms"])
        self.started = time.monotonic()
        self.stored = store.count_segments(db, self.sid)
        self.new = 0
        # The language a multilingual model detected in the first chunk is stored at once,
        # so a resumed run decodes its chunks in that same language.
        self.language: str | None = plan.language or transcript["language"]
        # The vocabulary and the verbatim style go in as a prompt (hotwords merged whole
        # windows into one segment); no conditioning on earlier text (see DecodeOptions).
        # The verbatim sample in the language decoded: an English-only model speaks
        # English, a multilingual one with no language set gets its sample once it has
        # heard the first chunk.
        self.decode = DecodeOptions(
            language=self.language, beam_size=options.beam_size,
            initial_prompt=initial_prompt(
                plan.style, self.language or (None if engine.multilingual else "en")))
        self.vad = vad_pays(engine.choice) if options.vad_filter is None else options.vad_filter
        self.lookahead = Lookahead(engine)

    # -- progress and cancel ----------------------------------------------------------------

    def report(self, state: str, done_ms: int) -> None:
        if self.on_progress is None:
            return
        elapsed = time.monotonic() - self.started
        covered = done_ms - self.start_ms
        eta = None
        if state == "running" and covered > 0 and elapsed > 0:
            eta = (self.plan.total_ms - done_ms) / covered * elapsed
        self.on_progress(Progress(self.sid, self.plan.session.participant_code, state,
                                  done_ms, self.plan.total_ms, self.stored, self.new,
                                  round(elapsed, 3), eta))

    def stopped(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> TranscribeResult:
        """Every recording file in turn, then :meth:`finish`; the result of the run."""
        try:
            self.report("running", self.resume_ms)
            try:
                for part in self.plan.parts:
                    if self.stopped():
                        raise Stopped
                    if part.end_ms > self.resume_ms:
                        self.transcribe_part(part)
                status = self.finish("done")
            except Stopped:
                status = self.finish("cancelled")
        except BaseException as exc:
            status = "cancelled" if isinstance(exc, KeyboardInterrupt) else "failed"
            # On a full disk this may fail too: the transcript then stays 'running', which
            # the queue shows as interrupted, and the next run resumes it all the same.
            with contextlib.suppress(sqlite3.Error):
                store.finish_transcript(self.db, self.sid, status)
            # Our own errors, and the machine's (a full disk, a read-only folder), reach
            # the front as they are: each is said in one line there.
            if isinstance(exc, (KeyboardInterrupt, CompanionError, OSError, sqlite3.Error)) \
                    or not isinstance(exc, Exception):
                raise
            raise CompanionError(f"transcription of session {self.sid} failed: {exc}") from exc
        finally:
            self.lookahead.close()
        self.report(status, self.resume_ms)
        final = store.get_transcript(self.db, self.sid)
        assert final is not None
        return result_of(self.db, self.plan, status, final, self.new,
                         time.monotonic() - self.started)

    def transcribe_part(self, part: RecordingPart) -> None:
        """The chunks of one recording file that no earlier run committed; Stopped when
        asked to stop. The file is scanned once for its levels, then read again chunk by
        chunk (see :mod:`companion.audio.decode`): memory does not grow with it."""
        finder = SpeechFinder() if self.vad else None
        levels = decode.scan(part.path, on_mono=None if finder is None else finder.feed)
        silence = Silence(levels.mix_db)
        voiced = voiced_frames(levels.mix_db)
        source = Source(part, levels, silence, voiced, self.labels,
                        self.options.interviewer_channel, self.plan.style)
        # Decided from the whole file, whatever the resume point: every run decodes the
        # same chunks (see companion.transcribe.chunks).
        chunks = plan_chunks(levels.samples, silence.silent,
                             speech=() if finder is None else finder.regions(),
                             mix_db=levels.mix_db)
        # Committed by an earlier run: skipped (and only decoded past by the reader).
        pending = [c for c in chunks if part.offset_ms + c.end_ms > self.resume_ms]
        previous = (last_word(self.db, self.sid, part) if self.resume_ms > part.offset_ms
                    else None)
        give_back()  # the scan's buffers: else resident memory grows with the file
        with _ChunkReader(part, levels) as audio_of:
            for index, chunk in enumerate(pending):
                if self.stopped():
                    raise Stopped
                audio = audio_of(chunk)
                following = audio_of(pending[index + 1]) if index + 1 < len(pending) else None
                raws = self.fill(audio, voiced, self.decode_chunk(source, audio, following))
                previous = self.store_chunk(source, chunk, raws, previous)
                audio_of.done(chunk)
                give_back()  # the chunk's decoding buffers (see companion.heap)
                if self.stopped():
                    # Asked during the commit or its report (a TUI's report waits for the
                    # screen): cancelled, as asked, even after the last chunk; a rerun only
                    # marks the rest done.
                    raise Stopped
        store.set_done_ms(self.db, self.sid, part.end_ms)
        self.resume_ms = max(self.resume_ms, part.end_ms)
        self.report("running", self.resume_ms)

    def decode_chunk(self, source: Source, audio: ChunkAudio,
                     following: ChunkAudio | None) -> list[RawSegment]:
        """Whisper's segments for a chunk (its ``audio``) up to its closing padding (the
        next chunk goes to the second decoder meanwhile); Stopped when asked to stop,
        before the retries of :meth:`fill` (each a decoder pass that an interviewer going
        live would otherwise share the CPU with)."""
        chunk = audio.chunk
        clip = chunk.clip(audio)
        if self.language is not None and following is not None:
            self.lookahead.start(following.chunk, following.chunk.clip(following),
                                 self.decode)
        segments, detected = (self.lookahead.take(chunk)
                              or self.engine.transcribe(clip, self.decode))
        if self.language is None:
            segments = self._heard(detected, segments, clip)
        raws: list[RawSegment] = []
        complete = False
        try:
            for raw in segments:
                raws.append(raw)
                # The position decoded so far (not yet the resume point): the bar moves
                # within a chunk, which can take a minute on a big model.
                position = source.part.offset_ms + chunk.to_file_ms(raw.end)
                self.report("running", max(self.resume_ms, position))
                if self.stopped():
                    break  # the rest of this chunk is not decoded, nor stored
                if raw.end >= chunk.tail_s:
                    complete = True  # the rest: see fill_tail
                    break
            else:
                complete = True
        finally:
            _close(segments)
        if not complete or self.stopped():
            raise Stopped
        return raws

    def _heard(self, language: str, segments: Iterator[RawSegment],
               clip: np.ndarray) -> Iterator[RawSegment]:
        """The first chunk of a run with no language set: the language heard is stored
        at once, and the chunk decoded again with that language's prompt when it differs,
        as a resumed run (which knows the language) decodes it."""
        self.language = language
        store.set_language(self.db, self.sid, language)
        heard = replace(self.decode, language=language,
                        initial_prompt=initial_prompt(self.plan.style, language))
        if heard.initial_prompt != self.decode.initial_prompt:
            _close(segments)
            segments, _ = self.engine.transcribe(clip, heard)
        self.decode = heard
        return segments

    def fill(self, audio: ChunkAudio, voiced: np.ndarray,
             raws: list[RawSegment]) -> list[RawSegment]:
        """Voiced stretches Whisper skipped, decoded again: the chunk's end, then gaps; a
        gap still skipped is decoded once more without the prompt, which is what made
        Whisper skip it (see companion.transcribe.coverage)."""
        chunk = audio.chunk
        raws = fill_tail(chunk, raws, audio, voiced, self._again)
        unprompted = replace(self.decode, initial_prompt=None)
        bare = (None if self.decode.initial_prompt is None else
                lambda clip: self._again(clip, unprompted))
        raws, _ = fill_gaps(chunk, raws, audio, voiced, self._again, bare)
        return raws

    def _again(self, clip: np.ndarray, how: DecodeOptions | None = None) -> list[RawSegment]:
        # One pass, no fallback to sampling, at most a fast talker's tokens: on a noise
        # Whisper would otherwise try six temperatures, each writing up to a full window
        # of invented text (the guard's work).
        how = how or self.decode
        longest = 12 + round(len(clip) / SAMPLE_RATE * 6)
        how = replace(how, extra={**how.extra, "temperature": 0.0, "max_new_tokens": longest})
        found: list[RawSegment] = []
        for raw in self.engine.transcribe(clip, how)[0]:
            found.append(raw)
            if raw.end >= len(clip) / SAMPLE_RATE - TAIL_S:
                break  # as in decode_chunk: no window for the closing padding
        return found

    def store_chunk(self, source: Source, chunk: Chunk, raws: list[RawSegment],
                    previous: TimedWord | None) -> TimedWord | None:
        """The chunk in one transaction: its segments, pauses, full-text rows, dropped
        words and the resume point, its end. Returns the last word kept."""
        part = source.part
        # Only a transcript left by a version that committed segment by segment has its
        # resume point inside a chunk: what it stored before that point is kept.
        floor_ms = max(0, self.resume_ms - part.offset_ms - chunk.start_ms)
        done_ms = part.offset_ms + chunk.end_ms
        rows, pauses, last, dropped = convert_chunk(source, chunk, raws, previous, floor_ms)
        with transaction(self.db):
            store.commit_segments(self.db, self.sid, rows, pauses, done_ms=done_ms)
            store_dropped(self.db, self.sid, [
                replace(d, start_ms=part.offset_ms + d.start_ms, end_ms=part.offset_ms + d.end_ms)
                for d in dropped])
        self.stored += len(rows)
        self.new += len(rows)
        self.resume_ms = max(self.resume_ms, done_ms)
        self.report("running", self.resume_ms)
        return last

    def finish(self, status: str) -> str:
        """The run's end in the store: done (up to where it got) or cancelled (resumable).
        Without ``marks_done`` a finished run stores where it got and leaves the status
        ``running``: the step after it marks it done (see ``transcribe_session``)."""
        if status == "done" and not self.marks_done:
            store.set_done_ms(self.db, self.sid, self.resume_ms)
            if self.language:
                store.set_language(self.db, self.sid, self.language)
            return status
        store.finish_transcript(self.db, self.sid, status,
                                done_ms=self.resume_ms if status == "done" else None,
                                language=self.language)
        return status


def _close(segments: Iterator[RawSegment]) -> None:
    """Stop a lazy decoder (a list decoded ahead has nothing to stop)."""
    close = getattr(segments, "close", None)
    if close is not None:
        close()


def last_word(db: sqlite_utils.Database, session_id: int, part: RecordingPart) -> TimedWord | None:
    """The last stored word in this recording file, on the file's timeline (for the pause
    between the last committed segment and the first new one)."""
    last = store.last_segment(db, session_id)
    if last is None or last.recording_segment_id != part.id or not last.words:
        return None
    word = last.words[-1]
    return TimedWord(word.word, word.start_ms - part.offset_ms, word.end_ms - part.offset_ms,
                     word.probability)


class _ChunkReader:
    """The audio of a file's chunks, in file order: cut from the signal a short file's scan
    held, else read on from the file (forward only). A chunk's audio is kept from its
    first use (as the chunk decoded ahead) until :meth:`done`."""

    def __init__(self, part: RecordingPart, levels: decode.Levels) -> None:
        self.mono = levels.mono if levels.mono is not None else np.zeros(0, np.float32)
        self.reader = None if levels.mono is not None else decode.MonoReader(part.path)
        self.kept: dict[Chunk, ChunkAudio] = {}

    def __enter__(self) -> _ChunkReader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.reader is not None:
            self.reader.close()
        self.kept.clear()

    def __call__(self, chunk: Chunk) -> ChunkAudio:
        if chunk not in self.kept:
            self.kept[chunk] = (ChunkAudio.read(chunk, self.reader.read) if self.reader
                                else ChunkAudio.of(chunk, self.mono))
        return self.kept[chunk]

    def done(self, chunk: Chunk) -> None:
        self.kept.pop(chunk, None)
