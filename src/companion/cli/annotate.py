"""The session timeline by hand: phase starts, notes, and transcript corrections."""

from __future__ import annotations

import click

from companion.cli.base import current_study, emit_json, json_option, main
from companion.errors import InputError
from companion.notation import format_hms, parse_hms

# --- timeline: phases and notes ------------------------------------------------------


@main.command()
@click.argument("session_id", metavar="SESSION")
@click.argument("phase_id")
@click.option("--at", "at", required=True, metavar="HH:MM:SS", help="Session time of the start.")
@click.pass_context
def phase(ctx: click.Context, session_id: str, phase_id: str, at: str) -> None:
    """Place the start of phase PHASE_ID at a session time (e.g. on an imported recording)."""
    from companion.operations.marks import mark_phase
    from companion.operations.sessions import parse_session_id

    sid, at_ms = parse_session_id(session_id), parse_hms(at)
    mark_phase(current_study(ctx), sid, phase_id, at_ms)
    click.echo(f"Phase {phase_id} starts at {format_hms(at_ms)} in session {sid}")


@main.command()
@click.argument("session_id", metavar="SESSION")
@click.argument("text")
@click.option("--at", "at", metavar="HH:MM:SS", help="Session time the note refers to.")
@click.option("--code", "codes", multiple=True, metavar="ID", help="Tag with a codebook code "
              "(repeatable).")
@click.option("--kind", type=click.Choice(["note", "bookmark", "reflection"]), default="note",
              show_default=True, help="A field note, a bookmark, or a reflection afterwards.")
@json_option("the note")
@click.pass_context
def note(ctx: click.Context, session_id: str, text: str, at: str | None, codes: tuple[str, ...],
         kind: str, as_json: bool) -> None:
    """Add a note to SESSION, optionally at a session time and tagged with codes."""
    from companion.operations.notes import add_note
    from companion.operations.sessions import parse_session_id

    sid = parse_session_id(session_id)
    at_ms = parse_hms(at) if at else None
    added = add_note(current_study(ctx), sid, text, at_ms=at_ms, kind=kind, codes=codes)
    if as_json:
        emit_json(added.to_dict())
    else:
        where = f" at {format_hms(at_ms)}" if at_ms is not None else ""
        click.echo(f"Note {added.id} added to session {sid}{where}")


# --- transcript corrections ---------------------------------------------------------


@main.group()
def segment() -> None:
    """Correct a transcript segment (each correction is a new version, kept in the audit)."""


def _segment_id(text: str) -> int:
    from companion.limits import parse_id

    return parse_id("segment", text, "a segment id",
                    hint="see 'companion export SESSION --format json'")


@segment.command("correct")
@click.argument("segment_id", metavar="SEGMENT")
@click.argument("text")
@click.pass_context
def segment_correct(ctx: click.Context, segment_id: str, text: str) -> None:
    """Replace what was said in SEGMENT with TEXT."""
    from companion.operations.review import correct_segment

    seg = correct_segment(current_study(ctx), _segment_id(segment_id), text)
    click.echo(f"Segment {seg.id} is at version {seg.version}")


@segment.command("speaker")
@click.argument("segment_id", metavar="SEGMENT")
@click.argument("speaker", required=False)
@click.pass_context
def segment_speaker(ctx: click.Context, segment_id: str, speaker: str | None) -> None:
    """Say who spoke SEGMENT (I, the participant's code, ...; none: unknown)."""
    from companion.operations.review import set_speaker

    seg = set_speaker(current_study(ctx), _segment_id(segment_id), speaker)
    click.echo(f"Segment {seg.id}: speaker {seg.speaker or 'unknown'}")


@segment.command("split")
@click.argument("segment_id", metavar="SEGMENT")
@click.option("--at-word", "at_word", required=True, metavar="N",
              help="Number of the word that starts the second part (the first word is 0).")
@click.pass_context
def segment_split(ctx: click.Context, segment_id: str, at_word: str) -> None:
    """Split SEGMENT in two turns before word N."""
    from companion.operations.review import split_segment

    if not (at_word.strip().isascii() and at_word.strip().isdigit()
            and len(at_word.strip()) < 10):
        raise InputError("--at-word", at_word, "a word number (0 is the first word)")
    first, second = split_segment(current_study(ctx), _segment_id(segment_id), int(at_word))
    click.echo(f"Segment {first.id} ends at {format_hms(first.end_ms)}; segment "
               f"{second.id} starts at {format_hms(second.start_ms)}")


@segment.command("swap")
@click.argument("segment_id", metavar="SEGMENT")
@click.pass_context
def segment_swap(ctx: click.Context, segment_id: str) -> None:
    """Give SEGMENT to the session's other speaker (of its two)."""
    from companion.operations.review import swap_speaker

    seg = swap_speaker(current_study(ctx), _segment_id(segment_id))
    click.echo(f"Segment {seg.id}: speaker {seg.speaker or 'unknown'}")
