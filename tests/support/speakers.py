"""A mono interview of two espeak-ng voices with known turns, and an enrolment recording
of the interviewer's voice (other sentences, the same voice)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from click.testing import CliRunner, Result

from companion.cli import main
from tests.support.espeak import espeak

RATE = 16_000
INTERVIEWER_VOICE = "en-us"
PARTICIPANT_VOICE = "en+m3"  # another male voice: the harder case

TURNS: list[tuple[str, str, float]] = [  # (speaker, text, silence after, s)
    ("I", "Could you tell me how the pain began?", 0.9),
    ("P", "It began after a fall on the ice, about eight years ago now.", 1.1),
    ("I", "What did your doctor say about it back then?", 0.8),
    ("P", "She told me to rest and to take painkillers for a while.", 1.3),
    ("I", "How did you feel about the group sessions?", 0.9),
    ("P", "At first I was nervous because I did not know anyone there", 0.35),
    ("I", "Right.", 0.35),
    ("P", "but after a few weeks the others felt like friends to me.", 1.0),
    ("I", "Was there anything that you missed in the programme?", 0.8),
    ("P", "More attention for sleep, because the nights are the hardest part.", 1.0),
]
ENROLMENT = ("Thank you for joining this interview today. I will ask about your treatment. "
             "There are no right or wrong answers, and we can pause whenever you like.")


def synth(text: str, voice: str) -> np.ndarray:
    return espeak(text, voice, speed=165, rate=RATE)


@dataclass(frozen=True)
class Interview:
    wav: Path
    enrolment: Path
    turns: list[tuple[int, int, str, str]]  # start_ms, end_ms, speaker, text

    def speaker_at(self, start_ms: int, end_ms: int) -> str | None:
        middle = (start_ms + end_ms) // 2
        for start, end, who, _ in self.turns:
            if start - 150 <= middle <= end + 150:
                return who
        return None


@dataclass(frozen=True)
class Transcribed:
    """A study with the interviewer enrolled and the interview transcribed."""

    root: Path
    session_id: int
    summary: str  # what `companion transcribe` printed


def build(folder: Path) -> Interview:
    parts = [np.zeros(RATE // 2, np.float32)]
    at = RATE // 2
    turns = []
    for who, text, gap in TURNS:
        audio = synth(text, INTERVIEWER_VOICE if who == "I" else PARTICIPANT_VOICE)
        audio = audio / np.abs(audio).max() * 0.5
        turns.append((at * 1000 // RATE, (at + len(audio)) * 1000 // RATE, who, text))
        parts += [audio, np.zeros(int(gap * RATE), np.float32)]
        at += len(audio) + int(gap * RATE)
    mix = np.concatenate(parts)
    mix = mix + np.random.default_rng(4).normal(0, 0.0015, len(mix)).astype(np.float32)
    wav = folder / "interview-mono.wav"
    sf.write(wav, mix, RATE, subtype="PCM_16")
    enrolment = folder / "interviewer.wav"
    sf.write(enrolment, synth(ENROLMENT, INTERVIEWER_VOICE), RATE, subtype="PCM_16")
    return Interview(wav, enrolment, turns)


def build_stereo(folder: Path) -> Path:
    """Another interview on two channels: the interviewer (same voice, other sentences) on
    the left, another participant on the right."""
    turns = [("I", "Good morning, and thank you for coming in to talk with me."),
             ("P", "Good morning, I am glad to be here."),
             ("I", "Shall we start with how your week has been so far?"),
             ("P", "It has been busy, with work and the children."),
             ("I", "I understand. Tell me whatever comes to mind, there is no hurry."),
             ("P", "Thank you, that helps.")]
    left, right = [], []
    for who, text in turns:
        audio = synth(text, INTERVIEWER_VOICE if who == "I" else PARTICIPANT_VOICE)
        audio = audio / np.abs(audio).max() * 0.5
        gap = np.zeros(int(0.8 * RATE), np.float32)
        silent = np.zeros_like(audio)
        left += [audio if who == "I" else silent, gap]
        right += [audio if who == "P" else silent, gap]
    path = folder / "earlier-stereo.wav"
    sf.write(path, np.stack([np.concatenate(left), np.concatenate(right)], axis=1), RATE,
             subtype="PCM_16")
    return path


def cli(root: Path, *args: str) -> Result:
    """``companion --study ROOT ARGS...`` in this process."""
    return CliRunner().invoke(main, ["--study", str(root), *args], catch_exceptions=False)


def add_session(root: Path, wav: Path, code: str = "P05") -> int:
    from companion.store.db import now_iso
    from companion.store.participants import add_participant
    from companion.store.sessions import new_session
    from companion.study import open_study

    db = open_study(root).db()
    try:
        add_participant(db, code)
        sid = new_session(db, code, protocol_id="semi-structured", protocol_hash="t").id
        info = sf.info(str(wav))
        db["recording_segments"].insert({
            "session_id": sid, "seq": 1, "path": str(wav), "format": "wav",
            "samplerate": info.samplerate, "channels": info.channels, "offset_ms": 0,
            "frames": info.frames, "status": "closed", "started_at": now_iso()})
        return sid
    finally:
        db.conn.close()
