"""A voice as a small Gaussian mixture over cepstral frames (the classic GMM speaker model).

Fitted with a few rounds of EM from a seeded start, so the same audio always gives the
same model and the same speakers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

COMPONENTS = 8
MAX_FRAMES = 40_000
"""Frames used for fitting (a spread subsample): enough for 8 components, quick on a CPU."""
FLOOR = 1e-3
ROUNDS = 12


class VoiceArrays(TypedDict):
    """A voice's arrays by the names they are saved under."""

    weights: np.ndarray
    means: np.ndarray
    variances: np.ndarray


@dataclass(frozen=True)
class Voice:
    weights: np.ndarray  # (K,)
    means: np.ndarray  # (K, D)
    variances: np.ndarray  # (K, D)

    def frame_loglik(self, frames: np.ndarray) -> np.ndarray:
        """log p(frame | voice) for each row of ``frames``."""
        if len(frames) == 0:
            return np.zeros(0)
        return _logsumexp(_component_loglik(self, frames), axis=1)

    def to_arrays(self) -> VoiceArrays:
        return {"weights": self.weights, "means": self.means, "variances": self.variances}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> Voice:
        return cls(np.asarray(arrays["weights"], float), np.asarray(arrays["means"], float),
                   np.asarray(arrays["variances"], float))


def _component_loglik(voice: Voice, frames: np.ndarray) -> np.ndarray:
    x = np.asarray(frames, float)
    inv = 1.0 / voice.variances  # (K, D)
    # sum_d (x-m)^2/v = x^2·inv - 2 x·(m·inv) + m^2·inv
    quad = (x ** 2) @ inv.T - 2.0 * x @ (voice.means * inv).T + (voice.means ** 2 * inv).sum(1)
    norm = np.log(voice.weights) - 0.5 * (np.log(2 * np.pi * voice.variances).sum(1))
    loglik: np.ndarray = norm[None, :] - 0.5 * quad
    return loglik


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    top = a.max(axis=axis, keepdims=True)
    total: np.ndarray = (top + np.log(np.exp(a - top).sum(axis=axis, keepdims=True))).squeeze(axis)
    return total


def posteriors(voice: Voice, frames: np.ndarray) -> np.ndarray:
    """(frames, K): how much each component of ``voice`` takes of each frame."""
    comp = _component_loglik(voice, frames)
    shares: np.ndarray = np.exp(comp - _logsumexp(comp, axis=1)[:, None])
    return shares


def fit_voice(frames: np.ndarray, components: int = COMPONENTS) -> Voice:
    """A mixture fitted to ``frames`` (rows of cepstra); fewer components for little data."""
    x = np.asarray(frames, float)
    if len(x) == 0:
        raise ValueError("no voiced frames to fit a voice to")
    if len(x) > MAX_FRAMES:
        x = x[np.linspace(0, len(x) - 1, MAX_FRAMES).astype(int)]
    k = max(1, min(components, len(x) // 50))
    spread = np.var(x, axis=0) + FLOOR
    # Seeded start: frames spread evenly through the sorted first cepstrum.
    order = np.argsort(x[:, 0], kind="stable")
    means = x[order[((np.arange(k) + 0.5) * len(x) / k).astype(int)]]
    voice = Voice(np.full(k, 1.0 / k), means, np.tile(spread, (k, 1)))
    for _ in range(ROUNDS):
        comp = _component_loglik(voice, x)
        resp = np.exp(comp - _logsumexp(comp, axis=1)[:, None])
        mass = resp.sum(0) + 1e-9
        means = (resp.T @ x) / mass[:, None]
        variances = (resp.T @ x ** 2) / mass[:, None] - means ** 2
        variances = np.maximum(variances, 0.01 * spread)
        voice = Voice(mass / mass.sum(), means, variances)
    return voice


RELEVANCE = 16.0
"""MAP relevance: a component moves towards new frames only as far as it has seen them."""


def adapt(background: Voice, frames: np.ndarray, relevance: float = RELEVANCE) -> Voice:
    """``background`` with its means moved towards ``frames`` (MAP adaptation): models of
    two voices adapted from one background compare fairly even on a few seconds of speech."""
    x = np.asarray(frames, float)
    if len(x) == 0:
        return background
    comp = _component_loglik(background, x)
    resp = np.exp(comp - _logsumexp(comp, axis=1)[:, None])
    mass = resp.sum(0)
    seen = (resp.T @ x) / np.maximum(mass, 1e-9)[:, None]
    alpha = (mass / (mass + relevance))[:, None]
    return Voice(background.weights, alpha * seen + (1 - alpha) * background.means,
                 background.variances)
