"""Reading and checking a protocol TOML file.

A research team edits these files by hand, so the checker reports every problem it can find
in one go (not just the first), each with the file, the dotted key or line, what was found
and what is allowed, and a did-you-mean for misspelt keys.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import string
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any

from companion.errors import InputError
from companion.protocol.model import (
    TARGETS,
    Code,
    Instrument,
    Item,
    Phase,
    Prompt,
    Protocol,
    Reference,
    RefStat,
    Rule,
)
from companion.protocol.suggestions import (
    REFERENCE_PLACEHOLDERS,
    SIGNALS,
    Param,
    allowed_placeholders,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a protocol file."""

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


class ProtocolError(InputError):
    """A protocol file with problems; ``problems`` lists all of them, ``str`` one per line."""

    def __init__(self, path: Path | str, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        self.path = Path(path)
        super().__init__(str(path), f"{len(self.problems)} problem(s)", "a valid protocol file")

    @property
    def message(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def load_protocol(path: Path | str) -> Protocol:
    """Read and check a protocol file; raise ``ProtocolError`` listing every problem."""
    protocol, problems = _read(Path(path))
    if problems or protocol is None:
        raise ProtocolError(path, problems)
    return protocol


def check_protocol(path: Path | str) -> list[Problem]:
    """Every problem in a protocol file; an empty list means it loads."""
    return _read(Path(path))[1]


# ---------------------------------------------------------------------------------------

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_ID_ALLOWED = "letters, digits, '-', '_' or '.', starting with a letter or digit"

_TOP_KEYS = (
    "id",
    "title",
    "language",
    "description",
    "vocabulary",
    "phases",
    "instrument",
    "reference",
    "rules",
    "codes",
    "verbatim",
    "turn_pause_seconds",
)
_PHASE_KEYS = ("id", "title", "purpose", "target_minutes", "prompts")
_PROMPT_KEYS = ("id", "text", "follow_ups")
_INSTRUMENT_KEYS = (
    "id",
    "name",
    "scale_min",
    "scale_max",
    "domains",
    "min_items_per_domain",
    "ceiling_fraction",
    "mapping_verified",
    "mapping_note",
    "items",
)
_ITEM_KEYS = ("n", "domain", "label")
_REFERENCE_KEYS = ("source", "method", "n", *TARGETS)
_REFSTAT_KEYS = ("median", "p25", "p75", "n")
_RULE_KEYS = ("id", "signal", "priority", "prompt", "reason")
_CODE_KEYS = ("id", "name", "description", "group", "key")


def _read(path: Path) -> tuple[Protocol | None, list[Problem]]:
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(name, "", "file not found", found=str(path))]
    except OSError as exc:
        return None, [Problem(name, "", "cannot read the file", found=exc.strerror or str(exc))]
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, [Problem(name, "", "not UTF-8 text", found=f"byte {exc.start}")]
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        line = int(match.group(1)) if match else None
        column = int(match.group(2)) if match else None
        text = _TOML_POSITION.sub("", message)
        return None, [Problem(name, "", f"TOML syntax error: {text}", line=line, column=column)]
    checker = _Checker(name)
    protocol = checker.protocol(data, path, hashlib.sha256(raw).hexdigest())
    return (protocol if not checker.problems else None), checker.problems


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


class _Described(str):
    """A description of what was found, printed as is rather than as a repr."""


class _Checker:
    """Walks the parsed TOML, building the model and collecting every problem on the way."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self, key: str, problem: str, *, found: object = None, allowed: str = "", hint: str = ""
    ) -> None:
        # Values from the file are shown as repr ('ten' keeps its quotes, so a string "10"
        # is told apart from the number 10); our own descriptions of them are not.
        shown = "" if found is None else found if isinstance(found, _Described) else _show(found)
        self.problems.append(Problem(self.file, key, problem, shown, allowed, hint))

    # -- generic shapes ------------------------------------------------------------------

    def keys(
        self, table: dict[str, Any], path: str, allowed: Sequence[str], required: Iterable[str]
    ) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                self.add(
                    _join(path, key),
                    "unknown key",
                    allowed=", ".join(allowed),
                    hint=f"did you mean {close[0]!r}?" if close else "",
                )
        for key in required:
            if key not in table:
                self.add(_join(path, key), "missing required key")

    def text(
        self, table: dict[str, Any], key: str, path: str, *, is_id: bool = False
    ) -> str | None:
        if key not in table:
            return None  # a missing required key is reported by keys()
        value = table[key]
        where = _join(path, key)
        allowed = _ID_ALLOWED if is_id else "non-empty text"
        if not isinstance(value, str) or not value.strip():
            self.add(
                where,
                "wrong type" if not isinstance(value, str) else "empty",
                found=value,
                allowed=allowed,
            )
            return None
        if is_id and not _ID.match(value):
            self.add(where, "invalid id", found=value, allowed=allowed)
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
        where = _join(path, key)
        kind = "a whole number" if integer else "a number"
        if not allowed:
            allowed = kind
            if low is not None and high is not None:
                allowed = f"{kind} from {_fmt(low)} to {_fmt(high)}"
                if low_open:
                    allowed = f"{kind} above {_fmt(low)} and at most {_fmt(high)}"
            elif low is not None:
                allowed = f"{kind} above {_fmt(low)}" if low_open else f"{kind} ≥ {_fmt(low)}"
        if not _is_number(value) or (integer and not isinstance(value, int)):
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
        where = _join(path, key)
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

    def tables(
        self, table: dict[str, Any], key: str, path: str, header: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """An array of tables as (dotted path, table) pairs; bad entries are reported."""
        if key not in table:
            return []
        value = table[key]
        where = _join(path, key)
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
            self.add(_join(path, key), "wrong type", found=value, allowed=f"a table [{key}]")
            return None
        return value

    def unique(self, seen: dict[str, str], value: str | None, where: str, what: str) -> None:
        if value is None:
            return
        if value in seen:
            self.add(where, f"duplicate {what}", found=value, hint=f"already used at {seen[value]}")
        else:
            seen[value] = where

    # -- the protocol ----------------------------------------------------------------------

    def protocol(self, data: dict[str, Any], path: Path, content_hash: str) -> Protocol | None:
        self.keys(data, "", _TOP_KEYS, ("id", "title", "language", "phases"))
        protocol_id = self.text(data, "id", "", is_id=True)
        title = self.text(data, "title", "")
        language = self.text(data, "language", "")
        if language is not None and not _LANGUAGE.match(language):
            self.add(
                "language",
                "invalid language code",
                found=language,
                allowed='a lower-case language code such as "en" or "nl"',
            )
            language = None
        description = self.text(data, "description", "") or ""
        vocabulary = self.text_list(data, "vocabulary", "")
        # transcription: verbatim (fillers, repeats kept) and the silence that ends a segment
        verbatim = data.get("verbatim", False)
        if not isinstance(verbatim, bool):
            self.add("verbatim", "wrong type", found=verbatim, allowed="true or false")
            verbatim = False
        turn_pause = self.number(data, "turn_pause_seconds", "", low=0.2, high=10.0)

        phases = self.phases(data)
        instrument = self.instrument(data)
        reference = self.reference(data, instrument)
        rules = self.rules(data, instrument, reference)
        codes = self.codes(data)

        if self.problems or protocol_id is None or title is None or language is None:
            return None
        return Protocol(
            id=protocol_id,
            title=title,
            language=language,
            description=description,
            vocabulary=vocabulary,
            verbatim=verbatim,
            turn_pause_seconds=turn_pause if turn_pause is not None else 0.8,
            phases=phases,
            instrument=instrument,
            reference=reference,
            rules=rules,
            codes=codes,
            path=path.resolve(),
            content_hash=content_hash,
        )

    def phases(self, data: dict[str, Any]) -> tuple[Phase, ...]:
        entries = self.tables(data, "phases", "", "[[phases]]")
        if "phases" in data and isinstance(data["phases"], list) and not data["phases"]:
            self.add("phases", "no phases", allowed="at least one [[phases]] table")
        phase_ids: dict[str, str] = {}
        prompt_ids: dict[str, str] = {}
        phases: list[Phase] = []
        for where, entry in entries:
            self.keys(entry, where, _PHASE_KEYS, ("id", "title", "purpose", "target_minutes"))
            phase_id = self.text(entry, "id", where, is_id=True)
            self.unique(phase_ids, phase_id, _join(where, "id"), "phase id")
            title = self.text(entry, "title", where)
            purpose = self.text(entry, "purpose", where)
            minutes = self.number(
                entry,
                "target_minutes",
                where,
                low=0,
                low_open=True,
                allowed="a number of minutes above 0",
            )
            prompts: list[Prompt] = []
            for p_where, p_entry in self.tables(entry, "prompts", where, "[[phases.prompts]]"):
                self.keys(p_entry, p_where, _PROMPT_KEYS, ("id", "text"))
                prompt_id = self.text(p_entry, "id", p_where, is_id=True)
                # Prompt ids are unique across the file: notes and bookmarks refer to them
                # without naming the phase.
                self.unique(prompt_ids, prompt_id, _join(p_where, "id"), "prompt id")
                text = self.text(p_entry, "text", p_where)
                follow_ups = self.text_list(p_entry, "follow_ups", p_where)
                if prompt_id and text:
                    prompts.append(Prompt(prompt_id, text, follow_ups))
            if phase_id and title and purpose and minutes is not None:
                phases.append(Phase(phase_id, title, purpose, minutes, tuple(prompts)))
        return tuple(phases)

    def instrument(self, data: dict[str, Any]) -> Instrument | None:
        table = self.table(data, "instrument", "")
        if table is None:
            return None
        where = "instrument"
        start = len(self.problems)
        self.keys(
            table,
            where,
            _INSTRUMENT_KEYS,
            ("id", "name", "scale_min", "scale_max", "domains", "items"),
        )
        instrument_id = self.text(table, "id", where, is_id=True)
        name = self.text(table, "name", where)
        scale_min = self.number(table, "scale_min", where)
        scale_max = self.number(table, "scale_max", where)
        if scale_min is not None and scale_max is not None and scale_min >= scale_max:
            self.add(
                _join(where, "scale_max"),
                "out of range",
                found=scale_max,
                allowed=f"a number above scale_min ({_fmt(scale_min)})",
            )
            scale_max = None
        domains = self.text_list(table, "domains", where)
        domain_seen: dict[str, str] = {}
        for index, domain in enumerate(domains):
            d_where = f"{where}.domains[{index}]"
            if not _ID.match(domain):
                self.add(d_where, "invalid id", found=domain, allowed=_ID_ALLOWED)
            elif domain == "total":
                # "total" names the sum of all domains in [reference] tables.
                self.add(d_where, "reserved name", found=domain, allowed="any name but 'total'")
            self.unique(domain_seen, domain, d_where, "domain")
        if "domains" in table and not domains:
            self.add(_join(where, "domains"), "no domains", allowed="at least one domain")
        min_items = self.number(table, "min_items_per_domain", where, low=1, integer=True)
        fraction = self.number(table, "ceiling_fraction", where, low=0, high=1, low_open=True)
        verified = table.get("mapping_verified", False)
        if not isinstance(verified, bool):
            self.add(
                _join(where, "mapping_verified"),
                "wrong type",
                found=verified,
                allowed="true or false",
            )
            verified = False
        note = self.text(table, "mapping_note", where) or ""

        items: list[Item] = []
        numbers: dict[str, str] = {}
        item_entries = self.tables(table, "items", where, "[[instrument.items]]")
        for i_where, entry in item_entries:
            self.keys(entry, i_where, _ITEM_KEYS, ("n", "domain"))
            n = self.number(entry, "n", i_where, low=1, integer=True)
            domain = self.text(entry, "domain", i_where)
            if domain is not None and domains and domain not in domains:
                close = difflib.get_close_matches(domain, domains, n=1)
                self.add(
                    _join(i_where, "domain"),
                    "unknown domain",
                    found=domain,
                    allowed=", ".join(domains),
                    hint=f"did you mean {close[0]!r}?" if close else "",
                )
                domain = None
            label = self.text(entry, "label", i_where) or ""
            if n is not None:
                self.unique(numbers, str(int(n)), _join(i_where, "n"), "item number")
            if n is not None and domain is not None:
                items.append(Item(int(n), domain, label))
        count = len(item_entries)
        if count and sorted(int(k) for k in numbers) != list(range(1, count + 1)):
            self.add(
                _join(where, "items"),
                "item numbers do not run 1..N",
                found=sorted(int(k) for k in numbers),
                allowed=f"each of 1 to {count} exactly once",
            )
        per_domain = {d: sum(1 for it in items if it.domain == d) for d in domains}
        for domain, amount in per_domain.items():
            if items and amount == 0:
                self.add(
                    _join(where, "items"),
                    f"no items for domain {domain!r}",
                    allowed="at least one item per domain",
                )
        if min_items is not None and items:
            smallest = min(per_domain.values(), default=0)
            if smallest and min_items > smallest:
                self.add(
                    _join(where, "min_items_per_domain"),
                    "out of range",
                    found=int(min_items),
                    allowed=f"a whole number from 1 to {smallest} (items in a domain)",
                )
        if instrument_id is not None and instrument_id.lower() == "wai-red":
            self.wai_red_shape(where, scale_min, scale_max, domains, per_domain, len(items))

        if len(self.problems) > start or None in (instrument_id, name, scale_min, scale_max):
            return None
        assert instrument_id is not None and name is not None
        assert scale_min is not None and scale_max is not None
        return Instrument(
            id=instrument_id,
            name=name,
            scale_min=scale_min,
            scale_max=scale_max,
            domains=domains,
            items=tuple(sorted(items, key=lambda it: it.n)),
            min_items_per_domain=int(min_items) if min_items is not None else 3,
            ceiling_fraction=fraction if fraction is not None else 0.95,
            mapping_verified=verified,
            mapping_note=note,
        )

    def wai_red_shape(
        self,
        where: str,
        scale_min: float | None,
        scale_max: float | None,
        domains: tuple[str, ...],
        per_domain: dict[str, int],
        n_items: int,
    ) -> None:
        """The WAI-ReD VAS version: 12 items on 0–100, four for each of task, goal, bond."""
        if set(domains) != {"task", "goal", "bond"}:
            self.add(
                _join(where, "domains"),
                "not the WAI-ReD domains",
                found=list(domains),
                allowed='["task", "goal", "bond"]',
            )
        if None not in (scale_min, scale_max) and (scale_min, scale_max) != (0, 100):
            self.add(
                _join(where, "scale_max"),
                "not the WAI-ReD scale",
                found=_Described(f"{scale_min:g}–{scale_max:g}"),
                allowed="scale_min = 0, scale_max = 100",
            )
        if n_items != 12 or any(v != 4 for v in per_domain.values()):
            self.add(
                _join(where, "items"),
                "not the WAI-ReD item layout",
                found=_Described(f"{n_items} items ({per_domain})"),
                allowed="12 items, 4 per domain",
            )

    def reference(self, data: dict[str, Any], instrument: Instrument | None) -> Reference | None:
        table = self.table(data, "reference", "")
        if table is None:
            return None
        where = "reference"
        self.keys(table, where, _REFERENCE_KEYS, ("source",))
        source = self.text(table, "source", where)
        method = self.text(table, "method", where) or ""
        default_n = self.number(table, "n", where, low=1, integer=True)
        if instrument is None and "instrument" not in data:
            self.add(
                where,
                "reference values without an [instrument]",
                allowed="an [instrument] table that defines the domains",
            )
        stats: dict[str, dict[str, RefStat]] = {}
        for target in TARGETS:
            t_table = self.table(table, target, where)
            if t_table is None:
                continue
            t_where = _join(where, target)
            known = (*instrument.domains, "total") if instrument else tuple(t_table)
            self.keys(t_table, t_where, known, ())
            stats[target] = {}
            for key, entry in t_table.items():
                if key not in known:
                    continue
                s_where = _join(t_where, key)
                if not isinstance(entry, dict):
                    self.add(
                        s_where, "wrong type", found=entry, allowed="a table with median, p25, p75"
                    )
                    continue
                stat = self.refstat(entry, s_where, key, instrument, default_n)
                if stat is not None:
                    stats[target][key] = stat
        if source is None:
            return None
        return Reference(source=source, stats=stats, method=method)

    def refstat(
        self,
        entry: dict[str, Any],
        where: str,
        key: str,
        instrument: Instrument | None,
        default_n: float | None,
    ) -> RefStat | None:
        self.keys(entry, where, _REFSTAT_KEYS, ("median", "p25", "p75"))
        if instrument is not None:
            low = instrument.total_min if key == "total" else instrument.domain_min(key)
            high = instrument.total_max if key == "total" else instrument.domain_max(key)
        else:
            low = high = None  # type: ignore[assignment]
        values = {
            name: self.number(entry, name, where, low=low, high=high)
            for name in ("median", "p25", "p75")
        }
        n = self.number(entry, "n", where, low=1, integer=True)
        if n is None and "n" not in entry:
            n = default_n
            if n is None:
                self.add(
                    _join(where, "n"),
                    "missing required key",
                    hint="give n here or once as reference.n",
                )
        median, p25, p75 = values["median"], values["p25"], values["p75"]
        if None in (median, p25, p75, n):
            return None
        assert median is not None and p25 is not None and p75 is not None and n is not None
        if not p25 <= median <= p75:
            self.add(
                where,
                "quartiles out of order",
                found=_Described(f"p25 {_fmt(p25)}, median {_fmt(median)}, p75 {_fmt(p75)}"),
                allowed="p25 ≤ median ≤ p75",
            )
            return None
        return RefStat(median=median, p25=p25, p75=p75, n=int(n))

    def rules(
        self, data: dict[str, Any], instrument: Instrument | None, reference: Reference | None
    ) -> tuple[Rule, ...]:
        entries = self.tables(data, "rules", "", "[[rules]]")
        if entries and instrument is None and "instrument" not in data:
            self.add(
                "rules",
                "rules without an [instrument]",
                allowed="an [instrument] table whose scores the rules read",
            )
        rule_ids: dict[str, str] = {}
        rules: list[Rule] = []
        signals = tuple(SIGNALS)
        for where, entry in entries:
            signal = self.text(entry, "signal", where)
            if signal is not None and signal not in SIGNALS:
                close = difflib.get_close_matches(signal, signals, n=1)
                self.add(
                    _join(where, "signal"),
                    "unknown signal",
                    found=signal,
                    allowed=", ".join(signals),
                    hint=f"did you mean {close[0]!r}?" if close else "",
                )
                signal = None
            spec = SIGNALS[signal] if signal else None
            allowed_keys = _RULE_KEYS + tuple(
                spec.params if spec else sorted({k for s in SIGNALS.values() for k in s.params})
            )
            required = list(_RULE_KEYS) + [
                k for k, p in (spec.params if spec else {}).items() if p.required
            ]
            self.keys(entry, where, allowed_keys, required)
            rule_id = self.text(entry, "id", where, is_id=True)
            self.unique(rule_ids, rule_id, _join(where, "id"), "rule id")
            priority = self.number(entry, "priority", where, low=0, integer=True)
            params: dict[str, object] = {}
            if spec is not None:
                for key, param in spec.params.items():
                    if key in entry:
                        value = self.param(entry, key, where, param, instrument)
                        if value is not None:
                            params[key] = value
            templates = {}
            for key in ("prompt", "reason"):
                templates[key] = self.text(entry, key, where)
                if templates[key] is not None and signal is not None:
                    self.placeholders(templates[key], _join(where, key), signal, params, reference)
            if (
                rule_id is not None
                and signal is not None
                and priority is not None
                and templates["prompt"] is not None
                and templates["reason"] is not None
            ):
                rules.append(
                    Rule(
                        rule_id,
                        signal,
                        int(priority),
                        templates["prompt"],
                        templates["reason"],
                        params,
                    )
                )
        return tuple(rules)

    def param(
        self,
        entry: dict[str, Any],
        key: str,
        where: str,
        param: Param,
        instrument: Instrument | None,
    ) -> object:
        value = entry[key]
        p_where = _join(where, key)
        if param.kind in ("choice", "domain"):
            choices = (
                param.choices
                if param.kind == "choice"
                else (instrument.domains if instrument else ())
            )
            if not isinstance(value, str) or (choices and value not in choices):
                close = (
                    difflib.get_close_matches(value, choices, n=1) if isinstance(value, str) else []
                )
                self.add(
                    p_where,
                    "not allowed",
                    found=value,
                    allowed=", ".join(repr(c) for c in choices) or "a domain id",
                    hint=f"did you mean {close[0]!r}?" if close else "",
                )
                return None
            return value
        if param.kind == "fraction":
            return self.number(entry, key, where, low=0, high=1, low_open=True)
        if instrument is None:
            return self.number(entry, key, where, low=0)
        if param.kind == "item_points":
            span = instrument.scale_max - instrument.scale_min
            return self.number(
                entry,
                key,
                where,
                low=0,
                high=span,
                low_open=True,
                allowed=f"points above 0 and at most {_fmt(span)} (item scale)",
            )
        largest = max(
            (instrument.domain_max(d) - instrument.domain_min(d) for d in instrument.domains),
            default=0,
        )
        return self.number(
            entry,
            key,
            where,
            low=0,
            high=largest,
            allowed=f"points from 0 to {_fmt(largest)} (domain range)",
        )

    def placeholders(
        self,
        template: str,
        where: str,
        signal: str,
        params: dict[str, object],
        reference: Reference | None,
    ) -> None:
        allowed = allowed_placeholders(signal, params)
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        except ValueError as exc:
            self.add(
                where,
                "bad placeholder syntax",
                found=template,
                allowed=str(exc),
                hint="write a literal brace as {{ or }}",
            )
            return
        for name in fields:
            if name not in allowed:
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                self.add(
                    where,
                    "unknown placeholder",
                    found="{" + name + "}",
                    allowed=", ".join("{" + a + "}" for a in sorted(allowed)),
                    hint=f"did you mean {{{close[0]}}}?" if close else "",
                )
            elif name in REFERENCE_PLACEHOLDERS and reference is None:
                self.add(
                    where,
                    "placeholder needs reference values",
                    found="{" + name + "}",
                    allowed="a [reference] table, or drop the placeholder",
                )

    def codes(self, data: dict[str, Any]) -> tuple[Code, ...]:
        ids: dict[str, str] = {}
        keys: dict[str, str] = {}
        codes: list[Code] = []
        for where, entry in self.tables(data, "codes", "", "[[codes]]"):
            self.keys(entry, where, _CODE_KEYS, ("id", "name", "description", "group"))
            code_id = self.text(entry, "id", where, is_id=True)
            self.unique(ids, code_id, _join(where, "id"), "code id")
            name = self.text(entry, "name", where)
            description = self.text(entry, "description", where)
            group = self.text(entry, "group", where)
            key = entry.get("key")
            if key is not None and (
                not isinstance(key, str) or len(key) != 1 or not key.isprintable() or key.isspace()
            ):
                self.add(
                    _join(where, "key"),
                    "not a single key",
                    found=key,
                    allowed='one printable character, e.g. "1"',
                )
                key = None
            self.unique(keys, key, _join(where, "key"), "quick key")
            if code_id and name and description and group:
                codes.append(Code(code_id, name, description, group, key))
        return tuple(codes)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
