"""Checking hand-edited TOML files: every problem at once, each with file, key and a fix.

Research teams edit protocol files and ``companion.toml`` by hand, so both loaders report
every problem they can find in one go (not just the first), each naming the file, the
dotted key (or the line of a syntax error), what was found and what is allowed, with a
did-you-mean for a misspelt key or value. The protocol loader and the settings loader
build on the generic shapes here.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any

from companion import limits
from companion.errors import InputError

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
ID_ALLOWED = "letters, digits, '-', '_' or '.', starting with a letter or digit"
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a TOML file."""

    file: str
    key: str
    problem: str
    found: str = ""
    allowed: str = ""
    hint: str = ""
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        if self.key:
            return self.key
        if self.line is not None:
            return f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return "(file)"

    def __str__(self) -> str:
        text = f"{self.file}: {self.where}: {self.problem}"
        if self.found:
            text += f": got {self.found}"
        # A did-you-mean says more than the full list of allowed keys, so it replaces it.
        if self.hint:
            text += f"; {self.hint}"
        elif self.allowed:
            text += f"; allowed: {self.allowed}"
        return text


class TomlFileError(InputError):
    """A file with problems; ``problems`` lists all of them, ``str`` one per line."""

    def __init__(self, path: Path | str, problems: Sequence[Problem], allowed: str) -> None:
        self.problems = list(problems)
        self.path = Path(path)
        super().__init__(str(path), f"{len(self.problems)} problem(s)", allowed)

    @property
    def message(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def read_toml(path: Path) -> tuple[dict[str, Any] | None, bytes, list[Problem]]:
    """(parsed table, raw bytes, problems); the table is None when the file cannot be read."""
    name = path.name
    try:
        with path.open("rb") as handle:  # bounded: a link to /dev/zero is a file too
            raw = handle.read(limits.MAX_TOML_BYTES + 1)
    except FileNotFoundError:
        return None, b"", [Problem(name, "", "file not found", found=str(path))]
    except OSError as exc:
        found = exc.strerror or str(exc)
        return None, b"", [Problem(name, "", "cannot read the file", found=found)]
    if len(raw) > limits.MAX_TOML_BYTES:
        return None, raw, [Problem(name, "", "file too large", found="more than "
                                   f"{limits.MAX_TOML_BYTES} bytes")]
    try:
        text = raw.decode("utf-8")
        # tomllib recurses into nested arrays and tables: a file nested hundreds deep
        # would end in RecursionError, so the nesting is measured first.
        too_deep = limits.toml_depth_problem(text)
        if too_deep:
            return None, raw, [Problem(name, "", "TOML " + too_deep)]
        table = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        return None, raw, [Problem(name, "", "not UTF-8 text", found=f"byte {exc.start}")]
    except RecursionError:  # a nesting the scan did not see: the same answer
        return None, raw, [Problem(name, "", f"TOML nested deeper than {limits.MAX_DEPTH} "
                                   "levels")]
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        line = int(match.group(1)) if match else None
        column = int(match.group(2)) if match else None
        text = _TOML_POSITION.sub("", message)
        return None, raw, [Problem(name, "", f"TOML syntax error: {text}", line=line,
                                   column=column)]
    if limits.nested_depth(table) > limits.MAX_DEPTH:  # dotted keys nest without brackets
        return None, raw, [Problem(name, "", f"TOML nested deeper than {limits.MAX_DEPTH} "
                                   "levels (dotted keys)")]
    return table, raw, []


def join(path: str, key: str) -> str:
    """The dotted key of ``key`` inside the table at ``path``."""
    return f"{path}.{key}" if path else key


def nearest(value: str, choices: Iterable[str]) -> str | None:
    """The closest spelling among ``choices``, or None when nothing is close."""
    close = difflib.get_close_matches(value, list(choices), n=1)
    return close[0] if close else None


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    """The hint for a misspelt name, ``did you mean 'x'?``; '' when nothing is close."""
    close = nearest(value, choices) if isinstance(value, str) else None
    return f"did you mean {close!r}?" if close else ""


def fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


class Described(str):
    """A description of what was found, printed as is rather than as a repr."""


class Checker:
    """Walks parsed TOML collecting every problem; subclasses build their model with it."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self, key: str, problem: str, *, found: object = None, allowed: str = "", hint: str = ""
    ) -> None:
        # Values from the file are shown as repr ('ten' keeps its quotes, so a string "10"
        # is told apart from the number 10); our own descriptions of them are not.
        shown = "" if found is None else found if isinstance(found, Described) else _show(found)
        self.problems.append(Problem(self.file, key, problem, shown, allowed, hint))

    def keys(
        self, table: dict[str, Any], path: str, allowed: Sequence[str], required: Iterable[str]
    ) -> None:
        for key in table:
            if key not in allowed:
                self.add(join(path, key), "unknown key", allowed=", ".join(allowed),
                         hint=did_you_mean(key, allowed))
        for key in required:
            if key not in table:
                self.add(join(path, key), "missing required key")

    def text(
        self, table: dict[str, Any], key: str, path: str, *, is_id: bool = False
    ) -> str | None:
        if key not in table:
            return None  # a missing required key is reported by keys()
        value = table[key]
        where = join(path, key)
        allowed = ID_ALLOWED if is_id else "non-empty text"
        if not isinstance(value, str) or not value.strip():
            self.add(
                where,
                "wrong type" if not isinstance(value, str) else "empty",
                found=value,
                allowed=allowed,
            )
            return None
        if is_id and not ID_PATTERN.match(value):
            self.add(where, "invalid id", found=value, allowed=allowed)
            return None
        return value

    def choice(
        self, table: dict[str, Any], key: str, path: str, choices: Sequence[str]
    ) -> str | None:
        """A text that must be one of ``choices`` (compared without case)."""
        value = self.text(table, key, path)
        if value is None:
            return None
        if value.lower() not in choices:
            self.add(join(path, key), "not allowed", found=value, allowed=" or ".join(choices),
                     hint=did_you_mean(value.lower(), choices))
            return None
        return value.lower()

    def unknown(self, where: str, what: str, found: str, choices: Sequence[str]) -> None:
        """``found`` names no ``what`` among ``choices``: say which one it may have meant."""
        self.add(where, f"unknown {what}", found=found, allowed=", ".join(choices),
                 hint=did_you_mean(found, choices))

    def boolean(self, table: dict[str, Any], key: str, path: str) -> bool | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, bool):
            self.add(join(path, key), "wrong type", found=value, allowed="true or false")
            return None
        return value

    def number(
        self,
        table: dict[str, Any],
        key: str,
        path: str,
        *,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        integer: bool = False,
        allowed: str = "",
    ) -> float | None:
        if key not in table:
            return None
        value = table[key]
        where = join(path, key)
        kind = "a whole number" if integer else "a number"
        if not allowed:
            allowed = kind
            if low is not None and high is not None:
                allowed = f"{kind} from {fmt_number(low)} to {fmt_number(high)}"
                if low_open:
                    allowed = f"{kind} above {fmt_number(low)} and at most {fmt_number(high)}"
            elif low is not None:
                allowed = (f"{kind} above {fmt_number(low)}" if low_open
                           else f"{kind} ≥ {fmt_number(low)}")
        if not is_number(value) or (integer and not isinstance(value, int)):
            self.add(where, "wrong type", found=value, allowed=allowed)
            return None
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and value > high
        if too_low or too_high:
            self.add(where, "out of range", found=value, allowed=allowed)
            return None
        return float(value)

    def text_list(self, table: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        if key not in table:
            return ()
        value = table[key]
        where = join(path, key)
        if not isinstance(value, list):
            self.add(where, "wrong type", found=value, allowed="a list of texts")
            return ()
        result = []
        for index, entry in enumerate(value):
            if not isinstance(entry, str) or not entry.strip():
                self.add(
                    f"{where}[{index}]",
                    "wrong type" if not isinstance(entry, str) else "empty",
                    found=entry,
                    allowed="non-empty text",
                )
            else:
                result.append(entry)
        return tuple(result)

    def text_table(self, table: dict[str, Any], key: str, path: str) -> dict[str, str]:
        """A table of free-form keys with text values, e.g. ``[privacy.replacements]``."""
        sub = self.table(table, key, path)
        if sub is None:
            return {}
        where = join(path, key)
        result: dict[str, str] = {}
        for name, value in sub.items():
            if not isinstance(value, str):
                self.add(join(where, name), "wrong type", found=value, allowed="text")
            else:
                result[name] = value
        return result

    def tables(
        self, table: dict[str, Any], key: str, path: str, header: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """An array of tables as (dotted path, table) pairs; bad entries are reported."""
        if key not in table:
            return []
        value = table[key]
        where = join(path, key)
        if not isinstance(value, list):
            self.add(where, "wrong type", found=value, allowed=f"an array of tables ({header})")
            return []
        result = []
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                result.append((f"{where}[{index}]", entry))
            else:
                self.add(f"{where}[{index}]", "wrong type", found=entry, allowed="a table")
        return result

    def table(self, table: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, dict):
            self.add(join(path, key), "wrong type", found=value, allowed=f"a table [{key}]")
            return None
        return value

    def unique(self, seen: dict[str, str], value: str | None, where: str, what: str) -> None:
        if value is None:
            return
        if value in seen:
            self.add(where, f"duplicate {what}", found=value, hint=f"already used at {seen[value]}")
        else:
            seen[value] = where
