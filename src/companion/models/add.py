"""``companion model add PATH``: a faster-whisper model folder the user already has."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from companion.errors import InputError
from companion.models import bundled
from companion.models.store import check_model_folder, ensure_models_dir, make_private

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class AddedModel:
    name: str
    path: Path
    size_bytes: int
    multilingual: bool
    linked: bool


def add_model(source: str | os.PathLike[str], *, name: str | None = None,
              link: bool = False,
              verify: Callable[[Path], None] | None = None) -> AddedModel:
    """Check ``source`` and copy it (or, with ``link``, a symlink to it) into the user's
    model folder under ``name`` (default: the folder's name). Nothing is written when the
    folder or the name is refused. ``verify`` (the caller's: loading and running the
    model, which this package does not do) gets the folder last, before anything is
    written, and raises to refuse it."""
    path = Path(source).expanduser()
    info = check_model_folder(path, field="PATH")
    chosen = name if name is not None else path.resolve().name
    if not _NAME.match(chosen):
        raise InputError("--name", chosen, "letters, digits, '.', '-' or '_' (at most 64)")
    if chosen == bundled.NAME:
        raise InputError("--name", chosen, f"any name but '{bundled.NAME}' (kept for the "
                         "checked multilingual base from its packages)")
    parent = ensure_models_dir()
    target = parent / chosen
    if target.exists() or target.is_symlink():
        raise InputError("--name", chosen, f"a name not yet used in {parent}",
                         hint="pass --name to add it under another name")
    if verify is not None:
        verify(path)
    if link:
        target.symlink_to(path.resolve(), target_is_directory=True)
    else:
        tmp = Path(tempfile.mkdtemp(prefix=f".{chosen}-", dir=parent))
        try:
            shutil.copytree(path, tmp, dirs_exist_ok=True)
            make_private(tmp)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return AddedModel(chosen, target, info.size_bytes, info.multilingual, link)
