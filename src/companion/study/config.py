"""The study's own settings: ``<study>/companion.toml``, read with tomllib, checked strictly.

Every problem is reported at once, each naming the file and the dotted key, with the
nearest valid spelling for a misspelt key.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.errors import InputError

# key -> (type, description). A dict value is a nested table.
SCHEMA: dict[str, Any] = {
    "study": {
        "title": (str, "the study's name"),
        "protocol": (str, "protocol id used for new sessions"),
        "interviewer": (str, "default interviewer name"),
    },
    "audio": {
        "device": (str, "input device name"),
        "format": (str, "flac or wav"),
        "samplerate": (int, "sample rate in Hz"),
        "channels": (int, "1 or 2"),
        "silence_seconds": (int, "warn after this many seconds of silence"),
    },
    "transcribe": {
        "model": (str, "model size name or a local model folder"),
        "language": (str, "language code such as en or nl"),
        "threads": (int, "CPU threads"),
        "verbatim": (bool, "true: keep fillers, repeats and false starts (overrides the protocol)"),
    },
    "keymap": dict,  # binding id -> key, free-form
    "privacy": {
        "replacements": (dict, "text to replace -> replacement, applied to exports"),
    },
}


@dataclass(frozen=True)
class StudyConfig:
    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    @property
    def keymap(self) -> dict[str, str]:
        return dict(self.data.get("keymap", {}))


class ConfigError(InputError):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(str(path), "invalid settings", "; ".join(problems))

    @property
    def message(self) -> str:
        return "\n".join(f"{self.field}: {p}" for p in self.problems)


def _check(table: dict[str, Any], schema: dict[str, Any], prefix: str, problems: list[str]) -> None:
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if key not in schema:
            near = difflib.get_close_matches(key, list(schema), n=1)
            hint = f"; did you mean '{prefix}{near[0]}'?" if near else (
                "; known keys: " + ", ".join(schema))
            problems.append(f"{dotted}: unknown key{hint}")
            continue
        expected = schema[key]
        if expected is dict:
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                problems.append(f"{dotted}: expected a table of text values")
        elif isinstance(expected, dict):
            if not isinstance(value, dict):
                problems.append(f"{dotted}: expected a table, found {type(value).__name__}")
            else:
                _check(value, expected, dotted + ".", problems)
        else:
            kind, description = expected
            if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
                problems.append(
                    f"{dotted}: found {value!r}; allowed: {kind.__name__} ({description})")


def load_config(path: Path) -> StudyConfig:
    """Read ``companion.toml``; a missing file means defaults."""
    if not path.exists():
        return StudyConfig(None, {})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"TOML syntax: {exc}"]) from None
    problems: list[str] = []
    _check(data, SCHEMA, "", problems)
    if problems:
        raise ConfigError(path, problems)
    return StudyConfig(path, data)
