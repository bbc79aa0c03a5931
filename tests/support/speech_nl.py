"""A short Dutch interview spoken by espeak-ng (voice ``nl``), with known words and a long
silence, for the tests that record and transcribe under the Dutch protocol."""

from __future__ import annotations

import difflib
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 48_000
# (text, silence in seconds after it). Slow speech (130 words a minute): the base model
# then hears espeak's Dutch well enough for the key words to come back.
TURNS = [
    ("Goedemorgen. Hoe gaat het vandaag met u?", 1.5),
    ("Het gaat wel. Ik heb nog steeds veel pijn in mijn rug.", 1.5),
    ("Wat vindt u van de behandeling in het ziekenhuis?", 5.0),
    ("De behandeling is goed. Het team werkt samen.", 1.5),
    ("Heeft u ooit iets niet gezegd?", 1.5),
    ("Ja, ik was soms boos, maar ik heb het nooit verteld.", 1.0),
]
# The part a test plays in real time through the microphone: turns 2-4, with the 5 s pause
# (the whole interview is imported from its file, which costs no wall-clock time).
EXCERPT = TURNS[1:4]
# espeak's Dutch is robotic and the base model small: these four words came back in every
# trial from the file; of the others, what a real-time capture gives varies from run to run
# ("rug" heard as "ruk", "goed" as "moed"), so one of them is asked for.
KEY_WORDS = ("behandeling", "steeds", "samen", "nooit")
EXCERPT_KEY_WORDS = ("behandeling", "steeds", "samen")
MORE_WORDS = ("ziekenhuis", "verteld", "pijn", "rug", "goed", "gezegd")
MORE_NEEDED = 1


def heard(word: str, text: str) -> bool:
    """``word`` is in ``text``, or a word one slip away from it: a real-time capture is
    shifted against the model's frames from run to run, and a long word comes back with a
    letter dropped now and then ("behandling"). Still Dutch, still that word: an English
    translation ("treatment") or another word does not pass."""
    if word in text:
        return True
    return any(difflib.SequenceMatcher(None, word, said).ratio() >= 0.85
               for said in re.findall(r"\w+", text))


def dutch_interview(folder: Path, turns: list[tuple[str, float]] | None = None,
                    name: str = "interview-nl.wav") -> Path:
    """The interview (or the ``turns`` given) as a 48 kHz mono 16-bit WAV (peak about
    -3 dBFS), after half a second of silence; its path."""
    parts: list[np.ndarray] = [np.zeros(RATE // 2, np.float32)]
    with tempfile.TemporaryDirectory() as tmp:
        for index, (text, gap) in enumerate(TURNS if turns is None else turns):
            raw = Path(tmp) / f"{index}.wav"
            out = Path(tmp) / f"{index}-48k.wav"
            subprocess.run(["espeak-ng", "-v", "nl", "-s", "130", "-w", str(raw), text],
                           check=True, capture_output=True)
            subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out)],
                           check=True, capture_output=True)
            data, rate = sf.read(str(out), dtype="float32")
            assert rate == RATE
            parts += [data, np.zeros(round(gap * RATE), np.float32)]
    audio = np.concatenate(parts)
    audio *= 0.7 / max(float(np.abs(audio).max()), 1e-6)
    path = folder / name
    sf.write(str(path), audio, RATE, subtype="PCM_16")
    return path
