"""Who said a live line: by channel on a two-channel recording, by voice on mono (a hook).

Channel convention of the recorder: channel 1 is the interviewer, channel 2 the
participant. A line belongs to the channel with clearly more of its energy (the final
transcript's rule, :mod:`companion.speakers.channels`).

For mono recordings the speaker separation built elsewhere (``companion.speakers``) plugs
in here: :func:`set_mono_labeller` takes a function (16 kHz mono float32 audio of the
line, the line's session start in ms, the labels (interviewer, participant)) → one of the
labels or None. The process keeps calling it for the whole session, so it may keep state
(voices heard so far). The worker process loads one named
``module:function`` with ``--mono-labeller``. Without one, mono lines have no speaker and
the talk-time bar stays hidden.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

import numpy as np

from companion.speakers.channels import leading_channel

MonoLabeller = Callable[[np.ndarray, int, tuple[str, str]], str | None]
_mono_labeller: MonoLabeller | None = None


def set_mono_labeller(labeller: MonoLabeller | None) -> None:
    global _mono_labeller
    _mono_labeller = labeller


def load_mono_labeller(spec: str) -> MonoLabeller:
    """``package.module:function`` → the function."""
    module_name, _, name = spec.partition(":")
    labeller: object = getattr(importlib.import_module(module_name), name or "label_line")
    if not callable(labeller):
        raise TypeError(f"{spec} is not callable")
    # Its parameters cannot be checked before it is called: the spec promises them.
    return cast(MonoLabeller, labeller)


def channel_speaker(audio: np.ndarray, labels: tuple[str, str]) -> str | None:
    """The speaker of ``audio`` (frames, 2) by channel energy; None when neither leads."""
    if audio.ndim != 2 or audio.shape[1] != 2 or not len(audio):
        return None
    channel = leading_channel(np.square(audio).sum(axis=0))
    return None if channel is None else labels[channel]


def label_line(audio: np.ndarray, start_ms: int, labels: tuple[str, str]) -> str | None:
    """The speaker of one live line: channels when there are two, else the mono hook."""
    if audio.ndim == 2 and audio.shape[1] == 2:
        return channel_speaker(audio, labels)
    if _mono_labeller is None:
        return None
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    try:
        return _mono_labeller(mono, start_ms, labels)
    except Exception:  # a failing labeller must not end the live transcript
        return None
