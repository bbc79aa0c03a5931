"""Reading a recording: a 16 kHz mono downmix plus energy envelopes (for transcription
and for telling voices apart).

One streaming decode (PyAV, so a FLAC cut short by a crash still decodes up to the last
frame on disk) yields the mono signal Whisper gets and, per 10 ms frame, the energy of
each channel (to tell speakers apart on a 2-channel recording) and of the mix (to find
where silence really is: Whisper's word times stretch over the silence after a word).
The stereo signal itself is never held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 16_000
FRAME_MS = 10
HOP = SAMPLE_RATE * FRAME_MS // 1000
FLOOR_DB = -90.0


@dataclass(frozen=True)
class LoadedAudio:
    mono: np.ndarray  # float32, SAMPLE_RATE
    channels: int  # channels in the file (2 means one speaker per channel)
    channel_power: np.ndarray  # (frames, channels) mean square per FRAME_MS frame
    mix_db: np.ndarray  # (frames,) level of the mono mix in dBFS

    @property
    def duration_ms(self) -> int:
        return len(self.mono) * 1000 // SAMPLE_RATE


def _frames(container: av.container.InputContainer) -> Iterator[av.AudioFrame]:
    frames = container.decode(audio=0)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            continue  # a damaged frame (e.g. the torn end of a crashed file): skip it
        yield frame


def probe_channels(path: Path) -> int:
    with av.open(str(path), metadata_errors="ignore") as container:
        return int(container.streams.audio[0].codec_context.channels)


def load_audio(path: Path | str) -> LoadedAudio:
    """Decode ``path`` to 16 kHz: the mono mix, per-channel and mix envelopes.

    The mono signal is made exactly as faster-whisper makes it from a file (PyAV's
    downmix to 16-bit mono), so Whisper hears the same audio either way.
    """
    with av.open(str(path), metadata_errors="ignore") as container:
        channels = int(container.streams.audio[0].codec_context.channels)
        keep = 2 if channels == 2 else 1
        to_mono = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        to_stereo = (av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
                     if keep == 2 else None)
        mono_parts: list[np.ndarray] = []
        power_parts: list[np.ndarray] = []
        carry = np.zeros((keep, 0), dtype=np.float32)

        def envelope(planes: np.ndarray) -> None:
            nonlocal carry
            buf = np.concatenate([carry, planes], axis=1)
            count = buf.shape[1] // HOP
            if count:
                framed = buf[:, : count * HOP].reshape(keep, count, HOP)
                power_parts.append(np.mean(framed * framed, axis=2).T)
            carry = buf[:, count * HOP:]

        def mono(frames: list[av.AudioFrame]) -> None:
            for out in frames:
                samples = out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
                mono_parts.append(samples)
                if to_stereo is None:
                    envelope(samples[None, :])

        def stereo(frames: list[av.AudioFrame]) -> None:
            for out in frames:
                envelope(out.to_ndarray().astype(np.float32, copy=False))

        for frame in _frames(container):
            if to_stereo is not None:
                stereo(to_stereo.resample(frame))
            mono(to_mono.resample(frame))
        mono(to_mono.resample(None))
        if to_stereo is not None:
            stereo(to_stereo.resample(None))
    if carry.shape[1]:
        power_parts.append(np.mean(carry * carry, axis=1)[None, :])
    signal = np.concatenate(mono_parts) if mono_parts else np.zeros(0, dtype=np.float32)
    power = np.concatenate(power_parts) if power_parts else np.zeros((0, keep))
    usable = len(signal) // HOP * HOP
    mix = signal[:usable].reshape(-1, HOP)
    mix_power = np.mean(mix * mix, axis=1)
    if len(signal) > usable:
        tail = signal[usable:]
        mix_power = np.append(mix_power, np.mean(tail * tail))
    mix_db = 10.0 * np.log10(np.maximum(mix_power, 10 ** (FLOOR_DB / 10)))
    return LoadedAudio(mono=signal, channels=channels, channel_power=power, mix_db=mix_db)


def duration_ms(path: Path | str) -> int:
    """The length of a recording file (from its header; decoded when the header lies)."""
    try:
        import soundfile as sf

        info = sf.info(str(path))
        if 0 < info.frames < 2**62:
            return int(info.frames * 1000 // info.samplerate)
    except Exception:  # any failure of the header reader: decode instead
        info = None
    with av.open(str(path), metadata_errors="ignore") as container:
        total = 0.0
        for frame in _frames(container):
            total += frame.samples / frame.sample_rate
    return int(total * 1000)
