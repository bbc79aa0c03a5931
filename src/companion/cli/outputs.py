"""What leaves companion: transcription on this machine, exports, the study report (coded
projects coming back: :mod:`companion.cli.exchange`)."""

from __future__ import annotations

import click

from companion.cli.base import current_study, emit_json, json_option, main

# --- transcription commands ---


@main.command()
@click.argument("session_id", metavar="SESSION", required=False)
@click.option("--all", "all_sessions", is_flag=True,
              help="Every session with audio and no finished transcript, one after another.")
@click.option("--model", metavar="NAME|PATH",
              help="A model from 'companion model list' (base, tiny.en…), a hub size (small, "
                   "large-v3…: downloaded once) or a model folder. Default: companion.toml, "
                   "else tiny.en for English and the multilingual base for other languages.")
@click.option("--language", metavar="CODE",
              help="Spoken language, e.g. nl or en (default: companion.toml, else the protocol).")
@click.option("--threads", type=int, default=0, show_default=True,
              help="CPU threads (0: automatic).")
@click.option("--restart", is_flag=True, help="Discard the existing transcript and start over.")
@click.option("--speakers", default="auto", show_default=True, metavar="auto|none",
              help="On one-channel audio, tell the voices apart (the enrolled interviewer "
                   "is I); none leaves speakers to review.")
@json_option("the result")
@click.pass_context
def transcribe(ctx: click.Context, session_id: str | None, all_sessions: bool, model: str | None,
               language: str | None, threads: int, restart: bool, speakers: str,
               as_json: bool) -> None:
    """Transcribe SESSION's audio on this machine; an interrupted run continues where it
    stopped."""
    from companion.cli import transcription

    transcription.run(current_study(ctx), session_id, all_sessions=all_sessions, model=model,
                      language=language, threads=threads, restart=restart, as_json=as_json,
                      speakers=speakers)


# --- export and report commands ---


_force = click.option("--force", is_flag=True, help="Replace a file that exists at -o (never "
                      "the study's database or audio).")


@main.command("export")
@click.argument("session_id", metavar="SESSION", required=False)
@click.option("--all", "all_sessions", is_flag=True, help="Export every session (one file "
              "each) into the folder given with -o.")
@click.option("--format", "fmt", metavar="F", required=True,
              help="txt, md, f4, f4-rtf, f4-docx, nvivo, docx, srt, vtt, qdpx, qdpx-text, "
              "qdc, codebook-csv or json.")
@click.option("-o", "--output", metavar="PATH", help="File (or folder) to write; with --all "
              "an existing folder; ending in / : a folder, created if missing. Default: the "
              "study's exports/ folder.")
@click.option("--for", "for_tool", metavar="TOOL", help="The format's variant for one "
              "tool: qdpx (or qdpx-text) for qualcoder, whose import would place every "
              "transcript coding one character late; vtt for taguette (speakers and notes "
              "in the cue text).")
@_force
@json_option("the files written")
@click.pass_context
def export_cmd(ctx: click.Context, session_id: str | None, all_sessions: bool, fmt: str,
               for_tool: str | None, output: str | None, force: bool, as_json: bool) -> None:
    """Export SESSION (or --all) for analysis software: pseudonymised, written atomically."""
    from companion.operations.export import export

    written = export(current_study(ctx), session=session_id, all_sessions=all_sessions, fmt=fmt,
                     output=output, force=force, for_tool=for_tool)
    if as_json:
        emit_json([{"session": w.session_id, "format": w.format, "path": str(w.path)}
                    for w in written])
        return
    from companion.files import outside_note

    for w in written:
        click.echo(f"Wrote {w.path}{outside_note(w.path, current_study(ctx).root)}")


@main.command("report")
@click.option("--format", "fmt", default="md", show_default=True, metavar="F",
              help="md, html or json.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of printing "
              "(ending in / : a folder, created if missing).")
@_force
@click.pass_context
def report_cmd(ctx: click.Context, fmt: str, output: str | None, force: bool) -> None:
    """The study report: sample (Table 1), WAI-ReD (Table 2), durations, saturation."""
    from companion.operations import report

    study = current_study(ctx)
    if output:
        path = report.write(study, fmt, output, force=force)
        from companion.files import outside_note

        click.echo(f"Wrote {path}{outside_note(path, study.root)}")
    else:
        click.echo(report.render(study, fmt), nl=False)
