"""Whisper models as a user may have them: here, one whose weights were changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np


def damaged_tiny_en(folder: Path) -> Path:
    """A copy of the offline tiny.en with a megabyte of its weights overwritten: every
    file there, its config valid, it loads; what it decodes is nonsense."""
    from companion.models.resolve import default_model

    choice = default_model()
    assert choice is not None, "the tests need the offline tiny.en (extra 'models')"
    shutil.copytree(choice.source, folder)
    with open(folder / "model.bin", "r+b") as handle:
        handle.seek((folder / "model.bin").stat().st_size // 2)
        handle.write(np.random.default_rng(24).bytes(1 << 20))
    return folder
