"""Agreement between two coders of the same transcripts, for the consensus meeting.

Each imported project keeps its coder (``import-qdpx``: the tool's users, or ``--coder``).
Two coders are compared on the sessions both of them had in a project in use; pilots are
left out, as in every table of the report.

- **Units are transcript segments.** For each code, a coder coded a segment when one of
  their codings with that code covers at least one character of its words. Per code:
  segments coded by both, by one only, by neither; percent agreement (both or neither,
  of all segments) and Cohen's kappa: ``Po`` the share of segments where they agree,
  ``Pe = pA·pB + (1 − pA)(1 − pB)`` from each coder's share of coded segments,
  ``κ = (Po − Pe) / (1 − Pe)``; when ``Pe`` is 1 (both coded everything, or nothing)
  kappa is undefined and shown as such. Overall: the same over every (segment, code)
  pair of the codes either coder used.
- **Overlap of coded characters**: per code, the characters each coder's codings cover
  and those both cover; overlap = both / either.
- **Passages where they differ**: per code, the runs of consecutive segments one coder
  coded and the other did not, with the session time of each, to play in the meeting.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlite_utils

from companion.privacy.pseudonymise import Pseudonymiser
from companion.store import qda, transcripts
from companion.store.sessions import Session

OVERALL = "All codes"


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code (or, as :data:`OVERALL`, on all of them)."""

    code: str
    both: int  # segments both coded
    only_a: int
    only_b: int
    neither: int
    chars_a: int  # characters coded by the first coder
    chars_b: int
    chars_both: int

    @property
    def units(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def observed(self) -> float | None:
        """Po: the share of units where the two agree."""
        return (self.both + self.neither) / self.units if self.units else None

    @property
    def expected(self) -> float | None:
        """Pe: agreement by chance, from each coder's share of coded units."""
        if not self.units:
            return None
        p_a = (self.both + self.only_a) / self.units
        p_b = (self.both + self.only_b) / self.units
        return p_a * p_b + (1 - p_a) * (1 - p_b)

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa; None where it is undefined (Pe = 1)."""
        observed, expected = self.observed, self.expected
        if observed is None or expected is None or expected >= 1:
            return None
        return (observed - expected) / (1 - expected)

    @property
    def percent(self) -> float | None:
        observed = self.observed
        return 100 * observed if observed is not None else None

    @property
    def overlap(self) -> float | None:
        """Characters both coded, of those either coded (None when neither coded any)."""
        either = self.chars_a + self.chars_b - self.chars_both
        return self.chars_both / either if either else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "units": self.units, "percent_agreement": self.percent,
                "observed": self.observed, "expected": self.expected, "kappa": self.kappa,
                "character_overlap": self.overlap}


@dataclass(frozen=True)
class Passage:
    """Consecutive segments of one session that one coder coded with a code and the other
    did not."""

    session_id: int
    participant: str
    code: str
    coded_by: str
    start_ms: int
    end_ms: int
    text: str


@dataclass
class CoderAgreement:
    coder_a: str
    coder_b: str
    sessions: list[int]
    segments: int
    codes: list[CodeAgreement] = field(default_factory=list)
    overall: CodeAgreement | None = None
    passages: list[Passage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"coders": [self.coder_a, self.coder_b], "sessions": self.sessions,
                "segments": self.segments, "codes": [c.to_dict() for c in self.codes],
                "overall": self.overall.to_dict() if self.overall else None,
                "passages": [asdict(p) for p in self.passages]}


def _covered(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of character spans, as sorted disjoint spans."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _length(spans: list[tuple[int, int]]) -> int:
    return sum(end - start for start, end in spans)


def _common(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def compare(a: str, b: str, sessions: list[Session], codings: list[qda.ActiveCoding],
            segments: dict[int, list[transcripts.Segment]],
            pseudo: Pseudonymiser | None = None) -> CoderAgreement:
    """Agreement of coders ``a`` and ``b`` on ``sessions`` (both saw them), from their
    codings and the sessions' segments."""
    result = CoderAgreement(a, b, [s.id for s in sessions],
                            sum(len(segments.get(s.id, [])) for s in sessions))
    mine = [c for c in codings if c.coder in (a, b)]
    codes = sorted({c.code for c in mine})
    totals = [0] * 7
    for code in codes:
        both = only_a = only_b = neither = chars_a = chars_b = chars_both = 0
        for session in sessions:
            coded = {who: [c for c in mine if c.coder == who and c.code == code
                           and c.session_id == session.id] for who in (a, b)}
            by = {who: {sid for c in coded[who] for sid in c.segment_ids} for who in (a, b)}
            run: list[transcripts.Segment] = []
            run_who = ""
            for seg in segments.get(session.id, []):
                in_a, in_b = seg.id in by[a], seg.id in by[b]
                both += in_a and in_b
                only_a += in_a and not in_b
                only_b += in_b and not in_a
                neither += not in_a and not in_b
                who = a if in_a and not in_b else b if in_b and not in_a else ""
                if who != run_who and run:
                    result.passages.append(_passage(session, code, run_who, run, pseudo))
                    run = []
                run_who = who
                if who:
                    run.append(seg)
            if run:
                result.passages.append(_passage(session, code, run_who, run, pseudo))
            spans_a = _covered([(c.start_pos, c.end_pos) for c in coded[a]])
            spans_b = _covered([(c.start_pos, c.end_pos) for c in coded[b]])
            chars_a += _length(spans_a)
            chars_b += _length(spans_b)
            chars_both += _common(spans_a, spans_b)
        row = CodeAgreement(code, both, only_a, only_b, neither, chars_a, chars_b, chars_both)
        result.codes.append(row)
        totals = [t + v for t, v in zip(totals, (both, only_a, only_b, neither, chars_a,
                                                  chars_b, chars_both), strict=True)]
    if codes:
        result.overall = CodeAgreement(OVERALL, *totals)
    return result


def _passage(session: Session, code: str, who: str, run: list[transcripts.Segment],
             pseudo: Pseudonymiser | None) -> Passage:
    text = " ".join(seg.text.strip() for seg in run)
    return Passage(session.id, session.participant_code, code, who, run[0].start_ms,
                   run[-1].end_ms, pseudo.apply(text) if pseudo is not None else text)


def coder_agreement(db: sqlite_utils.Database, sessions: list[Session],
                    pseudo: Pseudonymiser | None = None) -> list[CoderAgreement]:
    """Every pair of coders who coded some of the same (non-pilot) sessions."""
    seen = qda.sessions_seen(db)
    wanted = {s.id: s for s in sessions if not s.pilot}
    out = []
    # A coder without a name cannot be told apart from another one: left out.
    for a, b in itertools.combinations(sorted(c for c in seen if c), 2):
        shared = [wanted[sid] for sid in sorted(seen[a] & seen[b]) if sid in wanted]
        if not shared:
            continue
        codings = qda.active_codings(db, [s.id for s in shared])
        segments = {s.id: transcripts.list_segments(db, s.id) for s in shared}
        out.append(compare(a, b, shared, codings, segments, pseudo))
    return out
