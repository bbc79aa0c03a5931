"""A short Dutch interview spoken by espeak-ng (voice ``nl``), with known words and a long
silence, for the tests that record and transcribe under the Dutch protocol."""

from __future__ import annotations

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
# espeak's Dutch is robotic and the base model small: these four words came back in every
# trial (live microphone and file, start shifted by up to 0.4 s); of the others, what a
# real-time capture gives varies from run to run ("rug" heard as "ruk", "goed" as "moed"),
# so one of them is asked for.
KEY_WORDS = ("behandeling", "steeds", "samen", "nooit")
MORE_WORDS = ("ziekenhuis", "verteld", "pijn", "rug", "goed", "gezegd")
MORE_NEEDED = 1


def dutch_interview(folder: Path) -> Path:
    """The interview as a 48 kHz mono 16-bit WAV (peak about -3 dBFS); its path."""
    parts: list[np.ndarray] = [np.zeros(RATE // 2, np.float32)]
    with tempfile.TemporaryDirectory() as tmp:
        for index, (text, gap) in enumerate(TURNS):
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
    path = folder / "interview-nl.wav"
    sf.write(str(path), audio, RATE, subtype="PCM_16")
    return path
