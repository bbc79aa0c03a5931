"""How a suggestion's numbers and names are written, and its templates filled."""

from __future__ import annotations

from collections.abc import Mapping

from companion.protocol.model import Instrument
from companion.protocol.scoring import format_number


def sentence_case(text: str) -> str:
    """The first letter upper case, the rest as written (role names stay lower case)."""
    return text[:1].upper() + text[1:]


def percent(fraction: float) -> str:
    """0.85 → "85%"; 0.875 → "87.5%"."""
    return f"{format_number(round(fraction * 100, 1))}%"


def domain_name(instrument: Instrument, domain: str) -> str:
    """The domain as the protocol's language names it (``domain_labels``), else its id."""
    return instrument.domain_label(domain)


def number(value: float | None) -> object:
    """Whole numbers as int (reads "286", not "286.0"); otherwise rounded to 2 decimals."""
    if value is None:
        return "n/a"
    if float(value).is_integer():
        return int(value)
    return round(float(value), 2)


def fill(template: str, values: Mapping[str, object]) -> str:
    """A rule's template with its placeholders filled (checked by the loader)."""
    readable = {k: format_number(v) if isinstance(v, float) else str(v) for k, v in values.items()}
    return template.format_map(readable)
