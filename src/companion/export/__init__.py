"""Exports of a session for analysis software and scripts.

Formats: ``txt``, ``md``, ``f4`` (also ``f4-rtf``, ``f4-docx``), ``nvivo`` (timestamped
rows), ``docx``, ``srt``, ``vtt``, ``qdpx`` (REFI-QDA; ``qdpx-text`` adds the plain text),
``qdc`` (REFI-QDA codebook), ``codebook-csv`` (Taguette) and ``json``.
Every export is pseudonymised with the study's replacement list (with ``pseudonymised``
also with the replacements decided in review) and written
atomically (temporary file, then rename) with mode 0600. Everything is checked before the
first byte is written, so a bad request writes nothing.
"""

from __future__ import annotations

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
from companion.privacy.pseudonymise import session_pseudonymiser
from companion.session.document import SessionDocument
from companion.store.exports import record_export
from companion.store.sessions import get_session, list_sessions
from companion.study.folder import Study


def _bytes_writer(render: Callable[[SessionDocument], bytes]
                  ) -> Callable[[SessionDocument, Path], None]:
    def write(doc: SessionDocument, path: Path) -> None:
        path.write_bytes(render(doc))

    return write


def _qdpx_writer(doc: SessionDocument, path: Path) -> None:
    from companion.export.qdpx import write_qdpx

    write_qdpx([doc], path)


def _qdpx_text_writer(doc: SessionDocument, path: Path) -> None:
    from companion.export.qdpx import write_qdpx

    write_qdpx([doc], path, with_text=True)


def _lazy(module: str, name: str) -> Callable[[SessionDocument], bytes]:
    def render(doc: SessionDocument) -> bytes:
        import importlib

        renderer: Callable[[SessionDocument], bytes] = getattr(
            importlib.import_module(module), name)
        return renderer(doc)

    return render


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    description: str
    write: Callable[[SessionDocument, Path], None]


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("txt", ".txt", "transcript with [hh:mm:ss] timestamps (MAXQDA, ATLAS.ti, NVivo)",
           _bytes_writer(_lazy("companion.export.text", "to_txt"))),
    Format("md", ".md", "the same as Markdown",
           _bytes_writer(_lazy("companion.export.text", "to_md"))),
    Format("f4", ".txt", "paragraphs ending in #hh:mm:ss-t# (f4, MAXQDA)",
           _bytes_writer(_lazy("companion.export.text", "to_f4"))),
    Format("f4-rtf", ".rtf", "the f4 transcript as RTF (f4analyse, f5, MAXQDA)",
           _bytes_writer(_lazy("companion.export.f4", "to_f4_rtf"))),
    Format("f4-docx", ".docx", "the f4 transcript as Word (f4analyse, f5, MAXQDA)",
           _bytes_writer(_lazy("companion.export.f4", "to_f4_docx"))),
    Format("nvivo", ".txt", "NVivo timestamped rows: hh:mm:ss.s, speaker, text (tab-separated)",
           _bytes_writer(_lazy("companion.export.nvivo", "to_nvivo_rows"))),
    Format("docx", ".docx", "Word document, every paragraph starts with [hh:mm:ss] (NVivo)",
           _bytes_writer(_lazy("companion.export.docx_export", "to_docx"))),
    Format("srt", ".srt", "SubRip subtitles", _bytes_writer(_lazy(
        "companion.export.subtitles", "to_srt"))),
    Format("vtt", ".vtt", "WebVTT subtitles with notes (Taguette, players)", _bytes_writer(
        _lazy("companion.export.subtitles", "to_vtt"))),
    Format("qdpx", ".qdpx", "REFI-QDA project (audio, transcript, codes, notes, cases)",
           _qdpx_writer),
    Format("qdpx-text", ".qdpx", "the same project plus the transcript as plain text (uncoded)",
           _qdpx_text_writer),
    Format("qdc", ".qdc", "the codebook as a REFI-QDA codebook (QualCoder, MAXQDA, ATLAS.ti)",
           _bytes_writer(_lazy("companion.export.codebook_files", "to_qdc"))),
    Format("codebook-csv", ".csv", "the codebook as CSV (Taguette's codebook import)",
           _bytes_writer(_lazy("companion.export.codebook_files", "to_taguette_csv"))),
    Format("json", ".json", "everything about the session, for scripts",
           _bytes_writer(_lazy("companion.export.json_export", "to_json"))),
)}


# The formats an analysis tool reads: pseudonymised by default when the study says so.
PSEUDONYMISED_BY_DEFAULT = ("qdpx", "qdpx-text", "docx", "txt", "md", "f4", "f4-rtf",
                            "f4-docx", "nvivo")
# The formats that carry the session's audio (the only ones --bleep changes).
WITH_AUDIO = ("qdpx", "qdpx-text")


def pseudonymised_by_default(study: Study, fmt: str | None) -> bool:
    """``export --pseudonymised`` without the flag: the study's ``[privacy] pseudonymise``
    for the formats analysis software reads."""
    return study.settings.privacy.pseudonymise and get_format(fmt).name in (
        PSEUDONYMISED_BY_DEFAULT)


def get_format(name: str | None) -> Format:
    key = (name or "").strip().lower()
    if key not in FORMATS:
        raise InputError("--format", name, "one of " + ", ".join(FORMATS))
    return FORMATS[key]


def file_name(doc: SessionDocument, fmt: Format) -> str:
    suffix = {"f4": "_f4", "f4-rtf": "_f4", "f4-docx": "_f4", "nvivo": "_nvivo",
              "qdc": "_codebook", "codebook-csv": "_codebook", "qdpx-text": "_text"}.get(
        fmt.name, "")
    return f"{doc.basename}{suffix}{fmt.extension}"


def plan_export(
    study: Study, db: sqlite_utils.Database, *, session: str | int | None, all_sessions: bool,
    fmt: str | None, output: str | Path | None, force: bool = False,
    pseudonymised: bool | None = None, bleep: bool = False,
) -> list[tuple[SessionDocument, Path, Format]]:
    """Check the request and gather the documents; nothing is written. Returns
    (document, target file, format) for each file to write.

    ``-o`` never destroys: an existing file is refused unless ``force``, a symlink always,
    and the study's database and audio whatever ``force`` says (see :mod:`companion.files`).
    A trailing slash names a folder, created if missing. ``pseudonymised`` (default: the
    study's choice for the format) applies the replacements decided in review too;
    ``bleep`` also covers the replaced words in the audio with a tone.
    """
    chosen = get_format(fmt)
    decided = (pseudonymised_by_default(study, chosen.name) if pseudonymised is None
               else pseudonymised)
    if bleep and not decided:
        raise InputError("--bleep", "without --pseudonymised", "--bleep together with "
                         "--pseudonymised (the words replaced are the ones bleeped)")
    if bleep and chosen.name not in WITH_AUDIO:
        raise InputError("--bleep", chosen.name, "a format that carries the audio: "
                         + ", ".join(WITH_AUDIO))
    if all_sessions and session is not None:
        raise InputError("session", session, "a session id or --all, not both")
    if not all_sessions and session is None:
        raise InputError("session", None, "a session id, or --all for every session")
    ids = ([s.id for s in list_sessions(db)] if all_sessions
           else [get_session(db, session).id])  # type: ignore[arg-type]
    if not ids:
        raise InputError("--all", "no sessions", "a study with at least one session")
    root = study.root
    folder: Path | None = None
    if output is None:
        folder = make_private_dir(study.exports_dir)
    elif all_sessions:
        folder = output_folder(output, create=is_folder_request(output), study_root=root)
    plan = []
    for session_id in ids:
        # A pseudonymiser per file, so each export counts its own replacements.
        doc = build_document(study, db, session_id, pseudonymiser=session_pseudonymiser(
            study, db, session_id, decided=decided), bleep=bleep)
        if output is None:
            assert folder is not None
            # Our own exports/ folder: a new export of a session replaces the last one.
            path = check_output_file(folder / file_name(doc, chosen), study_root=root,
                                     force=True)
        elif folder is not None:
            path = check_output_file(folder / file_name(doc, chosen), study_root=root,
                                     force=force)
        else:
            path = output_target(output, file_name(doc, chosen), study_root=root,
                                 force=force)
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
            record_export(db, path=path, study_root=study.root, kind=fmt.name,
                          session_id=doc.session.id,
                          participant_id=doc.session.participant_id)
    return written


__all__ = ["FORMATS", "PSEUDONYMISED_BY_DEFAULT", "WITH_AUDIO", "Format", "SessionDocument",
           "build_document", "get_format", "plan_export", "pseudonymised_by_default",
           "write_plan"]
