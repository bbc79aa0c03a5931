"""The session's audio as one file for a REFI-QDA project, on the session clock."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile as sf

from companion.errors import CompanionError
from companion.export.bleep import bleep
from companion.session.document import SessionDocument

MAX_INTERNAL_BYTES = 2_147_483_647


def audio_file(doc: SessionDocument) -> tuple[str, Path | bytes] | None:
    """The session's audio as one file on the session clock: (extension, data).

    Laid out by the timeline's audio map (as playback is, :mod:`companion.audio.play`):
    each file at its place, silence in the gaps where the recording was paused.
    """
    audio = doc.audio.present(doc.study.root)
    if not audio.parts:
        return None
    first = audio.parts[0]
    path = first.abspath(doc.study.root)
    if (len(audio.parts) == 1 and first.start_ms == 0 and path.suffix.lower() == ".wav"
            and not doc.bleeps):
        if path.stat().st_size > MAX_INTERNAL_BYTES:
            raise CompanionError(f"{path.name} is larger than REFI-QDA allows inside a "
                                 "project (2 GiB); export without it is not supported yet")
        return ".wav", path
    samplerate = max(p.samplerate for p in audio.parts)
    channels = max(p.channels for p in audio.parts)
    total_frames = audio.end_ms * samplerate // 1000
    if total_frames * channels * 2 > MAX_INTERNAL_BYTES:
        raise CompanionError("the session's audio is larger than REFI-QDA allows inside a "
                             "project (2 GiB)")
    timeline = np.zeros((total_frames, channels), dtype=np.float32)
    for part in audio.parts:
        data, rate = sf.read(part.abspath(doc.study.root), dtype="float32", always_2d=True)
        if rate != samplerate:  # naive resampling by index: segments share a rate in practice
            idx = (np.arange(int(len(data) * samplerate / rate)) * rate / samplerate).astype(int)
            data = data[np.clip(idx, 0, len(data) - 1)]
        start = part.start_frame(samplerate)
        stop = min(total_frames, start + len(data))
        timeline[start:stop, : data.shape[1]] = data[: stop - start]
    bleep(timeline, samplerate, doc.bleeps)
    buffer = io.BytesIO()
    sf.write(buffer, timeline, samplerate, format="WAV", subtype="PCM_16")
    return ".wav", buffer.getvalue()

