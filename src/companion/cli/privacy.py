"""Data protection: a participant's withdrawal and a session's audit trail."""

from __future__ import annotations

from typing import Any

import click

from companion.cli.base import current_study, emit_json, json_option, main

# --- data protection and audit -----------------------------------------------------


@main.command()
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option("the erasure receipt")
@click.pass_context
def withdraw(ctx: click.Context, code: str, yes: bool, as_json: bool) -> None:
    """Erase every trace of participant CODE (rows, index, audio, transcripts, exports)."""
    from companion.operations import participants
    from companion.operations.withdraw import pending
    from companion.operations.withdraw import withdraw as erase

    study = current_study(ctx)
    name = pending(study, code) or participants.get(study, code).code
    if not yes and not click.confirm(
        f"Erase participant {name} and all their sessions, audio and exports? "
        "This cannot be undone", default=False,
    ):
        raise click.exceptions.Exit(1)
    receipt = erase(study, name)
    if as_json:
        emit_json(receipt.to_dict())
    else:
        click.echo("\n".join(receipt.lines()))


@main.command()
@click.argument("session_id", metavar="SESSION")
@json_option()
@click.pass_context
def audit(ctx: click.Context, session_id: str, as_json: bool) -> None:
    """Every change made to SESSION, oldest first: the study's audit trail."""
    from companion.operations.audit import trail as session_trail

    trail = session_trail(current_study(ctx), session_id)
    if as_json:
        emit_json(trail)
        return
    for entry in trail:
        what = f"{entry['entity']} {entry['entity_id'] or ''}".strip()
        click.echo(f"{entry['at']}  {entry['action']:<8} {what}  {_describe(entry)}")


def _describe(entry: dict[str, Any]) -> str:
    after, before = entry.get("after") or {}, entry.get("before") or {}
    if entry["action"] == "edit" and isinstance(before, dict) and "text" in before:
        # Note and transcript corrections: the trail shows what the text was before.
        return f"{before.get('text', '')!r} -> {after.get('text', '')!r}"
    keys = ("phase_id", "text", "status", "kind", "target", "speaker", "at_ms")
    return ", ".join(f"{k}={after[k]}" for k in keys if isinstance(after, dict) and k in after)
