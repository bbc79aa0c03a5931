"""Verbatim transcription: what the protocol asks Whisper to keep, and how.

Whisper's defaults write clean prose: "uh", "um", a repeated word and a false start are
mostly left out. The known way to keep them is the prompt: Whisper continues in the style
of the text it is given before the audio, so a prompt that itself hesitates
(:data:`VERBATIM_PROMPTS`) makes it write the hesitations it hears. The protocol's
vocabulary goes into the same prompt (not into hotwords, which made Whisper merge whole
30-s windows into one segment and cost a third more decoding time).

The sample must be in the language being decoded: an English sample before Dutch audio
made the multilingual model write a subtitle tag ("MUZIEK") over a whole turn and skip
its words. A language without a sample of its own gets none (the vocabulary, in the
protocol's language, still goes in). What a prompt still makes Whisper skip is decoded
again without it (see :mod:`companion.transcribe.coverage`).

Words Whisper was very unsure of, in a row (:func:`mark_unintelligible`), are written as
one ``(unintelligible)`` mark with their span, rather than a guess; the pauses keep the
conventions of :mod:`companion.notation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from companion.transcribe.pauses import TimedWord
from companion.transcribe.segmenting import TURN_PAUSE_MS

VERBATIM_PROMPT = "Um, well, I- I mean, uh, it was, hmm, it was like that."
"""Written in the style a verbatim transcript has: fillers, a restart, a repeat."""

VERBATIM_PROMPTS: dict[str, str] = {
    "en": VERBATIM_PROMPT,
    # Our own Dutch, hesitating the way a Dutch verbatim transcript does: "eh", "ehm",
    # "nou", a restart and a repeat.
    "nl": "Nou, eh, ik- ik dacht, ehm, dat het, eh, dat het wel ging.",
}
"""The verbatim sample per language (Whisper's language codes)."""

UNINTELLIGIBLE = "(unintelligible)"
UNSURE = 0.05
"""Below this probability a word is a guess."""
UNSURE_RUN = 3
"""This many such words in a row are an unintelligible stretch (one unsure word is more
often a rare name than mumbling)."""


@dataclass(frozen=True)
class Style:
    """How a session is transcribed: from its protocol, or the study's [transcribe]."""

    verbatim: bool = False
    pause_ms: int = TURN_PAUSE_MS  # a silence this long starts a new segment
    vocabulary: tuple[str, ...] = ()


def verbatim_sample(language: str | None) -> str | None:
    """The verbatim sample for ``language``; None for a language without one, or not
    known yet (a multilingual model before it has heard the audio)."""
    return VERBATIM_PROMPTS.get(language) if language else None


def initial_prompt(style: Style, language: str | None = None) -> str | None:
    """The prompt given before every chunk decoded in ``language``: the verbatim sample
    in that language (if it has one) and the vocabulary."""
    parts: list[str] = []
    sample = verbatim_sample(language)
    if style.verbatim and sample:
        parts.append(sample)
    terms = list(dict.fromkeys(t.strip() for t in style.vocabulary if t and t.strip()))
    if terms:
        parts.append(", ".join(terms) + ".")
    return " ".join(parts) or None


def mark_unintelligible(words: Sequence[TimedWord]) -> list[TimedWord]:
    """``words`` with every run of :data:`UNSURE_RUN` or more words under :data:`UNSURE`
    probability replaced by one ``(unintelligible)`` word spanning them."""
    out: list[TimedWord] = []
    run: list[TimedWord] = []

    def flush() -> None:
        if len(run) >= UNSURE_RUN:
            out.append(TimedWord(" " + UNINTELLIGIBLE, run[0].start_ms, run[-1].end_ms,
                                 min(w.probability or 0.0 for w in run)))
        else:
            out.extend(run)
        run.clear()

    for word in words:
        if word.probability is not None and word.probability < UNSURE:
            run.append(word)
        else:
            flush()
            out.append(word)
    flush()
    return out
