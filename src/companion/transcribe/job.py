"""A transcription run's terms: what it is asked (:class:`TranscribeOptions`), what it
decodes (:class:`Plan`), what it reports on the way (:class:`Progress`) and what it gives
back (:class:`TranscribeResult`). The run itself is :mod:`companion.transcribe.runner`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from companion.notation import format_eta, format_hms
from companion.store.sessions import Session
from companion.transcribe.convert import RecordingPart
from companion.transcribe.verbatim import Style


@dataclass(frozen=True)
class TranscribeOptions:
    model: str | None = None  # size name or folder; None: $COMPANION_WHISPER_MODEL / default
    language: str | None = None  # None: the protocol's language (or the model's)
    device: str = "auto"
    compute_type: str | None = None  # None: int8 on CPU, float16 on CUDA
    threads: int = 0  # CPU threads; 0: every core
    # None: as the model pays for it (off for tiny and base, see engine.vad_pays); either
    # way the voice filter only adds what it hears to the voiced stretches, never removes
    vad_filter: bool | None = None
    beam_size: int = 5
    interviewer_channel: int = 0  # on 2-channel recordings: 0 = left, 1 = right
    restart: bool = False  # throw away an existing transcript first
    speakers: str = "auto"  # mono recordings: auto = separate voices after decoding; none


@dataclass(frozen=True)
class Progress:
    """A progress report: where the transcript is on the session timeline."""

    session_id: int
    participant_code: str
    state: str  # running | done | cancelled
    # how far decoding has got; at 'cancelled', the resume point (the end of the last
    # committed chunk), which can be before the last 'running' position
    done_ms: int
    total_ms: int
    segments: int  # stored for this session so far
    new_segments: int  # stored by this run
    elapsed_s: float
    eta_s: float | None

    @property
    def fraction(self) -> float:
        return min(1.0, self.done_ms / self.total_ms) if self.total_ms else 1.0

    @property
    def message(self) -> str:
        head = (f"session {self.session_id} ({self.participant_code}): "
                f"{format_hms(self.done_ms)} of {format_hms(self.total_ms)} ({self.fraction:.0%})")
        if self.state != "running":
            return f"{head}, {self.state}"
        if self.eta_s is None:
            return head
        return f"{head}, {format_eta(self.eta_s)}"


@dataclass(frozen=True)
class TranscribeResult:
    session_id: int
    participant_code: str
    status: str  # done | cancelled | already-done
    model: str
    language: str | None
    segments: int
    new_segments: int
    pauses: int
    done_ms: int
    total_ms: int
    elapsed_s: float
    dropped: int = 0  # words the hallucination guard left out (see transcript_dropped)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Plan:
    session: Session
    parts: tuple[RecordingPart, ...]
    language: str | None
    style: Style

    @property
    def total_ms(self) -> int:
        return max(part.end_ms for part in self.parts)


ProgressCallback = Callable[[Progress], None]

