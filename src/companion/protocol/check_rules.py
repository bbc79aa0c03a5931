"""Checking a protocol's suggestion rules (a mixin of the loader).

Each rule names a signal, its parameters and prompt templates whose placeholders the
signal fills; every problem is reported at once.
"""

from __future__ import annotations

import string
from typing import Any

from companion.protocol.model import (
    Instrument,
    Reference,
    Rule,
)
from companion.protocol.suggestions import (
    REFERENCE_PLACEHOLDERS,
    SIGNALS,
    Param,
    allowed_placeholders,
)
from companion.tomlcheck import (
    Checker,
    did_you_mean,
    fmt_number,
    join,
    nearest,
)

_RULE_KEYS = ("id", "signal", "priority", "prompt", "reason")


class RuleChecks(Checker):
    """The ``[[rules]]`` tables."""

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
                self.unknown(join(where, "signal"), "signal", signal, signals)
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
            self.unique(rule_ids, rule_id, join(where, "id"), "rule id")
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
                    self.placeholders(templates[key], join(where, key), signal, params, reference)
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
        p_where = join(where, key)
        if param.kind in ("choice", "domain"):
            choices = (
                param.choices
                if param.kind == "choice"
                else (instrument.domains if instrument else ())
            )
            if not isinstance(value, str) or (choices and value not in choices):
                self.add(
                    p_where,
                    "not allowed",
                    found=value,
                    allowed=", ".join(repr(c) for c in choices) or "a domain id",
                    hint=did_you_mean(value, choices),
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
                allowed=f"points above 0 and at most {fmt_number(span)} (item scale)",
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
            allowed=f"points from 0 to {fmt_number(largest)} (domain range)",
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
                close = nearest(name, sorted(allowed))
                self.add(
                    where,
                    "unknown placeholder",
                    found="{" + name + "}",
                    allowed=", ".join("{" + a + "}" for a in sorted(allowed)),
                    hint=f"did you mean {{{close}}}?" if close else "",
                )
            elif name in REFERENCE_PLACEHOLDERS and reference is None:
                self.add(
                    where,
                    "placeholder needs reference values",
                    found="{" + name + "}",
                    allowed="a [reference] table, or drop the placeholder",
                )
