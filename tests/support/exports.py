"""Exports as tests make them: through the export operation both fronts call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from companion.operations.export import export
from companion.study.folder import Study


def export_paths(study: Study, **how: Any) -> list[Path]:
    """The files ``export(study, **how)`` wrote (session, all_sessions, fmt, output, force)."""
    return [written.path for written in export(study, **how)]
