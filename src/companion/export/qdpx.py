"""``qdpx``: a REFI-QDA project (ATLAS.ti, MAXQDA, NVivo, QualCoder import it).

The zip holds ``project.qde`` (namespace ``urn:QDA-XML:project:1.0``, valid against
``Project.xsd`` 1.0) and a flat, lower-case ``sources/`` folder with files named
``<guid>.<ext>``. For each session:

- the recording as an ``AudioSource`` (the file as recorded when it is one WAV from the
  start of the session, otherwise the session timeline rendered to one WAV, silence where
  the recording was paused), with the transcript as its ``Transcript``: a ``SyncPoint`` at
  the start and the end of every segment (code point position, milliseconds);
- the same transcript as a ``TextSource`` (the ``txt`` export: UTF-8, CRLF, which MAXQDA
  needs);
- the protocol's codebook (grouped as in the protocol) and a non-codable "Interview phase"
  folder with a code per phase;
- phases and code tags as codings of the transcript at their places (in the text source
  and in the media transcript: the same passage, so a tool that imports both shows both);
- notes, bookmarks, reflections and the prompts asked as ``Notes``, each anchored to a
  selection: the passage in the text and the transcript, and an ``AudioSelection`` at its
  time on the recording;
- the participant as a ``Case`` with ``Variables``: the Table 1 characteristics and the
  WAI-ReD domain scores of the most and the least positive alliance (also set on the
  sources, where MAXQDA reads document variables).

GUIDs are derived from stable ids, so exporting twice gives the same GUIDs and codes of
several sessions' projects carry the same GUID.
"""

from __future__ import annotations

import uuid
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
from companion.export.document import Entry, SessionDocument, code_name
from companion.export.text import CRLF, RenderedText, render_txt
from companion.files import xml_text
from companion.notation import format_hms as hms

NS = "urn:QDA-XML:project:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (f"{NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd")
MAX_INTERNAL_BYTES = 2_147_483_647
NOTE_SPAN_MS = 5000
_GUID_NS = uuid.UUID("5b0f3c1e-8f55-4a47-9a43-2f1e6c0a7d11")

ET.register_namespace("", NS)
ET.register_namespace("xsi", XSI)

CHARACTERISTIC_VARIABLES = {
    "gender": "Gender", "age_band": "Age band", "education": "Education",
    "pain_duration": "Duration of chronic pain", "work_status": "Working status",
}
TARGET_LABELS = {"most": "most positive", "least": "least positive"}
DOMAINS = ("task", "goal", "bond", "total")


def guid(*parts: object) -> str:
    return str(uuid.uuid5(_GUID_NS, "/".join(str(p) for p in parts)))


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


def _codebook(root: ET.Element, docs: list[SessionDocument]) -> dict[tuple[str, str], str]:
    """Write the codebook; returns (protocol id, code id or 'phase:<id>') -> GUID."""
    guids: dict[tuple[str, str], str] = {}
    codes_el = _el(_el(root, "CodeBook"), "Codes")
    seen: set[str] = set()
    for doc in docs:
        protocol = doc.protocol
        if protocol.id in seen:
            continue
        seen.add(protocol.id)
        groups: dict[str, ET.Element] = {}
        for code in protocol.codes:
            group_name = code.group or "Codes"
            if group_name not in groups:
                groups[group_name] = _el(codes_el, "Code",
                                         guid=guid("codegroup", protocol.id, group_name),
                                         name=group_name, isCodable="false")
            code_guid = guid("code", protocol.id, code.id)
            code_el = _el(groups[group_name], "Code", guid=code_guid,
                          name=code_name(code.id, code.name), isCodable="true")
            if code.description:
                _el(code_el, "Description").text = " ".join(code.description.split())
            guids[(protocol.id, code.id)] = code_guid
        folder = _el(codes_el, "Code", guid=guid("codegroup", protocol.id, "phases"),
                     name="Interview phase", isCodable="false")
        for phase in protocol.phases:
            phase_guid = guid("phase", protocol.id, phase.id)
            phase_el = _el(folder, "Code", guid=phase_guid, name=f"Phase: {phase.title}",
                           isCodable="true")
            if phase.purpose:
                _el(phase_el, "Description").text = " ".join(phase.purpose.split())
            guids[(protocol.id, f"phase:{phase.id}")] = phase_guid
    return guids


def _note(project: _Project, note_guid: str, name: str, text: str, created: str | None) -> None:
    note = ET.Element(_q("Note"), {"guid": note_guid, "name": name,
                                   "creatingUser": project.user_guid})
    if created:
        note.set("creationDateTime", created)
    ET.SubElement(note, _q("PlainTextContent")).text = text
    project.notes.append(note)


@dataclass(frozen=True)
class _Anchor:
    """What to select for a note or code tag, and with which codes and note."""

    key: str
    name: str
    entry: Entry
    code_guids: tuple[str, ...]
    note_guid: str | None
    description: str | None


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


def _anchors(project: _Project, doc: SessionDocument,
             code_guids: dict[tuple[str, str], str]) -> list[_Anchor]:
    base = f"session/{doc.session.created_at}/{doc.session.id}"
    anchors: list[_Anchor] = []
    notes_by_id = {n.id: n for n in doc.notes}
    for entry in doc.entries:
        if entry.kind == "note":
            note = notes_by_id[entry.ref_id or 0]
            label = {"bookmark": "Bookmark", "reflection": "Reflection",
                     "quote": "Quote"}.get(note.kind, "Note")
            name = f"{label} {hms(entry.at_ms)}"
            note_guid = None
            if note.text:
                note_guid = guid(base, "note", note.id)
                _note(project, note_guid, name, note.text, _xsd_time(note.created_at))
            codes = tuple(code_guids[(doc.protocol.id, c)] for c in note.codes
                          if (doc.protocol.id, c) in code_guids)
            anchors.append(_Anchor(f"note-{note.id}", name, entry, codes, note_guid,
                                   None if (note_guid or codes) else label))
        elif entry.kind == "prompt":
            label = "Suggestion used" if entry.sub == "suggestion_used" else "Prompt asked"
            name = f"{label} {hms(entry.at_ms)}"
            note_guid = guid(base, "prompt", entry.ref_id)
            _note(project, note_guid, name, entry.text, None)
            anchors.append(_Anchor(f"prompt-{entry.ref_id}", name, entry, (), note_guid, None))
    for note in doc.notes:
        if note.at_ms is None and note.text:
            _note(project, guid(base, "note", note.id), note.kind.capitalize(), note.text,
                  _xsd_time(note.created_at))
    return anchors


def _xsd_time(iso: str | None) -> str | None:
    if not iso:
        return None
    return iso.replace("+00:00", "Z")


def _coding(parent: ET.Element, base: str, key: str, code_guid: str, user: str) -> None:
    coding = _el(parent, "Coding", guid=guid(base, "coding", key, code_guid), creatingUser=user)
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


def _session_sources(project: _Project, sources: ET.Element, cases: dict[str, ET.Element],
                     doc: SessionDocument, code_guids: dict[tuple[str, str], str]) -> None:
    base = f"session/{doc.session.created_at}/{doc.session.id}"
    user = project.user_guid
    rendered = render_txt(doc, newline=CRLF)
    anchors = _anchors(project, doc, code_guids)
    created = _xsd_time(doc.session.started_at or doc.session.created_at)

    def target_span(anchor: _Anchor) -> tuple[int, int, Entry | None]:
        segment = _owning_segment(doc, anchor.entry.at_ms)
        if segment is not None and segment.key in rendered.spans:
            start, end = rendered.spans[segment.key]
            return start, end, segment
        start, end = rendered.spans.get(anchor.entry.key, (0, 0))
        return start, end, None

    phase_ranges = _phase_ranges(doc, rendered)

    # --- the transcript as a text source ----------------------------------------------
    text_guid = guid(base, "text")
    project.files[f"{text_guid}.txt"] = rendered.text.encode("utf-8")
    text_source = _el(sources, "TextSource", guid=text_guid,
                      name=f"{doc.basename} transcript",
                      plainTextPath=f"internal://{text_guid}.txt", creatingUser=user,
                      creationDateTime=created)
    _el(text_source, "Description").text = (
        f"{doc.title}: transcript with timestamps, notes and prompts at their place")
    for index, start, end in phase_ranges:
        phase = doc.phases[index]
        sel = _el(text_source, "PlainTextSelection", guid=guid(base, "tsel-phase", index),
                  name=f"Phase: {phase.title}", startPosition=start, endPosition=end,
                  creatingUser=user)
        _coding(sel, base, f"tphase-{index}",
                code_guids[(doc.protocol.id, f"phase:{phase.phase_id}")], user)
    for anchor in anchors:
        start, end, _ = target_span(anchor)
        sel = _el(text_source, "PlainTextSelection", guid=guid(base, "tsel", anchor.key),
                  name=anchor.name, startPosition=start, endPosition=end, creatingUser=user)
        if anchor.description:
            _el(sel, "Description").text = anchor.description
        for code_guid in anchor.code_guids:
            _coding(sel, base, f"t-{anchor.key}", code_guid, user)
        if anchor.note_guid:
            _el(sel, "NoteRef", targetGUID=anchor.note_guid)
    for note in doc.notes:
        if note.at_ms is None and note.text:
            _el(text_source, "NoteRef", targetGUID=guid(base, "note", note.id))
    _add_values(project, text_source, doc)
    source_refs = [text_guid]

    # --- the recording with its synchronised transcript ---------------------------------
    audio = _audio_file(doc)
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
        sync: dict[tuple[int | None, str], str] = {}
        for seg in doc.segments:  # a segment cut by a note still has one start and end
            if ("segment", seg.id) not in rendered.spans:
                continue
            start, end = rendered.spans[("segment", seg.id)]
            for edge, position, ms in (("start", start, seg.start_ms),
                                       ("end", end, seg.end_ms)):
                sync_guid = guid(base, "sync", seg.id, edge)
                sync[(seg.id, edge)] = sync_guid
                _el(transcript, "SyncPoint", guid=sync_guid, position=position, timeStamp=ms)
        for index, phase in enumerate(doc.phases):
            inside = [e for e in doc.entries if e.kind == "segment"
                      and phase.start_ms <= e.at_ms < max(phase.end_ms, phase.start_ms + 1)]
            if not inside:
                continue
            sel = _el(transcript, "TranscriptSelection", guid=guid(base, "trsel-phase", index),
                      name=f"Phase: {phase.title}",
                      fromSyncPoint=sync[(inside[0].ref_id, "start")],
                      toSyncPoint=sync[(inside[-1].ref_id, "end")], creatingUser=user)
            _coding(sel, base, f"trphase-{index}",
                    code_guids[(doc.protocol.id, f"phase:{phase.phase_id}")], user)
        for anchor in anchors:
            _, _, segment = target_span(anchor)
            if segment is None:
                continue
            sel = _el(transcript, "TranscriptSelection", guid=guid(base, "trsel", anchor.key),
                      name=anchor.name, fromSyncPoint=sync[(segment.ref_id, "start")],
                      toSyncPoint=sync[(segment.ref_id, "end")], creatingUser=user)
            if anchor.description:
                _el(sel, "Description").text = anchor.description
            for code_guid in anchor.code_guids:
                _coding(sel, base, f"tr-{anchor.key}", code_guid, user)
            if anchor.note_guid:
                _el(sel, "NoteRef", targetGUID=anchor.note_guid)
        for index, phase in enumerate(doc.phases):  # the timeline's spans, as everywhere
            sel = _el(audio_source, "AudioSelection", guid=guid(base, "asel-phase", index),
                      name=f"Phase: {phase.title}", begin=phase.start_ms, end=phase.end_ms,
                      creatingUser=user)
            _coding(sel, base, f"aphase-{index}",
                    code_guids[(doc.protocol.id, f"phase:{phase.phase_id}")], user)
        for anchor in anchors:
            begin = anchor.entry.at_ms
            end = begin + NOTE_SPAN_MS
            sel = _el(audio_source, "AudioSelection", guid=guid(base, "asel", anchor.key),
                      name=anchor.name, begin=begin, end=end, creatingUser=user)
            if anchor.description:
                _el(sel, "Description").text = anchor.description
            if anchor.note_guid:
                _el(sel, "NoteRef", targetGUID=anchor.note_guid)
        _add_values(project, audio_source, doc)
        source_refs.append(audio_guid)

    case = cases[doc.participant.code]
    for ref in source_refs:
        _el(case, "SourceRef", targetGUID=ref)


def build_project(docs: Iterable[SessionDocument], *, name: str | None = None
                  ) -> tuple[bytes, dict[str, Path | bytes]]:
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
        case = _el(cases_el, "Case", guid=guid("case", code, doc.participant.created_at),
                   name=code)
        _el(case, "Description").text = f"Participant {code} (pseudonym)"
        main_doc = next((d for d in docs if d.participant.code == code and not d.session.pilot
                         and d.ratings), doc)
        _add_values(project, case, main_doc)
        cases[code] = case
    sources = _el(root, "Sources")
    for doc in docs:
        _session_sources(project, sources, cases, doc, code_guids)
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


def write_qdpx(docs: Iterable[SessionDocument], path: Path) -> None:
    xml, files = build_project(docs)
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
