"""Talk-time: who talked how much, per session and per interview phase.

A speaker's time is the sum of their segments' spans (first word to last word); a turn is a
stretch of consecutive segments of one speaker (so a segment split at a pause stays one
turn) and its length runs from its first word to its last. Shares are of the speaking time
in the group, so they add to 100 % in every phase; the whole-number percentages shown are
rounded so that they do too.

Phases are the session timeline's phase spans (:mod:`companion.session.timeline`), the same spans
the summary, the report and the exports measure: a segment that runs over a phase mark
counts on both sides of it, each part in its own phase.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from statistics import median
from typing import Any

UNKNOWN = "?"


@dataclass(frozen=True)
class Spoken:
    """One segment as talk-time sees it."""

    speaker: str | None
    start_ms: int
    end_ms: int
    phase_id: str | None = None


@dataclass(frozen=True)
class SpeakerTime:
    speaker: str
    ms: int
    share: float  # of the group's speaking time, 0..1
    percent: int  # rounded so a group's percents add to 100
    turns: int
    median_turn_ms: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def talk_time(segments: Iterable[Spoken]) -> list[SpeakerTime]:
    """Each speaker's time, share, turns and median turn, most talk first."""
    ordered = sorted(segments, key=lambda s: (s.start_ms, s.end_ms))
    turns: dict[str, list[int]] = {}
    spoken: dict[str, int] = {}
    current: str | None = None
    turn_start = turn_end = 0
    for seg in ordered:
        who = seg.speaker or UNKNOWN
        spoken[who] = spoken.get(who, 0) + max(0, seg.end_ms - seg.start_ms)
        if who == current:
            turn_end = max(turn_end, seg.end_ms)
            continue
        if current is not None:
            turns.setdefault(current, []).append(turn_end - turn_start)
        current, turn_start, turn_end = who, seg.start_ms, seg.end_ms
    if current is not None:
        turns.setdefault(current, []).append(turn_end - turn_start)
    total = sum(spoken.values())
    percents = _percents([spoken[w] for w in spoken], total)
    rows = [SpeakerTime(who, spoken[who], spoken[who] / total if total else 0.0, pct,
                        len(turns.get(who, [])), round(median(turns[who])) if turns.get(who)
                        else 0)
            for who, pct in zip(spoken, percents, strict=True)]
    return sorted(rows, key=lambda r: (-r.ms, r.speaker))


def talk_time_by_phase(segments: Sequence[Spoken]) -> dict[str | None, list[SpeakerTime]]:
    """:func:`talk_time` for each phase (None: before any phase), in order of appearance."""
    groups: dict[str | None, list[Spoken]] = {}
    for seg in sorted(segments, key=lambda s: s.start_ms):
        groups.setdefault(seg.phase_id, []).append(seg)
    return {phase: talk_time(group) for phase, group in groups.items()}


def _percents(values: list[int], total: int) -> list[int]:
    """Whole percentages adding to 100 (largest remainders get the leftover points)."""
    if not total:
        return [0] * len(values)
    exact = [v * 100 / total for v in values]
    floors = [int(e) for e in exact]
    left = 100 - sum(floors)
    for i in sorted(range(len(values)), key=lambda i: -(exact[i] - floors[i]))[:left]:
        floors[i] += 1
    return floors


def in_spans(spoken: Sequence[Spoken], spans: Sequence[Any]) -> list[Spoken]:
    """The speech cut at the phase spans (anything with ``phase_id``, ``start_ms`` and
    ``end_ms``), each part labelled with its span's phase; speech before the first span is
    in phase None."""
    if not spans:
        return [Spoken(s.speaker, s.start_ms, s.end_ms, None) for s in spoken]
    bounds: list[tuple[str | None, int, int]] = [
        (None, min(s.start_ms for s in spoken) if spoken else 0, spans[0].start_ms)]
    bounds += [(sp.phase_id, sp.start_ms, sp.end_ms) for sp in spans]
    out: list[Spoken] = []
    for seg in spoken:
        for phase, start, end in bounds:
            lo, hi = max(seg.start_ms, start), min(seg.end_ms, end)
            if hi > lo or (seg.start_ms == seg.end_ms and start <= seg.start_ms < end):
                out.append(Spoken(seg.speaker, lo, hi, phase))
    return out


def session_talk_time(db: Any, session_id: int) -> dict[str, Any]:
    """The session's talk-time (``overall`` and ``phases``) as plain data, for the summary,
    review, report and json export; phases as the session timeline spans them."""
    from companion.session.timeline import load_timeline

    tl = load_timeline(None, db, session_id)
    return talk_time_data(tl.segments, tl.phase_spans())


def talk_time_data(segments: Iterable[Any], spans: Sequence[Any] | None = None,
                   ) -> dict[str, Any]:
    """:func:`session_talk_time` from segments already read (anything with ``speaker``,
    ``start_ms``, ``end_ms`` and ``phase_id``) and the timeline's phase spans. Each phase
    carries ``phase_ms``, its length on the timeline (what the report shows). Without
    spans, a segment counts in the phase it starts in."""
    spoken = [Spoken(s.speaker, s.start_ms, s.end_ms, s.phase_id) for s in segments]
    lengths: dict[str | None, int] = {}
    if spans is not None:
        for span in spans:
            lengths[span.phase_id] = lengths.get(span.phase_id, 0) + max(
                0, span.end_ms - span.start_ms)
        by_phase = talk_time_by_phase(in_spans(spoken, spans))
    else:
        by_phase = talk_time_by_phase(spoken)
    return {"overall": [r.to_dict() for r in talk_time(spoken)],
            "phases": [{"phase_id": phase, "phase_ms": lengths.get(phase),
                        "speakers": [r.to_dict() for r in rows]}
                       for phase, rows in by_phase.items()]}


def describe(rows: Sequence[SpeakerTime] | Sequence[dict[str, Any]]) -> str:
    """One line: ``I 30 % (12 turns, median 4 s) · P05 70 % (11 turns, median 18 s)``."""
    parts = []
    for row in rows:
        r = row if isinstance(row, dict) else row.to_dict()
        parts.append(f"{r['speaker']} {r['percent']} % ({r['turns']} turns, median "
                     f"{r['median_turn_ms'] / 1000:.0f} s)")
    return " · ".join(parts)


INTERVIEWER = "I"


def study_talk_time(db: Any, sessions: Sequence[Any]) -> list[dict[str, Any]]:
    """Per interview (in the given order): the interviewer's and the participant side's
    share, turns and median turn; then a row ``All`` over the whole study's speech."""
    from companion.store.transcripts import list_segments

    rows: list[dict[str, Any]] = []
    everything: list[Spoken] = []
    for session in sessions:
        spoken = [Spoken(INTERVIEWER if s.speaker == INTERVIEWER else
                         (None if s.speaker is None else "participant"),
                         s.start_ms, s.end_ms, s.phase_id)
                  for s in list_segments(db, session.id)]
        if not spoken:
            continue
        # laid one after another on one timeline, each interview after the previous end
        shift = max((s.end_ms for s in everything), default=0) + 1
        everything += [Spoken(s.speaker, s.start_ms + shift, s.end_ms + shift) for s in spoken]
        rows.append({"session_id": session.id, "participant": session.participant_code,
                     **_sides(talk_time(spoken))})
    if rows:
        # the study's turns counted per interview, so no turn spans two interviews
        overall = {r.speaker: r for r in talk_time(everything)}
        all_row = _sides(list(overall.values()))
        for side in ("interviewer", "participant"):
            all_row[f"{side}_turns"] = sum(r[f"{side}_turns"] for r in rows)
        rows.append({"session_id": None, "participant": "All", **all_row})
    return rows


def _sides(rows: Sequence[SpeakerTime]) -> dict[str, Any]:
    by = {r.speaker: r for r in rows}
    out: dict[str, Any] = {}
    for side, key in (("interviewer", INTERVIEWER), ("participant", "participant")):
        r = by.get(key)
        out[f"{side}_percent"] = r.percent if r else 0
        out[f"{side}_turns"] = r.turns if r else 0
        out[f"{side}_median_turn_s"] = round(r.median_turn_ms / 1000, 1) if r else 0.0
    out["unknown_percent"] = by[UNKNOWN].percent if UNKNOWN in by else 0
    return out
