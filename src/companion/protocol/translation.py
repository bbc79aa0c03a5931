"""A protocol in another language checked against the one it translates.

Reports, exports and the study's tables compare sessions by phase, prompt, code and rule
ids, and the suggestions are ranked by rule priority; so a translation may change every
word but none of those. ``translation_of = "ID"`` in a protocol names its source, and
``companion protocol check`` compares the two with :func:`translation_problems`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from companion.errors import CompanionError
from companion.protocol.loader import Problem, load_protocol
from companion.protocol.model import Protocol


def find_source(translation: Protocol, study_dir: Path | None = None) -> Protocol | None:
    """The protocol ``translation`` names: a file beside it first, else a known protocol."""
    source_id = translation.translation_of
    if source_id is None:
        return None
    for path in sorted(translation.path.parent.glob("*.toml")):
        if path.resolve() == translation.path:
            continue
        try:
            candidate = load_protocol(path)
        except CompanionError:
            continue
        if candidate.id == source_id:
            return candidate
    from companion.protocol.registry import get_protocol

    return get_protocol(source_id, study_dir)


def _ids(items: Sequence[object]) -> list[str]:
    return [str(getattr(item, "id")) for item in items]  # noqa: B009


def translation_problems(translation: Protocol, source: Protocol) -> list[Problem]:
    """Every difference in structure between ``translation`` and its ``source``."""
    file = translation.path.name
    problems: list[Problem] = []

    def differ(key: str, found: object, expected: object, what: str) -> None:
        if found != expected:
            problems.append(Problem(file, key, f"{what} differs from {source.id}",
                                    found=repr(found), allowed=repr(expected)))

    def ids(key: str, found: list[str], expected: list[str], what: str,
            where: str = "") -> None:
        """One problem per id out of place, naming it (a whole list says too little)."""
        if len(found) != len(expected):
            differ(key, found, expected, f"number of {what}s{where} ({len(found)}, "
                   f"{source.id} has {len(expected)})")
            return
        for index, (mine, theirs) in enumerate(zip(found, expected, strict=True)):
            differ(f"{key}[{index}].id", mine, theirs, what + where)

    ids("phases", _ids(translation.phases), _ids(source.phases), "phase id")
    for index, (mine, theirs) in enumerate(zip(translation.phases, source.phases,
                                               strict=False)):
        ids(f"phases[{index}].prompts", _ids(mine.prompts), _ids(theirs.prompts),
            "prompt id", f" in phase {theirs.id}")
    ids("codes", _ids(translation.codes), _ids(source.codes), "code id")
    differ("codes (keys)", [c.key for c in translation.codes], [c.key for c in source.codes],
           "quick keys of the codes")
    ids("rules", _ids(translation.rules), _ids(source.rules), "rule id")
    for index, (rule, source_rule) in enumerate(zip(translation.rules, source.rules,
                                                    strict=False)):
        if rule.id != source_rule.id:
            continue
        differ(f"rules[{index}] ({rule.id})", (rule.signal, rule.priority, rule.params),
               (source_rule.signal, source_rule.priority, source_rule.params),
               "signal, priority or thresholds")
    mine_i, theirs_i = translation.instrument, source.instrument
    differ("instrument.id", mine_i.id if mine_i else None, theirs_i.id if theirs_i else None,
           "instrument")
    if mine_i is not None and theirs_i is not None:
        differ("instrument", (mine_i.scale_min, mine_i.scale_max, mine_i.domains,
                              mine_i.min_items_per_domain, mine_i.ceiling_fraction),
               (theirs_i.scale_min, theirs_i.scale_max, theirs_i.domains,
                theirs_i.min_items_per_domain, theirs_i.ceiling_fraction),
               "scale, domains or thresholds of the instrument")
        differ("instrument.items", [(i.n, i.domain) for i in mine_i.items],
               [(i.n, i.domain) for i in theirs_i.items], "item numbers and domains")
    mine_r, theirs_r = translation.reference, source.reference
    differ("reference", mine_r.stats if mine_r else None, theirs_r.stats if theirs_r else None,
           "reference values")
    return problems
