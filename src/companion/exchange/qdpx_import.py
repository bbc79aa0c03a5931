"""``import-qdpx``: a coded REFI-QDA project comes back into the study, however often.

A project exported by companion and coded in ATLAS.ti, MAXQDA, NVivo or QualCoder holds
the analyst's codes, their codings of the sessions' transcripts and their memos. This
reads them into the ``qda_*`` tables and leaves alone what companion owns (transcripts,
notes, phases).

- **Sources** are matched to sessions by their text (:mod:`companion.exchange.sources`):
  the exported transcript, or an edited copy of it; a recording must last as long as the
  session's. A project none of whose texts is a transcript of this study is refused
  (``force``: imported as a foreign project, its codes and memos without codings).
- **Codings** are placed in companion's transcript text and on the session's clock
  (:mod:`companion.exchange.qdpx_placing`); one that cannot be placed is listed with its
  code and text. companion's own codings (phases, notes, bookmarks, prompts, code tags,
  the case) are recognised by GUID, else by place, time and name, and left out, and so
  are its structural codes and its notes (:mod:`companion.exchange.own`).
- **The project** is who and what it came from: the tool, the project's name, the coder
  and the sessions it holds. A later export of the same project replaces the earlier
  import (:func:`write_import`), so exporting and importing again never counts a coding
  twice.

Everything is read and checked before the first row is written; a file that is not a
REFI-QDA project raises :class:`InputError` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections import Counter
from pathlib import Path

import sqlite_utils

from companion import limits
from companion.errors import InputError
from companion.exchange.own import OwnMarks
from companion.exchange.plan import (
    ImportedCode,
    ImportedCoding,
    ImportedMemo,
    ImportPlan,
    ImportResult,
    Unplaced,
)
from companion.exchange.qdpx_placing import PlacedSession, SourcePlacer
from companion.exchange.sources import SourceMatcher, audio_length_ms
from companion.export.pseudonymise import build_document
from companion.export.qdpx import written_marks
from companion.privacy.pseudonymise import study_pseudonymiser
from companion.store import qda
from companion.store.db import transaction
from companion.store.sessions import list_sessions
from companion.study.folder import Study

NS = "urn:QDA-XML:project:1.0"
FIELD = "FILE"

__all__ = ["ImportPlan", "ImportResult", "ImportedCode", "ImportedCoding", "ImportedMemo",
           "Unplaced", "import_qdpx", "plan_import", "write_import"]


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


# --- reading the file -------------------------------------------------------------------

def _read_project(path: Path) -> tuple[ET.Element, dict[str, bytes], bytes]:
    if not path.is_file():
        raise InputError(FIELD, str(path), "an existing .qdpx file")
    raw = path.read_bytes()
    # Every member is read within the limits of companion.limits (sizes, ratio, depth):
    # a hostile file is refused in one line before it can exhaust memory or the stack.
    budget = limits.total_budget()
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            qde = [n for n in names if n.lower().endswith(".qde") and "/" not in n]
            if not qde:
                raise InputError(FIELD, str(path), "a REFI-QDA project (.qdpx) with a "
                                 "project.qde inside", hint="no .qde file found")
            xml = limits.read_member(archive, qde[0], field=FIELD, shown=str(path),
                                     budget=budget)
            files = {n.split("/", 1)[1].lower(): limits.read_member(
                         archive, n, field=FIELD, shown=str(path), budget=budget)
                     for n in names
                     if "/" in n and n.split("/", 1)[0].lower() == "sources"
                     and not n.endswith("/") and n.lower().endswith(".txt")}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError,
            EOFError, RuntimeError) as exc:  # RuntimeError: an encrypted member
        raise InputError(FIELD, str(path), "a REFI-QDA project (.qdpx, a zip file)",
                         hint=f"it is not a zip file companion can read ({exc})") from None
    root = limits.parse_xml(xml, field=FIELD, shown=str(path), member=qde[0],
                            integers={_q("SyncPoint"): ("position", "timeStamp")})
    if root.tag != _q("Project"):
        raise InputError(FIELD, str(path), f"a REFI-QDA project (root Project in {NS})",
                         hint=f"the root element is {root.tag}")
    return root, files, raw


def _codes(root: ET.Element) -> list[ImportedCode]:
    out: list[ImportedCode] = []

    def walk(element: ET.Element, parent: str | None) -> None:
        for code in element.findall(_q("Code")):
            guid = (code.get("guid") or "").strip("{}").lower()
            description = code.find(_q("Description"))
            out.append(ImportedCode(guid, code.get("name") or "", parent,
                                    description.text if description is not None else None,
                                    code.get("isCodable", "true") != "false"))
            walk(code, guid)

    codes = root.find(f"{_q('CodeBook')}/{_q('Codes')}")
    if codes is not None:
        walk(codes, None)
    return out


def _norm_guid(value: str | None) -> str:
    return (value or "").strip("{}").lower()


def _text_of(element: ET.Element, files: dict[str, bytes]) -> str | None:
    content = element.find(_q("PlainTextContent"))
    if content is not None and content.text is not None:
        return content.text
    path = element.get("plainTextPath") or ""
    if path.startswith("internal://"):
        data = files.get(path[len("internal://"):].lower())
        if data is not None:
            return data.decode("utf-8-sig", errors="replace")
    return None


# --- the plan --------------------------------------------------------------------------------

def _user_names(root: ET.Element) -> dict[str, str]:
    users = root.find(_q("Users"))
    if users is None:
        return {}
    return {_norm_guid(u.get("guid")): u.get("name") or "" for u in users.findall(_q("User"))}


def _selection_memo(sel: ET.Element, notes: dict[str, str]) -> str | None:
    parts = []
    description = sel.find(_q("Description"))
    if description is not None and description.text:
        parts.append(description.text.strip())
    for ref in sel.findall(_q("NoteRef")):
        text = notes.get(_norm_guid(ref.get("targetGUID")))
        if text and text.strip() not in parts:
            parts.append(text.strip())
    return "\n".join(parts) or None


def study_sessions(study: Study, db: sqlite_utils.Database) -> list[PlacedSession]:
    """Every session as its export writes it (pseudonymised text, the export's marks)."""
    pseudo = study_pseudonymiser(study)
    out = []
    for s in list_sessions(db):
        # A fresh pseudonymiser per session, as an export makes: its header counts its own.
        doc = build_document(study, db, s.id, pseudonymiser=type(pseudo)(
            dict(pseudo.replacements)))
        out.append(PlacedSession(doc, written_marks(doc)))
    return out


class _Reader:
    """Reads one project into a plan."""

    def __init__(self, plan: ImportPlan, root: ET.Element, files: dict[str, bytes],
                 path: Path, sessions: list[PlacedSession], coder: str | None) -> None:
        self.plan, self.root, self.files, self.path = plan, root, files, path
        self.own = OwnMarks.of(sessions)
        self.matcher = SourceMatcher(sessions)
        self.users = _user_names(root)
        self.project_user = self.users.get(_norm_guid(root.get("creatingUserGUID")), "")
        self.coder = coder
        self.codes = _codes(root)
        self.by_guid = {c.guid: c for c in self.codes}
        self.notes: dict[str, str] = {}
        notes_el = root.find(_q("Notes"))
        self.note_elements = notes_el.findall(_q("Note")) if notes_el is not None else []
        for note in self.note_elements:
            self.notes[_norm_guid(note.get("guid"))] = _text_of(note, files) or ""
        self.note_session: dict[str, int] = {}

    def parent_name(self, code: ImportedCode) -> str | None:
        parent = self.by_guid.get(code.parent_guid or "")
        return parent.name if parent is not None else None

    def structural(self, code: ImportedCode) -> bool:
        return self.own.is_structural(code.guid, code.name, self.parent_name(code))

    def coder_of(self, *elements: ET.Element) -> str:
        if self.coder is not None:
            return self.coder
        for element in elements:
            for attr in ("creatingUser", "modifyingUser"):
                name = self.users.get(_norm_guid(element.get(attr)))
                if name:
                    return name
        return self.project_user

    def read(self) -> None:
        sources = self.root.find(_q("Sources"))
        for source in (list(sources) if sources is not None else []):
            tag = source.tag.split("}")[-1]
            if tag in ("AudioSource", "VideoSource"):
                self.recording(source, "AudioSelection" if tag == "AudioSource"
                               else "VideoSelection")
                transcript = source.find(_q("Transcript"))
                if transcript is not None:
                    self.text_source(source, transcript, "TranscriptSelection",
                                     audio_length_ms(self.path, source.get("path")))
            elif tag == "TextSource":
                self.text_source(source, source, "PlainTextSelection", None)
        for code in self.codes:
            if not self.structural(code):
                self.plan.codes.append(code)
        for note in self.note_elements:
            guid = _norm_guid(note.get("guid"))
            text = self.notes.get(guid, "")
            if not text.strip() or self.own.is_own_note(guid, text):
                continue
            self.plan.memos.append(ImportedMemo(guid, self.note_session.get(guid),
                                                note.get("name"), text))

    def _coded(self, sel: ET.Element) -> list[tuple[ImportedCode, ET.Element]]:
        """The codes a selection's codings apply (with each coding), companion's own GUIDs
        left out."""
        out = []
        for coding in sel.findall(_q("Coding")):
            if _norm_guid(coding.get("guid")) in self.own.coding_guids:
                self.plan.own_codings += 1
                continue
            ref = coding.find(_q("CodeRef"))
            code = self.by_guid.get(_norm_guid(ref.get("targetGUID") if ref is not None
                                               else ""))
            if code is not None:
                out.append((code, coding))
        return out

    def recording(self, source: ET.Element, tag: str) -> None:
        """Codings of the recording itself: companion's own (by time) are counted as
        such; the analyst's are counted, not imported (codings of the transcripts are)."""
        for sel in source.findall(_q(tag)):
            for code, _ in self._coded(sel):
                try:
                    begin, end = int(sel.get("begin", "")), int(sel.get("end", ""))
                except ValueError:
                    begin = end = -1
                if self.structural(code) or self.own.is_own_audio(begin, end, code.name):
                    self.plan.own_codings += 1
                else:
                    self.plan.recording_codings += 1

    def text_source(self, source: ET.Element, text_el: ET.Element, selection_tag: str,
                    audio_ms: int | None) -> None:
        name = source.get("name") or text_el.get("name") or source.get("guid") or "?"
        text = _text_of(text_el, self.files)
        found = self.matcher.match(name, text, audio_ms)
        selections = [s for s in text_el.iter(_q(selection_tag))
                      if s.find(_q("Coding")) is not None]
        if found.session is None or text is None:
            self.plan.unmatched_sources.append(
                f"{name} ({found.why_not})" if found.why_not else name)
            return
        session = found.session
        session_id = session.doc.session.id
        previous = self.plan.sessions.get(session_id)
        self.plan.sessions[session_id] = "text" if "text" in (previous, found.how) else "edited"
        for ref in text_el.iter(_q("NoteRef")):
            self.note_session.setdefault(_norm_guid(ref.get("targetGUID")), session_id)
        placer = SourcePlacer(session, text, self.plan.origin)
        points = {_norm_guid(p.get("guid")): (p.get("position"), p.get("timeStamp"))
                  for p in text_el.findall(_q("SyncPoint"))}
        for sel in selections:
            codes = self._coded(sel)
            if not codes:
                continue
            try:
                if selection_tag == "PlainTextSelection":
                    # A missing position is "" here: int() refuses it like any bad one.
                    start = int(sel.get("startPosition", ""))
                    end = int(sel.get("endPosition", ""))
                    near = None
                else:
                    position, stamp = points[_norm_guid(sel.get("fromSyncPoint"))]
                    start = int(position or "")
                    near = int(stamp) if stamp else None
                    end = int(points[_norm_guid(sel.get("toSyncPoint"))][0] or "")
            except (KeyError, TypeError, ValueError):
                self.unplaced(name, codes, sel.get("name") or "")
                continue
            place = placer.place(start, end, near)
            if place is None:
                self.unplaced(name, codes, placer.quote(start, end) if 0 <= start <= end
                              else sel.get("name") or "")
                continue
            memo = _selection_memo(sel, self.notes)
            segments = session.segment_ids(place.start, place.end)
            for code, coding in codes:
                if self.structural(code) or self.own.is_own_text(
                        session_id, place.start, place.end, code.name):
                    self.plan.own_codings += 1
                    continue
                self.plan.codings.append(ImportedCoding(
                    session_id, code.guid, _norm_guid(sel.get("guid")), place.start,
                    place.end, session.ms_at(place.start, is_end=False),
                    session.ms_at(place.end, is_end=True),
                    session.text[place.start:place.end], memo, place.how,
                    self.coder_of(coding, sel), coding.get("creationDateTime")
                    or sel.get("creationDateTime"), segments))

    def unplaced(self, source: str, codes: list[tuple[ImportedCode, ET.Element]],
                 text: str) -> None:
        for code, _ in codes:
            if not self.structural(code):
                self.plan.unplaced.append(Unplaced(source, code.name, " ".join(text.split())))


def plan_import(study: Study, db: sqlite_utils.Database, path: str | Path, *,
                coder: str | None = None, force: bool = False) -> ImportPlan:
    """Read and check the file; nothing is written. ``coder`` names who coded the project
    (default: its creating users); ``force`` takes a project none of whose texts is a
    transcript of this study, as a foreign project."""
    path = Path(path).expanduser()
    if coder is not None and not coder.strip():
        raise InputError("--coder", coder, "a coder's name (or code), not empty")
    root, files, raw = _read_project(path)
    plan = ImportPlan(file_name=path.name, origin=root.get("origin"),
                      sha256=hashlib.sha256(raw).hexdigest(), project_name=root.get("name"))
    reader = _Reader(plan, root, files, path, study_sessions(study, db),
                     coder.strip() if coder is not None else None)
    reader.read()
    if not plan.sessions:
        if not force:
            unmatched = "; ".join(plan.unmatched_sources) or "it holds no text"
            raise InputError(FIELD, str(path), "a project whose texts are this study's "
                             "transcripts (or --force to take it as a foreign project)",
                             hint=f"no session matches: {unmatched}")
        plan.foreign = True
    coders = Counter(c.coder or "" for c in plan.codings)
    plan.coder = (reader.coder if reader.coder is not None
                  else coders.most_common(1)[0][0] if coders else reader.project_user)
    return plan


def write_import(db: sqlite_utils.Database, plan: ImportPlan) -> ImportResult:
    """Write a checked plan in one transaction. Active imports of the same project (tool,
    project name and coder, a session in common) are replaced: their rows stay, marked
    replaced, so undoing this import brings them back."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    with transaction(db):
        earlier = [] if plan.foreign else qda.same_project(
            db, tool=plan.tool, project_name=plan.project_name, coder=plan.coder,
            session_ids=plan.sessions)
        import_id = qda.add_import(
            db, file_name=plan.file_name, origin=plan.origin, sha256=plan.sha256,
            imported_at=now, project_name=plan.project_name, tool=plan.tool,
            coder=plan.coder, foreign_project=plan.foreign)
        for session_id, how in plan.sessions.items():
            qda.add_import_session(db, import_id, session_id, how)
        code_ids = {code.guid: qda.add_code(
            db, import_id, guid=code.guid, name=code.name, parent_guid=code.parent_guid,
            description=code.description, codable=code.codable) for code in plan.codes}
        added = 0
        for coding in plan.codings:
            added += qda.add_coding(
                db, import_id, code_ids[coding.code_guid], session_id=coding.session_id,
                selection_guid=coding.selection_guid, start_pos=coding.start_pos,
                end_pos=coding.end_pos, start_ms=coding.start_ms, end_ms=coding.end_ms,
                quote=coding.quote, memo=coding.memo, matched_by=coding.matched_by,
                coder=coding.coder or "", created_at=coding.created_at,
                segment_ids=coding.segment_ids)
        for memo in plan.memos:
            qda.add_memo(db, import_id, guid=memo.guid, session_id=memo.session_id,
                         name=memo.name, text=memo.text)
        for old in earlier:
            qda.set_status(db, old, qda.REPLACED, replaced_by=import_id)
    return ImportResult(import_id, len(plan.codes), added, len(plan.memos), plan.sessions,
                        plan.unmatched_sources, plan.unplaced_codings, plan.unplaced,
                        earlier, plan.project_name, plan.tool, plan.coder, plan.foreign,
                        plan.own_codings, plan.recording_codings)


def import_qdpx(study: Study, db: sqlite_utils.Database, path: str | Path, *,
                coder: str | None = None, force: bool = False) -> ImportResult:
    """Read a coded project into the study; raises InputError (nothing written) on a bad
    file."""
    return write_import(db, plan_import(study, db, path, coder=coder, force=force))
