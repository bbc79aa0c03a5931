"""Atomic file writes now live in :mod:`companion.files`; re-exported for old imports."""

from __future__ import annotations

from companion.files import FILE_MODE, atomic_path, atomic_write

__all__ = ["FILE_MODE", "atomic_path", "atomic_write"]
