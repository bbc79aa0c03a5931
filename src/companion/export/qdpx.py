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
- each interruption of the recording (a pause, a stop and continue, a lost microphone)
  as a coding of its own line of the transcript and an ``AudioSelection`` at its moment,
  coded "Interruption" (in the "Interview notes" folder), the text saying what happened
  and for how long;
- notes, bookmarks and prompts as codings (their kind's code plus their code tags) of the
  passage they belong to, with the note's text as the selection's ``Description``, a
  ``NoteRef`` at the text's level and a ``Note`` in ``Notes``; on the recording an
  ``AudioSelection`` with the same codings at the note's time;
- the participant as a ``Case`` with ``Variables`` (the Table 1 characteristics and the
  WAI-ReD domain scores of the most and the least positive alliance, also set on the
  sources, where MAXQDA reads document variables) and a ``SourceRef`` to each source.

``--for qualcoder`` writes the same project with every sync point one character early:
QualCoder's import adds one to each (see :data:`QUALCODER_SYNC_SHIFT`).

Every element that takes a ``creationDateTime`` has one (QualCoder's import stops on a
``Note`` without it). GUIDs are derived from stable ids, so exporting twice gives the same
GUIDs and codes of several sessions' projects carry the same GUID; ``import-qdpx``
recognises its own selections by them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from pathlib import Path

from companion import __version__
from companion.errors import CompanionError
from companion.export.codebook import guid
from companion.export.pseudonymise import applied
from companion.export.qdpx_audio import audio_file
from companion.export.qdpx_marks import (
    NOTE_SPAN_MS,
    Selection,
    WrittenMarks,
    anchors_of,
    interruption_marks,
    phase_audio_span,
    selections_of,
    transcript_text,
    write_selection,
    written_marks,
)
from companion.export.qdpx_xml import (
    SCHEMA_LOCATION,
    XSI,
    ProjectParts,
    add_values,
    case_guid,
    project_variables,
    qname,
    session_base,
    subelement,
    write_codebook,
    xsd_time,
)
from companion.files import xml_text
from companion.notation import format_hms as hms
from companion.session.document import SessionDocument

# QualCoder (checked at commit c3204641 of its source) reads a transcript's sync points one
# character late: ``pos0 = int(s['pos']) + 1`` in ``refi.py``, while its own export writes
# them from 0, as the REFI-QDA standard counts. Its variant of the project writes every
# sync point one character early, so QualCoder lands each coding on exactly the characters
# companion selected. (Its own export and import agree only because its import keeps the
# byte order mark its export writes before a text; a text that starts with the mark would
# land too, but QualCoder's editor drops the mark on saving and leaves every coding one
# character out.) QualCoder keeps no sync point, only the selections, and the standard
# export, for every other tool, is unchanged.
QUALCODER_SYNC_SHIFT = 1

__all__ = ["QUALCODER_SYNC_SHIFT", "WrittenMarks", "build_project", "transcript_text",
           "write_qdpx", "written_marks"]


def _session_sources(project: ProjectParts, sources: ET.Element, cases: dict[str, ET.Element],
                     doc: SessionDocument, code_guids: dict[tuple[str, str], str],
                     with_text: bool, for_qualcoder: bool) -> None:
    base = session_base(doc)
    user = project.user_guid
    created = (xsd_time(doc.session.started_at or doc.session.created_at)
               or xsd_time(doc.generated_at) or "")
    rendered = transcript_text(doc)
    anchors = anchors_of(project, doc, code_guids, created)
    selections = selections_of(doc, rendered, anchors, code_guids, created)
    note_guids = [a.note_guid for a in anchors] + [
        guid(base, "note", n.id) for n in doc.notes if n.at_ms is None and n.text]
    audio = audio_file(doc)
    source_refs: list[str] = []

    # --- the transcript as a text source: coded only when there is no recording -------
    if audio is None or with_text:
        coded = audio is None
        text_guid = guid(base, "text")
        project.files[f"{text_guid}.txt"] = rendered.text.encode("utf-8")
        text_source = subelement(sources, "TextSource", guid=text_guid,
                          name=f"{doc.basename} transcript" + ("" if coded else " (text)"),
                          plainTextPath=f"internal://{text_guid}.txt", creatingUser=user,
                          creationDateTime=created)
        subelement(text_source, "Description").text = (
            f"{doc.title}: transcript with timestamps, notes and prompts at their place"
            + ("" if coded else "; the coded copy is the recording's transcript"))
        if coded:
            for sel in selections:
                write_selection(text_source, "PlainTextSelection", base, sel, user,
                                 startPosition=sel.start, endPosition=sel.end)
            for note_guid in note_guids:
                subelement(text_source, "NoteRef", targetGUID=note_guid)
        add_values(project, text_source, doc)
        source_refs.append(text_guid)

    # --- the recording with its synchronised, coded transcript ---------------------------
    if audio is not None:
        ext, data = audio
        audio_guid = guid(base, "audio")
        project.files[f"{audio_guid}{ext}"] = data
        audio_source = subelement(sources, "AudioSource", guid=audio_guid,
                           name=f"{doc.basename}{ext}", path=f"internal://{audio_guid}{ext}",
                           creatingUser=user, creationDateTime=created)
        subelement(audio_source, "Description").text = (
            f"{doc.title}: interview recording, {hms(doc.duration_ms)}")
        transcript_guid = guid(base, "transcript")
        project.files[f"{transcript_guid}.txt"] = rendered.text.encode("utf-8")
        transcript = subelement(audio_source, "Transcript", guid=transcript_guid,
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
            elif entry.kind == "interruption" and entry.key in rendered.spans:
                start, end = rendered.spans[entry.key]
                sync(start, entry.at_ms, f"interruption-{entry.ref_id}/start")
                sync(end, entry.at_ms, f"interruption-{entry.ref_id}/end")
        sync(len(rendered.text), doc.duration_ms, "text-end")
        # A selection's edges need sync points; one that falls between segments gets one
        # timed by the nearest point before it.
        for sel in selections:
            for position in (sel.start, sel.end):
                if position not in points:
                    before = max(p for p in points if p <= position)
                    sync(position, points[before][1], f"pos/{position}")
        # For QualCoder, one character early: its import adds one (QUALCODER_SYNC_SHIFT).
        shift = QUALCODER_SYNC_SHIFT if for_qualcoder else 0
        for position in sorted(points):
            point_guid, ms = points[position]
            subelement(transcript, "SyncPoint", guid=point_guid, position=position - shift,
                       timeStamp=ms)
        for sel in selections:
            write_selection(transcript, "TranscriptSelection", base, sel, user,
                             fromSyncPoint=points[sel.start][0], toSyncPoint=points[sel.end][0])
        for note_guid in note_guids:
            subelement(transcript, "NoteRef", targetGUID=note_guid)
        # On the recording: the phases as spans, every note at its time.
        for index, phase in enumerate(doc.phases):
            begin, end = phase_audio_span(phase.start_ms, phase.end_ms)
            write_selection(audio_source, "AudioSelection", base, Selection(
                f"phase-{index}", f"Phase: {phase.title}", 0, 0,
                (code_guids[(doc.protocol.id, f"phase:{phase.phase_id}")],), created),
                user, begin=begin, end=end)
        for anchor in anchors:
            begin = anchor.entry.at_ms
            write_selection(audio_source, "AudioSelection", base, Selection(
                anchor.key, anchor.name, 0, 0, anchor.code_guids, anchor.created,
                anchor.text, anchor.note_guid), user, begin=begin, end=begin + NOTE_SPAN_MS)
        for sel, begin, end in interruption_marks(doc, rendered, created):
            write_selection(audio_source, "AudioSelection", base, sel, user, begin=begin,
                            end=end)
        add_values(project, audio_source, doc)
        source_refs.insert(0, audio_guid)

    case = cases[doc.participant.code]
    for ref in source_refs:
        subelement(case, "SourceRef", targetGUID=ref)


def build_project(docs: Iterable[SessionDocument], *, name: str | None = None,
                  with_text: bool = False, for_qualcoder: bool = False,
                  ) -> tuple[bytes, dict[str, Path | bytes]]:
    """The ``project.qde`` XML and the files for ``sources/`` (name -> path or bytes);
    ``for_qualcoder``: the variant QualCoder's import places exactly (the transcript's sync
    points one character early, as its import reads them; everything else the same)."""
    docs = list(docs)
    if not docs:
        raise CompanionError("nothing to export: no sessions")
    interviewer = next((d.interviewer for d in docs if d.interviewer), None) or "companion"
    project = ProjectParts(docs=docs, user_guid=guid("user", interviewer))
    project.variables = project_variables()
    first = docs[0]
    root = ET.Element(qname("Project"), {
        "name": name or (first.title if len(docs) == 1 else f"{len(docs)} sessions"),
        "origin": f"companion {__version__}",
        "creatingUserGUID": project.user_guid,
        "creationDateTime": xsd_time(first.generated_at) or "",
        f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION,
    })
    subelement(subelement(root, "Users"), "User", guid=project.user_guid, name=interviewer)
    code_guids = write_codebook(root, docs)
    variables_el = subelement(root, "Variables")
    for variable in project.variables.values():
        var_el = subelement(variables_el, "Variable", guid=variable.guid, name=variable.name,
                     typeOfVariable=variable.type)
        if variable.description:
            subelement(var_el, "Description").text = variable.description
    cases_el = subelement(root, "Cases")
    cases: dict[str, ET.Element] = {}
    for doc in docs:
        code = doc.participant.code
        if code in cases:
            continue
        case = subelement(cases_el, "Case", guid=case_guid(doc), name=code)
        subelement(case, "Description").text = f"Participant {code} (pseudonym)"
        main_doc = next((d for d in docs if d.participant.code == code and not d.session.pilot
                         and d.ratings), doc)
        add_values(project, case, main_doc)
        cases[code] = case
    sources = subelement(root, "Sources")
    for doc in docs:
        _session_sources(project, sources, cases, doc, code_guids, with_text, for_qualcoder)
    if project.notes:
        notes_el = subelement(root, "Notes")
        notes_el.extend(project.notes)
    pseudo = "; ".join(sorted({applied(d).note() for d in docs}))
    subelement(root, "Description").text = (
        f"Exported by companion {__version__}. {pseudo} Times are session times in ms.")
    ET.indent(root)
    # Characters XML cannot carry (stored before notes refused them) become U+FFFD, so
    # the project stays well-formed.
    xml = ("<?xml version='1.0' encoding='utf-8'?>\n"
           + xml_text(ET.tostring(root, encoding="unicode"))).encode("utf-8")
    return xml, project.files


def write_qdpx(docs: Iterable[SessionDocument], path: Path, *, with_text: bool = False,
               for_qualcoder: bool = False) -> None:
    xml, files = build_project(docs, with_text=with_text, for_qualcoder=for_qualcoder)
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

