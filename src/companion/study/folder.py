"""The study folder: where it is, how it is made, and keeping it private.

A study is a folder holding ``companion.db``, ``recordings/`` and ``exports/`` (and
optionally ``companion.toml`` and ``protocols/``). Health data live here, so folders are
0700 and files 0600.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from companion.errors import CompanionError, NotAStudyError
from companion.files import DB_NAME, make_private_dir
from companion.settings import Settings, load_settings

if TYPE_CHECKING:
    # Only for the annotation: companion.store.db imports sqlite-utils when a database is
    # opened, so opening a study folder stays cheap (the TUI's first frame).
    import sqlite_utils

# The store (schema, migrations, health checks) is imported where a database is opened or
# found missing: the TUI's first frame opens a folder and reads its settings, no more.

ENV_VAR = "COMPANION_STUDY"
SUBFOLDERS = ("recordings", "exports")


@dataclass(frozen=True)
class Study:
    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def recordings_dir(self) -> Path:
        return self.root / "recordings"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def config_path(self) -> Path:
        return self.root / "companion.toml"

    @property
    def settings(self) -> Settings:
        """The typed ``companion.toml``, read afresh (a bad file raises ``SettingsError``)."""
        return load_settings(self.config_path)

    @property
    def protocols_dir(self) -> Path:
        return self.root / "protocols"

    def db(self) -> sqlite_utils.Database:
        """A new connection for the calling thread (connections are bound to threads)."""
        from companion.store.db import open_db

        return open_db(self.db_path)

    @contextlib.contextmanager
    def connected(self) -> Iterator[sqlite_utils.Database]:
        """A connection of the calling thread, closed when the block ends.

        Opening costs about half a millisecond; a connection per piece of work keeps every
        caller safe to run from a worker thread and leaves no connection behind.
        """
        db = self.db()
        try:
            yield db
        finally:
            db.conn.close()


def resolve_study_dir(option: str | os.PathLike[str] | None) -> Path:
    """``--study DIR``, else ``$COMPANION_STUDY``, else the current folder."""
    if option:
        return Path(option).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return Path.cwd().resolve()


def init_study(root: Path) -> tuple[Study, bool]:
    """Create a study in ``root`` (or repair an existing one). Returns (study, created)."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise CompanionError(f"{root} exists and is not a folder")
    if root.exists() and not os.access(root, os.W_OK):
        raise CompanionError(f"{root} is not writable: choose another folder with --study")
    from companion.store.db import open_db

    study = Study(root)
    created = not study.db_path.exists()
    make_private_dir(root)
    for name in SUBFOLDERS:
        make_private_dir(root / name)
    open_db(study.db_path, create=True).conn.close()
    return study, created


def open_study(root: Path, *, for_repair: bool = False) -> Study:
    """The study in ``root``; a folder without a database is refused with a hint (a study
    whose database went missing points to ``doctor --repair``, which ``for_repair`` is)."""
    study = Study(Path(root))
    if not study.db_path.is_file():
        from companion.store.db import DamagedStoreError
        from companion.store.health import REPAIR_HINT, store_problem

        # A study that had a database (its identity file, backups or audio say so) is
        # not "no study": its database is lost, and the doctor can restore it.
        lost = None if study.db_path.exists() else store_problem(study.db_path)
        if lost is not None:
            if for_repair:
                return study
            raise DamagedStoreError(f"{lost}; nothing was changed: {REPAIR_HINT}")
        raise NotAStudyError(
            f"{root} is not a study folder (no {DB_NAME}); "
            f"run 'companion init' there, or pass --study DIR or set {ENV_VAR}"
        )
    return study
