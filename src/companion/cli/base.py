"""The ``companion`` command group, its error handling and the helpers of every command."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
from click.decorators import FC

from companion import __version__
from companion.errors import CompanionError, one_line
from companion.study.folder import Study, init_study, open_study, resolve_study_dir
from companion.tomlcheck import TomlFileError


class OneLineUsageError(click.ClickException):
    """click's usage error (a bad option or argument) said in one line, as our own errors
    are: the command, what was wrong and where to look, exit status 2."""

    exit_code = 2

    def __init__(self, error: click.UsageError) -> None:
        where = error.ctx.command_path if error.ctx is not None else "companion"
        text = one_line(" ".join(error.format_message().split()))
        super().__init__(f"{one_line(where)}: {text} (see '{one_line(where)} --help')")

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def _one_line(error: click.UsageError) -> click.ClickException:
    # A group called without its command shows its help: that is an answer, not an error.
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        return error
    return OneLineUsageError(error)


class CompanionGroup(click.Group):
    """Turns CompanionError into one line on stderr and its exit code (never a traceback);
    click's usage errors too."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        for position, arg in enumerate(args, start=1):
            # No shell can pass one; a caller that does would meet ValueError in the
            # first path it touches.
            if "\x00" in arg:
                raise OneLineUsageError(click.UsageError(
                    f"argument {position} ({arg!r}) holds a NUL character", ctx=None))
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except CompanionError as exc:
            # One line (a settings file's several problems: one line each).
            lines = ([str(p) for p in exc.problems] if isinstance(exc, TomlFileError)
                     else [str(exc)])
            click.echo("\n".join(f"error: {one_line(line)}" for line in lines), err=True)
            ctx.exit(exc.exit_code)
        except (OSError, sqlite3.Error) as exc:  # a full disk, a read-only folder, …
            from companion.files import describe_failure

            click.echo(f"error: {one_line(describe_failure(exc))}", err=True)
            ctx.exit(2)


@dataclass
class CliState:
    study_option: str | None

    def study(self) -> Study:
        return open_study(resolve_study_dir(self.study_option))


def cli_state(ctx: click.Context) -> CliState:
    state = ctx.find_root().obj
    if not isinstance(state, CliState):  # every command runs under ``main``, which sets it
        raise RuntimeError("a companion command ran outside the companion group")
    return state


def current_study(ctx: click.Context) -> Study:
    return cli_state(ctx).study()


def option_group(*options: Callable[[FC], FC]) -> Callable[[FC], FC]:
    """Options several commands share, as one decorator (listed in ``--help`` order)."""
    def apply(command: FC) -> FC:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def json_option(what: str = "") -> Callable[[FC], FC]:
    """``--json``: print ``what`` (default: the result) as JSON for scripts, not as lines."""
    return click.option("--json", "as_json", is_flag=True,
                        help=f"Print {what} as JSON." if what else "Print JSON.")


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(name="companion", cls=CompanionGroup, invoke_without_command=True)
@click.option("--study", "study_option", metavar="DIR",
              help="Study folder (default: $COMPANION_STUDY, else the current folder).")
@click.version_option(__version__, prog_name="companion")
@click.pass_context
def main(ctx: click.Context, study_option: str | None) -> None:
    """A terminal companion for qualitative research interviews.

    Run without a command to open the interview screens; the commands below do the same
    work from the shell.
    """
    # Everything companion writes is participant data: private to the user by default.
    os.umask(0o077)
    ctx.obj = CliState(study_option)
    if ctx.invoked_subcommand is None:
        _launch_tui(ctx)


def _launch_tui(ctx: click.Context) -> None:
    from companion.tui.app import run_app

    root = resolve_study_dir(cli_state(ctx).study_option)
    # A new or empty folder becomes a study, as `make run` promises; a folder with other
    # files in it is not taken over (that would scatter a database into, say, $HOME).
    if not Study(root).db_path.exists() and (not root.exists() or not any(root.iterdir())):
        study, _ = init_study(root)
        click.echo(f"Created a new study in {study.root}")
    run_app(cli_state(ctx).study())
