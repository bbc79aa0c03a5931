"""Real recorded speech with reference text, for the transcription tests and benchmark.

The speech comes from a registry package: the source distribution of ``pocketsphinx``
(PyPI) ships test recordings with their transcripts — five LibriVox clips of a reader of
*Sense and Sensibility* (read English, one of them with a spoken repeat), five spoken
card names and "go forward ten meters". ``scripts/setup.sh test`` downloads that archive
once into ``.venv/share/companion-testdata/``; this module reads the clips straight from
it (no network, no extraction). ``$COMPANION_TESTDATA`` may name another folder.

:func:`conversation` puts the clips between espeak-ng questions, with silences of 2-5 s,
a steady room noise under everything and one quiet, hoarse turn (the gain lowered by
24 dB, noise added), and returns the audio with the reference text of every turn.
"""

from __future__ import annotations

import io
import os
import random
import re
import sys
import tarfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import soundfile as sf

from tests.support.espeak import espeak

RATE = 16_000
SDIST = "pocketsphinx-5.1.1.tar.gz"
ROOT = "pocketsphinx-5.1.1/test/data/"
HOW_TO_GET = ("run `scripts/setup.sh test` once (it downloads the pocketsphinx source "
              "distribution from PyPI into .venv/share/companion-testdata/)")


class MissingTestData(RuntimeError):
    """The pocketsphinx archive is not in the test-data cache."""


def cache_dir() -> Path:
    env = os.environ.get("COMPANION_TESTDATA")
    return Path(env) if env else Path(sys.prefix) / "share" / "companion-testdata"


def archive_path() -> Path:
    path = cache_dir() / SDIST
    if not path.is_file():
        raise MissingTestData(f"{path} is missing: {HOW_TO_GET}")
    return path


@dataclass(frozen=True)
class Clip:
    name: str
    audio: np.ndarray  # float32 mono, RATE
    text: str  # reference, lower case, no punctuation


@cache
def real_clips() -> tuple[Clip, ...]:
    """Every recording of the archive that has a reference transcript, in a fixed order."""
    clips: list[Clip] = []
    with tarfile.open(archive_path()) as tar:
        def read(name: str) -> bytes:
            member = tar.extractfile(ROOT + name)
            assert member is not None
            return member.read()

        def wav(name: str) -> np.ndarray:
            data, rate = sf.read(io.BytesIO(read(name)), dtype="float32")
            assert rate == RATE, (name, rate)
            return data if data.ndim == 1 else data.mean(axis=1)

        for number in ("0870", "0880", "0890", "0920", "0930"):
            stem = f"librivox/sense_and_sensibility_01_austen_64kb-{number}"
            clips.append(Clip(f"librivox-{number}", wav(stem + ".wav"),
                              read(stem + ".txt").decode().strip()))
        cards = read("cards/cards.transcription").decode()
        for line in cards.splitlines():
            found = re.match(r"<s>(.*)</s>\s*\((\d+)\)", line.strip())
            if found:
                clips.append(Clip(f"cards-{found[2]}", wav(f"cards/{found[2]}.wav"),
                                  found[1].strip()))
        raw = np.frombuffer(read("goforward.raw"), dtype="<i2").astype(np.float32) / 32768
        clips.append(Clip("goforward", raw, "go forward ten meters"))
    return tuple(clips)


def clip(name: str) -> Clip:
    for found in real_clips():
        if found.name == name:
            return found
    raise KeyError(name)


def synth(text: str, voice: str = "en-us", *, speed: int = 160) -> np.ndarray:
    """espeak-ng speech at :data:`RATE` (resampled from its 22.05 kHz), edges trimmed."""
    return espeak(text, voice, speed=speed, rate=RATE)


def normalise(audio: np.ndarray, peak_db: float = -3.0) -> np.ndarray:
    return (audio / max(1e-9, float(np.abs(audio).max())) * 10 ** (peak_db / 20)).astype(
        np.float32)


def hoarse(audio: np.ndarray, *, gain_db: float = -24.0, snr_db: float = 12.0,
           seed: int = 3) -> np.ndarray:
    """A quiet, breathy version of ``audio``: the gain lowered, noise added at ``snr_db``."""
    quiet = normalise(audio) * 10 ** (gain_db / 20)
    rms = float(np.sqrt(np.mean(quiet ** 2)))
    noise = np.random.default_rng(seed).normal(0, rms * 10 ** (-snr_db / 20), len(quiet))
    return (quiet + noise).astype(np.float32)


@dataclass(frozen=True)
class Turn:
    kind: str  # "espeak", "real" or "quiet" (real, hoarse)
    text: str  # reference
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Conversation:
    audio: np.ndarray  # float32 mono, RATE
    turns: tuple[Turn, ...]

    @property
    def reference(self) -> str:
        return " ".join(t.text for t in self.turns)

    @property
    def duration_s(self) -> float:
        return len(self.audio) / RATE

    def silences(self, *, margin_s: float = 0.3) -> list[tuple[float, float]]:
        """The stretches between turns, less ``margin_s`` at either edge."""
        edges = [0.0, *[x for t in self.turns for x in (t.start_s, t.end_s)], self.duration_s]
        gaps = list(zip(edges[::2], edges[1::2], strict=True))
        return [(a + margin_s, b - margin_s) for a, b in gaps if b - a > 2 * margin_s]

    def write(self, path: Path) -> Path:
        sf.write(path, self.audio, RATE, subtype="PCM_16")
        return path


QUESTIONS = (
    "Could you read me the first passage, please?",
    "Thank you. And the next one?",
    "How did the pain start?",
    "Please go on.",
    "Which cards did you draw?",
    "And after that?",
    "Can you say the last one?",
    "What did the physiotherapist tell you?",
)


def conversation(turns: list[tuple], *, gaps: tuple[float, float] = (2.0, 5.0),
                 noise_db: float = -66.0, seed: int = 11) -> Conversation:
    """Audio of ``turns``: (kind, what) or (kind, what, silence before it in seconds), kind
    "espeak" (what: the text to say), "real" or "quiet" (what: a clip name) or "passage"
    (what: clip names joined by "+", read on with 0.25-s breaths); silences of ``gaps``
    seconds between turns unless given, and room noise of ``noise_db`` dBFS (RMS)."""
    rng = random.Random(seed)
    parts: list[np.ndarray] = []
    made: list[Turn] = []
    pos = 0
    for index, (kind, what, *given) in enumerate(turns):
        gap = given[0] if given else 1.0 if index == 0 else rng.uniform(*gaps)
        parts.append(np.zeros(round(gap * RATE), np.float32))
        pos += len(parts[-1])
        if kind == "espeak":
            voice, text = normalise(synth(what), -6.0), what
        elif kind == "passage":
            pieces = [clip(name) for name in what.split("+")]
            breath = np.zeros(RATE // 4, np.float32)
            voice = normalise(np.concatenate(
                [x for p in pieces for x in (p.audio, breath)][:-1]))
            text = " ".join(p.text for p in pieces)
        else:
            real = clip(what)
            voice = hoarse(real.audio) if kind == "quiet" else normalise(real.audio)
            text = real.text
        parts.append(voice)
        made.append(Turn(kind, text, pos / RATE, (pos + len(voice)) / RATE))
        pos += len(voice)
    parts.append(np.zeros(RATE, np.float32))
    audio = np.concatenate(parts)
    room = np.random.default_rng(seed).normal(0, 10 ** (noise_db / 20), len(audio))
    return Conversation((audio + room).astype(np.float32), tuple(made))


def benchmark_turns() -> list[tuple[str, str]]:
    """Every real clip once, each after an espeak-ng question; the third LibriVox clip
    quiet and hoarse; and one espeak answer with spoken fillers."""
    turns: list[tuple[str, str]] = []
    questions = iter(QUESTIONS * 3)
    for real in real_clips():
        turns.append(("espeak", next(questions)))
        turns.append(("quiet" if real.name == "librivox-0890" else "real", real.name))
    turns.insert(6, ("espeak", "Well, uh, I think it was, um, about ten years ago."))
    return turns


# --- word error rate -----------------------------------------------------------------

FILLERS = frozenset({"uh", "um", "umm", "uhm", "hmm", "mm", "er", "erm", "ah"})
_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen", "twenty"]
_SPELLING = {"mr": "mister", "mrs": "missus", "metres": "meters", "metre": "meter",
             "ill-disposed": "ill disposed", "cold-hearted": "cold hearted"}


def words_of(text: str) -> list[str]:
    """Words for scoring: lower case, no punctuation, numbers spelt out, no fillers (as
    Whisper's own English normaliser scores), unmarked stretches left out."""
    text = text.lower().replace("(unintelligible)", " ")
    out: list[str] = []
    for token in re.findall(r"[a-z0-9'\-]+", text):
        token = token.strip("-'")
        token = _SPELLING.get(token, token)
        for part in token.replace("-", " ").split():
            if part.isdigit() and int(part) < len(_NUMBERS):
                part = _NUMBERS[int(part)]
            if part and part not in FILLERS:
                out.append(part)
    return out


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference words)."""
    ref, hyp = words_of(reference), words_of(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[len(hyp)], len(ref)


def wer(reference: str, hypothesis: str) -> float:
    errors, total = word_errors(reference, hypothesis)
    return errors / max(1, total)
