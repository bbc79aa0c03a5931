"""Coded projects coming back: ``import-qdpx`` (and ``--list``, ``--undo``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from companion.cli.base import current_study, emit_json, json_option, main
from companion.errors import InputError

if TYPE_CHECKING:
    from companion.operations.exchange import StoredImport

# An unplaced coding's passage, as far as one line shows it.
QUOTE_CHARS = 70


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@main.command("import-qdpx")
@click.argument("file", metavar="FILE", required=False)
@click.option("--coder", metavar="NAME", help="Who coded this project (default: the "
              "project's own users, as the tool wrote them on each coding).")
@click.option("--force", is_flag=True, help="Take a project none of whose texts is a "
              "transcript of this study, as a foreign project (its codes and memos).")
@click.option("--list", "list_them", is_flag=True, help="List the imports: project, coder, "
              "sessions, counts and whether each is in use.")
@click.option("--undo", "undo_id", metavar="ID", help="Take import ID back (the earlier "
              "import of its project it replaced is in use again).")
@json_option("the result")
@click.pass_context
def import_qdpx_cmd(ctx: click.Context, file: str | None, coder: str | None, force: bool,
                    list_them: bool, undo_id: str | None, as_json: bool) -> None:
    """Read a coded REFI-QDA project (.qdpx) back: codes, codings of the sessions'
    transcripts, memos. Transcripts and notes stay as they are; importing a later export
    of the same project replaces the earlier import."""
    from companion.operations import exchange

    study = current_study(ctx)
    chosen = [name for name, on in (("FILE", file is not None), ("--list", list_them),
                                    ("--undo", undo_id is not None)) if on]
    if len(chosen) != 1:
        raise InputError("import-qdpx", " ".join(chosen) or "nothing",
                         "one of: FILE (a .qdpx to import), --list, --undo ID")
    if list_them:
        imports = exchange.list_imports(study)
        if as_json:
            emit_json([asdict(i) for i in imports])
            return
        _print_imports(imports)
        return
    if undo_id is not None:
        undone = exchange.undo_import(study, undo_id)
        if as_json:
            emit_json(asdict(undone))
            return
        click.echo(f"Took back import {undone.import_id}"
                   + (f"; in use again: {', '.join(map(str, undone.restored))}"
                      if undone.restored else ""))
        return
    assert file is not None
    result = exchange.import_qdpx(study, file, coder=coder, force=force)
    if as_json:
        emit_json(asdict(result))
        return
    coder_note = f" coded by {result.coder}" if result.coder else ""
    click.echo(f"Imported {_n(result.codings, 'coding', 'codings')} of "
               f"{_n(len(result.sessions), 'session', 'sessions')}{coder_note}, "
               f"{_n(result.codes, 'code', 'codes')}, {_n(result.memos, 'memo', 'memos')} "
               f"from {file} (import {result.import_id})")
    if result.replaced:
        click.echo("  a later export of the same project: replaces import "
                   + ", ".join(map(str, result.replaced)))
    if result.foreign:
        click.echo("  a foreign project: none of its texts is a transcript of this study")
    if result.own_codings:
        click.echo(f"  {_n(result.own_codings, 'coding', 'codings')} companion wrote itself "
                   "(phases, notes, bookmarks, prompts, code tags, cases) recognised and "
                   "left out")
    if result.recording_codings:
        click.echo(f"  {_n(result.recording_codings, 'coding', 'codings')} of the recordings "
                   "themselves left out (only codings of the transcripts come back)")
    for name in result.unmatched_sources:
        click.echo(f"  not matched to a session: {name}")
    if result.unplaced:
        click.echo(f"  {_n(len(result.unplaced), 'coding', 'codings')} could not be placed "
                   "in a transcript:")
        for miss in result.unplaced:
            text = miss.text if len(miss.text) <= QUOTE_CHARS else (
                miss.text[:QUOTE_CHARS - 1] + "…")
            click.echo(f"    {miss.code} in {miss.source}: \u201c{text}\u201d")


def _print_imports(imports: list[StoredImport]) -> None:
    if not imports:
        click.echo("No coded project imported yet.")
        return
    click.echo(f"{'id':>3}  {'imported':<10}  {'status':<14}  {'tool':<14}  {'project':<22}  "
               f"{'coder':<12}  {'sessions':<10}  codings  memos")
    for i in imports:
        status = (f"replaced by {i.replaced_by}" if i.status == "replaced" and i.replaced_by
                  else "foreign" if i.foreign_project and i.status == "active" else i.status)
        sessions = ",".join(map(str, i.sessions)) or "–"
        click.echo(f"{i.id:>3}  {i.imported_at[:10]:<10}  {status:<14}  "
                   f"{(i.tool or '?')[:14]:<14}  {(i.project_name or i.file_name)[:22]:<22}  "
                   f"{(i.coder or '–')[:12]:<12}  {sessions[:10]:<10}  {i.codings:>7}  "
                   f"{i.memos:>5}")
