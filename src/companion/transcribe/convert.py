"""The words Whisper found in one chunk of a recording, as the segments, pauses and dropped
words that are stored for it.

Whisper's own segments are not kept: its words are checked by the hallucination guard
(:mod:`companion.transcribe.guard`), cut again at pauses and sentence ends
(:mod:`companion.transcribe.segmenting`) and where the speaker changes on two channels
(:mod:`companion.transcribe.speakers`), and, in verbatim mode, runs of unsure words become
one ``(unintelligible)`` mark (:mod:`companion.transcribe.verbatim`). Times go from the
chunk's clip to the file and then to the session's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.audio import decode
from companion.store import transcripts as store
from companion.store.dropped import Dropped
from companion.transcribe.chunks import Chunk
from companion.transcribe.engine import RawSegment
from companion.transcribe.guard import guard_words
from companion.transcribe.pauses import Silence, TimedWord, find_pauses, give_length
from companion.transcribe.segmenting import split_words
from companion.transcribe.speakers import attribute_words, split_by_speaker
from companion.transcribe.verbatim import Style, mark_unintelligible


@dataclass(frozen=True)
class RecordingPart:
    """One recording file of the session, placed on the session's clock."""

    id: int
    seq: int
    path: Path
    offset_ms: int
    duration_ms: int

    @property
    def end_ms(self) -> int:
        return self.offset_ms + self.duration_ms


@dataclass(frozen=True)
class Source:
    """One recording file being transcribed, and what its words are checked against."""

    part: RecordingPart
    audio: decode.Levels  # the file's length and 10-ms levels, not its signal
    silence: Silence
    voiced: Any  # np.ndarray: one flag per 10-ms frame, above the room's noise floor
    labels: tuple[str, str]
    interviewer_channel: int
    style: Style


def convert_chunk(
    source: Source, chunk: Chunk, raws: list[RawSegment], previous: TimedWord | None,
    floor_ms: int = 0,
) -> tuple[list[store.NewSegment], list[store.Pause], TimedWord | None, list[Dropped]]:
    """The words Whisper found in ``chunk`` as stored segments — cut at pauses, sentence
    ends and speaker changes, at most 15 s each — with the pauses before and between
    them; the words the guard dropped; and the last word kept (or ``previous``).

    ``previous`` is the last word before the chunk in the file (for the pause in between);
    words starting before ``floor_ms`` (ms after the chunk's start) are left out.
    """
    part, silence = source.part, source.silence
    words: list[TimedWord] = []
    confidence: list[float] = []  # the Whisper segment's avg_logprob, per word
    for raw in raws:
        for w in raw.words:
            start_ms = chunk.to_file_ms(w.start)
            if not w.word.strip() or start_ms - chunk.start_ms < floor_ms:
                continue
            end_ms = max(start_ms, chunk.to_file_ms(w.end))
            words.append(TimedWord(w.word, start_ms, end_ms, round(w.probability, 4)))
            confidence.append(raw.avg_logprob)
    logprob = dict(zip(((w.start_ms, w.word) for w in words), confidence, strict=True))
    words.sort(key=lambda w: w.start_ms)  # a span decoded again comes after the first pass
    kept, dropped = guard_words(words, source.voiced)
    # Every word a length (Whisper gives a short word none at times), then only its sound.
    floor = previous.end_ms if previous is not None else 0
    words = [silence.trim(w) for w in give_length(kept, floor_ms=floor)]
    scores = [logprob[(w.start_ms, w.word)] for w in kept]
    if source.style.verbatim:
        marked = mark_unintelligible(words)
        if len(marked) != len(words):
            scores = [min(scores)] * len(marked)  # a mark carries the chunk's worst
        words = marked
    if not words:
        return [], [], previous, dropped
    score = dict(zip((id(w) for w in words), scores, strict=True))
    groups: list[tuple[str | None, list[TimedWord]]] = []
    for group in split_words(words, pause_ms=source.style.pause_ms):
        if source.audio.channels == 2:
            who = attribute_words(group, source.audio.channel_power, source.labels,
                                  interviewer_channel=source.interviewer_channel)
            groups += split_by_speaker(group, who)
        else:
            groups.append((None, group))
    found = find_pauses(words, silence, previous=previous)
    firsts = run_starts(groups)
    rows = [
        store.NewSegment(
            recording_segment_id=part.id,
            start_ms=part.offset_ms + run[0].start_ms,
            end_ms=part.offset_ms + run[-1].end_ms,
            text="".join(w.word for w in run).strip(),
            speaker=speaker,
            avg_logprob=round(sum(score[id(w)] for w in run) / len(run), 4),
            words=tuple(store.Word(w.word, part.offset_ms + w.start_ms,
                                   part.offset_ms + w.end_ms, w.probability, speaker)
                        for w in run))
        for speaker, run in groups]
    pauses = [store.Pause(part.offset_ms + start, part.offset_ms + end,
                          within_segment=index not in firsts)
              for start, end, index in found]
    return rows, pauses, words[-1], dropped


def run_starts(runs: list[tuple[str | None, list[TimedWord]]]) -> set[int]:
    """Indices (into the segment's words) of the first word of each run."""
    starts, index = set(), 0
    for _, run in runs:
        starts.add(index)
        index += len(run)
    return starts
