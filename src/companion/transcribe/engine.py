"""The speech-to-text engine: faster-whisper, quiet, loaded once per process.

CPU with int8 by default, CUDA (float16) when a GPU is present; word timestamps on. The
runner gives it one chunk of speech at a time (see :mod:`companion.transcribe.chunks`), so
by default it decodes without its own VAD filter and without conditioning on earlier text.
Nothing is printed: faster-whisper's progress bar stays off, its logger has no output of
its own, and CTranslate2 only reports errors, so a TUI worker can run it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from companion.errors import CompanionError, InputError
from companion.heap import settle
from companion.models.resolve import ModelChoice, resolve_model


class DamagedModelError(CompanionError):
    """The model cannot be loaded, or what it decodes is no text at all: its files are
    damaged (a changed model.bin), not the audio."""

    exit_code = 2


# A run of one character this long is no speech Whisper writes (a row of exclamation
# marks or quotes): a model whose weights were changed writes such runs on any audio,
# silence included.
NONSENSE_RUN = 16


def nonsense(text: str, avg_logprob: float) -> str | None:
    """Why a decoded segment is no text a sound model writes, or None."""
    if not np.isfinite(avg_logprob):
        return f"a log-probability of {avg_logprob}"
    run, last = 0, ""
    for ch in text:
        run = run + 1 if ch == last and not ch.isspace() else 1
        last = ch
        if run >= NONSENSE_RUN:
            return f"{NONSENSE_RUN} times {ch!r} in a row"
    return None


@dataclass(frozen=True)
class RawWord:
    word: str
    start: float  # seconds from the start of the audio given to the engine
    end: float
    probability: float


@dataclass(frozen=True)
class RawSegment:
    start: float
    end: float
    text: str
    avg_logprob: float
    words: tuple[RawWord, ...]


@dataclass(frozen=True)
class DecodeOptions:
    """What changes per run: language, vocabulary, VAD, beam size."""

    language: str | None = None
    hotwords: str | None = None
    initial_prompt: str | None = None
    # A chunk is voiced audio already (see companion.transcribe.chunks): the VAD inside it
    # could only drop quiet speech, which is what the chunks are made not to lose.
    vad_filter: bool = False
    # Off: the text of one window must not depend on what an earlier window made of the
    # audio before it, or a resumed run would not write what an uninterrupted one writes.
    condition_on_previous_text: bool = False
    beam_size: int = 5
    extra: dict[str, Any] = field(default_factory=dict)


def language_codes() -> tuple[str, ...]:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return tuple(_LANGUAGE_CODES)


def check_language(code: str | None, *, field: str = "--language") -> str | None:
    """A Whisper language code ('nl', 'en', …), normalised; InputError otherwise."""
    if code is None or not str(code).strip():
        return None
    norm = str(code).strip().replace("_", "-").split("-")[0].lower()
    if norm not in language_codes():
        raise InputError(field, code, "a language code Whisper knows, e.g. en, nl, de, fr")
    return norm


def pick_device(device: str = "auto") -> str:
    if device != "auto":
        return device
    try:
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    except Exception:
        return "cpu"


def default_compute_type(device: str) -> str:
    return "float16" if device == "cuda" else "int8"


_quiet_lock = threading.Lock()
_quieted = False


def quiet_libraries() -> None:
    """Keep faster-whisper, CTranslate2 and huggingface_hub from writing to the terminal."""
    global _quieted
    with _quiet_lock:
        if _quieted:
            return
        logger = logging.getLogger("faster_whisper")
        # With no handler of its own, a warning would reach stderr through logging's
        # last-resort handler, under a TUI. Applications that configure logging still
        # receive the records through propagation.
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
        try:
            import ctranslate2

            ctranslate2.set_log_level(logging.ERROR)
        except Exception:  # an older CTranslate2 without the call: nothing to quiet
            logger.debug("could not lower the CTranslate2 log level")
        _quieted = True


class Engine:
    """A loaded Whisper model. One engine serves one transcription at a time."""

    def __init__(self, choice: ModelChoice, *, device: str = "auto",
                 compute_type: str | None = None, threads: int = 0,
                 workers: int | None = None) -> None:
        from faster_whisper import WhisperModel

        quiet_libraries()
        settle()  # before the decoders' threads allocate: see companion.heap
        self.choice = choice
        self.device = pick_device(device)
        self.compute_type = compute_type or default_compute_type(self.device)
        self.threads = threads
        if not choice.is_local:
            # A size name the user typed: faster-whisper fetches it once, without a
            # progress bar on our screen.
            from huggingface_hub.utils.tqdm import disable_progress_bars

            disable_progress_bars()
        # Every core by default: CTranslate2's own default (4 threads) oversubscribes a
        # 2-core machine and leaves a bigger one idle. Split over the workers, which
        # decode two chunks at once (see companion.transcribe.ahead).
        cores = threads or (os.cpu_count() or 1)
        self.workers = workers or workers_for(choice, self.device, cores)
        try:
            self.model = WhisperModel(choice.source, device=self.device,
                                      compute_type=self.compute_type,
                                      cpu_threads=max(1, cores // self.workers),
                                      num_workers=self.workers)
        except Exception as exc:  # one line, never a traceback or "could not write"
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
            if not choice.is_local:
                raise CompanionError(
                    f"could not fetch the model {choice.label} from the Hugging Face hub "
                    f"({reason}); check the connection, or choose an installed model "
                    "('companion model list')") from None
            raise DamagedModelError(
                f"the model {choice.label} cannot be loaded ({reason}): its files may be "
                "damaged; add or download it again") from None
        self.lock = threading.Lock()
        self.sane = False  # see check_sane

    @property
    def multilingual(self) -> bool:
        return bool(self.model.model.is_multilingual)

    def check_sane(self) -> None:
        """Decode two seconds of silence once, before a run writes anything: a sound model
        writes nothing (or a word) there; a damaged one its nonsense, which would
        otherwise take minutes to show (every window decoded to the last token, at every
        fallback temperature) and be stored as "(unintelligible)". DamagedModelError."""
        if self.sane:
            return
        quick = DecodeOptions(language=None if self.multilingual else "en", beam_size=1,
                              extra={"temperature": 0.0, "max_new_tokens": 24})
        try:
            segments, _ = self.transcribe(np.zeros(2 * 16_000, dtype=np.float32), quick)
            for _ in segments:
                pass
        except DamagedModelError:
            raise
        except Exception as exc:
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
            raise DamagedModelError(f"the model {self.label} fails to decode ({reason}): "
                                    "its files may be damaged") from None
        self.sane = True

    @property
    def label(self) -> str:
        return self.choice.label

    def check_language(self, language: str | None) -> None:
        """An English-only model cannot transcribe another language: say so, up front."""
        if language and language != "en" and not self.multilingual:
            raise InputError(
                "--language", language, f"en (the model {self.label} is English-only)",
                hint="choose a multilingual model, e.g. --model small or --model large-v3")

    def transcribe(
        self, audio: np.ndarray, options: DecodeOptions = DecodeOptions()
    ) -> tuple[Iterator[RawSegment], str]:
        """Decode 16 kHz mono ``audio``; returns (lazy segments, language).

        Segments come one by one as they are decoded; stop iterating to stop decoding.
        """
        if audio.dtype != np.float32:
            audio = audio.astype(np.float32)
        language = options.language or (None if self.multilingual else "en")
        segments, info = self.model.transcribe(
            audio, language=language, task="transcribe", log_progress=False,
            beam_size=options.beam_size, word_timestamps=True, vad_filter=options.vad_filter,
            condition_on_previous_text=options.condition_on_previous_text,
            hotwords=options.hotwords or None, initial_prompt=options.initial_prompt or None,
            **options.extra,
        )

        def convert() -> Iterator[RawSegment]:
            for seg in segments:
                wrong = nonsense(seg.text, float(seg.avg_logprob))
                if wrong is not None:
                    # Not stored as a transcript (nor as "(unintelligible)"): the model
                    # is named, so the user replaces it instead of trusting the text.
                    raise DamagedModelError(
                        f"the model {self.label} decodes nonsense ({wrong}): its files are "
                        "probably damaged; add or download it again")
                words = tuple(RawWord(w.word, float(w.start), float(w.end),
                                      float(w.probability)) for w in (seg.words or ()))
                yield RawSegment(float(seg.start), float(seg.end), seg.text,
                                 float(seg.avg_logprob), words)

        return convert(), info.language


def self_test(folder: Path) -> None:
    """Load the model in ``folder`` and run :meth:`Engine.check_sane`, as a check before
    it is accepted: DamagedModelError when it cannot be loaded or writes nonsense."""
    choice = ModelChoice(label=str(folder), source=str(folder), is_local=True,
                         english_only=False)
    Engine(choice, threads=0, workers=1).check_sane()


_engines: dict[tuple[str, str, str | None, int], Engine] = {}
_engines_lock = threading.Lock()


def load_engine(
    model: str | ModelChoice | None = None, *, device: str = "auto",
    compute_type: str | None = None, threads: int = 0,
) -> Engine:
    """The engine for ``model`` (resolved as ``--model`` is), loaded once per process."""
    choice = model if isinstance(model, ModelChoice) else resolve_model(model)
    key = (choice.source, device, compute_type, threads)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = Engine(choice, device=device, compute_type=compute_type, threads=threads)
            _engines[key] = engine
        return engine


def vocabulary_hotwords(vocabulary: Sequence[str]) -> str | None:
    """The protocol's vocabulary as Whisper hotwords, for the live transcriber's short
    phrases. The full transcription puts it in the initial prompt instead (see
    :mod:`companion.transcribe.verbatim`): over 30-s windows hotwords merged segments."""
    words = [w.strip() for w in vocabulary if w and w.strip()]
    return ", ".join(dict.fromkeys(words)) or None


def _small(choice: ModelChoice) -> bool:
    name = Path(choice.source).name if choice.is_local else choice.source
    return any(size in (name + " " + choice.label) for size in ("tiny", "base"))


def workers_for(choice: ModelChoice, device: str, cores: int) -> int:
    """Two decoding workers for a small model on a CPU with two cores or more: one beam
    search keeps one core busy better than two, and the model's second copy costs little
    memory at this size (a big model keeps one copy, all threads)."""
    return 2 if device == "cpu" and cores >= 2 and _small(choice) else 1


def vad_pays(choice: ModelChoice) -> bool:
    """Whether Silero VAD is worth running before this model decodes.

    The chunks skip true silence by energy already; the voice filter can then only save
    decoding time on noise that is no speech, at the cost of its own pass over the whole
    file. For ``tiny`` and ``base`` decoding is cheaper than that pass (measured with
    ``benchmarks/transcribe.py``: the filter made ``tiny.en`` slower), for bigger models
    it pays.
    """
    return not _small(choice)
