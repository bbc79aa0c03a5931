"""The command line: one thin front on the same functions the TUI calls.

Every error a user can cause prints one line (field, value, what is allowed) and exits 2
before anything is written. Listing commands take ``--json`` and print a stable document:
a list of objects (or one object) with named fields.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from typing import Any

import click

from companion import __version__
from companion.errors import CompanionError, InputError
from companion.study.folder import Study, init_study, open_study, resolve_study_dir
from companion.timefmt import format_hms, parse_hms


class CompanionGroup(click.Group):
    """Turns CompanionError into one line on stderr and its exit code (never a traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CompanionError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@dataclass
class CliState:
    study_option: str | None

    def study(self) -> Study:
        return open_study(resolve_study_dir(self.study_option))


def _state(ctx: click.Context) -> CliState:
    return ctx.find_root().obj


def _open(ctx: click.Context):
    study = _state(ctx).study()
    return study, study.db()


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(cls=CompanionGroup, invoke_without_command=True)
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

    run_app(_state(ctx).study())


# --- study ---------------------------------------------------------------------------


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create a study folder (database, recordings/, exports/) here or at --study."""
    root = resolve_study_dir(_state(ctx).study_option)
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

    from companion.protocol.loader import load_protocol

    proto = load_protocol(Path(file))
    prompts = sum(len(phase.prompts) for phase in proto.phases)
    click.echo(
        f"{file}: ok — '{proto.id}' ({proto.title}): {len(proto.phases)} phases, "
        f"{prompts} prompts, {len(proto.rules)} suggestion rules, {len(proto.codes)} codes"
    )


@protocol.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def protocol_list(ctx: click.Context, as_json: bool) -> None:
    """Protocols available to this study (the study's own win by id)."""
    from companion.protocol.registry import available_protocols

    root = resolve_study_dir(_state(ctx).study_option)
    found = available_protocols(root if (root / "companion.db").exists() else None)
    rows = [
        {"id": p.id, "title": p.title, "language": p.language, "phases": [ph.id for ph in p.phases],
         "instrument": p.instrument.id if p.instrument else None, "path": str(p.path)}
        for p in found.values()
    ]
    if as_json:
        _emit_json(rows)
        return
    for row in rows:
        click.echo(f"{row['id']:<20} {row['language']:<4} {row['title']}")


# --- participants --------------------------------------------------------------------


@main.group()
def participant() -> None:
    """Participants: pseudonym codes and characteristics (never real names)."""


@participant.command("add")
@click.argument("code")
@click.option("--gender", help="female, male or other")
@click.option("--age-band", help="<35, 35-55 or >55")
@click.option("--education", help="low, middle or high")
@click.option("--pain-duration", help="years of chronic pain: 2-5, 5-10 or >10")
@click.option("--work-status", help="working, reintegrating, not-working, student or retired")
@click.option("--pdi", help="Pain Disability Index, 0-70")
@click.option("--csi", help="Central Sensitization Inventory, 0-100")
@click.option("--consent-date", help="date written consent was given, YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True, help="Print the participant as JSON.")
@click.pass_context
def participant_add(ctx: click.Context, code: str, as_json: bool, **characteristics: Any) -> None:
    """Add a participant under a pseudonym code such as P05."""
    from companion.store.participants import add_participant

    _, db = _open(ctx)
    added = add_participant(db, code, **{k: v for k, v in characteristics.items() if v is not None})
    if as_json:
        _emit_json(added.to_dict())
    else:
        click.echo(f"Added participant {added.code}")


@participant.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def participant_list(ctx: click.Context, as_json: bool) -> None:
    """List participants and their characteristics."""
    from companion.store.participants import list_participants

    _, db = _open(ctx)
    rows = [p.to_dict() for p in list_participants(db)]
    if as_json:
        _emit_json(rows)
        return
    if not rows:
        click.echo("No participants yet: add one with 'companion participant add P01'.")
    for row in rows:
        traits = ", ".join(
            f"{k.replace('_', ' ')} {row[k]}"
            for k in ("gender", "age_band", "education", "pain_duration", "work_status", "pdi",
                      "csi")
            if row[k] is not None
        )
        consent = f"consent {row['consent_date']}" if row["consent_date"] else "no consent yet"
        click.echo(f"{row['code']:<8} {consent:<20} {traits}")


# --- sessions ------------------------------------------------------------------------


@main.group()
def session() -> None:
    """Interview sessions."""


@session.command("new")
@click.argument("code")
@click.option("--protocol", "protocol_id", metavar="ID", help="Protocol id (default: the "
              "study's, else pain-alliance).")
@click.option("--interviewer", metavar="NAME", help="Who conducts the interview.")
@click.option("--pilot", is_flag=True, help="A pilot interview: kept apart in the tables.")
@click.option("--json", "as_json", is_flag=True, help="Print the new session as JSON.")
@click.pass_context
def session_new(ctx: click.Context, code: str, protocol_id: str | None, interviewer: str | None,
                pilot: bool, as_json: bool) -> None:
    """Plan a new session for participant CODE; prints its id."""
    from companion.interview import new_session

    study, db = _open(ctx)
    created = new_session(study, db, code, protocol_id=protocol_id, interviewer=interviewer,
                          pilot=pilot)
    if as_json:
        _emit_json(created.to_dict())
    else:
        click.echo(created.id)


@session.command("list")
@click.option("--participant", "participant_code", metavar="CODE", help="Only this participant.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def session_list(ctx: click.Context, participant_code: str | None, as_json: bool) -> None:
    """List sessions with status."""
    from companion.store.sessions import list_sessions

    _, db = _open(ctx)
    rows = [s.to_dict() for s in list_sessions(db, participant_code)]
    if as_json:
        _emit_json(rows)
        return
    if not rows:
        click.echo("No sessions yet: plan one with 'companion session new CODE'.")
    for row in rows:
        duration = format_hms(row["duration_ms"]) if row["duration_ms"] else "--:--:--"
        pilot = " pilot" if row["pilot"] else ""
        click.echo(f"{row['id']:>4}  {row['participant_code']:<8} {row['status']:<12} "
                   f"{duration}  {row['protocol_id']}{pilot}  {row['created_at'][:10]}")


@session.command("show")
@click.argument("session_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def session_show(ctx: click.Context, session_id: str, as_json: bool) -> None:
    """Show one session: ratings, phases, prompts and notes."""
    from companion.interview import overview

    study, db = _open(ctx)
    info = overview(study, db, session_id)
    if as_json:
        _emit_json(info.to_dict())
        return
    s = info.session
    click.echo(f"Session {s.id} — participant {s.participant_code} — {s.status}"
               f"{' (pilot)' if s.pilot else ''}")
    click.echo(f"Protocol: {info.protocol.id} ({info.protocol.title})")
    if s.interviewer:
        click.echo(f"Interviewer: {s.interviewer}")
    for stored, score in info.ratings:
        domains = "  ".join(
            f"{d.capitalize()} {_num(v)}{'*' if score.prorated.get(d) else ''}"
            for d, v in score.domains.items()
        )
        click.echo(f"WAI {stored.target:<5} ({stored.role}): {domains}  Total {_num(score.total)}")
    for event in info.phases:
        click.echo(f"[{format_hms(event['at_ms'])}] phase {event['phase_id']}")
    for note in info.notes:
        stamp = format_hms(note.at_ms) if note.at_ms is not None else "--:--:--"
        codes = f" #{' #'.join(note.codes)}" if note.codes else ""
        click.echo(f"[{stamp}] {note.kind}: {note.text}{codes}")


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


# --- WAI-ReD ratings and suggestions -------------------------------------------------


@main.group()
def wai() -> None:
    """WAI-ReD ratings: the most and the least positive alliance."""


@wai.command("set")
@click.argument("session_id", metavar="SESSION")
@click.option("--target", type=click.Choice(["most", "least"]), required=True,
              help="Which professional: the most or the least positive alliance.")
@click.option("--role", required=True, help="The professional's role, e.g. physiotherapist.")
@click.option("--items", metavar="N,N,...", help="The 12 item scores (0-100), in item order; "
              "leave an entry empty or '-' when missing.")
@click.option("--task", metavar="N", help="Task domain score (0-400), instead of items.")
@click.option("--goal", metavar="N", help="Goal domain score (0-400), instead of items.")
@click.option("--bond", metavar="N", help="Bond domain score (0-400), instead of items.")
@click.option("--json", "as_json", is_flag=True, help="Print the scored rating as JSON.")
@click.pass_context
def wai_set(ctx: click.Context, session_id: str, target: str, role: str, items: str | None,
            task: str | None, goal: str | None, bond: str | None, as_json: bool) -> None:
    """Enter a WAI-ReD rating for SESSION, as 12 items or 3 domain scores."""
    from companion.interview import parse_items, rate
    from companion.store.sessions import parse_session_id

    domain_values = {"task": task, "goal": goal, "bond": bond}
    given = {k: v for k, v in domain_values.items() if v is not None}
    if items is not None and given:
        raise InputError("--items", items, "either --items or --task/--goal/--bond, not both")
    if items is None and len(given) != 3:
        missing = sorted(set(domain_values) - set(given))
        raise InputError("--" + missing[0], None, "--items N,N,... (12 values) or all three "
                         "of --task, --goal, --bond")
    sid = parse_session_id(session_id)
    study, db = _open(ctx)
    if items is not None:
        stored, score = rate(study, db, sid, target=target, role=role, items=parse_items(items))
    else:
        stored, score = rate(study, db, sid, target=target, role=role,
                             domains={k: _parse_domain(k, v) for k, v in given.items()})
    if as_json:
        _emit_json({**stored.to_dict(), "prorated": score.prorated})
        return
    domains = "  ".join(f"{d.capitalize()} {_num(v)}" for d, v in score.domains.items())
    click.echo(f"Saved {target} positive ({stored.role}): {domains}  Total {_num(score.total)}")


def _parse_domain(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"--{name}", text, "a number from 0 to 400") from None


@main.command()
@click.argument("session_id", metavar="SESSION")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def suggest(ctx: click.Context, session_id: str, as_json: bool) -> None:
    """Deepening questions proposed from the session's ratings, each with its reason."""
    from companion.interview import session_suggestions

    study, db = _open(ctx)
    items = session_suggestions(study, db, session_id)
    if as_json:
        _emit_json([asdict(s) for s in items])
        return
    if not items:
        click.echo("No suggestions: enter both WAI-ReD ratings first ('companion wai set').")
    for s in items:
        click.echo(f"{s.rank}. {s.text}\n   why: {s.reason}  [{s.rule_id}]")


# --- timeline: phases and notes ------------------------------------------------------


@main.command()
@click.argument("session_id", metavar="SESSION")
@click.argument("phase_id")
@click.option("--at", "at", required=True, metavar="HH:MM:SS", help="Session time of the start.")
@click.pass_context
def phase(ctx: click.Context, session_id: str, phase_id: str, at: str) -> None:
    """Place the start of phase PHASE_ID at a session time (e.g. on an imported recording)."""
    from companion.interview import mark_phase
    from companion.store.sessions import parse_session_id

    sid, at_ms = parse_session_id(session_id), parse_hms(at)
    study, db = _open(ctx)
    mark_phase(study, db, sid, phase_id, at_ms)
    click.echo(f"Phase {phase_id} starts at {format_hms(at_ms)} in session {sid}")


@main.command()
@click.argument("session_id", metavar="SESSION")
@click.argument("text")
@click.option("--at", "at", metavar="HH:MM:SS", help="Session time the note refers to.")
@click.option("--code", "codes", multiple=True, metavar="ID", help="Tag with a codebook code "
              "(repeatable).")
@click.option("--kind", type=click.Choice(["note", "bookmark", "reflection"]), default="note",
              show_default=True, help="A field note, a bookmark, or a reflection afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print the note as JSON.")
@click.pass_context
def note(ctx: click.Context, session_id: str, text: str, at: str | None, codes: tuple[str, ...],
         kind: str, as_json: bool) -> None:
    """Add a note to SESSION, optionally at a session time and tagged with codes."""
    from companion.interview import add_note
    from companion.store.sessions import parse_session_id

    sid = parse_session_id(session_id)
    at_ms = parse_hms(at) if at else None
    study, db = _open(ctx)
    added = add_note(study, db, sid, text, at_ms=at_ms, kind=kind, codes=codes)
    if as_json:
        _emit_json(added.to_dict())
    else:
        where = f" at {format_hms(at_ms)}" if at_ms is not None else ""
        click.echo(f"Note {added.id} added to session {sid}{where}")


# --- data protection and audit -----------------------------------------------------


@main.command()
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the erasure receipt as JSON.")
@click.pass_context
def withdraw(ctx: click.Context, code: str, yes: bool, as_json: bool) -> None:
    """Erase every trace of participant CODE (rows, index, audio, transcripts, exports)."""
    from companion.privacy.withdraw import withdraw as erase
    from companion.store.participants import get_participant

    study, db = _open(ctx)
    participant = get_participant(db, code)
    if not yes and not click.confirm(
        f"Erase participant {participant.code} and all their sessions, audio and exports? "
        "This cannot be undone", default=False,
    ):
        raise click.exceptions.Exit(1)
    receipt = erase(study, db, participant.code)
    if as_json:
        _emit_json(receipt.to_dict())
    else:
        click.echo("\n".join(receipt.lines()))


@main.command()
@click.argument("session_id", metavar="SESSION")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def audit(ctx: click.Context, session_id: str, as_json: bool) -> None:
    """Every change made to SESSION, oldest first: the study's audit trail."""
    from companion.store.audit import session_trail
    from companion.store.sessions import get_session

    _, db = _open(ctx)
    session = get_session(db, session_id)
    trail = session_trail(db, session.id)
    if as_json:
        _emit_json(trail)
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


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check audio, model, disk, permissions, database and interrupted sessions."""
    from companion.privacy.doctor import run_checks

    findings = run_checks(_state(ctx).study())
    for finding in findings:
        click.echo(finding.line())
    if not all(f.ok for f in findings):
        ctx.exit(1)


# --- audio commands ---


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def devices(as_json: bool) -> None:
    """List input devices (index, name, channels, default rate; * marks the default)."""
    from companion.audio.devices import list_input_devices

    found = list_input_devices()
    if as_json:
        _emit_json([d.to_dict() for d in found])
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
              "default: the one used last in this study, else the system default.")
@click.option("--seconds", metavar="N", help="Stop after N seconds of audio (default: Ctrl-C).")
@click.option("--channels", default="1", show_default=True, metavar="1|2",
              help="1 microphone, or 2 (channel 1 interviewer, channel 2 participant).")
@click.option("--format", "fmt", default="flac", show_default=True, metavar="flac|wav",
              help="File format.")
@click.option("--silence", "silence", default="20", show_default=True, metavar="SECONDS",
              help="Warn when a channel is silent this long.")
@click.pass_context
def record(ctx: click.Context, session_id: str, device: str | None, seconds: str | None,
           channels: str, fmt: str, silence: str) -> None:
    """Record SESSION from a microphone until N seconds or Ctrl-C."""
    from companion.audio.headless import record_headless
    from companion.store.sessions import parse_session_id

    sid = parse_session_id(session_id)
    secs = _positive_number("seconds", seconds) if seconds is not None else None
    silence_s = _positive_number("silence", silence)
    if channels not in ("1", "2"):
        raise InputError("channels", channels, "1 or 2")
    if fmt.lower() not in ("flac", "wav"):
        raise InputError("format", fmt, "flac or wav")
    final = record_headless(_state(ctx).study(), sid, device=device, seconds=secs,
                            channels=int(channels), fmt=fmt.lower(), silence_seconds=silence_s)
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
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def recover(ctx: click.Context, session_id: str | None, as_json: bool) -> None:
    """Repair recordings a crash interrupted (all, or one SESSION) and mark them interrupted."""
    from companion.audio.recover import recover_all, recover_session
    from companion.store.sessions import parse_session_id

    study = _state(ctx).study()
    if session_id is not None:
        reports = [recover_session(study, parse_session_id(session_id))]
    else:
        reports = recover_all(study)
    if as_json:
        _emit_json([
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
    from companion.audio.importer import import_audio
    from companion.store.sessions import parse_session_id

    sid = parse_session_id(session_id)
    segment = import_audio(_state(ctx).study(), sid, file)
    click.echo(f"Imported {file} into session {sid} as {segment.path} "
               f"({format_hms(segment.duration_ms)}, at {format_hms(segment.offset_ms)}); "
               f"original kept as {segment.original_path}")


# --- end of audio commands ---


# --- transcription commands ---


@main.command()
@click.argument("session_id", metavar="SESSION", required=False)
@click.option("--all", "all_sessions", is_flag=True,
              help="Every session with audio and no finished transcript, one after another.")
@click.option("--model", metavar="NAME|PATH",
              help="Whisper size (small, medium, large-v3…: downloaded once) or a local model "
                   "folder. Default: companion.toml, else the offline tiny.en.")
@click.option("--language", metavar="CODE",
              help="Spoken language, e.g. nl or en (default: companion.toml, else the protocol).")
@click.option("--threads", type=int, default=0, show_default=True,
              help="CPU threads (0: automatic).")
@click.option("--restart", is_flag=True, help="Discard the existing transcript and start over.")
@click.option("--speakers", default="auto", show_default=True, metavar="auto|none",
              help="On one-channel audio, tell the voices apart (the enrolled interviewer "
                   "is I); none leaves speakers to review.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def transcribe(ctx: click.Context, session_id: str | None, all_sessions: bool, model: str | None,
               language: str | None, threads: int, restart: bool, speakers: str,
               as_json: bool) -> None:
    """Transcribe SESSION's audio on this machine; an interrupted run continues where it
    stopped."""
    from companion.transcribe.command import run_transcribe

    run_transcribe(_state(ctx).study(), session_id, all_sessions=all_sessions, model=model,
                   language=language, threads=threads, restart=restart, as_json=as_json,
                   speakers=speakers)


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
    from companion.speakers.enrol import enrol_from_file, enrol_from_session
    from companion.store.sessions import parse_session_id

    if bool(session_id) == bool(file):
        raise InputError("--from-session/--file", session_id or file or "",
                         "one source: --from-session SESSION or --file WAV")
    study = _state(ctx).study()
    if file:
        info = enrol_from_file(study, file)
    else:
        info = enrol_from_session(study, parse_session_id(session_id or ""), channel=channel)
    click.echo(f"Enrolled the interviewer's voice from {info['source']} "
               f"({info['seconds']} s of speech); kept in the study folder only.")


@speaker.command("forget")
@click.pass_context
def speaker_forget(ctx: click.Context) -> None:
    """Erase the enrolled interviewer voice from the study folder."""
    from companion.speakers.enrol import forget_interviewer

    if forget_interviewer(_state(ctx).study()):
        click.echo("Erased the enrolled interviewer voice.")
    else:
        click.echo("No interviewer voice was enrolled.")


# --- end of transcription commands ---


# --- export and report commands ---


@main.command("export")
@click.argument("session_id", metavar="SESSION", required=False)
@click.option("--all", "all_sessions", is_flag=True, help="Export every session (one file "
              "each) into the folder given with -o.")
@click.option("--format", "fmt", metavar="F", required=True,
              help="txt, md, f4, docx, srt, vtt, qdpx or json.")
@click.option("-o", "--output", metavar="PATH", help="File (or folder) to write; with --all "
              "an existing folder. Default: the study's exports/ folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the files written as JSON.")
@click.pass_context
def export_cmd(ctx: click.Context, session_id: str | None, all_sessions: bool, fmt: str,
               output: str | None, as_json: bool) -> None:
    """Export SESSION (or --all) for analysis software: pseudonymised, written atomically."""
    from companion.export import plan_export, write_plan

    study, db = _open(ctx)
    plan = plan_export(study, db, session=session_id, all_sessions=all_sessions, fmt=fmt,
                       output=output)
    written = write_plan(plan)
    if as_json:
        _emit_json([{"session": doc.session.id, "format": f.name, "path": str(path)}
                    for (doc, _, f), path in zip(plan, written, strict=True)])
        return
    for path in written:
        click.echo(f"Wrote {path}")


@main.command("report")
@click.option("--format", "fmt", default="md", show_default=True, metavar="F",
              help="md, html or json.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of printing.")
@click.pass_context
def report_cmd(ctx: click.Context, fmt: str, output: str | None) -> None:
    """The study report: sample (Table 1), WAI-ReD (Table 2), durations, saturation."""
    from companion.report import render_report, study_report, write_report

    study, db = _open(ctx)
    text = render_report(study_report(study, db), fmt)
    if output:
        path = write_report(text, output)
        click.echo(f"Wrote {path}")
    else:
        click.echo(text, nl=False)

# --- end of export and report commands ---


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
