"""The command line: one thin front on the same functions the TUI calls.

Every error a user can cause prints one line (field, value, what is allowed) and exits 2
before anything is written. Listing commands take ``--json`` and print a stable document:
a list of objects (or one object) with named fields.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from dataclasses import asdict, dataclass
from typing import Any

import click

from companion import __version__
from companion.errors import CompanionError, InputError
from companion.notation import format_hms, parse_hms
from companion.study.folder import Study, init_study, open_study, resolve_study_dir


class CompanionGroup(click.Group):
    """Turns CompanionError into one line on stderr and its exit code (never a traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CompanionError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (OSError, sqlite3.Error) as exc:  # a full disk, a read-only folder, …
            from companion.files import describe_failure

            click.echo(f"error: {describe_failure(exc)}", err=True)
            ctx.exit(2)


@dataclass
class CliState:
    study_option: str | None

    def study(self) -> Study:
        return open_study(resolve_study_dir(self.study_option))


def _state(ctx: click.Context) -> CliState:
    return ctx.find_root().obj


def _study(ctx: click.Context) -> Study:
    return _state(ctx).study()


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

    root = resolve_study_dir(_state(ctx).study_option)
    # A new or empty folder becomes a study, as `make run` promises; a folder with other
    # files in it is not taken over (that would scatter a database into, say, $HOME).
    if not Study(root).db_path.exists() and (not root.exists() or not any(root.iterdir())):
        study, _ = init_study(root)
        click.echo(f"Created a new study in {study.root}")
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


def _characteristics(command: Any) -> Any:
    """The participant's characteristics as options (participant add, enrol)."""
    for option in reversed((
        click.option("--gender", help="female, male or other"),
        click.option("--age-band", help="<35, 35-55 or >55"),
        click.option("--education", help="low, middle or high"),
        click.option("--pain-duration", help="years of chronic pain: 2-5, 5-10 or >10"),
        click.option("--work-status",
                     help="working, reintegrating, not-working, student or retired"),
        click.option("--pdi", help="Pain Disability Index, 0-70"),
        click.option("--csi", help="Central Sensitization Inventory, 0-100"),
    )):
        command = option(command)
    return command


@participant.command("add")
@click.argument("code")
@_characteristics
@click.option("--consent-date", help="date written consent was given, YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True, help="Print the participant as JSON.")
@click.pass_context
def participant_add(ctx: click.Context, code: str, as_json: bool, **characteristics: Any) -> None:
    """Add a participant under a pseudonym code such as P05."""
    from companion.operations import participants

    added = participants.add(_study(ctx), code, **characteristics)
    if as_json:
        _emit_json(added.to_dict())
    else:
        click.echo(f"Added participant {added.code}")


@participant.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def participant_list(ctx: click.Context, as_json: bool) -> None:
    """List participants and their characteristics."""
    from companion.operations import participants

    rows = [p.to_dict() for p in participants.list_all(_study(ctx))]
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
    from companion.operations import sessions

    created = sessions.plan(_study(ctx), code, protocol_id=protocol_id,
                            interviewer=interviewer, pilot=pilot)
    if as_json:
        _emit_json(created.to_dict())
    else:
        click.echo(created.id)


@main.command()
@click.argument("code")
@_characteristics
@click.option("--consent", is_flag=True, help="Written consent is signed (dated today).")
@click.option("--protocol", "protocol_id", metavar="ID", help="Protocol id (default: the "
              "study's, else pain-alliance).")
@click.option("--interviewer", metavar="NAME", help="Who conducts the interview.")
@click.option("--pilot", is_flag=True, help="A pilot interview: kept apart in the tables.")
@click.option("--most-role", metavar="ROLE", help="Role of the professional with the most "
              "positive alliance, e.g. physiotherapist.")
@click.option("--most-items", metavar="N,N,...", help="Their 12 WAI-ReD item scores.")
@click.option("--least-role", metavar="ROLE", help="Role of the professional with the least "
              "positive alliance.")
@click.option("--least-items", metavar="N,N,...", help="Their 12 WAI-ReD item scores.")
@click.option("--json", "as_json", is_flag=True, help="Print what was saved as JSON.")
@click.pass_context
def enrol(ctx: click.Context, code: str, consent: bool, protocol_id: str | None,
          interviewer: str | None, pilot: bool, most_role: str | None, most_items: str | None,
          least_role: str | None, least_items: str | None, as_json: bool,
          **characteristics: Any) -> None:
    """Enrol a new participant CODE with consent, a planned session and the two WAI-ReD
    ratings, all in one save (as the set-up screen does); prints the session id."""
    from companion.operations import participants
    from companion.operations.ratings import RatingEntry, parse_items

    entries = []
    for target, role, items in (("most", most_role, most_items),
                                ("least", least_role, least_items)):
        if role is None and items is None:
            continue
        if role is None or items is None:
            given, missing = ("role", "items") if role is not None else ("items", "role")
            raise InputError(f"--{target}-{missing}", None,
                             f"a value whenever --{target}-{given} is given")
        entries.append(RatingEntry(target=target, role=role, items=parse_items(items)))
    enrolled = participants.enrol(_study(ctx), participants.Enrolment(
        code=code, characteristics={k: v for k, v in characteristics.items() if v is not None},
        consent=consent, protocol_id=protocol_id, interviewer=interviewer, pilot=pilot,
        ratings=tuple(entries)))
    if as_json:
        _emit_json({"participant": enrolled.participant.to_dict(),
                    "session": enrolled.session.to_dict(),
                    "ratings": [{**r.rating.to_dict(), "prorated": r.score.prorated}
                                for r in enrolled.ratings]})
    else:
        click.echo(enrolled.session.id)


def _status_command(name: str, help_text: str) -> None:
    """``session complete`` and ``session reopen``: the operation of the same name."""

    @session.command(name, help=help_text)
    @click.argument("session_id", metavar="ID")
    @click.pass_context
    def command(ctx: click.Context, session_id: str) -> None:
        from companion.operations import sessions

        changed = getattr(sessions, name)(_study(ctx), session_id)
        click.echo(f"Session {changed.id} is {changed.status}")


_status_command("complete", "Mark session ID completed: nothing more to record.")
_status_command("reopen", "Take completed session ID back, to record more or to continue it.")


@session.command("list")
@click.option("--participant", "participant_code", metavar="CODE", help="Only this participant.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def session_list(ctx: click.Context, participant_code: str | None, as_json: bool) -> None:
    """List sessions with status."""
    from companion.operations import sessions

    rows = [s.to_dict() for s in sessions.list_all(_study(ctx), participant_code)]
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
    from companion.operations.sessions import overview

    info = overview(_study(ctx), session_id)
    if as_json:
        _emit_json(info.to_dict())
        return
    s = info.session
    click.echo(f"Session {s.id} — participant {s.participant_code} — {s.status}"
               f"{' (pilot)' if s.pilot else ''}")
    click.echo(f"Protocol: {info.protocol.id} ({info.protocol.title})")
    if s.interviewer:
        click.echo(f"Interviewer: {s.interviewer}")
    for stored, score in ((r.rating, r.score) for r in info.ratings):
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
    from companion.operations.ratings import RatingEntry, parse_items, rate
    from companion.operations.sessions import parse_session_id

    domain_values = {"task": task, "goal": goal, "bond": bond}
    given = {k: v for k, v in domain_values.items() if v is not None}
    if items is not None and given:
        raise InputError("--items", items, "either --items or --task/--goal/--bond, not both")
    if items is None and len(given) != 3:
        missing = sorted(set(domain_values) - set(given))
        raise InputError("--" + missing[0], None, "--items N,N,... (12 values) or all three "
                         "of --task, --goal, --bond")
    sid = parse_session_id(session_id)
    if items is not None:
        entry = RatingEntry(target=target, role=role, items=parse_items(items))
    else:
        entry = RatingEntry(target=target, role=role,
                            domains={k: _parse_domain(k, v) for k, v in given.items()})
    scored = rate(_study(ctx), sid, entry)
    stored, score = scored.rating, scored.score
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
    from companion.operations.ratings import suggestions

    items = suggestions(_study(ctx), session_id)
    if as_json:
        _emit_json([asdict(s) for s in items])
        return
    if not items:
        click.echo("No suggestions: enter both WAI-ReD ratings first ('companion wai set').")
    for s in items:  # one card per finding, strongest evidence first
        click.echo(f"{s.rank}. {s.text}\n   from: {s.trigger}\n   why: {s.reason}  "
                   f"[{s.rule_id}]")
        for other in s.alternatives:
            click.echo(f"   or: {other.text}  [{other.rule_id}]")


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
    mark_phase(_study(ctx), sid, phase_id, at_ms)
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
    from companion.operations.notes import add_note
    from companion.operations.sessions import parse_session_id

    sid = parse_session_id(session_id)
    at_ms = parse_hms(at) if at else None
    added = add_note(_study(ctx), sid, text, at_ms=at_ms, kind=kind, codes=codes)
    if as_json:
        _emit_json(added.to_dict())
    else:
        where = f" at {format_hms(at_ms)}" if at_ms is not None else ""
        click.echo(f"Note {added.id} added to session {sid}{where}")


# --- transcript corrections ---------------------------------------------------------


@main.group()
def segment() -> None:
    """Correct a transcript segment (each correction is a new version, kept in the audit)."""


def _segment_id(text: str) -> int:
    if not text.strip().isdigit() or int(text) <= 0:
        raise InputError("segment", text, "a segment id (a positive whole number); see "
                         "'companion export SESSION --format json'")
    return int(text)


@segment.command("correct")
@click.argument("segment_id", metavar="SEGMENT")
@click.argument("text")
@click.pass_context
def segment_correct(ctx: click.Context, segment_id: str, text: str) -> None:
    """Replace what was said in SEGMENT with TEXT."""
    from companion.operations.review import correct_segment

    seg = correct_segment(_study(ctx), _segment_id(segment_id), text)
    click.echo(f"Segment {seg.id} is at version {seg.version}")


@segment.command("speaker")
@click.argument("segment_id", metavar="SEGMENT")
@click.argument("speaker", required=False)
@click.pass_context
def segment_speaker(ctx: click.Context, segment_id: str, speaker: str | None) -> None:
    """Say who spoke SEGMENT (I, the participant's code, ...; none: unknown)."""
    from companion.operations.review import set_speaker

    seg = set_speaker(_study(ctx), _segment_id(segment_id), speaker)
    click.echo(f"Segment {seg.id}: speaker {seg.speaker or 'unknown'}")


@segment.command("split")
@click.argument("segment_id", metavar="SEGMENT")
@click.option("--at-word", "at_word", required=True, metavar="N",
              help="Number of the word that starts the second part (the first word is 0).")
@click.pass_context
def segment_split(ctx: click.Context, segment_id: str, at_word: str) -> None:
    """Split SEGMENT in two turns before word N."""
    from companion.operations.review import split_segment

    if not at_word.strip().isdigit():
        raise InputError("--at-word", at_word, "a word number (0 is the first word)")
    first, second = split_segment(_study(ctx), _segment_id(segment_id), int(at_word))
    click.echo(f"Segment {first.id} ends at {format_hms(first.end_ms)}; segment "
               f"{second.id} starts at {format_hms(second.start_ms)}")


# --- data protection and audit -----------------------------------------------------


@main.command()
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the erasure receipt as JSON.")
@click.pass_context
def withdraw(ctx: click.Context, code: str, yes: bool, as_json: bool) -> None:
    """Erase every trace of participant CODE (rows, index, audio, transcripts, exports)."""
    from companion.operations import participants
    from companion.operations.withdraw import withdraw as erase

    study = _study(ctx)
    from companion.privacy.withdraw import pending_withdrawal

    name = pending_withdrawal(study, code) or participants.get(study, code).code
    if not yes and not click.confirm(
        f"Erase participant {name} and all their sessions, audio and exports? "
        "This cannot be undone", default=False,
    ):
        raise click.exceptions.Exit(1)
    receipt = erase(study, name)
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
    from companion.operations.audit import trail as session_trail

    trail = session_trail(_study(ctx), session_id)
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
@click.option("--repair", is_flag=True, help="Also restore a damaged database from its newest "
              "backup and complete an interrupted withdrawal.")
@click.pass_context
def doctor(ctx: click.Context, repair: bool) -> None:
    """Check audio, model, disk, permissions, database, withdrawals and interrupted sessions."""
    from companion.privacy.doctor import run_checks

    findings = run_checks(_state(ctx).study(), repair=repair)
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
    from companion.audio.headless import record_headless
    from companion.operations.sessions import parse_session_id

    sid = parse_session_id(session_id)
    secs = _positive_number("seconds", seconds) if seconds is not None else None
    silence_s = _positive_number("silence", silence) if silence is not None else None
    if channels is not None and channels not in ("1", "2"):
        raise InputError("channels", channels, "1 or 2")
    if fmt is not None and fmt.lower() not in ("flac", "wav"):
        raise InputError("format", fmt, "flac or wav")
    if samplerate is not None and not (samplerate.isdigit() and 8000 <= int(samplerate) <= 192000):
        raise InputError("samplerate", samplerate, "a whole number of Hz from 8000 to 192000")
    study = _state(ctx).study()
    audio = study.settings.audio
    final = record_headless(
        study, sid, device=device if device is not None else audio.device, seconds=secs,
        channels=int(channels) if channels is not None else audio.channels,
        fmt=fmt.lower() if fmt is not None else audio.format,
        samplerate=int(samplerate) if samplerate is not None else audio.samplerate,
        silence_seconds=silence_s if silence_s is not None else audio.silence_seconds,
        live=live)
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
    from companion.operations.sessions import parse_session_id

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
    from companion.operations.sessions import parse_session_id

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
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def transcribe(ctx: click.Context, session_id: str | None, all_sessions: bool, model: str | None,
               language: str | None, threads: int, restart: bool, as_json: bool) -> None:
    """Transcribe SESSION's audio on this machine; an interrupted run continues where it
    stopped."""
    from companion.transcribe.command import run_transcribe

    run_transcribe(_state(ctx).study(), session_id, all_sessions=all_sessions, model=model,
                   language=language, threads=threads, restart=restart, as_json=as_json)


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
@click.option("--force", is_flag=True, help="Replace a file that exists at -o (never the "
              "study's database or audio).")
@click.option("--json", "as_json", is_flag=True, help="Print the files written as JSON.")
@click.pass_context
def export_cmd(ctx: click.Context, session_id: str | None, all_sessions: bool, fmt: str,
               output: str | None, force: bool, as_json: bool) -> None:
    """Export SESSION (or --all) for analysis software: pseudonymised, written atomically."""
    from companion.operations.export import export

    written = export(_study(ctx), session=session_id, all_sessions=all_sessions, fmt=fmt,
                     output=output, force=force)
    if as_json:
        _emit_json([{"session": w.session_id, "format": w.format, "path": str(w.path)}
                    for w in written])
        return
    for w in written:
        click.echo(f"Wrote {w.path}")


@main.command("report")
@click.option("--format", "fmt", default="md", show_default=True, metavar="F",
              help="md, html or json.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of printing "
              "(ending in / : a folder, created if missing).")
@click.option("--force", is_flag=True, help="Replace a file that exists at -o (never the "
              "study's database or audio).")
@click.pass_context
def report_cmd(ctx: click.Context, fmt: str, output: str | None, force: bool) -> None:
    """The study report: sample (Table 1), WAI-ReD (Table 2), durations, saturation."""
    from companion.operations import report

    study = _study(ctx)
    if output:
        path = report.write(study, fmt, output, force=force)
        click.echo(f"Wrote {path}")
    else:
        click.echo(report.render(study, fmt), nl=False)

# --- end of export and report commands ---


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
