"""Participants, sessions, enrolment, WAI-ReD ratings and the suggestions they drive."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from companion.cli.base import current_study, emit_json, json_option, main, option_group
from companion.errors import InputError
from companion.notation import format_hms

# --- participants --------------------------------------------------------------------


@main.group()
def participant() -> None:
    """Participants: pseudonym codes and characteristics (never real names)."""


_characteristics = option_group(  # participant add, enrol
    click.option("--gender", help="female, male or other"),
    click.option("--age-band", help="<35, 35-55 or >55"),
    click.option("--education", help="low, middle or high"),
    click.option("--pain-duration", help="years of chronic pain: 2-5, 5-10 or >10"),
    click.option("--work-status", help="working, reintegrating, not-working, student or retired"),
    click.option("--pdi", help="Pain Disability Index, 0-70"),
    click.option("--csi", help="Central Sensitization Inventory, 0-100"),
)
_session_plan = option_group(  # session new, enrol
    click.option("--protocol", "protocol_id", metavar="ID",
                 help="Protocol id (default: the study's, else pain-alliance)."),
    click.option("--interviewer", metavar="NAME", help="Who conducts the interview."),
    click.option("--pilot", is_flag=True, help="A pilot interview: kept apart in the tables."),
)


@participant.command("add")
@click.argument("code")
@_characteristics
@click.option("--consent-date", help="date written consent was given, YYYY-MM-DD")
@json_option("the participant")
@click.pass_context
def participant_add(ctx: click.Context, /, code: str, as_json: bool,
                    **characteristics: Any) -> None:
    """Add a participant under a pseudonym code such as P05."""
    from companion.operations import participants

    added = participants.add(current_study(ctx), code, **characteristics)
    if as_json:
        emit_json(added.to_dict())
    else:
        click.echo(f"Added participant {added.code}")


@participant.command("list")
@json_option()
@click.pass_context
def participant_list(ctx: click.Context, as_json: bool) -> None:
    """List participants and their characteristics."""
    from companion.operations import participants

    rows = [p.to_dict() for p in participants.list_all(current_study(ctx))]
    if as_json:
        emit_json(rows)
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
@_session_plan
@json_option("the new session")
@click.pass_context
def session_new(ctx: click.Context, code: str, protocol_id: str | None, interviewer: str | None,
                pilot: bool, as_json: bool) -> None:
    """Plan a new session for participant CODE; prints its id."""
    from companion.operations import sessions

    created = sessions.plan(current_study(ctx), code, protocol_id=protocol_id,
                            interviewer=interviewer, pilot=pilot)
    if as_json:
        emit_json(created.to_dict())
    else:
        click.echo(created.id)


@main.command()
@click.argument("code")
@_characteristics
@click.option("--consent", is_flag=True, help="Written consent is signed (dated today).")
@_session_plan
@click.option("--most-role", metavar="ROLE", help="Role of the professional with the most "
              "positive alliance, e.g. physiotherapist.")
@click.option("--most-items", metavar="N,N,...", help="Their 12 WAI-ReD item scores.")
@click.option("--least-role", metavar="ROLE", help="Role of the professional with the least "
              "positive alliance.")
@click.option("--least-items", metavar="N,N,...", help="Their 12 WAI-ReD item scores.")
@json_option("what was saved")
@click.pass_context
def enrol(ctx: click.Context, /, code: str, consent: bool, protocol_id: str | None,
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
    enrolled = participants.enrol(current_study(ctx), participants.Enrolment(
        code=code, characteristics={k: v for k, v in characteristics.items() if v is not None},
        consent=consent, protocol_id=protocol_id, interviewer=interviewer, pilot=pilot,
        ratings=tuple(entries)))
    if as_json:
        emit_json({"participant": enrolled.participant.to_dict(),
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

        changed = getattr(sessions, name)(current_study(ctx), session_id)
        click.echo(f"Session {changed.id} is {changed.status}")


_status_command("complete", "Mark session ID completed: nothing more to record.")
_status_command("reopen", "Take completed session ID back, to record more or to continue it.")


@session.command("live")
@click.argument("session_id", metavar="ID")
@click.argument("state", metavar="on|off")
@click.pass_context
def session_live(ctx: click.Context, session_id: str, state: str) -> None:
    """Turn the live transcript on or off for session ID (the set-up's checkbox)."""
    from companion.operations.live import set_session_live

    if state not in ("on", "off"):
        raise InputError("state", state, "on or off")
    set_session_live(current_study(ctx), session_id, state == "on")
    click.echo(f"Live transcript {state} for session {session_id}")


@session.command("list")
@click.option("--participant", "participant_code", metavar="CODE", help="Only this participant.")
@json_option()
@click.pass_context
def session_list(ctx: click.Context, participant_code: str | None, as_json: bool) -> None:
    """List sessions with status."""
    from companion.operations import sessions

    rows = [s.to_dict() for s in sessions.list_all(current_study(ctx), participant_code)]
    if as_json:
        emit_json(rows)
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
@json_option()
@click.pass_context
def session_show(ctx: click.Context, session_id: str, as_json: bool) -> None:
    """Show one session: ratings, phases, prompts and notes."""
    from companion.operations.sessions import overview

    info = overview(current_study(ctx), session_id)
    if as_json:
        emit_json(info.to_dict())
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
    for item in info.interruptions:
        click.echo(f"[{format_hms(item.start_ms)}] interruption: {item.describe()}")
    for note in info.notes:
        stamp = format_hms(note.at_ms) if note.at_ms is not None else "--:--:--"
        codes = f" #{' #'.join(note.codes)}" if note.codes else ""
        click.echo(f"[{stamp}] {note.kind}: {note.text}{codes}")
    for line in info.live_segments:
        who = f"{line['speaker']}: " if line["speaker"] else ""
        click.echo(f"[{format_hms(line['start_ms'])}] live: {who}{line['text']}")


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
@json_option("the scored rating")
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
    scored = rate(current_study(ctx), sid, entry)
    stored, score = scored.rating, scored.score
    if as_json:
        emit_json({**stored.to_dict(), "prorated": score.prorated})
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
@json_option()
@click.pass_context
def suggest(ctx: click.Context, session_id: str, as_json: bool) -> None:
    """Deepening questions proposed from the session's ratings, each with its reason."""
    from companion.operations.ratings import suggestions

    items = suggestions(current_study(ctx), session_id)
    if as_json:
        emit_json([asdict(s) for s in items])
        return
    if not items:
        click.echo("No suggestions: enter both WAI-ReD ratings first ('companion wai set').")
    for s in items:  # one card per finding, strongest evidence first
        click.echo(f"{s.rank}. {s.text}\n   from: {s.trigger}\n   why: {s.reason}  "
                   f"[{s.rule_id}]")
        for other in s.alternatives:
            click.echo(f"   or: {other.text}  [{other.rule_id}]")
