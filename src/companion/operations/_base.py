"""How an operation reaches the database: a connection per call, one transaction, one entry."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import sqlite_utils

from companion.store.audit import ActionEntry, one_entry
from companion.store.db import checkpoint, transaction
from companion.study.folder import Study


@contextlib.contextmanager
def reading(study: Study) -> Iterator[sqlite_utils.Database]:
    """A connection of the calling thread for the length of one operation."""
    with study.connected() as db:
        yield db


@dataclass
class Acting:
    """What an operation's body gets: the database and the audit entry it may fill in."""

    db: sqlite_utils.Database
    entry: ActionEntry


@contextlib.contextmanager
def acting(study: Study, *, entity: str, action: str) -> Iterator[Acting]:
    """One user action: its writes in one transaction, folded into one audit entry."""
    with reading(study) as db:
        with transaction(db):
            entry = ActionEntry(entity=entity, action=action)
            with one_entry(db, entry):
                yield Acting(db, entry)
        checkpoint(db)  # a lost -wal file then loses nothing this action wrote
