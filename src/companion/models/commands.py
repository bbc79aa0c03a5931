"""The ``companion model`` commands' work, so ``cli.py`` only declares the options."""

from __future__ import annotations

import json

import click

from companion.models.add import add_model
from companion.models.catalog import human_size, list_models


def run_list(as_json: bool) -> None:
    entries = list_models()
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    for e in entries:
        mark = "*" if e.installed else " "
        where = e.path or e.source
        extra = f"  [{e.source}]" if e.path else ""
        click.echo(f"{mark} {e.name:<18} {human_size(e.size_bytes):>8}  {e.languages:<12}  "
                   f"{where}{extra}")
    click.echo("* installed. For Dutch or any language but English choose a multilingual "
               "model; 'companion model download NAME' fetches one, only when you ask.")


def run_add(path: str, name: str | None, link: bool) -> None:
    added = add_model(path, name=name, link=link)
    how = "linked" if added.linked else "copied"
    languages = "multilingual" if added.multilingual else "English only"
    click.echo(f"Added model {added.name} ({human_size(added.size_bytes)}, {languages}), "
               f"{how} to {added.path}; use it with --model {added.name}")


def run_download(name: str, yes: bool) -> None:
    from companion.models.download import download, remote_model

    remote = remote_model(name)
    click.echo(f"{name}: {remote.repo_id}, {human_size(remote.size_bytes)} in "
               f"{len(remote.files)} files", err=True)
    if not yes and not click.confirm("Download it now?", default=False, err=True):
        raise click.exceptions.Exit(1)
    with click.progressbar(length=max(remote.size_bytes, 1), label=f"downloading {name}",
                           file=click.get_text_stream("stderr")) as bar:
        target = download(remote, bar.update)
    click.echo(f"Downloaded {name} to {target}; use it with --model {name}")
