"""Checking a protocol's instrument and its reference values (a mixin of the loader).

The instrument's items must add up to the WAI-ReD shape the scoring assumes, and the
reference quartiles must fit the instrument's range; every problem is reported at once.
"""

from __future__ import annotations

from typing import Any

from companion.protocol.model import (
    TARGETS,
    Instrument,
    Item,
    Reference,
    RefStat,
)
from companion.tomlcheck import (
    ID_ALLOWED,
    ID_PATTERN,
    Checker,
    Described,
    fmt_number,
    join,
)

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
    "domain_labels",
    "items",
)
_ITEM_KEYS = ("n", "domain", "label")
_REFERENCE_KEYS = ("source", "method", "n", *TARGETS)
_REFSTAT_KEYS = ("median", "p25", "p75", "n")


class InstrumentChecks(Checker):
    """The ``[instrument]`` and ``[reference]`` tables."""

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
                join(where, "scale_max"),
                "out of range",
                found=scale_max,
                allowed=f"a number above scale_min ({fmt_number(scale_min)})",
            )
            scale_max = None
        domains = self.text_list(table, "domains", where)
        domain_seen: dict[str, str] = {}
        for index, domain in enumerate(domains):
            d_where = f"{where}.domains[{index}]"
            if not ID_PATTERN.match(domain):
                self.add(d_where, "invalid id", found=domain, allowed=ID_ALLOWED)
            elif domain == "total":
                # "total" names the sum of all domains in [reference] tables.
                self.add(d_where, "reserved name", found=domain, allowed="any name but 'total'")
            self.unique(domain_seen, domain, d_where, "domain")
        if "domains" in table and not domains:
            self.add(join(where, "domains"), "no domains", allowed="at least one domain")
        min_items = self.number(table, "min_items_per_domain", where, low=1, integer=True)
        fraction = self.number(table, "ceiling_fraction", where, low=0, high=1, low_open=True)
        verified = self.boolean(table, "mapping_verified", where) or False
        note = self.text(table, "mapping_note", where) or ""
        labels = self.domain_labels(table, where, domains)

        items: list[Item] = []
        numbers: dict[str, str] = {}
        item_entries = self.tables(table, "items", where, "[[instrument.items]]")
        for i_where, entry in item_entries:
            self.keys(entry, i_where, _ITEM_KEYS, ("n", "domain"))
            n = self.number(entry, "n", i_where, low=1, integer=True)
            item_domain = self.text(entry, "domain", i_where)
            if item_domain is not None and domains and item_domain not in domains:
                self.unknown(join(i_where, "domain"), "domain", item_domain, domains)
                item_domain = None
            label = self.text(entry, "label", i_where) or ""
            if n is not None:
                self.unique(numbers, str(int(n)), join(i_where, "n"), "item number")
            if n is not None and item_domain is not None:
                items.append(Item(int(n), item_domain, label))
        count = len(item_entries)
        if count and sorted(int(k) for k in numbers) != list(range(1, count + 1)):
            self.add(
                join(where, "items"),
                "item numbers do not run 1..N",
                found=sorted(int(k) for k in numbers),
                allowed=f"each of 1 to {count} exactly once",
            )
        per_domain = {d: sum(1 for it in items if it.domain == d) for d in domains}
        for domain, amount in per_domain.items():
            if items and amount == 0:
                self.add(
                    join(where, "items"),
                    f"no items for domain {domain!r}",
                    allowed="at least one item per domain",
                )
        if min_items is not None and items:
            smallest = min(per_domain.values(), default=0)
            if smallest and min_items > smallest:
                self.add(
                    join(where, "min_items_per_domain"),
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
            domain_labels=labels,
        )

    def domain_labels(
        self, table: dict[str, Any], where: str, domains: tuple[str, ...]
    ) -> dict[str, str]:
        """``domain_labels = { task = "Taak", ... }``: a name per domain, in the protocol's
        language; optional, and only for domains the instrument has."""
        value = table.get("domain_labels")
        if value is None:
            return {}
        key = join(where, "domain_labels")
        if not isinstance(value, dict):
            self.add(key, "wrong type", found=value, allowed="a table: domain = \"label\"")
            return {}
        labels: dict[str, str] = {}
        for domain, label in value.items():
            if domain not in domains:
                self.add(f"{key}.{domain}", "unknown domain", found=domain,
                         allowed=", ".join(domains))
            elif not isinstance(label, str) or not label.strip():
                self.add(f"{key}.{domain}", "wrong type", found=label, allowed="non-empty text")
            else:
                labels[domain] = label.strip()
        return labels

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
                join(where, "domains"),
                "not the WAI-ReD domains",
                found=list(domains),
                allowed='["task", "goal", "bond"]',
            )
        if None not in (scale_min, scale_max) and (scale_min, scale_max) != (0, 100):
            self.add(
                join(where, "scale_max"),
                "not the WAI-ReD scale",
                found=Described(f"{scale_min:g}–{scale_max:g}"),
                allowed="scale_min = 0, scale_max = 100",
            )
        if n_items != 12 or any(v != 4 for v in per_domain.values()):
            self.add(
                join(where, "items"),
                "not the WAI-ReD item layout",
                found=Described(f"{n_items} items ({per_domain})"),
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
            t_where = join(where, target)
            known = (*instrument.domains, "total") if instrument else tuple(t_table)
            self.keys(t_table, t_where, known, ())
            stats[target] = {}
            for key, entry in t_table.items():
                if key not in known:
                    continue
                s_where = join(t_where, key)
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
        low: float | None = None
        high: float | None = None
        if instrument is not None:
            low = instrument.total_min if key == "total" else instrument.domain_min(key)
            high = instrument.total_max if key == "total" else instrument.domain_max(key)
        values = {
            name: self.number(entry, name, where, low=low, high=high)
            for name in ("median", "p25", "p75")
        }
        n = self.number(entry, "n", where, low=1, integer=True)
        if n is None and "n" not in entry:
            n = default_n
            if n is None:
                self.add(
                    join(where, "n"),
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
                found=Described(
                    f"p25 {fmt_number(p25)}, median {fmt_number(median)}, p75 {fmt_number(p75)}"
                ),
                allowed="p25 ≤ median ≤ p75",
            )
            return None
        return RefStat(median=median, p25=p25, p75=p75, n=int(n))
