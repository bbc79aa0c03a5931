"""``companion pseudonymise``: find the names, places and dates in what was said and
written, and decide which are replaced in pseudonymised exports."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from companion.cli.base import current_study, emit_json, main

if TYPE_CHECKING:
    from companion.operations.pseudonymise import Finding


@main.group()
def pseudonymise() -> None:
    """Identifiers in transcripts and notes: find them, review them, decide."""


def _say(message: str) -> None:
    click.echo(message, err=True)


@pseudonymise.command("detect")
@click.argument("session_id", metavar="SESSION", required=False)
@click.option("--all", "all_sessions", is_flag=True,
              help="Every session with a transcript or notes.")
@click.option("--again", is_flag=True, help="Search again even if nothing changed.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def detect_cmd(ctx: click.Context, session_id: str | None, all_sessions: bool, again: bool,
               as_json: bool) -> None:
    """Search SESSION (or --all) for identifiers, on this machine."""
    from companion.operations.pseudonymise import detect

    results = detect(current_study(ctx), session_id, all_sessions=all_sessions, force=again,
                     progress=_say)
    if as_json:
        emit_json([{"session": r.session_id, "language": r.language, "found": r.found,
                    "new": r.new, "open": r.open, "unchanged": r.skipped} for r in results])
        return
    for r in results:
        state = "unchanged since the last search" if r.skipped else f"{r.new} new"
        click.echo(f"Session {r.session_id} ({r.language}): {r.found} found, {state}, "
                   f"{r.open} open")


@pseudonymise.command("suggest")
@click.argument("session_id", metavar="SESSION")
@click.option("--open", "only_open", is_flag=True, help="Only the findings not yet decided.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def suggest_cmd(ctx: click.Context, session_id: str, only_open: bool, as_json: bool) -> None:
    """List SESSION's findings: id, where (segment or note, characters), time, kind, text,
    the label it gets, and whether an export already replaces it."""
    from companion.operations.pseudonymise import suggest

    result = suggest(current_study(ctx), session_id)
    findings = [f for f in result.findings if f.status == "open" or not only_open]
    if as_json:
        emit_json({"session": result.session_id, "participant": result.participant,
                   "language": result.language, "counts": result.counts,
                   "findings": [f.to_dict() for f in findings]})
        return
    counts = result.counts
    click.echo(f"Session {result.session_id} ({result.participant}, {result.language}): "
               f"{counts['open']} open, {counts['accepted']} accepted, "
               f"{counts['rejected']} rejected")
    for f in findings:
        where = f"{f.source} {f.ref_id}:{f.start_char}-{f.end_char}"
        done = f"replaced by {f.replaced}" if f.replaced else f"-> {f.label}"
        click.echo(f"{f.id:>5}  [{f.at}]  {f.status:<8} {f.kind:<11} {f.text!r:<28} "
                   f"{done}  ({where})")
        click.echo(f"       {f.context}")


def _print_decided(decided: list[Finding], as_json: bool) -> None:
    if as_json:
        emit_json([f.to_dict() for f in decided])
        return
    for f in decided:
        label = f" as {f.label}" if f.status == "accepted" else ""
        click.echo(f"{f.id:>5}  {f.status}{label}: {f.text!r} ({f.kind}, [{f.at}])")


@pseudonymise.command("accept")
@click.argument("session_id", metavar="SESSION")
@click.argument("items", metavar="ITEM...", nargs=-1)
@click.option("--as", "label", metavar="LABEL",
              help="The label to write instead, e.g. 'physiotherapist 1' (default: the one "
                   "the name has in the study, or a new one).")
@click.option("--whole-study", is_flag=True,
              help="Replace the name in every session of the study that says it.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def accept_cmd(ctx: click.Context, session_id: str, items: tuple[str, ...], label: str | None,
               whole_study: bool, as_json: bool) -> None:
    """Accept findings (ids from 'suggest'): their names are replaced in pseudonymised
    exports, with the same label in every session."""
    from companion.operations.pseudonymise import accept

    _print_decided(accept(current_study(ctx), session_id, list(items), label=label,
                          whole_study=whole_study), as_json)


@pseudonymise.command("reject")
@click.argument("session_id", metavar="SESSION")
@click.argument("items", metavar="ITEM...", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def reject_cmd(ctx: click.Context, session_id: str, items: tuple[str, ...],
               as_json: bool) -> None:
    """Reject findings that are no identifier; exports leave those words as said."""
    from companion.operations.pseudonymise import reject

    _print_decided(reject(current_study(ctx), session_id, list(items)), as_json)


@pseudonymise.command("prepare")
def prepare_cmd() -> None:
    """Build the Dutch name and place lists now (once per installation, a few minutes;
    scripts/setup.sh does this)."""
    from companion.operations.pseudonymise import prepare

    seconds = prepare(_say)
    click.echo(f"Dutch identifier lists ready ({seconds:.0f} s).")
