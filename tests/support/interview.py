"""Build a recorded, transcribed and annotated session through the store API.

Shared by the export, report, review and privacy tests. The recording encodes its own
timeline: sample ``i`` holds the value ``(i // STEP_FRAMES) / 4096``, so a block of played
samples tells where in the recording it came from (to within 10 ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from companion.operations.ratings import RatingEntry, rate
from companion.operations.sessions import plan
from companion.store import events, notes, participants, recordings, sessions, transcripts

RATE = 16_000
STEP_FRAMES = RATE // 100  # 10 ms
AUDIO_SECONDS = 60

REPLACEMENTS = {"Anna": "[Name]", "Utrecht": "[Place]"}

# (start_ms, end_ms, speaker or "P" for the participant, text, inner pause (start, end))
SCRIPT: list[tuple[int, int, str | None, str, tuple[int, int] | None]] = [
    (500, 4000, "I", "Could you tell me about your pain history?", None),
    (5500, 12000, "P", "It started in Utrecht years ago with my back.", (7000, 9100)),
    (12000, 18000, "P", "Anna my physiotherapist said it was nothing serious.", None),
    (21000, 25000, "I", "How did that feel for you?", None),
    (28500, 35000, "P", "I did not say anything to her about the tulip garden.", None),
    (41000, 47000, "I", "Is there something you never told them?", None),
    (48000, 58000, "P", "That it is one team, they say.", None),
]
BETWEEN_PAUSES = [(4000, 5500), (25000, 28500), (18000, 21000)]
PHASES = [("opening", 0), ("deepening", 20000), ("critical-reflection", 40000)]


@dataclass
class Made:
    session_id: int
    code: str
    segment_ids: list[int]
    note_ids: dict[str, int]
    audio: Path | None


def write_timeline_wav(path: Path, seconds: int = AUDIO_SECONDS) -> int:
    frames = seconds * RATE
    data = (np.arange(frames) // STEP_FRAMES).astype(np.float32) / 4096.0
    sf.write(path, data, RATE, subtype="FLOAT")
    return frames


def position_of(samples: np.ndarray) -> int:
    """Decode the recording position (ms) of the first sample of a played block."""
    return round(float(samples.reshape(-1)[0]) * 4096) * 10


def _spread(tokens: list[str], start: int, end: int, first: bool) -> list[transcripts.Word]:
    step = (end - start) // max(1, len(tokens))
    return [transcripts.Word(("" if first and i == 0 else " ") + tok, start + i * step,
                             start + (i + 1) * step - 50, 0.9) for i, tok in enumerate(tokens)]


def _words(start: int, end: int, text: str, gap: tuple[int, int] | None) -> list[
        transcripts.Word]:
    """Word timings spread over the segment; with an inner pause after the third word."""
    tokens = text.split()
    if gap is None:
        return _spread(tokens, start, end, True)
    return _spread(tokens[:3], start, gap[0], True) + _spread(tokens[3:], gap[1], end, False)


def make_interview(study, db, code: str = "P05", *, pilot: bool = False, audio: bool = True,
                   characteristics: dict | None = None, most: tuple = (300, 350, 340),
                   least: tuple = (250, 330, 320), codes_tagged: tuple[str, ...] = ("C1",),
                   started_at: str = "2026-03-02T10:00:00+00:00",
                   transcript: bool = True, language: str = "en",
                   extra_pauses: tuple[tuple[int, int], ...] = ()) -> Made:
    """``language`` is the transcript's (it sets the pause notation); ``extra_pauses`` are
    silences between turns beside :data:`BETWEEN_PAUSES`."""
    traits = characteristics if characteristics is not None else {
        "gender": "female", "age_band": "35-55", "education": "middle",
        "pain_duration": ">10", "work_status": "reintegrating", "pdi": 38, "csi": 52}
    if participants.find_participant(db, code) is None:
        participants.add_participant(db, code, **traits)
    session = plan(study, code, protocol_id="pain-alliance",
                   interviewer="Interviewer Anna", pilot=pilot)
    for target, role, scores in (("most", "physiotherapist", most),
                                 ("least", "physician", least)):
        rate(study, session.id, RatingEntry(target, role, domains=dict(
            zip(("task", "goal", "bond"), scores, strict=True))))
    for phase_id, at in PHASES:
        events.add_phase_event(db, session.id, phase_id, at)
    events.add_prompt_event(db, session.id, kind="asked", prompt_id="pain-history",
                            text="Tell me about your pain history.", at_ms=500)
    events.add_prompt_event(db, session.id, kind="suggestion_used", rule_id="largest-gap",
                            text="You rated the physician lower on task.", at_ms=20500)
    wav = None
    if audio:
        wav = study.recordings_dir / f"session-{session.id}-1.wav"
        frames = write_timeline_wav(wav)
        recordings.add_segment(db, session.id, path=str(wav.relative_to(study.root)),
                               fmt="wav", samplerate=RATE, channels=1, offset_ms=0,
                               device="test", status="closed", frames=frames,
                               end_reason="stopped")
    seg_ids: list[int] = []
    if transcript:
        transcripts.begin_transcript(db, session.id, model="test", language=language,
                                     total_ms=AUDIO_SECONDS * 1000)
        new, pauses = [], []
        for start, end, speaker, text, gap in SCRIPT:
            who = code if speaker == "P" else speaker
            new.append(transcripts.NewSegment(None, start, end, text, who, -0.2,
                                              tuple(_words(start, end, text, gap))))
            if gap:
                pauses.append(transcripts.Pause(gap[0], gap[1], True))
        pauses += [transcripts.Pause(a, b, False)
                   for a, b in (*BETWEEN_PAUSES, *extra_pauses)]
        seg_ids = transcripts.commit_segments(db, session.id, new, pauses,
                                              done_ms=AUDIO_SECONDS * 1000)
        transcripts.finish_transcript(db, session.id, "done")
    note_ids = {
        "field": notes.add_note(db, session.id, kind="note", at_ms=13500,
                                text="Mentions Anna; looks away", codes=list(codes_tagged)).id,
        "bookmark": notes.add_note(db, session.id, kind="bookmark", at_ms=30000).id,
        "tag": notes.add_note(db, session.id, kind="note", at_ms=50000, codes=["C3"]).id,
        "reflection": notes.add_note(db, session.id, kind="reflection", at_ms=None,
                                     text="Rapport was good; Utrecht came up twice").id,
    }
    sessions.set_status(db, session.id, "completed", started_at=started_at,
                        ended_at=started_at, duration_ms=AUDIO_SECONDS * 1000)
    return Made(session.id, code, seg_ids, note_ids, wav)


def write_replacements(study) -> None:
    lines = ["[privacy.replacements]"] + [f'"{k}" = "{v}"' for k, v in REPLACEMENTS.items()]
    study.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
