"""Two-speaker mono conversations whose every turn is known, for the speaker tests and
``benchmarks/speakers.py``.

- Synthetic: two espeak-ng voices (any voice or variant, ``en-gb-x-rp+m7``) in an interview
  whose questions are partly the ``pain-alliance`` protocol's own prompts (the interviewer
  reads them), partly follow-ups of their own; at a slow pace (gaps of 0.7-1.5 s, answers of
  a few sentences) or a fast one (gaps of 0.25-0.6 s, short turns, one-word interjections
  such as "Right." inside the other's answer).
- Real: recorded speech from registry packages: the pocketsphinx source distribution
  (PyPI: a LibriVox reader, the speaker of the ``cards`` clips and the one of ``chan3``,
  three men) and Debian's ``asterisk-core-sounds-en-g722`` (one woman's recorded
  telephone prompts, 16 kHz), cut into turns and put one after another at either pace.

Every conversation has a room noise under it, each turn's level set alike, and other speech
of the interviewer for enrolment.
"""

from __future__ import annotations

import io
import lzma
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import soundfile as sf

from tests.support.espeak import espeak, resample
from tests.support.realspeech import archive_path, cache_dir

RATE = 16_000
ASTERISK_DEB = "asterisk-core-sounds-en-g722"
HOW_TO_GET_ASTERISK = ("run `scripts/setup.sh test` once (it fetches the Debian package "
                       f"{ASTERISK_DEB} into .venv/share/companion-testdata/)")

Turn = tuple[int, int, str, str]  # start_ms, end_ms, "I" or "P", text ("" when unknown)


@dataclass(frozen=True)
class Conversation:
    name: str
    kind: str  # synthetic | real
    pacing: str  # slow | fast
    audio: np.ndarray  # float32, RATE, mono
    turns: tuple[Turn, ...]
    enrolment: np.ndarray  # other speech of the interviewer

    def speaker_at(self, start_ms: int, end_ms: int) -> str | None:
        """The speaker of a word by its middle: the turn it falls in (150 ms of slack for
        the word times); None between turns."""
        middle = (start_ms + end_ms) // 2
        for start, end, who, _ in self.turns:
            if start - 150 <= middle <= end + 150:
                return who
        return None

    def interviewer_share(self) -> float:
        """The interviewer's share of the speaking time, from the turns."""
        spoken = {"I": 0, "P": 0}
        for start, end, who, _ in self.turns:
            spoken[who] += end - start
        return spoken["I"] / max(1, spoken["I"] + spoken["P"])

    def questions(self) -> list[tuple[int, str]]:
        """(start_ms, text) of the interviewer's turns that are questions."""
        return [(start, text) for start, _, who, text in self.turns
                if who == "I" and text.endswith("?")]


def level(audio: np.ndarray, rms_db: float = -24.0) -> np.ndarray:
    loud = audio[np.abs(audio) > 0.02 * (np.abs(audio).max() or 1.0)]
    rms = float(np.sqrt(np.mean(loud ** 2))) if len(loud) else 1e-9
    return (audio * 10 ** (rms_db / 20) / (rms or 1e-9)).astype(np.float32)


def assemble(turns: Sequence[tuple[str, np.ndarray, str]], gaps: Sequence[float], seed: int,
             ) -> tuple[np.ndarray, tuple[Turn, ...]]:
    """Turns one after another with the given gaps (s), over a quiet room noise."""
    parts, truth, at = [np.zeros(RATE // 2, np.float32)], [], RATE // 2
    for (who, audio, text), gap in zip(turns, gaps, strict=True):
        clip = level(audio)
        truth.append((at * 1000 // RATE, (at + len(clip)) * 1000 // RATE, who, text))
        pause = int(gap * RATE)
        parts += [clip, np.zeros(pause, np.float32)]
        at += len(clip) + pause
    mix = np.concatenate(parts)
    noise = np.random.default_rng(seed).normal(0, 10 ** (-58 / 20), len(mix))
    return (mix + noise).astype(np.float32), tuple(truth)


def _gaps(count: int, pacing: str, seed: int) -> list[float]:
    low, high = (0.25, 0.6) if pacing == "fast" else (0.7, 1.5)
    return [round(float(g), 2) for g in np.random.default_rng(seed).uniform(low, high, count)]


# --- synthetic interviews -----------------------------------------------------------------

@cache
def protocol_prompts() -> tuple[str, ...]:
    """The ``pain-alliance`` protocol's prompt texts, as the interviewer would read them."""
    from companion.protocol.registry import get_protocol

    protocol = get_protocol("pain-alliance")
    return tuple(" ".join(p.text.split()) for phase in protocol.phases for p in phase.prompts)


SLOW_SCRIPT: tuple[tuple[str, str], ...] = (
    ("I", "@0"),
    ("P", "It began after a fall on the ice, about eight years ago now. Since then it has "
          "moved from my lower back into my legs."),
    ("I", "What did the first doctor tell you back then?"),
    ("P", "She told me to rest and to take painkillers for a while, and that it would pass "
          "on its own."),
    ("I", "@1"),
    ("P", "Mostly I felt that nobody really listened. They looked at the scans and not at "
          "me."),
    ("I", "How did you feel about the group sessions?"),
    ("P", "At first I was nervous because I did not know anyone there|Right.|but after a "
          "few weeks the others felt like friends to me."),
    ("I", "@7"),
    ("P", "I never said much. I just nodded and did what they asked, because I did not want "
          "to be difficult."),
    ("I", "Was there anything that you missed in the programme?"),
    ("P", "More attention for sleep, because the nights are the hardest part of all."),
)
FAST_SCRIPT: tuple[tuple[str, str], ...] = (
    ("I", "@0"),
    ("P", "Eight years ago, after a fall."),
    ("I", "And since then?"),
    ("P", "Worse every winter.|Okay.|Mostly in my back."),
    ("I", "Did anyone explain why?"),
    ("P", "No, not really."),
    ("I", "@3"),
    ("P", "Sometimes. The physiotherapist did.|Right.|The doctor never."),
    ("I", "Why do you think that was?"),
    ("P", "He was always in a hurry."),
    ("I", "I see."),
    ("P", "And I did not dare to ask."),
    ("I", "@8"),
    ("P", "Together, mostly.|Yes.|But not at the start."),
    ("I", "What changed?"),
    ("P", "I started to speak up for myself."),
    ("I", "Good."),
    ("P", "It took a long time, though."),
)
ENROLMENT_TEXT = ("Thank you for taking part today. I will ask you about your treatment, and "
                  "there are no right or wrong answers. We can pause whenever you like, and "
                  "you may skip any question you would rather not answer.")


def synthetic(interviewer: str, participant: str, pacing: str = "slow", *,
              seed: int = 0, speed: int = 165) -> Conversation:
    """An interview of two espeak-ng voices (``@N`` in the script reads the protocol's
    prompt N; ``|`` cuts an answer around the other voice's interjection)."""
    prompts = protocol_prompts()
    script = FAST_SCRIPT if pacing == "fast" else SLOW_SCRIPT
    turns: list[tuple[str, np.ndarray, str]] = []
    gaps: list[float] = []
    pace = _gaps(64, pacing, seed)
    for who, line in script:
        text = prompts[int(line[1:])] if line.startswith("@") else line
        pieces = text.split("|")
        for k, piece in enumerate(pieces):
            speaker = who if k % 2 == 0 else ("P" if who == "I" else "I")
            voice = interviewer if speaker == "I" else participant
            turns.append((speaker, espeak(piece, voice, speed=speed, rate=RATE), piece))
            # an interjection comes quickly, inside the other's turn
            gaps.append(0.3 if k < len(pieces) - 1 else pace[len(gaps) % len(pace)])
    audio, truth = assemble(turns, gaps, seed=seed + 7)
    enrol = espeak(ENROLMENT_TEXT, interviewer, speed=speed, rate=RATE)
    return Conversation(f"{interviewer} / {participant}", "synthetic", pacing, audio, truth,
                        enrol)


# --- real recorded speech -----------------------------------------------------------------

@cache
def pocketsphinx_clips() -> dict[str, np.ndarray]:
    """The LibriVox reader (lv), the cards speaker and the chan3 speaker, 16 kHz."""
    root = "pocketsphinx-5.1.1/test/"
    out: dict[str, np.ndarray] = {}
    with tarfile.open(archive_path()) as tar:
        def wav(name: str) -> np.ndarray:
            member = tar.extractfile(root + name)
            assert member is not None
            data, rate = sf.read(io.BytesIO(member.read()), dtype="float32")
            return resample(data, rate, RATE)

        for n in ("0870", "0880", "0890", "0920", "0930"):
            out[f"lv{n}"] = wav(f"data/librivox/sense_and_sensibility_01_austen_64kb-{n}.wav")
        for n in range(1, 6):
            out[f"cards{n}"] = wav(f"data/cards/00{n}.wav")
        chan3 = wav("regression/chan3.wav")
        for i, (a, b) in enumerate([(0.1, 2.3), (2.7, 6.0), (8.1, 10.3), (12.9, 16.1)]):
            out[f"chan3-{i + 1}"] = chan3[int(a * RATE): int(b * RATE)]
    return out


ALLISON = ("vm-instructions", "demo-enterkeywords", "vm-record-prepend", "vm-review",
           "tt-allbusy", "demo-nogo", "vm-opts-full", "dir-intro", "demo-moreinfo",
           "vm-msginstruct")


def asterisk_deb() -> Path:
    found = sorted(cache_dir().glob(f"{ASTERISK_DEB}_*.deb"))
    if not found:
        raise FileNotFoundError(f"{cache_dir()}/{ASTERISK_DEB}_*.deb is missing: "
                                f"{HOW_TO_GET_ASTERISK}")
    return found[-1]


@cache
def allison_clips() -> dict[str, np.ndarray]:
    """Recorded prompts of one woman (the Debian package's en_US_f_Allison), 16 kHz."""
    import av

    data = asterisk_deb().read_bytes()
    at, inner = 8, b""
    while at < len(data):  # an ar archive: 60-byte headers, even-aligned members
        name, size = data[at:at + 16].strip(), int(data[at + 48:at + 58])
        if name.startswith(b"data.tar"):
            inner = data[at + 60: at + 60 + size]
            break
        at += 60 + size + (size % 2)
    raw = lzma.decompress(inner) if inner[:6] == b"\xfd7zXZ\x00" else inner
    out: dict[str, np.ndarray] = {}
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for member in tar.getmembers():
            stem = Path(member.name).stem
            if not member.name.endswith(".g722") or stem not in ALLISON:
                continue
            source = tar.extractfile(member)
            assert source is not None
            with av.open(io.BytesIO(source.read()), format="g722") as container:
                frames = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
                rate = container.streams.audio[0].rate
            pcm = np.concatenate(frames).astype(np.float32)
            pcm = pcm / 32768.0 if np.abs(pcm).max() > 2 else pcm
            out[stem] = resample(pcm, rate, RATE)
    return out


def pieces(audio: np.ndarray, seconds: float) -> list[np.ndarray]:
    """``audio`` cut into pieces of about ``seconds``, each cut in the quietest 10 ms within
    half a second of the target (so words are not cut)."""
    hop = RATE // 100
    energy = np.convolve(audio.astype(float) ** 2, np.ones(hop) / hop, "same")
    out, start = [], 0
    while len(audio) - start > 1.6 * seconds * RATE:
        target = start + int(seconds * RATE)
        lo, hi = target - RATE // 2, target + RATE // 2
        cut = lo + int(np.argmin(energy[lo:hi]))
        out.append(audio[start:cut])
        start = cut
    out.append(audio[start:])
    return out


def _trim(audio: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(audio) > 0.05 * np.abs(audio).max())
    return audio[max(0, loud[0] - 800): loud[-1] + 800] if len(loud) else audio


def real(interviewer: str, participant: str, pacing: str = "slow", *,
         seed: int = 0) -> Conversation:
    """A conversation of two real speakers: ``librivox``, ``cards``, ``chan3`` or
    ``allison``. Slow: whole clips as turns; fast: pieces of 1-2 s and one-clip
    interjections. The interviewer's enrolment is speech of theirs not used in the turns."""
    speech = {name: _speaker_clips(name) for name in (interviewer, participant)}
    enrol_count = 2 if interviewer != "librivox" else 1
    mine = speech[interviewer][enrol_count:]
    enrolment = np.concatenate(speech[interviewer][:enrol_count])
    theirs = speech[participant]
    if pacing == "fast":
        mine = [p for clip in mine for p in pieces(clip, 1.4)]
        theirs = [p for clip in theirs for p in pieces(clip, 1.8)]
    rng = np.random.default_rng(seed)
    turns: list[tuple[str, np.ndarray, str]] = []
    mine_left, theirs_left = list(mine), list(theirs)
    while mine_left or theirs_left:
        if mine_left:
            turns.append(("I", mine_left.pop(0), ""))
        take = 1 if pacing == "fast" else int(rng.integers(1, 3))
        for _ in range(take):
            if theirs_left:
                turns.append(("P", theirs_left.pop(0), ""))
    audio, truth = assemble(turns, _gaps(len(turns), pacing, seed), seed=seed + 11)
    return Conversation(f"{interviewer} / {participant}", "real", pacing, audio, truth,
                        enrolment)


def _speaker_clips(name: str) -> list[np.ndarray]:
    if name == "allison":
        clips = allison_clips()
        chosen: list[np.ndarray] = []
        for key in ALLISON:  # about as much speech as the others have
            if key in clips and sum(len(c) for c in chosen) < 40 * RATE:
                chosen += pieces(_trim(clips[key]), 5.0)
        return chosen
    ps = pocketsphinx_clips()
    prefix = {"librivox": "lv", "cards": "cards", "chan3": "chan3-"}[name]
    return [_trim(ps[k]) for k in sorted(ps) if k.startswith(prefix)]
