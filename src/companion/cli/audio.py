"""Audio: microphones, recording without the screens, crash recovery, import."""

from __future__ import annotations

import click

from companion.cli.base import cli_state, emit_json, json_option, main
from companion.errors import InputError
from companion.notation import format_hms

# --- audio commands ---


@main.command()
@json_option()
def devices(as_json: bool) -> None:
    """List input devices (index, name, channels, default rate; * marks the default)."""
    from companion.audio.devices import list_input_devices

    found = list_input_devices()
    if as_json:
        emit_json([d.to_dict() for d in found])
        return
    if not found:
        click.echo("No input devices found.")
    for d in found:
        mark = "*" if d.is_default else " "
        click.echo(f"{mark} {d.index:>3}  {d.name}  ({d.channels} ch, "
                   f"{d.default_samplerate} Hz, {d.hostapi})")


@main.command()
@click.argument("session_id", metavar="SESSION")
@click.option("--device", metavar="NAME", help="Input device (name, part of it, or index); "
              "default: [audio] device, else the one used last in this study, else the "
              "system default.")
@click.option("--seconds", metavar="N", help="Stop after N seconds of audio (default: Ctrl-C).")
@click.option("--channels", metavar="1|2",
              help="1 microphone, or 2 (channel 1 interviewer, channel 2 participant); "
              "default: [audio] channels, else 1.")
@click.option("--format", "fmt", metavar="flac|wav",
              help="File format; default: [audio] format, else flac.")
@click.option("--samplerate", metavar="HZ",
              help="Sample rate; default: [audio] samplerate, else the device's own.")
@click.option("--silence", "silence", metavar="SECONDS",
              help="Warn when a channel is silent this long; default: [audio] "
              "silence_seconds, else 20.")
@click.option("--live", is_flag=True, help="Print a live transcript under the level line "
              "(made on this computer, in a separate low-priority process).")
@click.pass_context
def record(ctx: click.Context, session_id: str, device: str | None, seconds: str | None,
           channels: str | None, fmt: str | None, samplerate: str | None,
           silence: str | None, live: bool) -> None:
    """Record SESSION from a microphone until N seconds or Ctrl-C.

    Flags win over the study's companion.toml [audio] settings."""
    import sys

    from companion.cli.record_terminal import record_in_terminal
    from companion.operations.recording import RecordingOptions, prepare_recording
    from companion.operations.sessions import parse_session_id

    sid = parse_session_id(session_id)
    secs = _positive_number("seconds", seconds) if seconds is not None else None
    silence_s = _positive_number("silence", silence) if silence is not None else None
    if channels is not None and channels not in ("1", "2"):
        raise InputError("channels", channels, "1 or 2")
    if fmt is not None and fmt.lower() not in ("flac", "wav"):
        raise InputError("format", fmt, "flac or wav")
    if samplerate is not None and not (samplerate.isascii() and samplerate.isdigit()
                                       and 8000 <= int(samplerate) <= 192000):
        raise InputError("samplerate", samplerate, "a whole number of Hz from 8000 to 192000")
    study = cli_state(ctx).study()
    options = RecordingOptions(
        device=device, channels=int(channels) if channels is not None else None,
        fmt=fmt.lower() if fmt is not None else None,
        samplerate=int(samplerate) if samplerate is not None else None,
        silence_seconds=silence_s, max_seconds=secs)
    recording = prepare_recording(study, sid, options)
    final = record_in_terminal(study, sid, recording, sys.stdout, live=live)
    if final.stop_reason not in ("stopped", "seconds"):
        ctx.exit(1)


def _positive_number(field: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(field, text, "a number of seconds greater than 0") from None
    if not value > 0 or value != value or value == float("inf"):
        raise InputError(field, text, "a number of seconds greater than 0")
    return value


@main.command()
@click.argument("session_id", metavar="[SESSION]", required=False)
@json_option()
@click.pass_context
def recover(ctx: click.Context, session_id: str | None, as_json: bool) -> None:
    """Repair recordings a crash interrupted (all, or one SESSION) and mark them interrupted."""
    from companion.operations.recording import recover as recover_session
    from companion.operations.recording import recover_all
    from companion.operations.sessions import parse_session_id

    study = cli_state(ctx).study()
    if session_id is not None:
        reports = [recover_session(study, parse_session_id(session_id))]
    else:
        reports = recover_all(study)
    if as_json:
        emit_json([
            {"session_id": r.session_id, "status": r.status, "duration_ms": r.duration_ms,
             "segments": [{"path": seg.path, "frames": res.frames, "action": res.action}
                          for seg, res in r.segments]}
            for r in reports
        ])
        return
    if not reports:
        click.echo("Nothing to recover.")
    for r in reports:
        click.echo(f"Session {r.session_id}: {r.status}, {format_hms(r.duration_ms)} of audio")
        for seg, res in r.segments:
            click.echo(f"  {seg.path}: {res.action}, {res.frames} frames")


@main.command("import-audio")
@click.argument("session_id", metavar="SESSION")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def import_audio_cmd(ctx: click.Context, session_id: str, file: str) -> None:
    """Attach audio recorded elsewhere (WAV, FLAC, MP3, M4A…) to SESSION; keeps the original."""
    from companion.operations.recording import import_audio, truncation_warning
    from companion.operations.sessions import parse_session_id

    sid = parse_session_id(session_id)
    segment = import_audio(cli_state(ctx).study(), sid, file)

    if warning := truncation_warning(segment, file):
        click.echo(warning, err=True)
    click.echo(f"Imported {file} into session {sid} as {segment.path} "
               f"({format_hms(segment.duration_ms)}, at {format_hms(segment.offset_ms)}); "
               f"original kept as {segment.original_path}")
