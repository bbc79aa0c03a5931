"""One session's content gathered in time order, ready for every export format.

A :class:`SessionDocument` holds what happened in a session on its timeline (session time
in milliseconds, the recording's clock): phase starts, prompts asked and suggestions used,
transcript segments (with the pause marks inside them), pauses between segments, notes,
bookmarks and code tags, all read from :mod:`companion.timeline` (its session end, its
phase spans, its order; a note inside a segment cuts the segment at its moment). All free
text in it is already pseudonymised, so a renderer cannot leak a name by forgetting a step.

:func:`layout` turns the timeline into paragraphs (speaker turns, phase headings, memos),
the common shape of the text exports (txt, md, f4, docx) and of the transcript inside the
REFI-QDA project.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from companion.export.pseudonymise import Pseudonymiser, study_pseudonymiser
from companion.notation import format_hms, pause_mark, pause_unit, segment_text
from companion.protocol.model import Protocol, code_name
from companion.protocol.registry import get_protocol
from companion.store import notes, ratings, recordings, sessions, transcripts
from companion.store.participants import Participant
from companion.study.folder import Study
from companion.timeline import AudioMap, PhaseSpan, Speech, load_timeline, timed_tokens

__all__ = ["Entry", "Paragraph", "PhaseSpan", "SessionDocument", "build_document", "code_name",
           "layout"]


@dataclass(frozen=True)
class Entry:
    """One thing on the session timeline.

    ``kind``: ``phase`` (text = the phase title), ``prompt`` (sub = asked or
    suggestion_used), ``segment`` (text = rendered speech, with inner pause marks),
    ``pause`` (a silence between segments), ``note`` (sub = note, bookmark or reflection).
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
    """Everything about one session an export needs (text already pseudonymised)."""

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
    pseudonymiser: Pseudonymiser
    interviewer: str | None
    rendered: dict[int, str] = field(default_factory=dict)
    """Segment id -> its whole text as written (pause marks in, pseudonymised)."""
    audio: AudioMap = field(default_factory=lambda: AudioMap(()))
    """The recording files on the session clock (see :mod:`companion.timeline`)."""
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
        else:
            lines.append("No transcript yet: notes, phases and prompts only.")
        lines.append(self.pseudonymiser.note())
        return lines


def _clean_segment(seg: transcripts.Segment, pseudo: Pseudonymiser) -> transcripts.Segment:
    """The segment with its text and words pseudonymised (for the json export)."""
    words = [dict(w.__dict__) for w in seg.words]
    if words:
        replaced = pseudo.apply_words([w["word"] for w in words])
        for word, new in zip(words, replaced, strict=True):
            word["word"] = new
    return dataclasses.replace(seg, text=pseudo.apply(seg.text).strip(),
                               words=tuple(transcripts.Word(**w) for w in words))


def _speech_text(speech: Speech, tokens: list[str], inner: list[dict[str, int]],
                 language: str | None = "en") -> str:
    """A stretch of a segment as written: its (pseudonymised) tokens with the marks of
    the pauses inside it, and the mark of a pause at its cut in front of it."""
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


def build_document(study: Study, db: sqlite_utils.Database, session_id: int | str,
                   *, pseudonymiser: Pseudonymiser | None = None) -> SessionDocument:
    """Gather a session from the store; raises NotFoundError for an unknown session."""
    session = sessions.get_session(db, session_id)
    participant = Participant(**next(iter(db.query(
        "SELECT * FROM participants WHERE id = ?", [session.participant_id]))))
    protocol = get_protocol(session.protocol_id, study.root)
    pseudo = pseudonymiser if pseudonymiser is not None else study_pseudonymiser(study)
    # Every time, span and order below comes from the one session timeline.
    tl = load_timeline(study, db, session.id)

    tokens: dict[int, list[str]] = {}
    inner: dict[int, list[dict[str, int]]] = {}
    for seg in tl.segments:
        timed, _ = timed_tokens(seg)
        # Pseudonymised as one text, so a two-word name is found across tokens.
        tokens[seg.id] = pseudo.apply_words([t.word for t in timed])
        inner[seg.id] = [{"start_ms": p.start_ms, "end_ms": p.end_ms} for p in tl.pauses
                         if p.within_segment and seg.start_ms <= p.start_ms < seg.end_ms]

    transcript = transcripts.get_transcript(db, session.id)
    language = (transcript or {}).get("language") or protocol.language
    entries: list[Entry] = []
    rendered: dict[int, list[str]] = {}
    prompts: list[dict[str, Any]] = []
    for item in tl.entries():
        if item.speech is not None:
            speech = item.speech
            seg = speech.segment
            text = _speech_text(speech, tokens[seg.id], inner[seg.id], language)
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
        elif event.kind == "prompt":
            text = pseudo.apply(event.text)
            entries.append(Entry("prompt", event.at_ms, None, text, ref_id=event.ref_id,
                                 sub=event.sub))
        elif event.kind == "note":
            entries.append(Entry("note", event.at_ms, None, pseudo.apply(event.text),
                                 ref_id=event.ref_id, sub=event.sub, codes=event.codes))
    prompts = [{**event, "text": pseudo.apply(event["text"])} for event in tl.prompts]
    clean_notes = [dataclasses.replace(note, text=pseudo.apply(note.text))
                   for note in tl.notes]

    return SessionDocument(
        study=study, session=session, participant=participant, protocol=protocol,
        # A role is free text: someone may have typed a professional's name there.
        ratings=[dataclasses.replace(r, role=pseudo.apply(r.role))
                 for r in ratings.list_ratings(db, session.id)],
        entries=entries, notes=clean_notes,
        segments=[_clean_segment(seg, pseudo) for seg in tl.segments], pauses=tl.pauses,
        recordings=recordings.list_segments(db, session.id), phases=tl.phase_spans(),
        prompts=prompts, transcript=transcript,
        duration_ms=tl.end_ms, pseudonymiser=pseudo,
        interviewer=pseudo.apply(session.interviewer) if session.interviewer else None,
        rendered={sid: " ".join(t for t in texts if t) for sid, texts in rendered.items()},
        audio=tl.audio,
    )


# --- layout: paragraphs for the text formats ----------------------------------------------

@dataclass
class Paragraph:
    """A paragraph of a text export.

    ``kind``: ``turn`` (one speaker's consecutive segments, with the pauses, notes and
    prompts that fall inside it as ``parts``), ``phase``, ``memo`` (a note or prompt
    between turns) or ``pause`` (a silence at a change of speaker).
    """

    kind: str
    at_ms: int
    end_ms: int
    speaker: str | None = None
    parts: list[Entry] = field(default_factory=list)


def memo_text(doc: SessionDocument, entry: Entry) -> str:
    """A note or prompt as a bracketed memo: ``[Note at 00:12:03: text; codes: A1 ...]``.

    The time inside is written without its own brackets, so software that reads
    ``[hh:mm:ss]`` as a timestamp does not mistake a memo for a new turn.
    """
    at = format_hms(entry.at_ms)
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


def layout(doc: SessionDocument) -> list[Paragraph]:
    """The timeline as paragraphs: a new turn at each change of speaker or phase."""
    paragraphs: list[Paragraph] = []
    turn: Paragraph | None = None
    pending_pause: Entry | None = None

    def flush_pause() -> None:
        nonlocal pending_pause
        if pending_pause is not None:
            paragraphs.append(Paragraph("pause", pending_pause.at_ms,
                                        pending_pause.end_ms or pending_pause.at_ms,
                                        parts=[pending_pause]))
            pending_pause = None

    for entry in doc.entries:
        if entry.kind == "segment":
            if turn is not None and turn.speaker == entry.speaker:
                if pending_pause is not None:
                    turn.parts.append(pending_pause)
                    pending_pause = None
                turn.parts.append(entry)
                turn.end_ms = max(turn.end_ms, entry.end_ms or entry.at_ms)
            else:
                flush_pause()
                turn = Paragraph("turn", entry.at_ms, entry.end_ms or entry.at_ms,
                                 entry.speaker, [entry])
                paragraphs.append(turn)
        elif entry.kind == "pause":
            if turn is None:
                paragraphs.append(Paragraph("pause", entry.at_ms, entry.end_ms or entry.at_ms,
                                            parts=[entry]))
            else:
                flush_pause()
                pending_pause = entry
        elif entry.kind == "phase":
            flush_pause()
            turn = None
            paragraphs.append(Paragraph("phase", entry.at_ms, entry.end_ms or entry.at_ms,
                                        parts=[entry]))
        else:  # note or prompt
            if turn is not None and pending_pause is None:
                turn.parts.append(entry)
            else:
                flush_pause()
                turn = None
                paragraphs.append(Paragraph("memo", entry.at_ms, entry.at_ms, parts=[entry]))
    flush_pause()
    return paragraphs


def unanchored_notes(doc: SessionDocument) -> list[notes.Note]:
    """Notes without a session time (reflections written afterwards)."""
    return [n for n in doc.notes if n.at_ms is None]
