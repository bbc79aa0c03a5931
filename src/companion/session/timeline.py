"""One session on one clock: the timeline every summary, report and export reads.

All times are session milliseconds: the recording's clock, which stands still while the
recorder is paused (see :mod:`companion.audio.recorder`). A :class:`SessionTimeline`
gathers from the store what happened on that clock: where the audio files sit (and the
gaps between them), the phase marks, prompts asked and suggestions used, transcript
segments with their words and the pauses between them, notes, bookmarks and code tags.

**The session's end** is decided here, once: the end of the last recorded audio when the
session has any, else the latest moment anything was marked on its clock (a segment's end,
a note, a phase, a prompt, or the stored duration). The recording is the session's clock:
a time after its last sample points at no audio, and the recorder itself stores this same
end as the session's duration when it stops. A session without audio (notes only, or audio
still to be imported) has no clock but its marks, so the latest of them ends it.

Phase spans follow from it: a phase runs from its mark to the next phase mark, or to the
session's end, and never past the end; so the spans of a session add up to the time from
its first phase mark to its end, whoever asks.

**Interruptions** are where one recording file ends and the next begins: a pause (F6), a
stop and a later continue, a microphone lost and back, a fault, another imported file; and
a recording that ended because the microphone went away for good. The clock stands still
through most of them, so their length comes from the wall clock: the time the next file
began, less the time the file before it began and the audio it holds. Every view shows
them at their moment, and no transcript stretch or turn runs across one.

:meth:`SessionTimeline.entries` is the interleaving documents are written from: a note,
prompt or phase mark that falls inside a transcript segment splits that segment at the
word boundary (by the stored word times), so the note lands between the words it belongs
to and no time stamp in a document runs backwards.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import sqlite_utils

from companion.errors import CompanionError
from companion.notation import format_duration
from companion.store import events, notes, recordings, sessions, transcripts
from companion.study.folder import Study

# Order of things that share a moment: the interruption (the clock stood still through it,
# so whatever was marked while it lasted comes after it), the phase starts, the prompt is
# asked, then notes taken at that instant, then the silence and the speech from there.
KIND_ORDER = {"interruption": 0, "phase": 1, "prompt": 2, "note": 3, "pause": 4,
              "speech": 5}


# --- the audio: files on the session clock ------------------------------------------------

@dataclass(frozen=True)
class AudioPart:
    """One recording file and where it sits on the session clock."""

    recording_id: int
    seq: int
    path: str  # relative to the study folder
    samplerate: int
    channels: int
    start_ms: int
    end_ms: int
    end_reason: str | None
    recorded_at: str | None = None
    """When its first block was written (wall clock, ISO); None for an imported file."""

    def abspath(self, study_root: Path) -> Path:
        return Path(study_root) / self.path

    def start_frame(self, samplerate: int) -> int:
        """The frame of the session timeline (at ``samplerate``) where this file begins."""
        return self.start_ms * samplerate // 1000


# Why a recording file ended (``recording_segments.end_reason``) -> the interruption's kind.
_KINDS = {"paused": "pause", "stopped": "stop", "seconds": "stop", "device_lost": "device",
          "disk_full": "fault", "error": "fault", "interrupted": "fault"}
# A last file that ended like this ended the recording against the interviewer's will.
_UNPLANNED_END = ("device_lost", "disk_full", "error", "interrupted")
# What each kind of break is called (a fault by its reason).
_NAMES = {"pause": "Recording paused", "stop": "Recording stopped",
          "device": "Microphone lost", "file": "Next audio file",
          "disk_full": "Disk full: recording stopped", "error": "Recorder failed",
          "interrupted": "Recording cut off"}


@dataclass(frozen=True)
class Interruption:
    """Where the recording broke off and (unless ``resumed`` is False) went on in a new
    file. ``end_ms`` > ``start_ms`` when the clock has a gap (silence on playback); equal
    when the clock stood still. ``lasted_ms``: how long it lasted in the room, when known.
    ``recording_id``: the file that ends here."""

    start_ms: int
    end_ms: int
    reason: str | None
    lasted_ms: int | None = None
    resumed: bool = True
    recording_id: int = 0

    @property
    def duration_ms(self) -> int:
        """Its length on the session clock (0 where the clock stood still)."""
        return self.end_ms - self.start_ms

    @property
    def kind(self) -> str:
        """pause, stop, device (the microphone), fault, or file (another imported file)."""
        return _KINDS.get((self.reason or "").split(":")[0], "file")

    def describe(self) -> str:
        """What happened and for how long, in words: ``Microphone lost for 26 s``."""
        reason = (self.reason or "").split(":")[0]
        name = _NAMES.get(reason if self.kind == "fault" else self.kind, "Recording broke off")
        if not self.resumed:
            return f"{name}; the recording ends here"
        length = "" if self.lasted_ms is None else format_duration(self.lasted_ms / 1000)
        if self.kind in ("pause", "device"):  # the same recording went on after it
            return name + (f" for {length}" if length else "")
        if self.kind == "file":
            return name + (f", {length} later" if length else "")
        return name + (f", continued {length} later" if length else ", then continued")


def _wall_ms(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        return dt.datetime.fromisoformat(iso).timestamp() * 1000
    except ValueError:
        return None


def _lasted(before: AudioPart, after: AudioPart) -> int | None:
    """How long the break between two files lasted: the gap on the clock when there is
    one, else (both recorded here) the next file's start less the end of the audio of the
    one before, by the wall clock; None when neither tells."""
    if after.start_ms > before.end_ms:
        return after.start_ms - before.end_ms
    began, next_began = _wall_ms(before.recorded_at), _wall_ms(after.recorded_at)
    if began is None or next_began is None:
        return None
    lasted = next_began - began - (before.end_ms - before.start_ms)
    return round(lasted) if lasted >= 0 else None


@dataclass(frozen=True)
class AudioMap:
    """The mapping from session time to (recording file, offset in it)."""

    parts: tuple[AudioPart, ...]

    @property
    def end_ms(self) -> int:
        return max((p.end_ms for p in self.parts), default=0)

    def locate(self, at_ms: int) -> tuple[AudioPart, int] | None:
        """The file playing at ``at_ms`` and the offset into it (ms); None in a gap."""
        for part in self.parts:
            if part.start_ms <= at_ms < part.end_ms:
                return part, at_ms - part.start_ms
        return None

    def present(self, study_root: Path) -> AudioMap:
        """Only the files that exist on disk (a player or an export can read)."""
        return AudioMap(tuple(p for p in self.parts if p.abspath(study_root).is_file()))

    def interruptions(self) -> list[Interruption]:
        """Each boundary between two files on the clock, and a last file that ended
        because the microphone (or the disk, or the recorder) failed."""
        out: list[Interruption] = []
        for before, after in pairwise(self.parts):
            out.append(Interruption(before.end_ms, max(before.end_ms, after.start_ms),
                                    before.end_reason, _lasted(before, after),
                                    recording_id=before.recording_id))
        if self.parts and (self.parts[-1].end_reason or "").split(":")[0] in _UNPLANNED_END:
            last = self.parts[-1]
            out.append(Interruption(last.end_ms, last.end_ms, last.end_reason, None,
                                    resumed=False, recording_id=last.recording_id))
        return out


def audio_map(segments: Sequence[recordings.Segment]) -> AudioMap:
    """The session's recording files in clock order."""
    parts = sorted(segments, key=lambda s: (s.offset_ms, s.seq))
    return AudioMap(tuple(
        AudioPart(s.id, s.seq, s.path, int(s.samplerate), int(s.channels), s.offset_ms,
                  s.end_ms, s.end_reason,
                  None if s.status == "imported" else s.started_at) for s in parts))


# --- what is on the clock ---------------------------------------------------------------

@dataclass(frozen=True)
class PhaseSpan:
    phase_id: str
    title: str
    start_ms: int
    end_ms: int
    event_id: int

    @property
    def duration_ms(self) -> int:
        return max(0, self.end_ms - self.start_ms)


@dataclass(frozen=True)
class Event:
    """One thing on the session clock (for listings and order checks)."""

    kind: str  # interruption, phase, prompt, note, pause, speech
    at_ms: int
    end_ms: int | None = None
    ref_id: int | None = None
    sub: str | None = None  # prompt: asked/suggestion_used; note: note/bookmark;
    # interruption: its kind (pause, stop, device, fault, file)
    text: str = ""
    codes: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.at_ms, KIND_ORDER[self.kind], self.ref_id or 0)


@dataclass(frozen=True)
class Speech:
    """A stretch of one transcript segment: its tokens ``first`` to ``stop`` (exclusive).

    ``tokens`` are the segment's timed tokens (see :func:`timed_tokens`) and
    ``words_match`` says whether they are the stored words (else the corrected text,
    placed in time as well as it can be).
    """

    segment: transcripts.Segment
    tokens: tuple[transcripts.Word, ...]
    first: int
    stop: int
    at_ms: int
    end_ms: int
    part: int  # 0 for a segment's first stretch
    words_match: bool

    @property
    def last_part(self) -> bool:
        return self.stop >= len(self.tokens)

    @property
    def text(self) -> str:
        return "".join(t.word for t in self.tokens[self.first:self.stop]).strip()


@dataclass(frozen=True)
class Entry:
    """One item of a document: an :class:`Event` that is not speech, or a :class:`Speech`."""

    kind: str
    at_ms: int
    event: Event | None = None
    speech: Speech | None = None

    @property
    def end_ms(self) -> int | None:
        if self.speech is not None:
            return self.speech.end_ms
        return self.event.end_ms if self.event is not None else None


def timed_tokens(seg: transcripts.Segment) -> tuple[tuple[transcripts.Word, ...], bool]:
    """A segment's text as timed tokens, and whether they are its stored words.

    A corrected segment's stored words no longer spell its text; then the text's tokens
    take the stored words' times one by one when the count is unchanged (a spelling fix),
    else they are spread evenly over the segment. Tokens carry their leading space.
    """
    words = [w for w in seg.words if w.word]
    spoken = "".join(w.word for w in words).split()
    if words and spoken == seg.text.split():
        return tuple(words), True
    tokens = seg.text.split()
    if not tokens:
        return (), False
    spaced = [("" if i == 0 else " ") + tok for i, tok in enumerate(tokens)]
    if len(words) == len(tokens):
        return tuple(transcripts.Word(tok, w.start_ms, w.end_ms, w.probability, w.speaker)
                     for tok, w in zip(spaced, words, strict=True)), False
    span = max(0, seg.end_ms - seg.start_ms)
    step = span / len(tokens)
    return tuple(transcripts.Word(tok, seg.start_ms + round(i * step),
                                  seg.start_ms + round((i + 1) * step), None, seg.speaker)
                 for i, tok in enumerate(spaced)), False


def split_points(tokens: Sequence[transcripts.Word], marks: Sequence[int]) -> list[int]:
    """Token indices where marks at these times cut a segment: before the first token
    that starts at or after the mark (a word being spoken at the mark stays before it).
    Cuts at the very start or end are no cuts."""
    starts = [t.start_ms for t in tokens]
    cuts = {bisect.bisect_left(starts, mark) for mark in marks}
    return sorted(c for c in cuts if 0 < c < len(tokens))


# --- the timeline ------------------------------------------------------------------------

@dataclass
class SessionTimeline:
    """Everything on one session's clock, read once from the store."""

    session: sessions.Session
    audio: AudioMap
    phase_marks: list[dict[str, Any]]
    prompts: list[dict[str, Any]]
    segments: list[transcripts.Segment]
    pauses: list[transcripts.Pause]
    notes: list[notes.Note]
    phase_titles: dict[str, str] = field(default_factory=dict)

    # --- the session's end and the phases ------------------------------------------------

    @property
    def end_ms(self) -> int:
        """The session's end (see the module's doc for why this rule)."""
        if self.audio.parts:
            return self.audio.end_ms
        marks = [self.session.duration_ms or 0]
        marks += [s.end_ms for s in self.segments]
        marks += [n.at_ms for n in self.notes if n.at_ms is not None]
        marks += [e["at_ms"] for e in self.phase_marks]
        marks += [e["at_ms"] for e in self.prompts]
        return max(marks)

    def phase_spans(self) -> list[PhaseSpan]:
        """Each phase mark to the next (or to the session's end), in clock order."""
        end = self.end_ms
        spans = []
        for index, mark in enumerate(self.phase_marks):
            start = int(mark["at_ms"])
            stop = (int(self.phase_marks[index + 1]["at_ms"])
                    if index + 1 < len(self.phase_marks) else end)
            stop = max(start, min(stop, end))
            spans.append(PhaseSpan(mark["phase_id"],
                                   self.phase_titles.get(mark["phase_id"], mark["phase_id"]),
                                   start, stop, int(mark["id"])))
        return spans

    def phase_totals(self) -> dict[str, int]:
        """Milliseconds per phase id (a phase marked twice adds up), in first-mark order."""
        totals: dict[str, int] = {}
        for span in self.phase_spans():
            totals[span.phase_id] = totals.get(span.phase_id, 0) + span.duration_ms
        return totals

    def phase_at(self, at_ms: int) -> str | None:
        current = None
        for mark in self.phase_marks:
            if mark["at_ms"] <= at_ms:
                current = mark["phase_id"]
        return current

    def interruptions(self) -> list[Interruption]:
        return self.audio.interruptions()

    # --- events and document entries --------------------------------------------------

    def _marks(self) -> list[Event]:
        """Everything that is not speech, on the clock."""
        out: list[Event] = []
        for span in self.phase_spans():
            out.append(Event("phase", span.start_ms, span.end_ms, span.event_id,
                             span.phase_id, span.title))
        for item in self.interruptions():
            out.append(Event("interruption", item.start_ms, item.end_ms, item.recording_id,
                             item.kind, item.describe()))
        for prompt in self.prompts:
            out.append(Event("prompt", int(prompt["at_ms"]), None, int(prompt["id"]),
                             prompt["kind"], prompt["text"]))
        for note in self.notes:
            if note.at_ms is not None:
                out.append(Event("note", note.at_ms, None, note.id, note.kind, note.text,
                                 tuple(note.codes)))
        for silence in self.pauses:
            if not silence.within_segment:
                out.append(Event("pause", silence.start_ms, silence.end_ms))
        return out

    def events(self) -> list[Event]:
        """Every mark and every transcript segment (whole), in clock order."""
        out = self._marks()
        for seg in self.segments:
            out.append(Event("speech", seg.start_ms, seg.end_ms, seg.id, seg.speaker,
                             seg.text))
        return sorted(out, key=lambda e: e.sort_key)

    def speech(self) -> list[Speech]:
        """The transcript cut where a note, bookmark, prompt, phase mark or interruption
        falls inside a segment (at the word boundary), in clock order: no stretch runs
        across an interruption, whatever the transcript's segments say."""
        cut_times = [e.at_ms for e in self._marks()
                     if e.kind in ("phase", "prompt", "note", "interruption")]
        out: list[Speech] = []
        for seg in self.segments:
            tokens, match = timed_tokens(seg)
            inside = [t for t in cut_times if seg.start_ms < t < seg.end_ms]
            bounds = [0, *split_points(tokens, inside), len(tokens)] if tokens else [0, 0]
            for part, (first, stop) in enumerate(pairwise(bounds)):
                at = seg.start_ms if part == 0 else tokens[first].start_ms
                last = stop >= len(tokens)
                # A stretch cut short ends where the next begins (a word being spoken at
                # the cut stays in it): a document's end stamps never run backwards.
                end = seg.end_ms if last else min(tokens[stop - 1].end_ms,
                                                  tokens[stop].start_ms)
                out.append(Speech(seg, tokens, first, stop, at, max(at, end), part, match))
        return out

    def entries(self) -> list[Entry]:
        """Speech stretches, interruptions, phase marks, prompts, notes and the pauses
        between turns, interleaved in clock order: what a document is written from."""
        items = [Entry(e.kind, e.at_ms, event=e) for e in self._marks()]
        items += [Entry("speech", s.at_ms, speech=s) for s in self.speech()]

        def key(entry: Entry) -> tuple[int, int, int, int]:
            ref = entry.speech.segment.id if entry.speech else (entry.event.ref_id or 0
                                                                  if entry.event else 0)
            part = entry.speech.part if entry.speech else 0
            return (entry.at_ms, KIND_ORDER[entry.kind], ref, part)

        return sorted(items, key=key)


def load_timeline(study: Study | None, db: sqlite_utils.Database,
                  session_id: int | str) -> SessionTimeline:
    """Read one session's timeline; NotFoundError for an unknown session. Phase titles
    come from the session's protocol in ``study`` (their ids without a study)."""
    session = sessions.get_session(db, session_id)
    titles: dict[str, str] = {}
    if study is not None:
        from companion.protocol.registry import get_protocol

        try:
            protocol = get_protocol(session.protocol_id, study.root)
            titles = {p.id: p.title for p in protocol.phases}
        except CompanionError:  # a protocol file gone: ids still name the phases
            titles = {}
    return SessionTimeline(
        session=session,
        audio=audio_map(recordings.list_segments(db, session.id)),
        phase_marks=events.list_phase_events(db, session.id),
        prompts=events.list_prompt_events(db, session.id),
        segments=transcripts.list_segments(db, session.id),
        pauses=transcripts.list_pauses(db, session.id),
        notes=notes.list_notes(db, session.id),
        phase_titles=titles,
    )
