"""Persistence of a study: schema, migrations and the queries every front uses."""

from companion.store.db import open_db, transaction

__all__ = ["open_db", "transaction"]
