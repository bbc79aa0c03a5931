"""``companion model``: the Whisper models installed and known, add a folder, download one
on request (the size shown first, then a progress bar)."""

from __future__ import annotations

import sys

import click

from companion.cli.base import emit_json, json_option, main


@main.group()
def model() -> None:
    """Whisper models: installed and known ones, add a folder, download on request."""


@model.command("list")
@json_option()
def model_list(as_json: bool) -> None:
    """Installed and known models: size, languages, where they are."""
    from companion.models.catalog import human_size
    from companion.operations.models import known

    entries = known()
    if as_json:
        emit_json([e.to_dict() for e in entries])
        return
    for e in entries:
        mark = "*" if e.installed else " "
        where = e.path or e.source
        extra = f"  [{e.source}]" if e.path else ""
        click.echo(f"{mark} {e.name:<18} {human_size(e.size_bytes):>8}  {e.languages:<12}  "
                   f"{where}{extra}")
    click.echo("* installed. For Dutch or any language but English choose a multilingual "
               "model; 'companion model download NAME' fetches one, only when you ask.")


@model.command("add")
@click.argument("path")
@click.option("--name", metavar="NAME", help="Name to use it by (default: the folder's name).")
@click.option("--link", is_flag=True, help="Link to the folder instead of copying it.")
def model_add(path: str, name: str | None, link: bool) -> None:
    """Add a faster-whisper (CTranslate2) model folder to your model folder, checked."""
    from companion.models.catalog import human_size
    from companion.operations.models import add

    added = add(path, name=name, link=link)
    how = "linked" if added.linked else "copied"
    languages = "multilingual" if added.multilingual else "English only"
    click.echo(f"Added model {added.name} ({human_size(added.size_bytes)}, {languages}), "
               f"{how} to {added.path}; use it with --model {added.name}")


@model.command("download")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask before downloading.")
def model_download(name: str, yes: bool) -> None:
    """Download model NAME from the Hugging Face hub (size shown first; the only network use)."""
    from companion.models.catalog import human_size
    from companion.operations.models import fetch, remote

    wanted = remote(name)
    click.echo(f"{name}: {wanted.repo_id}, {human_size(wanted.size_bytes)} in "
               f"{len(wanted.files)} files", err=True)
    if not yes and not click.confirm("Download it now?", default=False, err=True):
        raise click.exceptions.Exit(1)
    with click.progressbar(length=max(wanted.size_bytes, 1), label=f"downloading {name}",
                           file=sys.stderr) as bar:
        target = fetch(wanted, bar.update)
    click.echo(f"Downloaded {name} to {target}; use it with --model {name}")
