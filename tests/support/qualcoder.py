"""A coded project the way QualCoder makes one: its REFI-QDA import, coding, its editor and
its REFI-QDA export, as its source (``refi.py``, ``edit_textfile.py`` at commit c3204641)
does them, on a small in-memory model of its database.

``make test`` cannot run QualCoder (it is not on PyPI and needs Qt); the real round trip is
``scripts/qualcoder_check.py``. This module keeps the conventions that matter for coming
back, so the suite guards them:

- import: a ``Transcript``'s text is read as it stands (a leading byte order mark stays
  in it) and every ``SyncPoint`` position gets 1 added (a position of -1 gives 0); a
  ``TextSource``'s positions are taken as they are; the transcript becomes a text source
  named ``<recording>.txt``; codes carrying a case's GUID move to the case; a coding's
  owner is the ``Transcript``'s (or the ``PlainTextSelection``'s) creating user;
- export: new GUIDs for everything, every time; the transcript goes out as a plain
  ``TextSource`` (QualCoder writes a ``Transcript`` only for a source named
  ``.transcribed``) whose file is written with a byte order mark (``utf-8-sig``) and whose
  ``PlainTextSelection`` positions count in QualCoder's own text; users by name; the
  project named after QualCoder's project file, ``origin`` its version.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

NS = "urn:QDA-XML:project:1.0"
VERSION = "QualCoder 4.0 Beta"

# An analyst's coding of the generated interview (tests/support/interview.py) in QualCoder
# before its first export, (passage, code), and more before its second; shared by the
# suite's round trips and scripts/qualcoder_check.py's real ones.
FIRST = [("years ago with my back.", "Z1 Back pain story"),
         ("physiotherapist said it was nothing serious.", "Z2 Being dismissed"),
         ("say anything to her", "Z2 Being dismissed"),
         ("How did that feel for you?", "C1 Avoidance in the alliance")]
SECOND = [("is one team, they say.", "Z3 One team"),
          ("Is there something you never told them?", "Z4 Unspoken")]


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _guid() -> str:
    return str(uuid.uuid4())


@dataclass
class Source:
    id: int
    name: str
    fulltext: str | None
    mediapath: str | None
    owner: str
    data: bytes | None = None  # the recording's bytes


@dataclass
class TextCoding:
    cid: int
    fid: int
    pos0: int
    pos1: int
    seltext: str
    owner: str
    memo: str = ""


@dataclass
class Project:
    """QualCoder's project database, as far as a REFI-QDA round trip uses it."""

    name: str
    categories: dict[int, tuple[str, int | None]] = field(default_factory=dict)
    codes: dict[int, tuple[str, int | None]] = field(default_factory=dict)  # name, catid
    sources: list[Source] = field(default_factory=list)
    code_text: list[TextCoding] = field(default_factory=list)
    code_av: list[tuple[int, int, int, int, str, str]] = field(default_factory=list)
    journals: list[tuple[str, str, str]] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    case_text: list[tuple[str, int, int, int]] = field(default_factory=list)

    # --- RefiImport ---------------------------------------------------------------------

    @classmethod
    def imported(cls, qdpx: Path | bytes, name: str = "study.qda") -> Project:
        """QualCoder's REFI-QDA import of a project into a new QualCoder project."""
        raw = qdpx.read_bytes() if isinstance(qdpx, Path) else qdpx
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            files = {n.lower(): archive.read(n) for n in archive.namelist()}
        root = ET.fromstring(files["project.qde"])
        project = cls(name)
        users = {u.get("guid"): u.get("name") or "" for u in root.iter(_q("User"))}
        code_ids: dict[str, int] = {}

        def walk(element: ET.Element, catid: int | None) -> None:
            for code in element.findall(_q("Code")):
                if code.get("isCodable") == "false":
                    new = len(project.categories) + 1
                    project.categories[new] = (code.get("name") or "", catid)
                    walk(code, new)
                else:
                    cid = len(project.codes) + 1
                    project.codes[cid] = (code.get("name") or "", catid)
                    code_ids[code.get("guid") or ""] = cid
                    walk(code, catid)

        walk(root.find(f"{_q('CodeBook')}/{_q('Codes')}"), None)

        def text_of(path: str) -> str:
            # open(..., encoding="utf-8"): a leading byte order mark stays in the text.
            return files["sources/" + path[len("internal://"):].lower()].decode("utf-8")

        for source in root.find(_q("Sources")):
            tag = source.tag.split("}")[1]
            owner = users.get(source.get("creatingUser"), "default")
            if tag == "AudioSource":
                audio = project.add_source(source.get("name"), None, "/audio/" + source.get(
                    "name"), owner)
                audio.data = files["sources/" + source.get("path")[11:].lower()]
                transcript = source.find(_q("Transcript"))
                if transcript is not None:
                    text = text_of(transcript.get("plainTextPath"))
                    tr_owner = users.get(transcript.get("creatingUser"), "default")
                    fid = project.add_source(f"{audio.name}.txt", text, None, tr_owner).id
                    points = {p.get("guid"): int(p.get("position"))
                              for p in transcript.findall(_q("SyncPoint"))}
                    for sel in transcript.findall(_q("TranscriptSelection")):
                        # refi.py: "added 1 for python as String starts from 0"
                        pos0 = points[sel.get("fromSyncPoint")] + 1
                        pos1 = points[sel.get("toSyncPoint")] + 1
                        memo = sel.findtext(_q("Description")) or ""
                        for coding in sel.findall(_q("Coding")):
                            cid = code_ids.get(coding.find(_q("CodeRef")).get("targetGUID"))
                            if cid is not None:
                                project.add_coding(cid, fid, pos0, pos1, tr_owner, memo)
                for sel in source.findall(_q("AudioSelection")):
                    for coding in sel.findall(_q("Coding")):
                        cid = code_ids.get(coding.find(_q("CodeRef")).get("targetGUID"))
                        project.code_av.append((audio.id, int(sel.get("begin")),
                                                int(sel.get("end")), cid or 0,
                                                sel.findtext(_q("Description")) or "",
                                                users.get(sel.get("creatingUser"), "default")))
            elif tag == "TextSource":
                text = text_of(source.get("plainTextPath"))
                fid = project.add_source(source.get("name"), text, None, owner).id
                for sel in source.findall(_q("PlainTextSelection")):
                    for coding in sel.findall(_q("Coding")):
                        cid = code_ids.get(coding.find(_q("CodeRef")).get("targetGUID"))
                        if cid is not None:
                            project.add_coding(
                                cid, fid, int(sel.get("startPosition")),
                                int(sel.get("endPosition")),
                                users.get(sel.get("creatingUser"), "default"),
                                sel.findtext(_q("Description")) or "")
        for note in root.iter(_q("Note")):
            # A note with a file of its own and a name is a journal entry; a note a
            # Transcript refers to is not read (only a TextSource's NoteRefs are).
            if note.get("plainTextPath") and note.get("name"):
                project.journals.append((note.get("name"), text_of(note.get("plainTextPath")),
                                         users.get(note.get("creatingUser"), "default")))
        for case in root.iter(_q("Case")):
            project.cases.append(case.get("name"))
            cid = code_ids.get(case.get("guid"))
            if cid is not None:  # clean_up_case_codes_and_case_text
                del project.codes[cid]
                for coding in [c for c in project.code_text if c.cid == cid]:
                    project.code_text.remove(coding)
                    project.case_text.append((case.get("name"), coding.fid, coding.pos0,
                                              coding.pos1))
        return project

    def add_source(self, name: str, fulltext: str | None, mediapath: str | None,
                   owner: str) -> Source:
        source = Source(len(self.sources) + 1, name, fulltext, mediapath, owner)
        self.sources.append(source)
        return source

    def add_coding(self, cid: int, fid: int, pos0: int, pos1: int, owner: str,
                   memo: str = "") -> None:
        text = self.source(fid).fulltext or ""
        if any((c.cid, c.fid, c.pos0, c.pos1, c.owner) == (cid, fid, pos0, pos1, owner)
               for c in self.code_text):
            return  # unique(cid, fid, pos0, pos1, owner)
        self.code_text.append(TextCoding(cid, fid, pos0, pos1, text[pos0:pos1], owner, memo))

    def source(self, fid: int) -> Source:
        return next(s for s in self.sources if s.id == fid)

    def transcript(self, index: int = 0) -> Source:
        return [s for s in self.sources if s.fulltext is not None][index]

    # --- the analyst at work --------------------------------------------------------------

    def code_id(self, name: str, category: str | None = None) -> int:
        """A code by name, made (as the analyst would) when it is new."""
        for cid, (code, _) in self.codes.items():
            if code == name:
                return cid
        catid = None
        if category is not None:
            catid = next((k for k, (n, _) in self.categories.items() if n == category), None)
            if catid is None:
                catid = len(self.categories) + 1
                self.categories[catid] = (category, None)
        cid = max(self.codes, default=0) + 1
        self.codes[cid] = (name, catid)
        return cid

    def code(self, passage: str, code: str, owner: str, *, source: int = 0,
             occurrence: int = 0, category: str | None = "Analysis") -> tuple[int, int]:
        """Select ``passage`` (its ``occurrence``-th appearance) in a text and code it, as
        QualCoder's coding screen does; returns the positions in QualCoder's text."""
        src = self.transcript(source)
        text = src.fulltext or ""
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(passage, start + 1)
        self.add_coding(self.code_id(code, category), src.id, start, start + len(passage),
                        owner)
        return start, start + len(passage)

    def edit(self, old: str, new: str, *, source: int = 0) -> None:
        """Replace ``old`` with ``new`` in QualCoder's editor: codings after the change move
        with it, a coding that holds it grows or shrinks with it (edit_textfile.py)."""
        src = self.transcript(source)
        text = src.fulltext or ""
        at = text.index(old)
        delta = len(new) - len(old)
        src.fulltext = text[:at] + new + text[at + len(old):]
        for coding in self.code_text:
            if coding.fid != src.id:
                continue
            if coding.pos0 >= at + len(old):
                coding.pos0 += delta
                coding.pos1 += delta
            elif coding.pos0 <= at and coding.pos1 >= at + len(old):
                coding.pos1 += delta
            coding.seltext = src.fulltext[coding.pos0:coding.pos1]

    # --- RefiExport -----------------------------------------------------------------------

    def export(self) -> bytes:
        """QualCoder's REFI-QDA export: new GUIDs for everything, every time."""
        files: dict[str, bytes] = {}
        owners = sorted({c.owner for c in self.code_text} | {s.owner for s in self.sources}
                        | {a[5] for a in self.code_av})
        users = {name: _guid() for name in owners}
        root = ET.Element(_q("Project"), name=self.name, origin=VERSION,
                          creatingUserGUID=_guid(), creationDateTime="2026-04-01T10:00:00Z")
        users_el = ET.SubElement(root, _q("Users"))
        for name, guid in users.items():
            ET.SubElement(users_el, _q("User"), guid=guid, name=name)
        code_guids = {cid: _guid() for cid in self.codes}
        codes_el = ET.SubElement(ET.SubElement(root, _q("CodeBook")), _q("Codes"))
        for cid, (name, catid) in self.codes.items():
            if catid is None:
                ET.SubElement(codes_el, _q("Code"), guid=code_guids[cid], name=name,
                              isCodable="true")

        def category(parent: ET.Element, catid: int) -> None:
            name, _ = self.categories[catid]
            el = ET.SubElement(parent, _q("Code"), guid=_guid(), name=name, isCodable="false")
            for cid, (code, in_cat) in self.codes.items():
                if in_cat == catid:
                    ET.SubElement(el, _q("Code"), guid=code_guids[cid], name=code,
                                  isCodable="true")
            for sub, (_, super_cat) in self.categories.items():
                if super_cat == catid:
                    category(el, sub)

        for catid, (_, super_cat) in self.categories.items():
            if super_cat is None:
                category(codes_el, catid)
        if self.cases:
            cases_el = ET.SubElement(root, _q("Cases"))
            for case in self.cases:
                ET.SubElement(cases_el, _q("Case"), guid=_guid(), name=case)
        sources_el = ET.SubElement(root, _q("Sources"))
        for src in self.sources:
            if src.fulltext is not None:
                plain = f"{_guid()}.txt"
                # open(..., "w", encoding="utf-8-sig"): a mark before the text.
                files[plain] = src.fulltext.encode("utf-8-sig")
                el = ET.SubElement(sources_el, _q("TextSource"), plainTextPath=f"internal://"
                                   f"{plain}", creatingUser=users[src.owner],
                                   creationDateTime="2026-04-01T10:00:00Z", guid=_guid(),
                                   name=src.name)
                for c in self.code_text:
                    if c.fid != src.id:
                        continue
                    sel = ET.SubElement(el, _q("PlainTextSelection"), guid=_guid(),
                                        startPosition=str(c.pos0), endPosition=str(c.pos1),
                                        name=c.seltext, creatingUser=users[c.owner],
                                        creationDateTime="2026-04-01T10:00:00Z")
                    if c.memo:
                        ET.SubElement(sel, _q("Description")).text = c.memo
                    coding = ET.SubElement(sel, _q("Coding"), guid=_guid(),
                                           creatingUser=users[c.owner])
                    ET.SubElement(coding, _q("CodeRef"), targetGUID=code_guids[c.cid])
            elif src.mediapath and src.mediapath.startswith("/audio"):
                media = f"{_guid()}.{src.name.rsplit('.', 1)[-1]}"
                files[media] = src.data or b""
                el = ET.SubElement(sources_el, _q("AudioSource"), creatingUser=users[src.owner],
                                   creationDateTime="2026-04-01T10:00:00Z",
                                   path=f"internal://{media}", guid=_guid(), name=src.name)
                for fid, begin, end, cid, memo, owner in self.code_av:
                    if fid != src.id or cid not in code_guids:
                        continue
                    sel = ET.SubElement(el, _q("AudioSelection"), guid=_guid(),
                                        begin=str(begin), end=str(end), name=memo,
                                        creatingUser=users[owner])
                    if memo:
                        ET.SubElement(sel, _q("Description")).text = memo
                    coding = ET.SubElement(sel, _q("Coding"), guid=_guid(),
                                           creatingUser=users[owner],
                                           creationDateTime="2026-04-01T10:00:00Z")
                    ET.SubElement(coding, _q("CodeRef"), targetGUID=code_guids[cid])
        if self.journals:
            notes_el = ET.SubElement(root, _q("Notes"))
            for name, text, owner in self.journals:
                guid = _guid()
                files[f"{guid}.txt"] = text.encode("utf-8-sig")
                note = ET.SubElement(notes_el, _q("Note"), guid=guid,
                                     creatingUser=users.get(owner, ""),
                                     creationDateTime="2026-04-01T10:00:00Z", name=name,
                                     plainTextPath=f"internal://{guid}.txt")
                ET.SubElement(note, _q("Description"))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", ET.tostring(root, encoding="utf-8",
                                                         xml_declaration=True))
            for name, data in files.items():
                archive.writestr(f"sources/{name}", data)
        return buffer.getvalue()

    def write(self, path: Path) -> Path:
        path.write_bytes(self.export())
        return path
