"""Exports of a session for analysis software and scripts.

Formats: ``txt``, ``md``, ``f4`` (also ``f4-rtf``, ``f4-docx``), ``nvivo`` (timestamped
rows), ``docx``, ``srt``, ``vtt``, ``qdpx`` (REFI-QDA; ``qdpx-text`` adds the plain text),
``qdc`` (REFI-QDA codebook), ``codebook-csv`` (Taguette) and ``json``.
Every export is pseudonymised with the study's replacement list and written
atomically (temporary file, then rename) with mode 0600. Everything is checked before the
first byte is written, so a bad request writes nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from companion.errors import InputError
from companion.export.pseudonymise import build_document
from companion.files import (
    atomic_path,
    check_output_file,
    is_folder_request,
    make_private_dir,
    output_folder,
    output_target,
)
from companion.privacy.pseudonymise import study_pseudonymiser
from companion.session.document import SessionDocument
from companion.store.exports import record_export
from companion.store.sessions import get_session, list_sessions
from companion.study.folder import Study

Writer = Callable[[SessionDocument, Path], None]


def _rendered_by(module: str, function: str) -> Writer:
    """Writes the bytes ``companion.export.<module>.<function>`` renders from a document.
    The renderer is imported when a file is written: the TUI's first frame waits for no
    Word or XML library."""
    def write(doc: SessionDocument, path: Path) -> None:
        render: Callable[[SessionDocument], bytes] = getattr(
            importlib.import_module(f"companion.export.{module}"), function)
        path.write_bytes(render(doc))

    return write


def _qdpx(*, with_text: bool, for_qualcoder: bool = False) -> Writer:
    def write(doc: SessionDocument, path: Path) -> None:
        from companion.export.qdpx import write_qdpx

        write_qdpx([doc], path, with_text=with_text, for_qualcoder=for_qualcoder)

    return write


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    description: str
    write: Writer
    suffix: str = ""
    """Added to the session's file name, e.g. ``_f4``: formats that share an extension
    (or a folder) write files of different names."""
    tool: str | None = None  # the variant for one tool (``--for``), None: the standard one

    @property
    def kind(self) -> str:
        """How the export is recorded: ``qdpx``, or ``qdpx-for-qualcoder`` for a variant."""
        return f"{self.name}-for-{self.tool}" if self.tool else self.name


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("txt", ".txt", "transcript with [hh:mm:ss] timestamps (MAXQDA, ATLAS.ti, NVivo)",
           _rendered_by("text", "to_txt")),
    Format("md", ".md", "the same as Markdown", _rendered_by("text", "to_md")),
    Format("f4", ".txt", "paragraphs ending in #hh:mm:ss-t# (f4, MAXQDA)",
           _rendered_by("text", "to_f4"), suffix="_f4"),
    Format("f4-rtf", ".rtf", "the f4 transcript as RTF (f4analyse, f5, MAXQDA)",
           _rendered_by("f4", "to_f4_rtf"), suffix="_f4"),
    Format("f4-docx", ".docx", "the f4 transcript as Word (f4analyse, f5, MAXQDA)",
           _rendered_by("f4", "to_f4_docx"), suffix="_f4"),
    Format("nvivo", ".txt", "NVivo timestamped rows: hh:mm:ss.s, speaker, text (tab-separated)",
           _rendered_by("nvivo", "to_nvivo_rows"), suffix="_nvivo"),
    Format("docx", ".docx", "Word document, every paragraph starts with [hh:mm:ss] (NVivo)",
           _rendered_by("docx_export", "to_docx")),
    Format("srt", ".srt", "SubRip subtitles", _rendered_by("subtitles", "to_srt")),
    Format("vtt", ".vtt", "WebVTT subtitles with notes (Taguette, players)",
           _rendered_by("subtitles", "to_vtt")),
    Format("qdpx", ".qdpx", "REFI-QDA project (audio, transcript, codes, notes, cases)",
           _qdpx(with_text=False)),
    Format("qdpx-text", ".qdpx", "the same project plus the transcript as plain text (uncoded)",
           _qdpx(with_text=True), suffix="_text"),
    Format("qdc", ".qdc", "the codebook as a REFI-QDA codebook (QualCoder, MAXQDA, ATLAS.ti)",
           _rendered_by("codebook_files", "to_qdc"), suffix="_codebook"),
    Format("codebook-csv", ".csv", "the codebook as CSV (Taguette's codebook import)",
           _rendered_by("codebook_files", "to_taguette_csv"), suffix="_codebook"),
    Format("json", ".json", "everything about the session, for scripts",
           _rendered_by("json_export", "to_json")),
)}


# Variants of a format for one tool's reader (``--for TOOL``), where the standard file
# would land wrong in that tool: QualCoder's import places transcript codings one character
# late; Taguette shows WebVTT voice tags as text and drops NOTE blocks.
VARIANTS: dict[tuple[str, str], Format] = {(f.name, f.tool or ""): f for f in (
    Format("qdpx", ".qdpx", "REFI-QDA project whose transcript QualCoder places exactly",
           _qdpx(with_text=False, for_qualcoder=True), tool="qualcoder"),
    Format("qdpx-text", ".qdpx", "the same plus the plain text, for QualCoder",
           _qdpx(with_text=True, for_qualcoder=True), suffix="_text", tool="qualcoder"),
    Format("vtt", ".vtt", "WebVTT for Taguette: speakers and notes in the cue text",
           _rendered_by("subtitles", "to_vtt_taguette"), tool="taguette"),
)}


def get_format(name: str | None, for_tool: str | None = None) -> Format:
    key = (name or "").strip().lower()
    if key not in FORMATS:
        raise InputError("--format", name, "one of " + ", ".join(FORMATS))
    if for_tool is None:
        return FORMATS[key]
    tool = for_tool.strip().lower()
    if (key, tool) not in VARIANTS:
        offered = [t for (f, t) in VARIANTS if f == key]
        allowed = (f"with --format {key}: " + ", ".join(offered) if offered
                   else "--for only with " + ", ".join(
                       sorted({f"{f} ({t})" for f, t in VARIANTS})))
        raise InputError("--for", for_tool, allowed)
    return VARIANTS[(key, tool)]


def file_name(doc: SessionDocument, fmt: Format) -> str:
    tool = f"_{fmt.tool}" if fmt.tool else ""
    return f"{doc.basename}{fmt.suffix}{tool}{fmt.extension}"


def plan_export(
    study: Study, db: sqlite_utils.Database, *, session: str | int | None, all_sessions: bool,
    fmt: str | None, output: str | Path | None, force: bool = False,
    for_tool: str | None = None,
) -> list[tuple[SessionDocument, Path, Format]]:
    """Check the request and gather the documents; nothing is written. Returns
    (document, target file, format) for each file to write.

    ``-o`` never destroys: an existing file is refused unless ``force``, a symlink always,
    and the study's database and audio whatever ``force`` says (see :mod:`companion.files`).
    A trailing slash names a folder, created if missing.
    """
    chosen = get_format(fmt, for_tool)
    if session is None:
        if not all_sessions:
            raise InputError("session", None, "a session id, or --all for every session")
        ids = [s.id for s in list_sessions(db)]
    elif all_sessions:
        raise InputError("session", session, "a session id or --all, not both")
    else:
        ids = [get_session(db, session).id]
    if not ids:
        raise InputError("--all", "no sessions", "a study with at least one session")
    pseudo = study_pseudonymiser(study)
    root = study.root
    folder: Path | None = None
    if output is None:
        folder = make_private_dir(study.exports_dir)
    elif all_sessions:
        folder = output_folder(output, create=is_folder_request(output), study_root=root)
    plan = []
    for session_id in ids:
        # A fresh pseudonymiser per file, so each export counts its own replacements.
        doc = build_document(study, db, session_id, pseudonymiser=type(pseudo)(
            dict(pseudo.replacements)))
        name = file_name(doc, chosen)
        if folder is None:
            assert output is not None
            path = output_target(output, name, study_root=root, force=force)
        else:
            # In our own exports/ folder a new export of a session replaces the last one.
            path = check_output_file(folder / name, study_root=root,
                                     force=force or output is None)
        plan.append((doc, path, chosen))
    return plan


def write_plan(plan: Sequence[tuple[SessionDocument, Path, Format]], *,
               study: Study | None = None, db: sqlite_utils.Database | None = None,
               force: bool = True) -> list[Path]:
    """Write each planned file atomically; with ``study`` and ``db`` each is recorded in
    the store (withdrawal names the copies outside the study). ``force=False`` never
    replaces a file that appeared after the plan was checked."""
    written = []
    for doc, path, fmt in plan:
        with atomic_path(path, replace=force) as tmp:
            fmt.write(doc, tmp)
        written.append(path)
        if study is not None and db is not None:
            record_export(db, path=path, study_root=study.root, kind=fmt.kind,
                          session_id=doc.session.id,
                          participant_id=doc.session.participant_id)
    return written


__all__ = ["FORMATS", "VARIANTS", "Format", "SessionDocument", "build_document", "get_format",
           "plan_export", "write_plan"]
