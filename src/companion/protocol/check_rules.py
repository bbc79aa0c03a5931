"""Checking a protocol's suggestion rules (a mixin of the loader).

Each rule names a signal, its parameters and prompt templates whose placeholders the
signal fills; a ``mention`` rule also lists the words that raise its card. Every problem
is reported at once.
"""

from __future__ import annotations

import string
from typing import Any

from companion.protocol.model import (
    Instrument,
    Reference,
    Rule,
    RuleParam,
)
from companion.protocol.signals import (
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
        # Mention rules listen to the transcript; only the others read scores (a rule
        # whose signal is unknown is reported as such, not as wanting an instrument).
        reads_scores = [entry for _, entry in entries
                        if isinstance(entry.get("signal"), str)
                        and entry["signal"] in SIGNALS
                        and not SIGNALS[entry["signal"]].words]
        if reads_scores and instrument is None and "instrument" not in data:
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
            listens = spec.words if spec else False
            if listens or spec is None:
                allowed_keys += ("words",)
            required = list(_RULE_KEYS) + [
                k for k, p in (spec.params if spec else {}).items() if p.required
            ] + (["words"] if listens else [])
            self.keys(entry, where, allowed_keys, required)
            rule_id = self.text(entry, "id", where, is_id=True)
            self.unique(rule_ids, rule_id, join(where, "id"), "rule id")
            priority = self.number(entry, "priority", where, low=0, integer=True)
            params: dict[str, RuleParam] = {}
            if spec is not None:
                for key, param in spec.params.items():
                    if key in entry:
                        value = self.param(entry, key, where, param, instrument)
                        if value is not None:
                            params[key] = value
            words = self.words(entry, where) if listens or spec is None else ()
            templates: dict[str, str | None] = {}
            for key in ("prompt", "reason"):
                template = templates[key] = self.text(entry, key, where)
                if template is not None and signal is not None:
                    self.placeholders(template, join(where, key), signal, params, reference)
            if (
                rule_id is not None
                and signal is not None
                and priority is not None
                and templates["prompt"] is not None
                and templates["reason"] is not None
                and (words or not listens)
            ):
                rules.append(
                    Rule(
                        rule_id,
                        signal,
                        int(priority),
                        templates["prompt"],
                        templates["reason"],
                        params,
                        words,
                    )
                )
        return tuple(rules)

    def words(self, entry: dict[str, Any], where: str) -> tuple[str, ...]:
        """A mention rule's words: at least one, each heard as a whole word or phrase."""
        if "words" not in entry:
            return ()  # reported as a missing key
        value = entry["words"]
        words = self.text_list(entry, "words", where)
        if not isinstance(value, list) or len(words) != len(value):
            return ()  # a wrong type or entry is reported by text_list
        if not words:
            self.add(join(where, "words"), "empty", found=value,
                     allowed="a list of at least one word or phrase the participant may say")
        seen: dict[str, int] = {}
        for index, word in enumerate(words):
            key = " ".join(word.lower().split())
            if key in seen:
                self.add(f"{join(where, 'words')}[{index}]", "repeated word", found=word,
                         allowed=f"each word once (already at [{seen[key]}])")
            seen.setdefault(key, index)
        return words

    def param(
        self,
        entry: dict[str, Any],
        key: str,
        where: str,
        param: Param,
        instrument: Instrument | None,
    ) -> RuleParam | None:
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
        params: dict[str, RuleParam],
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
                hint = f"did you mean {{{close}}}?" if close else ""
                if name in SIGNALS[signal].target_placeholders:
                    hint = 'needs target = "most" or "least" (whose professional to name)'
                self.add(
                    where,
                    "unknown placeholder",
                    found="{" + name + "}",
                    allowed=", ".join("{" + a + "}" for a in sorted(allowed)),
                    hint=hint,
                )
            elif name in REFERENCE_PLACEHOLDERS and reference is None:
                self.add(
                    where,
                    "placeholder needs reference values",
                    found="{" + name + "}",
                    allowed="a [reference] table, or drop the placeholder",
                )
