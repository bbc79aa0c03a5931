"""One session read as a document: everything that happened, in time order.

A :class:`SessionDocument` holds what happened in a session on its timeline (session time
in milliseconds, the recording's clock): phase starts, prompts asked and suggestions used,
transcript segments (with the pause marks inside them), pauses between segments, notes,
bookmarks and code tags, all read from :mod:`companion.session.timeline` (its session end,
its phase spans, its order; a note inside a segment cuts the segment at its moment).

:func:`read_session` reads it with its text as typed and transcribed: what review shows.
An export writes a pseudonymised copy (:func:`companion.export.pseudonymise.pseudonymised`),
which re-renders the speech from the timeline it keeps, so a name split over two words
or around a pause mark is still found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlite_utils

from companion.notation import format_hms, pause_mark, pause_unit, segment_text
from companion.protocol.model import Protocol, code_name
from companion.protocol.registry import get_protocol
from companion.session.separation import uncertain_text
from companion.session.timeline import (
    AudioMap,
    Interruption,
    PhaseSpan,
    SessionTimeline,
    Speech,
    load_timeline,
    timed_tokens,
)
from companion.store import notes, ratings, recordings, sessions, transcripts
from companion.store.participants import Participant
from companion.store.speakers import get_separation
from companion.study.folder import Study

if TYPE_CHECKING:
    from companion.privacy.pseudonymise import Pseudonymiser

__all__ = ["Entry", "Interruption", "PhaseSpan", "SessionDocument", "code_name", "memo_text",
           "pauses_inside", "read_session", "speech_text", "unanchored_notes"]


@dataclass(frozen=True)
class Entry:
    """One thing on the session timeline.

    ``kind``: ``phase`` (text = the phase title), ``prompt`` (sub = asked or
    suggestion_used), ``segment`` (text = rendered speech, with inner pause marks),
    ``pause`` (a silence between segments), ``note`` (sub = note, bookmark or reflection),
    ``interruption`` (text = what happened and how long, sub = its kind: pause, stop,
    device, fault or file; ref_id = the recording file that ends there).
    """

    kind: str
    at_ms: int
    end_ms: int | None = None
    text: str = ""
    speaker: str | None = None
    ref_id: int | None = None
    sub: str | None = None
    codes: tuple[str, ...] = ()
    phase_id: str | None = None
    part: int = 0  # a segment cut by a note or phase mark: its stretches 0, 1, ...

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.kind, self.ref_id)


@dataclass
class SessionDocument:
    """Everything about one session that review and an export need.

    Its text is as stored unless ``pseudonymiser`` says which replacements went into it
    (an export's copy)."""

    study: Study
    session: sessions.Session
    participant: Participant
    protocol: Protocol
    ratings: list[ratings.StoredRating]
    entries: list[Entry]
    notes: list[notes.Note]
    segments: list[transcripts.Segment]
    pauses: list[transcripts.Pause]
    recordings: list[recordings.Segment]
    phases: list[PhaseSpan]
    prompts: list[dict[str, Any]]
    transcript: dict[str, Any] | None
    duration_ms: int
    interviewer: str | None
    timeline: SessionTimeline
    """What the document was read from (an export re-renders the speech from it)."""
    rendered: dict[int, str] = field(default_factory=dict)
    """Segment id -> its whole text as written (pause marks in)."""
    audio: AudioMap = field(default_factory=lambda: AudioMap(()))
    """The recording files on the session clock (see :mod:`companion.session.timeline`)."""
    separation: dict[str, Any] | None = None
    """How sure the mono speaker separation was (None: none was made)."""
    pseudonymiser: Pseudonymiser | None = None
    """The replacements made in this copy's text; None: the text as stored."""
    generated_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat())

    # --- names and labels ------------------------------------------------------------

    @property
    def title(self) -> str:
        return f"Session {self.session.id}, participant {self.participant.code}"

    @property
    def basename(self) -> str:
        """A file name stem: participant and session id (no personal data)."""
        return f"{self.participant.code}_session-{self.session.id}"

    def phase_title(self, phase_id: str | None) -> str:
        if phase_id is None:
            return ""
        for phase in self.protocol.phases:
            if phase.id == phase_id:
                return phase.title
        return phase_id

    def code_label(self, code_id: str) -> str:
        for code in self.protocol.codes:
            if code.id == code_id:
                return code_name(code.id, code.name)
        return code_id

    def speaker_label(self, speaker: str | None) -> str:
        """The label written before a turn; '' when the speaker is unknown."""
        return speaker or ""

    @property
    def speakers(self) -> list[str]:
        seen: list[str] = []
        for seg in self.segments:
            if seg.speaker and seg.speaker not in seen:
                seen.append(seg.speaker)
        return seen

    @property
    def language(self) -> str:
        """The transcript's language (else the protocol's): it sets the pause notation."""
        return (self.transcript or {}).get("language") or self.protocol.language

    @property
    def has_transcript(self) -> bool:
        return bool(self.segments)

    @property
    def interruptions(self) -> list[Interruption]:
        """Where the recording broke off (pauses, stops, a lost microphone), in order."""
        return self.timeline.interruptions()

    def header_lines(self) -> list[str]:
        """The lines that open a text export: who, when, how it is written."""
        s = self.session
        date = (s.started_at or s.created_at or "")[:10]
        lines = [
            f"{self.title} (protocol {self.protocol.id}){' - pilot interview' if s.pilot else ''}",
            f"Date: {date or 'unknown'}; duration: {format_hms(self.duration_ms)}"
            + (f"; interviewer: {self.interviewer}" if self.interviewer else ""),
        ]
        if self.segments:
            who = ", ".join(
                f"{sp} = {'interviewer' if sp == 'I' else 'participant' if sp == self.participant.code else 'speaker'}"  # noqa: E501
                for sp in self.speakers)
            model = (self.transcript or {}).get("model")
            unit = pause_unit(self.language)
            lines.append(
                "Transcript" + (f" (model {model})" if model else "")
                + f": [hh:mm:ss] = session time at each turn; speakers: {who or 'not labelled'};"
                f" pauses: (.) 1 {unit}, (..) 2 {unit}, (...) 3 {unit}, (N {unit}) from 4 {unit}.")
            doubt = uncertain_text(self.separation, self.session.id)
            if doubt:
                lines.append(doubt)
        else:
            lines.append("No transcript yet: notes, phases and prompts only.")
        if self.pseudonymiser is not None:
            lines.append(self.pseudonymiser.note())
        return lines


def pauses_inside(tl: SessionTimeline, seg: transcripts.Segment) -> list[dict[str, int]]:
    """The pauses within one segment (their marks go inside its text)."""
    return [{"start_ms": p.start_ms, "end_ms": p.end_ms} for p in tl.pauses
            if p.within_segment and seg.start_ms <= p.start_ms < seg.end_ms]


def speech_text(speech: Speech, tokens: list[str], inner: list[dict[str, int]],
                language: str | None = "en") -> str:
    """A stretch of a segment as written: ``tokens`` (its timed tokens' words, or a
    pseudonymised copy of them) with the marks of the pauses inside it, and the mark of a
    pause at its cut in front of it."""
    timed = speech.tokens
    if not speech.words_match:  # a corrected segment: its text is the truth, no marks
        return "".join(tokens[speech.first:speech.stop]).strip()
    words = [{**timed[i].__dict__, "word": tokens[i]} for i in range(speech.first, speech.stop)]
    text = segment_text([w for w in words if w["word"]], inner, language=language)
    if speech.first:  # a pause right at the cut goes before this stretch
        lo, hi = timed[speech.first - 1].start_ms, timed[speech.first].start_ms
        marks = [pause_mark(p["end_ms"] - p["start_ms"], language) for p in inner
                 if lo < (p["start_ms"] + p["end_ms"]) / 2 <= hi]
        text = " ".join([m for m in marks if m] + [text]).strip()
    return text


def read_session(study: Study, db: sqlite_utils.Database,
                 session_id: int | str) -> SessionDocument:
    """Read a session from the store; raises NotFoundError for an unknown session."""
    session = sessions.get_session(db, session_id)
    participant = Participant(**next(iter(db.query(
        "SELECT * FROM participants WHERE id = ?", [session.participant_id]))))
    protocol = get_protocol(session.protocol_id, study.root)
    # Every time, span and order below comes from the one session timeline.
    tl = load_timeline(study, db, session.id)
    transcript = transcripts.get_transcript(db, session.id)
    language = (transcript or {}).get("language") or protocol.language
    words = {seg.id: [t.word for t in timed_tokens(seg)[0]] for seg in tl.segments}
    entries: list[Entry] = []
    rendered: dict[int, list[str]] = {}
    for item in tl.entries():
        if item.speech is not None:
            speech = item.speech
            seg = speech.segment
            text = speech_text(speech, words[seg.id], pauses_inside(tl, seg), language)
            rendered.setdefault(seg.id, []).append(text)
            entries.append(Entry("segment", speech.at_ms, speech.end_ms, text, seg.speaker,
                                 seg.id, phase_id=tl.phase_at(speech.at_ms),
                                 part=speech.part))
            continue
        event = item.event
        assert event is not None
        if event.kind == "pause":
            mark = pause_mark((event.end_ms or event.at_ms) - event.at_ms, language)
            if mark:
                entries.append(Entry("pause", event.at_ms, event.end_ms, mark))
        elif event.kind == "phase":
            entries.append(Entry("phase", event.at_ms, event.end_ms, event.text,
                                 ref_id=event.ref_id, phase_id=event.sub))
        elif event.kind == "interruption":
            entries.append(Entry("interruption", event.at_ms, event.end_ms, event.text,
                                 ref_id=event.ref_id, sub=event.sub))
        elif event.kind == "prompt":
            entries.append(Entry("prompt", event.at_ms, None, event.text, ref_id=event.ref_id,
                                 sub=event.sub))
        elif event.kind == "note":
            entries.append(Entry("note", event.at_ms, None, event.text, ref_id=event.ref_id,
                                 sub=event.sub, codes=event.codes))

    return SessionDocument(
        study=study, session=session, participant=participant, protocol=protocol,
        ratings=ratings.list_ratings(db, session.id), entries=entries, notes=list(tl.notes),
        segments=list(tl.segments), pauses=tl.pauses,
        recordings=recordings.list_segments(db, session.id), phases=tl.phase_spans(),
        prompts=list(tl.prompts), transcript=transcript, duration_ms=tl.end_ms,
        interviewer=session.interviewer or None, timeline=tl,
        rendered={sid: " ".join(t for t in texts if t) for sid, texts in rendered.items()},
        audio=tl.audio, separation=get_separation(db, session.id),
    )


# --- what the views share --------------------------------------------------------------

def memo_text(doc: SessionDocument, entry: Entry) -> str:
    """A note, prompt or interruption as a bracketed memo: ``[Note at 00:12:03: text;
    codes: A1 ...]``, ``[Interruption at 00:03:04: Microphone lost for 26 s]``.

    The time inside is written without its own brackets, so software that reads
    ``[hh:mm:ss]`` as a timestamp does not mistake a memo for a new turn.
    """
    at = format_hms(entry.at_ms)
    if entry.kind == "interruption":
        return f"[Interruption at {at}: {entry.text}]"
    if entry.kind == "prompt":
        label = "Suggestion used" if entry.sub == "suggestion_used" else "Prompt asked"
        return f"[{label} at {at}: {entry.text}]"
    label = {"note": "Note", "bookmark": "Bookmark", "reflection": "Reflection",
             "quote": "Quote pinned"}.get(entry.sub or "note", "Note")
    body = f"“{entry.text}”" if entry.sub == "quote" and entry.text else entry.text
    if entry.codes:
        codes = "codes: " + ", ".join(doc.code_label(c) for c in entry.codes)
        body = f"{body}; {codes}" if body else codes
    return f"[{label} at {at}{': ' + body if body else ''}]"


def unanchored_notes(doc: SessionDocument) -> list[notes.Note]:
    """Notes without a session time (reflections written afterwards)."""
    return [n for n in doc.notes if n.at_ms is None]
