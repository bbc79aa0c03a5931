"""``import-qdpx``: a coded REFI-QDA project comes back into the study.

A project exported by companion and coded in ATLAS.ti, MAXQDA, NVivo or QualCoder holds
the analyst's codes, their codings of the sessions' transcripts and their memos. This
reads them into the ``qda_*`` tables and leaves alone what companion owns (transcripts,
notes, phases): codings companion wrote itself are recognised by their GUIDs and skipped.

A source is matched to a session by the GUIDs companion gave it; when a tool wrote new
GUIDs, by its text (the same transcript, whatever its line ends) or its name. A coding's
place is given in companion's transcript text (the one in the export: LF line ends, a
stamp per segment) and on the session's clock:

- the same text: positions as they are (counting a CRLF as one character or two, which
  ever gives back the quoted passage);
- a text the tool changed: the quoted passage is looked up in companion's text, nearest
  to the place its sync points (or its relative position) point at.

Everything is read and checked before the first row is written; a file that is not a
REFI-QDA project raises :class:`InputError` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from companion.errors import InputError
from companion.exchange.qdpx_placing import (
    PlacedSession,
    counts_line_end_once,
    lf_text,
    place_selection,
)
from companion.export.pseudonymise import build_document
from companion.export.qdpx import written_marks
from companion.privacy.pseudonymise import session_pseudonymiser
from companion.store.db import transaction
from companion.store.sessions import list_sessions
from companion.study.folder import Study

NS = "urn:QDA-XML:project:1.0"
FIELD = "FILE"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


@dataclass
class ImportedCode:
    guid: str
    name: str
    parent_guid: str | None
    description: str | None
    codable: bool


@dataclass
class ImportedCoding:
    session_id: int
    code_guid: str
    selection_guid: str
    start_pos: int
    end_pos: int
    start_ms: int | None
    end_ms: int | None
    quote: str
    memo: str | None
    matched_by: str
    coder: str | None
    created_at: str | None


@dataclass
class ImportedMemo:
    guid: str
    session_id: int | None
    name: str | None
    text: str


@dataclass
class ImportPlan:
    """Everything read from the file, before anything is written."""

    file_name: str
    origin: str | None
    sha256: str
    codes: list[ImportedCode] = field(default_factory=list)
    codings: list[ImportedCoding] = field(default_factory=list)
    memos: list[ImportedMemo] = field(default_factory=list)
    sessions: dict[int, str] = field(default_factory=dict)  # session id -> "guid" or "text"
    unmatched_sources: list[str] = field(default_factory=list)
    unplaced_codings: int = 0


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    codes: int
    codings: int
    memos: int
    sessions: dict[int, str]
    unmatched_sources: list[str]
    unplaced_codings: int


# --- reading the file -------------------------------------------------------------------

def _read_project(path: Path) -> tuple[ET.Element, dict[str, bytes], bytes]:
    if not path.is_file():
        raise InputError(FIELD, str(path), "an existing .qdpx file")
    raw = path.read_bytes()
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            qde = [n for n in names if n.lower().endswith(".qde") and "/" not in n]
            if not qde:
                raise InputError(FIELD, str(path), "a REFI-QDA project (.qdpx) with a "
                                 "project.qde inside", hint="no .qde file found")
            xml = archive.read(qde[0])
            files = {n.split("/", 1)[1].lower(): archive.read(n) for n in names
                     if "/" in n and n.split("/", 1)[0].lower() == "sources"
                     and not n.endswith("/") and n.lower().endswith(".txt")}
    except zipfile.BadZipFile:
        raise InputError(FIELD, str(path), "a REFI-QDA project (.qdpx, a zip file)",
                         hint="it is not a zip file") from None
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise InputError(FIELD, str(path), "a REFI-QDA project with well-formed XML",
                         hint=f"project.qde: {exc}") from None
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


def _match_session(element: ET.Element, text: str | None, sessions: list[PlacedSession],
                   names: list[str]) -> tuple[PlacedSession | None, str]:
    guids = {_norm_guid(element.get("guid"))}
    for child in element:
        guids.add(_norm_guid(child.get("guid")))
    for session in sessions:
        if guids & {g.lower() for g in session.marks.source_guids}:
            return session, "guid"
    if text is not None:
        for session in sessions:
            if lf_text(text) == session.text:
                return session, "text"
    for session in sessions:
        # The file name stem, not followed by a digit (session-1 is not session-10).
        pattern = re.compile(re.escape(session.doc.basename) + r"(?!\d)")
        if any(pattern.search(name or "") for name in names):
            return session, "text"
    return None, ""


def _as_exported(study: Study, db: sqlite_utils.Database, session: PlacedSession,
                 text: str | None) -> PlacedSession:
    """The session's text as the export wrote it: pseudonymised with the replacements
    decided in review (the positions of such a project count the labels), or, when the
    project holds the text without them (exported --not-pseudonymised), that one."""
    if text is None or lf_text(text) == session.text:
        return session
    doc = build_document(study, db, session.doc.session.id, pseudonymiser=(
        session_pseudonymiser(study, db, session.doc.session.id, decided=False)))
    plain = PlacedSession(doc, written_marks(doc))
    return plain if lf_text(text) == plain.text else session


def plan_import(study: Study, db: sqlite_utils.Database, path: str | Path) -> ImportPlan:
    """Read and check the file; nothing is written."""
    path = Path(path).expanduser()
    root, files, raw = _read_project(path)
    plan = ImportPlan(file_name=path.name, origin=root.get("origin"),
                      sha256=hashlib.sha256(raw).hexdigest())
    sessions = []
    for s in list_sessions(db):
        # As a pseudonymised export wrote it; _as_exported tries the other way too.
        doc = build_document(study, db, s.id, pseudonymiser=session_pseudonymiser(
            study, db, s.id, decided=True))
        sessions.append(PlacedSession(doc, written_marks(doc)))
    ours_codings = set().union(*(s.marks.coding_guids for s in sessions)) if sessions else set()
    ours_notes = set().union(*(s.marks.note_guids for s in sessions)) if sessions else set()
    structural = set().union(*(s.marks.structural_codes for s in sessions)) if sessions else set()
    users = _user_names(root)
    notes: dict[str, str] = {}
    notes_el = root.find(_q("Notes"))
    note_elements = notes_el.findall(_q("Note")) if notes_el is not None else []
    for note in note_elements:
        notes[_norm_guid(note.get("guid"))] = _text_of(note, files) or ""

    all_codes = _codes(root)
    code_by_guid = {c.guid: c for c in all_codes}
    note_session: dict[str, int] = {}

    sources = root.find(_q("Sources"))
    for source in (list(sources) if sources is not None else []):
        tag = source.tag.split("}")[-1]
        if tag == "TextSource":
            text_el, selection_tag = source, "PlainTextSelection"
        elif tag in ("AudioSource", "VideoSource"):
            transcript = source.find(_q("Transcript"))
            if transcript is None:
                continue
            text_el, selection_tag = transcript, "TranscriptSelection"
        else:
            continue
        text = _text_of(text_el, files)
        session, how = _match_session(source, text, sessions,
                                      [source.get("name") or "", text_el.get("name") or ""])
        if session is None or text is None:
            if any(sel.find(_q("Coding")) is not None for sel in text_el.iter(_q(
                    selection_tag))):
                plan.unmatched_sources.append(source.get("name") or source.get("guid") or "?")
            continue
        session = _as_exported(study, db, session, text)
        plan.sessions.setdefault(session.doc.session.id, how)
        for ref in text_el.iter(_q("NoteRef")):
            note_session.setdefault(_norm_guid(ref.get("targetGUID")), session.doc.session.id)
        points = {_norm_guid(p.get("guid")): (int(p.get("position") or 0),
                                              int(p.get("timeStamp") or 0)
                                              if p.get("timeStamp") else None)
                  for p in text_el.findall(_q("SyncPoint"))}
        for sel in text_el.findall(_q(selection_tag)):
            codings = [c for c in sel.findall(_q("Coding"))
                       if _norm_guid(c.get("guid")) not in ours_codings]
            if not codings:
                continue
            try:
                if selection_tag == "PlainTextSelection":
                    # A missing position is "" here: int() refuses it like any bad one.
                    start = int(sel.get("startPosition", ""))
                    end = int(sel.get("endPosition", ""))
                    near = None
                else:
                    start, near = points[_norm_guid(sel.get("fromSyncPoint"))]
                    end, _ = points[_norm_guid(sel.get("toSyncPoint"))]
            except (KeyError, TypeError, ValueError):
                plan.unplaced_codings += len(codings)
                continue
            place = place_selection(session, text, start, end, near,
                           counts_line_end_once(plan.origin))
            if place is None:
                plan.unplaced_codings += len(codings)
                continue
            s_pos, e_pos = place
            memo = _selection_memo(sel, notes)
            coder = users.get(_norm_guid(sel.get("creatingUser") or sel.get("modifyingUser")))
            for coding in codings:
                code_ref = coding.find(_q("CodeRef"))
                code_guid = _norm_guid(code_ref.get("targetGUID") if code_ref is not None else "")
                if code_guid in structural or code_guid not in code_by_guid:
                    continue
                plan.codings.append(ImportedCoding(
                    session.doc.session.id, code_guid, _norm_guid(sel.get("guid")), s_pos, e_pos,
                    session.ms_at(s_pos, is_end=False), session.ms_at(e_pos, is_end=True),
                    session.text[s_pos:e_pos], memo, how, coder,
                    coding.get("creationDateTime") or sel.get("creationDateTime")))
    # Codes: every analytic code of the codebook (and the folders above the used ones).
    for code in all_codes:
        if code.guid in structural:
            continue
        plan.codes.append(code)
    for note in note_elements:
        guid = _norm_guid(note.get("guid"))
        if guid in ours_notes or not notes.get(guid, "").strip():
            continue
        plan.memos.append(ImportedMemo(guid, note_session.get(guid), note.get("name"),
                                       notes[guid]))
    if not plan.sessions and not plan.codes:
        raise InputError(FIELD, str(path), "a project exported by companion from this study "
                         "(its sessions' transcripts and codes)",
                         hint="no source matches a session of this study")
    return plan


def write_import(db: sqlite_utils.Database, plan: ImportPlan) -> ImportResult:
    """Write a checked plan in one transaction. A code already imported (same GUID) is
    updated; a coding already there (same session, code and place) is kept once."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    conn = db.conn
    with transaction(db):
        import_id = conn.execute(
            "INSERT INTO qda_imports (file_name, origin, sha256, imported_at) "
            "VALUES (?,?,?,?)", [plan.file_name, plan.origin, plan.sha256, now]).lastrowid
        code_ids: dict[str, int] = {}
        for code in plan.codes:
            conn.execute(
                "INSERT INTO qda_codes (guid, name, parent_guid, description, codable, "
                "import_id) VALUES (?,?,?,?,?,?) ON CONFLICT(guid) DO UPDATE SET "
                "name = excluded.name, parent_guid = excluded.parent_guid, "
                "description = excluded.description, codable = excluded.codable",
                [code.guid, code.name, code.parent_guid, code.description,
                 int(code.codable), import_id])
            code_ids[code.guid] = conn.execute(
                "SELECT id FROM qda_codes WHERE guid = ?", [code.guid]).fetchone()[0]
        added = 0
        for coding in plan.codings:
            added += conn.execute(
                "INSERT OR IGNORE INTO qda_codings (session_id, code_id, selection_guid, "
                "start_pos, end_pos, start_ms, end_ms, quote, memo, matched_by, coder, "
                "created_at, import_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [coding.session_id, code_ids[coding.code_guid], coding.selection_guid,
                 coding.start_pos, coding.end_pos, coding.start_ms, coding.end_ms,
                 coding.quote, coding.memo, coding.matched_by, coding.coder,
                 coding.created_at, import_id]).rowcount
        for memo in plan.memos:
            conn.execute(
                "INSERT INTO qda_memos (guid, session_id, name, text, import_id) "
                "VALUES (?,?,?,?,?) ON CONFLICT(guid) DO UPDATE SET text = excluded.text, "
                "name = excluded.name, session_id = excluded.session_id, "
                "import_id = excluded.import_id",
                [memo.guid, memo.session_id, memo.name, memo.text, import_id])
    return ImportResult(int(import_id or 0), len(plan.codes), added, len(plan.memos),
                        plan.sessions, plan.unmatched_sources, plan.unplaced_codings)


def import_qdpx(study: Study, db: sqlite_utils.Database, path: str | Path) -> ImportResult:
    """Read a coded project into the study; raises InputError (nothing written) on a bad
    file."""
    return write_import(db, plan_import(study, db, path))
