"""Who spoke on one microphone: voice features, the enrolled interviewer, word attribution,
talk-time.

The engine is classic and numpy-only (MFCC statistics in small Gaussian mixtures, see
:mod:`companion.speakers.voice`): it was chosen by measurement against the candidates that
ship weights in a registry package (see the README, "Who spoke").
"""
