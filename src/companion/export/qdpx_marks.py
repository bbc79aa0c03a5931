"""What a session puts in a REFI-QDA project beside its sources: the anchored notes,
bookmarks and prompts, the coded passages (selections) of the transcript, the
interruptions of the recording (each line coded "Interruption", and its moment on the
recording), and the marks ``import-qdpx`` recognises its own export by."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from companion.export.codebook import NOTE_KINDS, guid, note_kind_guid
from companion.export.qdpx_xml import (
    ProjectParts,
    add_coding,
    add_note,
    qname,
    session_base,
    subelement,
    write_codebook,
    xsd_time,
)
from companion.export.text import LF, RenderedText, render_txt
from companion.notation import format_hms as hms
from companion.session.document import Entry, SessionDocument


@dataclass(frozen=True)
class Anchor:
    """A note, bookmark or prompt: where it is, its codes, its text and its note."""

    key: str
    name: str
    entry: Entry
    code_guids: tuple[str, ...]
    note_guid: str
    text: str
    created: str


def owning_segment(doc: SessionDocument, at_ms: int) -> Entry | None:
    """The segment a moment belongs to: spoken at that time, else the last one before it,
    else the first (as ``store.transcripts.segment_at``)."""
    segments = [e for e in doc.entries if e.kind == "segment"]
    before = [e for e in segments if e.at_ms <= at_ms]
    covering = [e for e in before if (e.end_ms or e.at_ms) >= at_ms]
    if covering:
        return covering[-1]
    if before:
        return before[-1]
    return segments[0] if segments else None


def anchors_of(project: ProjectParts, doc: SessionDocument,
             code_guids: dict[tuple[str, str], str], created: str) -> list[Anchor]:
    base = session_base(doc)
    anchors: list[Anchor] = []
    notes_by_id = {n.id: n for n in doc.notes}
    prompts_by_id = {p["id"]: p for p in doc.prompts}
    for entry in doc.entries:
        if entry.kind == "note":
            note = notes_by_id[entry.ref_id or 0]
            label = NOTE_KINDS.get(note.kind, "Note")
            name = f"{label} {hms(entry.at_ms)}"
            codes = tuple(code_guids[(doc.protocol.id, c)] for c in note.codes
                          if (doc.protocol.id, c) in code_guids)
            when = xsd_time(note.created_at) or created
            note_guid = guid(base, "note", note.id)
            text = note.text or label
            add_note(project, note_guid, name, text, when)
            anchors.append(Anchor(f"note-{note.id}", name, entry,
                                   (note_kind_guid(note.kind), *codes), note_guid, text, when))
        elif entry.kind == "prompt":
            kind = entry.sub or "asked"
            name = f"{NOTE_KINDS.get(kind, 'Prompt asked')} {hms(entry.at_ms)}"
            note_guid = guid(base, "prompt", entry.ref_id)
            when = xsd_time(prompts_by_id.get(entry.ref_id, {}).get("created_at")) or created
            add_note(project, note_guid, name, entry.text, when)
            anchors.append(Anchor(f"prompt-{entry.ref_id}", name, entry,
                                   (note_kind_guid(kind),), note_guid, entry.text, when))
    for note in doc.notes:
        if note.at_ms is None and note.text:
            note_guid = guid(base, "note", note.id)
            add_note(project, note_guid, f"{note.kind.capitalize()} ({doc.basename})", note.text,
                  xsd_time(note.created_at) or created, path=f"{note_guid}.txt")
    return anchors


def phase_ranges(doc: SessionDocument, rendered: RenderedText) -> list[tuple[int, int, int]]:
    """(phase index, text start, text end): from a phase's heading to the paragraph before
    the next phase's heading."""
    placed = rendered.paragraph_spans
    heads = [i for i, (para, _, _) in enumerate(placed) if para.kind == "phase"]
    ranges = []
    for index, head in enumerate(heads):
        stop = heads[index + 1] if index + 1 < len(heads) else len(placed)
        ranges.append((index, placed[head][1], placed[stop - 1][2]))
    return ranges


def transcript_text(doc: SessionDocument) -> RenderedText:
    """The transcript as it goes into the project: LF line ends, a stamp per segment."""
    return render_txt(doc, newline=LF, stamp_segments=True)


@dataclass
class Selection:
    """One coded passage of the text, written as a PlainTextSelection or a
    TranscriptSelection."""

    key: str
    name: str
    start: int
    end: int
    codes: tuple[str, ...]
    created: str
    description: str | None = None
    note_guid: str | None = None


def selections_of(doc: SessionDocument, rendered: RenderedText, anchors: list[Anchor],
                code_guids: dict[tuple[str, str], str], created: str) -> list[Selection]:
    out: list[Selection] = []
    for index, start, end in phase_ranges(doc, rendered):
        phase = doc.phases[index]
        out.append(Selection(f"phase-{index}", f"Phase: {phase.title}", start, end,
                              (code_guids[(doc.protocol.id, f"phase:{phase.phase_id}")],),
                              created))
    for anchor in anchors:
        segment = owning_segment(doc, anchor.entry.at_ms)
        if segment is not None and segment.key in rendered.spans:
            start, end = rendered.spans[segment.key]
        else:
            start, end = rendered.spans.get(anchor.entry.key, (0, 0))
        out.append(Selection(anchor.key, anchor.name, start, end, anchor.code_guids,
                              anchor.created, anchor.text, anchor.note_guid))
    out += [sel for sel, _, _ in interruption_marks(doc, rendered, created)]
    if rendered.text:
        out.append(Selection("case", f"Case {doc.participant.code}", 0, len(rendered.text),
                              (code_guids[("case", doc.participant.code)],), created))
    return out


def write_selection(parent: ET.Element, tag: str, base: str, sel: Selection, user: str,
                     **place: object) -> None:
    el = subelement(parent, tag, guid=guid(base, tag, sel.key), name=sel.name, **place,
             creatingUser=user, creationDateTime=sel.created)
    if sel.description:
        subelement(el, "Description").text = sel.description
    for code_guid in sel.codes:
        add_coding(el, base, f"{tag}-{sel.key}", code_guid, user, sel.created)
    if sel.note_guid:
        subelement(el, "NoteRef", targetGUID=sel.note_guid)


# How long a note's span on the recording is (a note is a moment; a tool wants a span).
NOTE_SPAN_MS = 5000


def interruption_marks(doc: SessionDocument, rendered: RenderedText, created: str,
                       ) -> list[tuple[Selection, int, int]]:
    """Each interruption as a coded selection of its line in the transcript, with its span
    on the recording (begin, end ms): the gap on the clock where there is one, else, where
    the clock stood still, the note span from its moment (where the audio goes on)."""
    out = []
    for entry in doc.entries:
        if entry.kind != "interruption" or entry.key not in rendered.spans:
            continue
        start, end = rendered.spans[entry.key]
        name = f"{NOTE_KINDS['interruption']} {hms(entry.at_ms)}"
        stop = entry.end_ms or entry.at_ms
        span_end = stop if stop > entry.at_ms else entry.at_ms + NOTE_SPAN_MS
        out.append((Selection(f"interruption-{entry.ref_id}", name, start, end,
                              (note_kind_guid("interruption"),), created, entry.text),
                    entry.at_ms, span_end))
    return out


@dataclass(frozen=True)
class WrittenMarks:
    """What a session's export writes, for recognising it in a project that comes back:
    by GUID while a tool keeps them, else by place, time and name (QualCoder writes new
    GUIDs on every export)."""

    rendered: RenderedText
    source_guids: dict[str, str]  # GUID -> "audio", "transcript" or "text"
    selection_guids: frozenset[str]
    coding_guids: frozenset[str]
    note_guids: frozenset[str]
    structural_codes: frozenset[str]  # phase, note-kind and case codes and their folders
    # (start, end, code name) of every coded passage of the transcript companion wrote
    text_codings: frozenset[tuple[int, int, str]] = frozenset()
    # (begin ms, end ms, code name) of every coding on the recording
    audio_codings: frozenset[tuple[int, int, str]] = frozenset()
    structural_names: frozenset[str] = frozenset()  # names of the structural codes
    structural_folders: frozenset[str] = frozenset()  # and of their folders
    note_texts: frozenset[str] = frozenset()  # what the project's notes say


def phase_audio_span(phase_start: int, phase_end: int) -> tuple[int, int]:
    """A phase on the recording: its span, at least a millisecond long."""
    return phase_start, max(phase_end, phase_start + 1)


def written_marks(doc: SessionDocument) -> WrittenMarks:
    """The GUIDs, places and text a ``qdpx`` export of this session carries (no audio
    read)."""
    base = session_base(doc)
    project = ProjectParts(docs=[doc], user_guid=guid("user", "companion"))
    root = ET.Element(qname("Project"))
    code_guids = write_codebook(root, [doc])
    created = xsd_time(doc.session.started_at or doc.session.created_at) or ""
    rendered = transcript_text(doc)
    anchors = anchors_of(project, doc, code_guids, created)
    selections = selections_of(doc, rendered, anchors, code_guids, created)
    tags = ("PlainTextSelection", "TranscriptSelection", "AudioSelection")
    selection_guids = {guid(base, tag, sel.key) for tag in tags for sel in selections}
    coding_guids = {guid(base, "coding", f"{tag}-{sel.key}", code)
                    for tag in tags for sel in selections for code in sel.codes}
    names = {node.get("guid", ""): node.get("name", "") for node in root.iter(qname("Code"))}
    structural = set()
    folders: set[str] = set()
    structural_guids = {code_guids.get(k) for k in code_guids
                        if k[0] == "case" or k[1].startswith("phase:")}
    for node in root.iter(qname("Code")):
        # Folders (the protocol's groups too) are companion's structure, not codes.
        if node.get("guid") in structural_guids or node.get("isCodable") == "false":
            structural.add(node.get("guid", ""))
        if node.get("isCodable") == "false":
            folders.add(node.get("name", ""))
    structural |= {note_kind_guid(kind) for kind in NOTE_KINDS}
    text_codings = {(sel.start, sel.end, names[code]) for sel in selections
                    for code in sel.codes}
    audio_codings = set()
    for phase in doc.phases:
        begin, end = phase_audio_span(phase.start_ms, phase.end_ms)
        audio_codings.add((begin, end, names[
            code_guids[(doc.protocol.id, f"phase:{phase.phase_id}")]]))
    for anchor in anchors:
        begin = anchor.entry.at_ms
        audio_codings |= {(begin, begin + NOTE_SPAN_MS, names[code])
                          for code in anchor.code_guids}
    for sel, begin, end in interruption_marks(doc, rendered, created):
        audio_codings |= {(begin, end, names[code]) for code in sel.codes}
    notes = {n.get("guid", ""): n for n in project.notes}
    note_texts = {" ".join((n.findtext(qname("PlainTextContent")) or "").split())
                  for n in notes.values()}
    return WrittenMarks(
        rendered=rendered,
        source_guids={guid(base, "audio"): "audio", guid(base, "transcript"): "transcript",
                      guid(base, "text"): "text"},
        selection_guids=frozenset(selection_guids), coding_guids=frozenset(coding_guids),
        note_guids=frozenset(notes), structural_codes=frozenset(structural),
        text_codings=frozenset(text_codings), audio_codings=frozenset(audio_codings),
        structural_names=frozenset(names[g] for g in structural if g in names),
        structural_folders=frozenset(folders), note_texts=frozenset(note_texts - {""}))
