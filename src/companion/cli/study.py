"""Commands on the study itself: make one, its protocols, and the health check."""

from __future__ import annotations

import click

from companion.cli.base import cli_state, emit_json, json_option, main
from companion.study.folder import init_study, resolve_study_dir

# --- study ---------------------------------------------------------------------------


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create a study folder (database, recordings/, exports/) here or at --study."""
    root = resolve_study_dir(cli_state(ctx).study_option)
    study, created = init_study(root)
    verb = "Created" if created else "Checked"
    click.echo(f"{verb} study in {study.root} (database, recordings/, exports/; private to you)")


# --- protocols -----------------------------------------------------------------------


@main.group()
def protocol() -> None:
    """Interview protocols: phases, prompts, instrument, suggestion rules, codebook."""


@protocol.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
def protocol_check(file: str) -> None:
    """Validate a protocol file; list every problem at once."""
    from pathlib import Path

    from companion.operations.protocols import check_file

    proto, source = check_file(Path(file))
    prompts = sum(len(phase.prompts) for phase in proto.phases)
    click.echo(
        f"{file}: ok — '{proto.id}' ({proto.title}): {len(proto.phases)} phases, "
        f"{prompts} prompts, {len(proto.rules)} suggestion rules, {len(proto.codes)} codes"
    )
    if source is not None:
        click.echo(f"{file}: same structure as '{source.id}' ({source.language} -> "
                   f"{proto.language}): phase, prompt, code and rule ids, instrument")


@protocol.command("list")
@json_option()
@click.pass_context
def protocol_list(ctx: click.Context, as_json: bool) -> None:
    """Protocols available to this study (the study's own win by id)."""
    from companion.protocol.registry import available_protocols

    root = resolve_study_dir(cli_state(ctx).study_option)
    found = available_protocols(root if (root / "companion.db").exists() else None)
    rows = [
        {"id": p.id, "title": p.title, "language": p.language, "phases": [ph.id for ph in p.phases],
         "instrument": p.instrument.id if p.instrument else None, "path": str(p.path)}
        for p in found.values()
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(f"{row['id']:<20} {row['language']:<4} {row['title']}")




@main.command()
@click.option("--repair", is_flag=True, help="Also restore a damaged database from its newest "
              "backup and complete an interrupted withdrawal.")
@click.pass_context
def doctor(ctx: click.Context, repair: bool) -> None:
    """Check audio, model, disk, permissions, database, withdrawals and interrupted sessions."""
    from companion.operations.doctor import check
    from companion.study.folder import open_study

    # A study whose database went missing is still the doctor's patient.
    study = open_study(resolve_study_dir(cli_state(ctx).study_option), for_repair=True)
    findings = check(study, repair=repair)
    for finding in findings:
        click.echo(finding.line())
    if not all(f.ok for f in findings):
        ctx.exit(1)
