"""Speakers: the interviewer's enrolled voice (kept only in the study folder)."""

from __future__ import annotations

import click

from companion.cli.base import cli_state, main


@main.group()
def speaker() -> None:
    """The interviewer's enrolled voice (kept only in the study folder)."""


@speaker.command("enrol")
@click.option("--from-session", "session_id", metavar="SESSION",
              help="A two-channel session (the interviewer on --channel), or one whose "
                   "transcript names the interviewer I.")
@click.option("--channel", type=int, default=1, show_default=True,
              help="The interviewer's channel in a two-channel session (1 left, 2 right).")
@click.option("--file", "file", metavar="WAV", help="A short recording of the interviewer.")
@click.pass_context
def speaker_enrol(ctx: click.Context, session_id: str | None, channel: int,
                  file: str | None) -> None:
    """Learn the interviewer's voice once per study: mono sessions then name it I."""
    from companion.operations.speakers import enrol_interviewer

    info = enrol_interviewer(cli_state(ctx).study(), session_id=session_id, channel=channel,
                             file=file)
    click.echo(f"Enrolled the interviewer's voice from {info['source']} "
               f"({info['seconds']} s of speech); kept in the study folder only.")


@speaker.command("forget")
@click.pass_context
def speaker_forget(ctx: click.Context) -> None:
    """Erase the enrolled interviewer voice from the study folder."""
    from companion.operations.speakers import forget_interviewer

    if forget_interviewer(cli_state(ctx).study()):
        click.echo("Erased the enrolled interviewer voice.")
    else:
        click.echo("No interviewer voice was enrolled.")


@speaker.command("rename")
@click.argument("session_id", metavar="SESSION")
@click.argument("old")
@click.argument("new")
@click.pass_context
def speaker_rename(ctx: click.Context, session_id: str, old: str, new: str) -> None:
    """Call speaker OLD by NEW in every segment of SESSION (a name instead of P05)."""
    from companion.operations.review import rename_speaker
    from companion.operations.sessions import parse_session_id

    changed = rename_speaker(cli_state(ctx).study(), parse_session_id(session_id), old, new)
    click.echo(f"Renamed {old} to {' '.join(new.split())} in {changed} segments")
