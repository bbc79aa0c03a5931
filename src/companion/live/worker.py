"""The live transcriber process: audio frames in on stdin, JSON lines out on stdout.

Run by :class:`companion.live.client.LiveTranscriber` as ``python -m
companion.live.worker``. It lowers its own priority first (``os.nice``) and decodes with a
single CPU thread, so the recorder (another process's thread, at normal priority) always
gets the CPU it needs. A reader thread takes frames off the pipe as they come; when the
audio waiting to be decoded is more than ``--max-lag`` seconds behind, the oldest is
dropped and a ``skipped`` message says which stretch of the session has no live lines.

Messages: ``ready``; ``line`` (start_ms, end_ms, text, speaker); ``skipped`` (from_ms,
to_ms); ``talk`` (start_ms, end_ms, ms: label → speaking ms, two-channel only);
``error`` (message) before exiting on a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import sys
import threading
from collections.abc import Sequence
from typing import BinaryIO

import numpy as np

from companion.live.segmenter import RATE, Phrase, Segmenter, level_db, resample_to_16k
from companion.live.speakers import label_line, load_mono_labeller, set_mono_labeller
from companion.live.wire import Block, encode_message, read_block

NICENESS = 10
TALK_BATCH_MS = 1000


class Output:
    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.lock = threading.Lock()

    def send(self, kind: str, **fields: object) -> None:
        with self.lock:
            self.stream.write(encode_message(kind, **fields))
            self.stream.flush()


class TalkMeter:
    """Speaking time per channel, by frame energy, reported in batches of about a second."""

    def __init__(self, labels: tuple[str, str], out: Output) -> None:
        self.labels = labels
        self.out = out
        self.start_ms: int | None = None
        self.end_ms = 0
        self.ms = dict.fromkeys(labels, 0)

    def feed(self, start_ms: int, audio: np.ndarray) -> None:
        if audio.shape[1] != 2 or not len(audio):
            return
        if self.start_ms is None:
            self.start_ms = start_ms
        length = len(audio) * 1000 // RATE
        levels = [level_db(audio[:, c]) for c in (0, 1)]
        loud = int(np.argmax(levels))
        if levels[loud] > -50.0 and levels[loud] - levels[1 - loud] >= 3.0:
            self.ms[self.labels[loud]] += length
        self.end_ms = start_ms + length
        if self.end_ms - self.start_ms >= TALK_BATCH_MS:
            self.flush()

    def flush(self) -> None:
        if self.start_ms is None:
            return
        self.out.send("talk", start_ms=self.start_ms, end_ms=self.end_ms, ms=self.ms)
        self.start_ms = None
        self.ms = dict.fromkeys(self.labels, 0)


def _reader(stream: BinaryIO, channels: int, blocks: queue.Queue[Block | None]) -> None:
    try:
        while True:
            item = read_block(stream, channels)
            blocks.put(item)
            if item is None:
                return
    except Exception:
        blocks.put(None)


class Transcriber:
    def __init__(self, args: argparse.Namespace, out: Output) -> None:
        from companion.models.resolve import resolve_model
        from companion.transcribe.engine import DecodeOptions, Engine

        self.out = out
        self.labels = [*args.labels.split(","), "I", "P"][:2]
        self.engine = Engine(resolve_model(args.model or None), threads=1)
        language = args.language or (None if self.engine.multilingual else "en")
        self.options = DecodeOptions(language=language, beam_size=1,
                                     hotwords=args.hotwords or None)

    def phrase(self, phrase: Phrase) -> None:
        mono = phrase.audio.mean(axis=1).astype(np.float32)
        segments, _language = self.engine.transcribe(mono, self.options)
        for seg in segments:
            text = seg.text.strip()
            if not text or (text.startswith(("[", "(")) and text.endswith(("]", ")"))):
                continue  # "[music]", "(silence)": not words anyone said
            lo = max(0, int(seg.start * RATE))
            hi = min(len(phrase.audio), max(lo + 1, int(seg.end * RATE)))
            start_ms = phrase.start_ms + int(seg.start * 1000)
            end_ms = min(phrase.end_ms, phrase.start_ms + int(seg.end * 1000))
            speaker = label_line(phrase.audio[lo:hi], start_ms, (self.labels[0],
                                                                 self.labels[1]))
            self.out.send("line", start_ms=start_ms, end_ms=max(end_ms, start_ms), text=text,
                          speaker=speaker)


def run(args: argparse.Namespace, stdin: BinaryIO, out: Output) -> int:
    if args.nice:
        # Not allowed to lower it further: the single thread still keeps it small.
        with contextlib.suppress(OSError):
            os.nice(args.nice)
    if args.mono_labeller:
        set_mono_labeller(load_mono_labeller(args.mono_labeller))
    blocks: queue.Queue[Block | None] = queue.Queue()
    threading.Thread(target=_reader, args=(stdin, args.channels, blocks), daemon=True,
                     name="live-reader").start()
    transcriber = Transcriber(args, out)
    out.send("ready", pid=os.getpid())
    segmenter = Segmenter()
    talk = TalkMeter((transcriber.labels[0], transcriber.labels[1]), out)
    block_ms = 50
    max_blocks = max(1, int(args.max_lag * 1000 / block_ms))
    while True:
        item = blocks.get()
        if item is None:
            break
        start_ms, block = item
        block_ms = max(1, len(block) * 1000 // args.samplerate)
        max_blocks = max(1, int(args.max_lag * 1000 / block_ms))
        waiting = blocks.qsize()
        if waiting > max_blocks:
            # Behind: drop all but the newest second and say which stretch has no lines.
            keep = max(1, 1000 // block_ms)
            last = item
            for _ in range(waiting - keep):
                nxt = blocks.get()
                if nxt is None:
                    blocks.put(None)
                    break
                last = nxt
            resumed_ms = last[0]
            out.send("skipped", from_ms=start_ms, to_ms=resumed_ms)
            for phrase in segmenter.flush():
                transcriber.phrase(phrase)
            talk.flush()
            continue
        audio = resample_to_16k(block, args.samplerate)
        talk.feed(start_ms, audio)
        for phrase in segmenter.feed(start_ms, audio):
            transcriber.phrase(phrase)
    for phrase in segmenter.flush():
        transcriber.phrase(phrase)
    talk.flush()
    out.send("done")
    return 0


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="companion-live")
    parser.add_argument("--samplerate", type=int, required=True)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--labels", default="I,P")
    parser.add_argument("--model", default="")
    parser.add_argument("--language", default="")
    parser.add_argument("--hotwords", default="")
    parser.add_argument("--max-lag", type=float, default=20.0)
    parser.add_argument("--nice", type=int, default=NICENESS)
    parser.add_argument("--mono-labeller", default="")
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    out = Output(sys.stdout.buffer)
    try:
        return run(args, sys.stdin.buffer, out)
    except Exception as exc:  # said on the pipe; the app shows it, the recording goes on
        out.send("error", message=f"{type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
