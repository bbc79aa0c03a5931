"""``qdpx``: a REFI-QDA project (ATLAS.ti, MAXQDA, NVivo, QualCoder import it).

The zip holds ``project.qde`` (namespace ``urn:QDA-XML:project:1.0``, valid against
``Project.xsd`` 1.0) and a flat, lower-case ``sources/`` folder with files named
``<guid>.<ext>``. For each session:

- the recording as an ``AudioSource`` (the file as recorded when it is one WAV from the
  start of the session, otherwise the files laid out by the session timeline's audio map
  in one WAV, silence where the recording was paused), with the transcript as its
  ``Transcript``: UTF-8 with LF line ends (QualCoder and ATLAS.ti count a line end as one
  character, so positions are counted the same way), a ``[hh:mm:ss]`` stamp at the start
  of every segment (QualCoder syncs text and audio from such stamps) and a ``SyncPoint``
  at the start and the end of every segment and at every phase heading (code point
  position, milliseconds; a segment a note cuts keeps one start and one end);
- the transcript is the one coded copy of the text. The same text as a ``TextSource`` is
  added, uncoded, only on request (format ``qdpx-text``), so a tool that imports both
  does not show every coding twice; a session without a recording gets the coded text
  as a ``TextSource`` instead;
- the protocol's codebook (grouped as in the protocol), a non-codable "Interview phase"
  folder with a code per phase, an "Interview notes" folder (Note, Bookmark, Reflection,
  Quote, Prompt asked, Suggestion used) and a "Cases" folder with a code per participant that
  carries the case's GUID (how ATLAS.ti writes cases, and the only way QualCoder links a
  case to a text);
- phases as codings of the transcript and as ``AudioSelection`` spans on the recording
  (the timeline's phase spans, the same the summary and the report measure);
- notes, bookmarks and prompts as codings (their kind's code plus their code tags) of the
  passage they belong to, with the note's text as the selection's ``Description``, a
  ``NoteRef`` at the text's level and a ``Note`` in ``Notes``; on the recording an
  ``AudioSelection`` with the same codings at the note's time;
- the participant as a ``Case`` with ``Variables`` (the Table 1 characteristics and the
  WAI-ReD domain scores of the most and the least positive alliance, also set on the
  sources, where MAXQDA reads document variables) and a ``SourceRef`` to each source.

Every element that takes a ``creationDateTime`` has one (QualCoder's import stops on a
``Note`` without it). GUIDs are derived from stable ids, so exporting twice gives the same
GUIDs and codes of several sessions' projects carry the same GUID; ``import-qdpx``
recognises its own selections by them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import soundfile as sf

from companion import __version__
from companion.characteristics import CATEGORIES, SCALES
from companion.errors import CompanionError
from companion.export.codebook import (
    CASES_FOLDER,
    NOTE_KINDS,
    CodeNode,
    build_codebook,
    guid,
    note_kind_guid,
)
from companion.export.document import Entry, SessionDocument
from companion.export.text import LF, RenderedText, render_txt
from companion.files import xml_text
from companion.notation import format_hms as hms

NS = "urn:QDA-XML:project:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (f"{NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd")
MAX_INTERNAL_BYTES = 2_147_483_647
NOTE_SPAN_MS = 5000

ET.register_namespace("", NS)
ET.register_namespace("xsi", XSI)

CHARACTERISTIC_VARIABLES = {
    "gender": "Gender", "age_band": "Age band", "education": "Education",
    "pain_duration": "Duration of chronic pain", "work_status": "Working status",
}
TARGET_LABELS = {"most": "most positive", "least": "least positive"}
DOMAINS = ("task", "goal", "bond", "total")


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _el(parent: ET.Element, tag: str, **attrs: object) -> ET.Element:
    return ET.SubElement(parent, _q(tag), {k: str(v) for k, v in attrs.items() if v is not None})


def _decimal(value: float) -> str:
    return format(Decimal(str(value)).normalize(), "f")


@dataclass
class _Variable:
    guid: str
    name: str
    type: str
    description: str = ""


@dataclass
class _Project:
    docs: list[SessionDocument]
    user_guid: str
    files: dict[str, Path | bytes] = field(default_factory=dict)
    variables: dict[str, _Variable] = field(default_factory=dict)
    notes: list[ET.Element] = field(default_factory=list)


def _variables() -> dict[str, _Variable]:
    out: dict[str, _Variable] = {}
    for key, label in CHARACTERISTIC_VARIABLES.items():
        out[key] = _Variable(guid("variable", key), label, "Text",
                             "one of: " + ", ".join(CATEGORIES[key].values()))
    for key, (low, high, label) in SCALES.items():
        out[key] = _Variable(guid("variable", key), key.upper(), "Integer",
                             f"{label}, {low} to {high}")
    out["pilot"] = _Variable(guid("variable", "pilot"), "Pilot interview", "Boolean")
    for target, tlabel in TARGET_LABELS.items():
        out[f"{target}_role"] = _Variable(guid("variable", target, "role"),
                                          f"WAI-ReD {tlabel}: professional", "Text")
        for domain in DOMAINS:
            high = 1200 if domain == "total" else 400
            out[f"{target}_{domain}"] = _Variable(
                guid("variable", target, domain), f"WAI-ReD {tlabel}: {domain.capitalize()}",
                "Float", f"0 to {high}; higher is a stronger alliance")
    return out


def _values(doc: SessionDocument) -> list[tuple[str, str, str]]:
    """(variable key, value element tag, text) for a session's participant."""
    p = doc.participant
    values: list[tuple[str, str, str]] = []
    for key in CHARACTERISTIC_VARIABLES:
        raw = getattr(p, key)
        if raw is not None:
            values.append((key, "TextValue", CATEGORIES[key].get(raw, raw)))
    for key in SCALES:
        raw = getattr(p, key)
        if raw is not None:
            values.append((key, "IntegerValue", str(int(raw))))
    values.append(("pilot", "BooleanValue", "true" if doc.session.pilot else "false"))
    for rating in doc.ratings:
        values.append((f"{rating.target}_role", "TextValue", rating.role))
        for domain in DOMAINS:
            score = getattr(rating, domain)
            if score is not None:
                values.append((f"{rating.target}_{domain}", "FloatValue", _decimal(score)))
    return values


def _add_values(project: _Project, parent: ET.Element, doc: SessionDocument) -> None:
    for key, tag, text in _values(doc):
        value = _el(parent, "VariableValue")
        _el(value, "VariableRef", targetGUID=project.variables[key].guid)
        _el(value, tag).text = text


def _code_elements(parent: ET.Element, nodes: list[CodeNode]) -> None:
    for node in nodes:
        el = _el(parent, "Code", guid=node.guid, name=node.name,
                 isCodable="true" if node.codable else "false")
        if node.description:
            _el(el, "Description").text = node.description
        _code_elements(el, node.children)


def _codebook(root: ET.Element, docs: list[SessionDocument]) -> dict[tuple[str, str], str]:
    """Write the codebook; returns (protocol id, code id or 'phase:<id>') -> GUID, plus
    ('case', participant) -> the case code's GUID."""
    nodes = build_codebook(d.protocol for d in docs)
    guids: dict[tuple[str, str], str] = {}
    protocol_of = {}
    for doc in docs:
        protocol_of.setdefault(doc.protocol.id, doc.protocol)
    for node in (n for root_node in nodes for n in root_node.walk()):
        kind, ident = node.role
        if kind in ("code", "phase"):
            # A code GUID names its protocol; find which protocol wrote it.
            for pid in protocol_of:
                expected = guid("code" if kind == "code" else "phase", pid, ident)
                if expected == node.guid:
                    guids[(pid, ident if kind == "code" else f"phase:{ident}")] = node.guid
    cases = CodeNode(guid("codegroup", "cases"), CASES_FOLDER, False,
                     "One code per participant, with the GUID of the participant's case.",
                     role=("folder", CASES_FOLDER))
    for doc in docs:
        key = ("case", doc.participant.code)
        if key not in guids:
            guids[key] = _case_guid(doc)
            cases.children.append(CodeNode(guids[key], doc.participant.code, True,
                                           f"Participant {doc.participant.code} (pseudonym)",
                                           role=("case", doc.participant.code)))
    _code_elements(_el(_el(root, "CodeBook"), "Codes"), [*nodes, cases])
    return guids


def _case_guid(doc: SessionDocument) -> str:
    return guid("case", doc.participant.code, doc.participant.created_at)


def _xsd_time(iso: str | None) -> str | None:
    if not iso:
        return None
    return iso.replace("+00:00", "Z")


@dataclass(frozen=True)
class _Anchor:
    """A note, bookmark or prompt: where it is, its codes, its text and its note."""

    key: str
    name: str
    entry: Entry
    code_guids: tuple[str, ...]
    note_guid: str
    text: str
    created: str


def _owning_segment(doc: SessionDocument, at_ms: int) -> Entry | None:
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


def _note(project: _Project, note_guid: str, name: str, text: str, created: str,
          path: str | None = None) -> None:
    note = ET.Element(_q("Note"), {"guid": note_guid, "name": name,
                                   "creatingUser": project.user_guid,
                                   "creationDateTime": created})
    if path:
        # A note with its own file: QualCoder imports it as a journal entry.
        note.set("plainTextPath", f"internal://{path}")
        project.files[path] = text.encode("utf-8")
    ET.SubElement(note, _q("PlainTextContent")).text = text
    project.notes.append(note)


def _session_base(doc: SessionDocument) -> str:
    return f"session/{doc.session.created_at}/{doc.session.id}"


def _anchors(project: _Project, doc: SessionDocument,
             code_guids: dict[tuple[str, str], str], created: str) -> list[_Anchor]:
    base = _session_base(doc)
    anchors: list[_Anchor] = []
    notes_by_id = {n.id: n for n in doc.notes}
    prompts_by_id = {p["id"]: p for p in doc.prompts}
    for entry in doc.entries:
        if entry.kind == "note":
            note = notes_by_id[entry.ref_id or 0]
            label = NOTE_KINDS.get(note.kind, "Note")
            name = f"{label} {hms(entry.at_ms)}"
            codes = tuple(code_guids[(doc.protocol.id, c)] for c in note.codes
                          if (doc.protocol.id, c) in code_guids)
            when = _xsd_time(note.created_at) or created
            note_guid = guid(base, "note", note.id)
            text = note.text or label
            _note(project, note_guid, name, text, when)
            anchors.append(_Anchor(f"note-{note.id}", name, entry,
                                   (note_kind_guid(note.kind), *codes), note_guid, text, when))
        elif entry.kind == "prompt":
            kind = entry.sub or "asked"
            name = f"{NOTE_KINDS.get(kind, 'Prompt asked')} {hms(entry.at_ms)}"
            note_guid = guid(base, "prompt", entry.ref_id)
            when = _xsd_time(prompts_by_id.get(entry.ref_id, {}).get("created_at")) or created
            _note(project, note_guid, name, entry.text, when)
            anchors.append(_Anchor(f"prompt-{entry.ref_id}", name, entry,
                                   (note_kind_guid(kind),), note_guid, entry.text, when))
    for note in doc.notes:
        if note.at_ms is None and note.text:
            note_guid = guid(base, "note", note.id)
            _note(project, note_guid, f"{note.kind.capitalize()} ({doc.basename})", note.text,
                  _xsd_time(note.created_at) or created, path=f"{note_guid}.txt")
    return anchors


def _coding(parent: ET.Element, base: str, key: str, code_guid: str, user: str,
            created: str) -> None:
    coding = _el(parent, "Coding", guid=guid(base, "coding", key, code_guid),
                 creatingUser=user, creationDateTime=created)
    _el(coding, "CodeRef", targetGUID=code_guid)


def _phase_ranges(doc: SessionDocument, rendered: RenderedText) -> list[tuple[int, int, int]]:
    """(phase index, text start, text end): from a phase's heading to the paragraph before
    the next phase's heading."""
    placed = rendered.paragraph_spans
    heads = [i for i, (para, _, _) in enumerate(placed) if para.kind == "phase"]
    ranges = []
    for index, head in enumerate(heads):
        stop = heads[index + 1] if index + 1 < len(heads) else len(placed)
        ranges.append((index, placed[head][1], placed[stop - 1][2]))
    return ranges


def _audio_file(doc: SessionDocument) -> tuple[str, Path | bytes] | None:
    """The session's audio as one file on the session clock: (extension, data).

    Laid out by the timeline's audio map (as playback is, :mod:`companion.audio.play`):
    each file at its place, silence in the gaps where the recording was paused.
    """
    audio = doc.audio.present(doc.study.root)
    if not audio.parts:
        return None
    first = audio.parts[0]
    path = first.abspath(doc.study.root)
    if len(audio.parts) == 1 and first.start_ms == 0 and path.suffix.lower() == ".wav":
        if path.stat().st_size > MAX_INTERNAL_BYTES:
            raise CompanionError(f"{path.name} is larger than REFI-QDA allows inside a "
                                 "project (2 GiB); export without it is not supported yet")
        return ".wav", path
    samplerate = max(p.samplerate for p in audio.parts)
    channels = max(p.channels for p in audio.parts)
    total_frames = audio.end_ms * samplerate // 1000
    if total_frames * channels * 2 > MAX_INTERNAL_BYTES:
        raise CompanionError("the session's audio is larger than REFI-QDA allows inside a "
                             "project (2 GiB)")
    timeline = np.zeros((total_frames, channels), dtype=np.float32)
    for part in audio.parts:
        data, rate = sf.read(part.abspath(doc.study.root), dtype="float32", always_2d=True)
        if rate != samplerate:  # naive resampling by index: segments share a rate in practice
            idx = (np.arange(int(len(data) * samplerate / rate)) * rate / samplerate).astype(int)
            data = data[np.clip(idx, 0, len(data) - 1)]
        start = part.start_frame(samplerate)
        stop = min(total_frames, start + len(data))
        timeline[start:stop, : data.shape[1]] = data[: stop - start]
    import io

    buffer = io.BytesIO()
    sf.write(buffer, timeline, samplerate, format="WAV", subtype="PCM_16")
    return ".wav", buffer.getvalue()


def transcript_text(doc: SessionDocument) -> RenderedText:
    """The transcript as it goes into the project: LF line ends, a stamp per segment."""
    return render_txt(doc, newline=LF, stamp_segments=True)


@dataclass
class _Selection:
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


def _selections(doc: SessionDocument, rendered: RenderedText, anchors: list[_Anchor],
                code_guids: dict[tuple[str, str], str], created: str) -> list[_Selection]:
    out: list[_Selection] = []
    for index, start, end in _phase_ranges(doc, rendered):
        phase = doc.phases[index]
        out.append(_Selection(f"phase-{index}", f"Phase: {phase.title}", start, end,
                              (code_guids[(doc.protocol.id, f"phase:{phase.phase_id}")],),
                              created))
    for anchor in anchors:
        segment = _owning_segment(doc, anchor.entry.at_ms)
        if segment is not None and segment.key in rendered.spans:
            start, end = rendered.spans[segment.key]
        else:
            start, end = rendered.spans.get(anchor.entry.key, (0, 0))
        out.append(_Selection(anchor.key, anchor.name, start, end, anchor.code_guids,
                              anchor.created, anchor.text, anchor.note_guid))
    if rendered.text:
        out.append(_Selection("case", f"Case {doc.participant.code}", 0, len(rendered.text),
                              (code_guids[("case", doc.participant.code)],), created))
    return out


def _write_selection(parent: ET.Element, tag: str, base: str, sel: _Selection, user: str,
                     **place: object) -> None:
    el = _el(parent, tag, guid=guid(base, tag, sel.key), name=sel.name, **place,
             creatingUser=user, creationDateTime=sel.created)
    if sel.description:
        _el(el, "Description").text = sel.description
    for code_guid in sel.codes:
        _coding(el, base, f"{tag}-{sel.key}", code_guid, user, sel.created)
    if sel.note_guid:
        _el(el, "NoteRef", targetGUID=sel.note_guid)


def _session_sources(project: _Project, sources: ET.Element, cases: dict[str, ET.Element],
                     doc: SessionDocument, code_guids: dict[tuple[str, str], str],
                     with_text: bool) -> None:
    base = _session_base(doc)
    user = project.user_guid
    created = (_xsd_time(doc.session.started_at or doc.session.created_at)
               or _xsd_time(doc.generated_at) or "")
    rendered = transcript_text(doc)
    anchors = _anchors(project, doc, code_guids, created)
    selections = _selections(doc, rendered, anchors, code_guids, created)
    note_guids = [a.note_guid for a in anchors] + [
        guid(base, "note", n.id) for n in doc.notes if n.at_ms is None and n.text]
    audio = _audio_file(doc)
    source_refs: list[str] = []

    # --- the transcript as a text source: coded only when there is no recording -------
    if audio is None or with_text:
        coded = audio is None
        text_guid = guid(base, "text")
        project.files[f"{text_guid}.txt"] = rendered.text.encode("utf-8")
        text_source = _el(sources, "TextSource", guid=text_guid,
                          name=f"{doc.basename} transcript" + ("" if coded else " (text)"),
                          plainTextPath=f"internal://{text_guid}.txt", creatingUser=user,
                          creationDateTime=created)
        _el(text_source, "Description").text = (
            f"{doc.title}: transcript with timestamps, notes and prompts at their place"
            + ("" if coded else "; the coded copy is the recording's transcript"))
        if coded:
            for sel in selections:
                _write_selection(text_source, "PlainTextSelection", base, sel, user,
                                 startPosition=sel.start, endPosition=sel.end)
            for note_guid in note_guids:
                _el(text_source, "NoteRef", targetGUID=note_guid)
        _add_values(project, text_source, doc)
        source_refs.append(text_guid)

    # --- the recording with its synchronised, coded transcript ---------------------------
    if audio is not None:
        ext, data = audio
        audio_guid = guid(base, "audio")
        project.files[f"{audio_guid}{ext}"] = data
        audio_source = _el(sources, "AudioSource", guid=audio_guid,
                           name=f"{doc.basename}{ext}", path=f"internal://{audio_guid}{ext}",
                           creatingUser=user, creationDateTime=created)
        _el(audio_source, "Description").text = (
            f"{doc.title}: interview recording, {hms(doc.duration_ms)}")
        transcript_guid = guid(base, "transcript")
        project.files[f"{transcript_guid}.txt"] = rendered.text.encode("utf-8")
        transcript = _el(audio_source, "Transcript", guid=transcript_guid,
                         name=f"{doc.basename} transcript",
                         plainTextPath=f"internal://{transcript_guid}.txt", creatingUser=user,
                         creationDateTime=created)
        # Sync points: the text's start and end, and every segment's start and end.
        points: dict[int, tuple[str, int]] = {}

        def sync(position: int, ms: int, key: str) -> None:
            points.setdefault(position, (guid(base, "sync", key), ms))

        sync(0, 0, "text-start")
        for seg in doc.segments:  # a segment cut by a note still has one start and end
            if ("segment", seg.id) in rendered.spans:
                start, end = rendered.spans[("segment", seg.id)]
                sync(start, seg.start_ms, f"{seg.id}/start")
                sync(end, seg.end_ms, f"{seg.id}/end")
        for entry in doc.entries:  # a phase heading at its mark (inside a cut segment too)
            if entry.kind == "phase" and entry.key in rendered.spans:
                sync(rendered.spans[entry.key][0], entry.at_ms, f"phase-{entry.ref_id}")
        sync(len(rendered.text), doc.duration_ms, "text-end")
        # A selection's edges need sync points; one that falls between segments gets one
        # timed by the nearest point before it.
        for sel in selections:
            for position in (sel.start, sel.end):
                if position not in points:
                    before = max(p for p in points if p <= position)
                    sync(position, points[before][1], f"pos/{position}")
        for position in sorted(points):
            point_guid, ms = points[position]
            _el(transcript, "SyncPoint", guid=point_guid, position=position, timeStamp=ms)
        for sel in selections:
            _write_selection(transcript, "TranscriptSelection", base, sel, user,
                             fromSyncPoint=points[sel.start][0], toSyncPoint=points[sel.end][0])
        for note_guid in note_guids:
            _el(transcript, "NoteRef", targetGUID=note_guid)
        # On the recording: the phases as spans, every note at its time.
        for index, phase in enumerate(doc.phases):
            _write_selection(audio_source, "AudioSelection", base, _Selection(
                f"phase-{index}", f"Phase: {phase.title}", 0, 0,
                (code_guids[(doc.protocol.id, f"phase:{phase.phase_id}")],), created),
                user, begin=phase.start_ms, end=max(phase.end_ms, phase.start_ms + 1))
        for anchor in anchors:
            begin = anchor.entry.at_ms
            _write_selection(audio_source, "AudioSelection", base, _Selection(
                anchor.key, anchor.name, 0, 0, anchor.code_guids, anchor.created,
                anchor.text, anchor.note_guid), user, begin=begin, end=begin + NOTE_SPAN_MS)
        _add_values(project, audio_source, doc)
        source_refs.insert(0, audio_guid)

    case = cases[doc.participant.code]
    for ref in source_refs:
        _el(case, "SourceRef", targetGUID=ref)


def build_project(docs: Iterable[SessionDocument], *, name: str | None = None,
                  with_text: bool = False) -> tuple[bytes, dict[str, Path | bytes]]:
    """The ``project.qde`` XML and the files for ``sources/`` (name -> path or bytes)."""
    docs = list(docs)
    if not docs:
        raise CompanionError("nothing to export: no sessions")
    interviewer = next((d.interviewer for d in docs if d.interviewer), None) or "companion"
    project = _Project(docs=docs, user_guid=guid("user", interviewer))
    project.variables = _variables()
    first = docs[0]
    root = ET.Element(_q("Project"), {
        "name": name or (first.title if len(docs) == 1 else f"{len(docs)} sessions"),
        "origin": f"companion {__version__}",
        "creatingUserGUID": project.user_guid,
        "creationDateTime": _xsd_time(first.generated_at) or "",
        f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION,
    })
    _el(_el(root, "Users"), "User", guid=project.user_guid, name=interviewer)
    code_guids = _codebook(root, docs)
    variables_el = _el(root, "Variables")
    for variable in project.variables.values():
        var_el = _el(variables_el, "Variable", guid=variable.guid, name=variable.name,
                     typeOfVariable=variable.type)
        if variable.description:
            _el(var_el, "Description").text = variable.description
    cases_el = _el(root, "Cases")
    cases: dict[str, ET.Element] = {}
    for doc in docs:
        code = doc.participant.code
        if code in cases:
            continue
        case = _el(cases_el, "Case", guid=_case_guid(doc), name=code)
        _el(case, "Description").text = f"Participant {code} (pseudonym)"
        main_doc = next((d for d in docs if d.participant.code == code and not d.session.pilot
                         and d.ratings), doc)
        _add_values(project, case, main_doc)
        cases[code] = case
    sources = _el(root, "Sources")
    for doc in docs:
        _session_sources(project, sources, cases, doc, code_guids, with_text)
    if project.notes:
        notes_el = _el(root, "Notes")
        notes_el.extend(project.notes)
    pseudo = "; ".join(sorted({d.pseudonymiser.note() for d in docs}))
    _el(root, "Description").text = (
        f"Exported by companion {__version__}. {pseudo} Times are session times in ms.")
    ET.indent(root)
    # Characters XML cannot carry (stored before notes refused them) become U+FFFD, so
    # the project stays well-formed.
    xml = ("<?xml version='1.0' encoding='utf-8'?>\n"
           + xml_text(ET.tostring(root, encoding="unicode"))).encode("utf-8")
    return xml, project.files


def write_qdpx(docs: Iterable[SessionDocument], path: Path, *, with_text: bool = False) -> None:
    xml, files = build_project(docs, with_text=with_text)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for name, data in files.items():
            arcname = f"sources/{name}"
            audio = not name.endswith(".txt")
            compress = zipfile.ZIP_STORED if audio else zipfile.ZIP_DEFLATED
            if isinstance(data, Path):
                archive.write(data, arcname, compress_type=compress)
            else:
                archive.writestr(arcname, data, compress_type=compress)


@dataclass(frozen=True)
class WrittenMarks:
    """What a session's export writes, for recognising it in a project that comes back."""

    rendered: RenderedText
    source_guids: dict[str, str]  # GUID -> "audio", "transcript" or "text"
    selection_guids: frozenset[str]
    coding_guids: frozenset[str]
    note_guids: frozenset[str]
    structural_codes: frozenset[str]  # phase, note-kind and case codes and their folders


def written_marks(doc: SessionDocument) -> WrittenMarks:
    """The GUIDs and the text a ``qdpx`` export of this session carries (no audio read)."""
    base = _session_base(doc)
    project = _Project(docs=[doc], user_guid=guid("user", "companion"))
    root = ET.Element(_q("Project"))
    code_guids = _codebook(root, [doc])
    created = _xsd_time(doc.session.started_at or doc.session.created_at) or ""
    rendered = transcript_text(doc)
    anchors = _anchors(project, doc, code_guids, created)
    selections = _selections(doc, rendered, anchors, code_guids, created)
    tags = ("PlainTextSelection", "TranscriptSelection", "AudioSelection")
    selection_guids = {guid(base, tag, sel.key) for tag in tags for sel in selections}
    coding_guids = {guid(base, "coding", f"{tag}-{sel.key}", code)
                    for tag in tags for sel in selections for code in sel.codes}
    structural = set()
    for node in root.iter(_q("Code")):
        if node.get("isCodable") == "false" or node.get("guid") in {
                code_guids.get(k) for k in code_guids if k[0] == "case"
                or k[1].startswith("phase:")}:
            structural.add(node.get("guid", ""))
    structural |= {note_kind_guid(kind) for kind in NOTE_KINDS}
    notes = {n.get("guid", "") for n in project.notes}
    return WrittenMarks(
        rendered=rendered,
        source_guids={guid(base, "audio"): "audio", guid(base, "transcript"): "transcript",
                      guid(base, "text"): "text"},
        selection_guids=frozenset(selection_guids), coding_guids=frozenset(coding_guids),
        note_guids=frozenset(notes), structural_codes=frozenset(structural))
