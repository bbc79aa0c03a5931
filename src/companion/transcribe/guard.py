"""The hallucination guard: words Whisper wrote where nobody spoke are not kept.

Whisper, asked to transcribe a silence or a noise, may invent a "Thank you." or repeat a
phrase over and over. Two checks, on the file's own audio and the words' own times:

- **silence**: a word whose whole span (widened by :data:`EDGE_MS` either side) has no
  10-ms frame above the room's noise floor was spoken by nobody;
- **tag**: a subtitle's sound label ("MUZIEK", "[Music]", "(applaus)", "♪"), which the
  training data put where nobody speaks and which Whisper writes over robotic or unclear
  speech, never as anyone's words; written in capitals, brackets or notes only, so a
  participant's own "muziek" stays;
- **loop**: the same phrase of 2-6 words more than :data:`MAX_PHRASE_REPEATS` times in a
  row, or one word more than :data:`MAX_WORD_REPEATS` times (verbatim speech repeats a
  word or two when it restarts, never a phrase five times): the extra copies go.

What is dropped is kept, with its time and reason, in the ``transcript_dropped`` table
(written with the chunk's segments, see :mod:`companion.store.dropped`), so review and the
audit can show it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from companion.audio.decode import FRAME_MS
from companion.store.dropped import Dropped
from companion.transcribe.pauses import TimedWord

EDGE_MS = 100
MAX_WORD_REPEATS = 3
MAX_PHRASE_REPEATS = 2


SOUND_TAGS = frozenset({
    "music", "muziek", "musique", "musik", "musica", "música", "applause", "applaus",
    "laughter", "gelach", "lachen", "laughs", "silence", "stilte", "noise", "geluid",
    "inaudible", "onverstaanbaar", "blank_audio", "blank", "audio",
})
"""Sound labels of subtitles, in the languages companion ships protocols in and others."""

_BRACKETED = re.compile(r"^\W*[\[(*♪♫].*|.*[\])*♪♫]\W*$")


def is_sound_tag(word: str) -> bool:
    """Whether ``word`` (as Whisper wrote it) is a subtitle's sound label, not speech."""
    text = word.strip()
    if not text:
        return False
    if set(text) <= set("♪♫ .,!?-"):
        return True
    key = re.sub(r"[^\w]", "", text).lower()
    if key not in SOUND_TAGS:
        return False
    letters = re.sub(r"[^\w]", "", text)
    return letters.isupper() or bool(_BRACKETED.match(text))


def in_silence(word: TimedWord, voiced: np.ndarray) -> bool:
    lo = max(0, (word.start_ms - EDGE_MS) // FRAME_MS)
    hi = min(len(voiced), (word.end_ms + EDGE_MS) // FRAME_MS + 1)
    return not bool(voiced[lo:hi].any())


def _key(word: TimedWord) -> str:
    return re.sub(r"[^\w']", "", word.word.lower())


def loop_copies(words: Sequence[TimedWord]) -> set[int]:
    """Indices of the words that are extra copies of a looping phrase."""
    keys = [_key(w) for w in words]
    extra: set[int] = set()
    index = 0
    while index < len(words):
        found = False
        for size in range(6, 0, -1):
            allowed = MAX_WORD_REPEATS if size == 1 else MAX_PHRASE_REPEATS
            phrase = keys[index:index + size]
            if len(phrase) < size or not all(phrase):
                continue
            count = 1
            while keys[index + count * size: index + (count + 1) * size] == phrase:
                count += 1
            if count > allowed:
                extra.update(range(index + allowed * size, index + count * size))
                index += count * size
                found = True
                break
        if not found:
            index += 1
    return extra


def guard_words(words: Sequence[TimedWord],
                voiced: np.ndarray) -> tuple[list[TimedWord], list[Dropped]]:
    """(words kept, words dropped) of one chunk's words, in time order."""
    dropped: list[Dropped] = []
    heard: list[TimedWord] = []
    for word in words:
        if is_sound_tag(word.word):
            dropped.append(Dropped(word.word, word.start_ms, word.end_ms, word.probability,
                                   "tag"))
        elif in_silence(word, voiced):
            dropped.append(Dropped(word.word, word.start_ms, word.end_ms, word.probability,
                                   "silence"))
        else:
            heard.append(word)
    copies = loop_copies(heard)
    kept = [w for i, w in enumerate(heard) if i not in copies]
    dropped += [Dropped(w.word, w.start_ms, w.end_ms, w.probability, "loop")
                for i, w in enumerate(heard) if i in copies]
    dropped.sort(key=lambda d: d.start_ms)
    return kept, dropped
