"""One session's content gathered in time order, ready for every export format.

A :class:`SessionDocument` holds what happened in a session on its timeline (session time
in milliseconds, the recording's clock): phase starts, prompts asked and suggestions used,
transcript segments (with the pause marks inside them), pauses between segments, notes,
bookmarks and code tags. All free text in it is already pseudonymised, so a renderer
cannot leak a name by forgetting a step.

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
from companion.interview import session_protocol
from companion.protocol.model import Protocol
from companion.store import events, notes, ratings, recordings, sessions, transcripts
from companion.store.participants import Participant
from companion.study.folder import Study
from companion.timefmt import format_hms
from companion.transcribe.render import pause_mark, pause_unit, segment_text

# Order of entries that share a moment: a phase starts, the prompt is asked, then speech.
_ORDER = {"phase": 0, "prompt": 1, "pause": 2, "segment": 3, "note": 4}


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

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.kind, self.ref_id)


@dataclass(frozen=True)
class PhaseSpan:
    phase_id: str
    title: str
    start_ms: int
    end_ms: int

    @property
    def duration_ms(self) -> int:
        return max(0, self.end_ms - self.start_ms)


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


def code_name(code_id: str, name: str) -> str:
    """``A1 History and context``; just the name when it already starts with the id."""
    if name.casefold().startswith(code_id.casefold()):
        return name
    return f"{code_id} {name}"


def _segment_rendered(seg: transcripts.Segment, inner: list[dict[str, int]],
                      pseudo: Pseudonymiser, language: str | None = None,
                      ) -> tuple[str, str, list[dict[str, Any]]]:
    """The segment's text with its inner pause marks, its plain text and its words, all
    pseudonymised."""
    words = [dict(w.__dict__) for w in seg.words]
    joined = "".join(w["word"] for w in words).split()
    use_words = bool(words) and joined == seg.text.split()
    if words:
        replaced = pseudo.apply_words([w["word"] for w in words])
        for word, new in zip(words, replaced, strict=True):
            word["word"] = new
    text = pseudo.apply(seg.text)
    if use_words:
        rendered = segment_text([w for w in words if w["word"]], inner, text=text,
                                language=language)
    else:  # an edited segment: its words no longer match, the text is the truth
        rendered = text.strip()
    return rendered, text.strip(), words


def build_document(study: Study, db: sqlite_utils.Database, session_id: int | str,
                   *, pseudonymiser: Pseudonymiser | None = None) -> SessionDocument:
    """Gather a session from the store; raises NotFoundError for an unknown session."""
    session = sessions.get_session(db, session_id)
    participant = Participant(**next(iter(db.query(
        "SELECT * FROM participants WHERE id = ?", [session.participant_id]))))
    protocol = session_protocol(study, session)
    pseudo = pseudonymiser if pseudonymiser is not None else study_pseudonymiser(study)

    segments = transcripts.list_segments(db, session.id)
    pauses = transcripts.list_pauses(db, session.id)
    recs = recordings.list_segments(db, session.id)
    phase_events = events.list_phase_events(db, session.id)
    prompt_events = events.list_prompt_events(db, session.id)
    note_list = notes.list_notes(db, session.id)

    duration = session.duration_ms or 0
    duration = max(duration, recordings.session_end_ms(db, session.id),
                   max((s.end_ms for s in segments), default=0),
                   max((n.at_ms or 0 for n in note_list), default=0),
                   max((e["at_ms"] for e in phase_events), default=0))

    transcript = transcripts.get_transcript(db, session.id)
    language = (transcript or {}).get("language") or protocol.language
    entries: list[Entry] = []
    clean_segments: list[transcripts.Segment] = []
    for seg in segments:
        inner = [{"start_ms": p.start_ms, "end_ms": p.end_ms} for p in pauses
                 if p.within_segment and seg.start_ms <= p.start_ms < seg.end_ms]
        rendered, plain, words = _segment_rendered(seg, inner, pseudo, language)
        clean_segments.append(transcripts.Segment(
            id=seg.id, session_id=seg.session_id,
            recording_segment_id=seg.recording_segment_id, start_ms=seg.start_ms,
            end_ms=seg.end_ms, text=plain,
            speaker=seg.speaker, avg_logprob=seg.avg_logprob,
            words=tuple(transcripts.Word(**w) for w in words), phase_id=seg.phase_id,
            version=seg.version))
        entries.append(Entry("segment", seg.start_ms, seg.end_ms, rendered, seg.speaker,
                             seg.id, phase_id=seg.phase_id))
    for pause in pauses:
        if not pause.within_segment and pause_mark(pause.duration_ms):
            entries.append(Entry("pause", pause.start_ms, pause.end_ms,
                                 pause_mark(pause.duration_ms, language)))

    spans: list[PhaseSpan] = []
    for index, event in enumerate(phase_events):
        end = phase_events[index + 1]["at_ms"] if index + 1 < len(phase_events) else duration
        title = _phase_title(protocol, event["phase_id"])
        spans.append(PhaseSpan(event["phase_id"], title, event["at_ms"], max(end, event["at_ms"])))
        entries.append(Entry("phase", event["at_ms"], spans[-1].end_ms, title,
                             ref_id=event["id"], phase_id=event["phase_id"]))

    prompts: list[dict[str, Any]] = []
    for event in prompt_events:
        text = pseudo.apply(event["text"])
        prompts.append({**event, "text": text})
        entries.append(Entry("prompt", event["at_ms"], None, text, ref_id=event["id"],
                             sub=event["kind"]))

    clean_notes: list[notes.Note] = []
    for note in note_list:
        clean = notes.Note(**{**note.__dict__, "text": pseudo.apply(note.text)})
        clean_notes.append(clean)
        if note.at_ms is not None:
            entries.append(Entry("note", note.at_ms, None, clean.text, ref_id=note.id,
                                 sub=note.kind, codes=note.codes))
    entries.sort(key=lambda e: (e.at_ms, _ORDER[e.kind], e.ref_id or 0))

    return SessionDocument(
        study=study, session=session, participant=participant, protocol=protocol,
        # A role is free text: someone may have typed a professional's name there.
        ratings=[dataclasses.replace(r, role=pseudo.apply(r.role))
                 for r in ratings.list_ratings(db, session.id)],
        entries=entries, notes=clean_notes,
        segments=clean_segments, pauses=pauses, recordings=recs, phases=spans,
        prompts=prompts, transcript=transcript,
        duration_ms=duration, pseudonymiser=pseudo,
        interviewer=pseudo.apply(session.interviewer) if session.interviewer else None,
    )


def _phase_title(protocol: Protocol, phase_id: str) -> str:
    for phase in protocol.phases:
        if phase.id == phase_id:
            return phase.title
    return phase_id


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
    label = {"note": "Note", "bookmark": "Bookmark", "reflection": "Reflection"}.get(
        entry.sub or "note", "Note")
    body = entry.text
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
