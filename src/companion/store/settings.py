"""Small per-study settings remembered between runs (e.g. the chosen input device)."""

from __future__ import annotations

import sqlite_utils


def get_setting(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    rows = list(db.query("SELECT value FROM settings WHERE key = ?", [key]))
    return rows[0]["value"] if rows else default


def set_setting(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
