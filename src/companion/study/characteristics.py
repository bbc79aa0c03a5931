"""Participant characteristics: the study's Table 1, as allowed values and validators.

The TUI validates field by field as the interviewer types; the CLI validates the whole
record before writing anything. Both call :func:`validate_field`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from companion.errors import InputError

CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,19}$")

# Category fields: the study's Table 1 bands. Keys are what is stored and typed on the
# CLI; values are labels for tables and screens.
CATEGORIES: dict[str, dict[str, str]] = {
    "gender": {"female": "Female", "male": "Male", "other": "Other / not said"},
    "age_band": {"<35": "< 35 years", "35-55": "35–55 years", ">55": "> 55 years"},
    "education": {"low": "Low", "middle": "Middle", "high": "High"},
    "pain_duration": {"2-5": "2–5 years", "5-10": "5–10 years", ">10": "> 10 years"},
    "work_status": {
        "working": "Working",
        "reintegrating": "Reintegrating into work",
        "not-working": "Not working",
        "student": "Student",
        "retired": "Retired",
    },
}
SCALES: dict[str, tuple[int, int, str]] = {
    "pdi": (0, 70, "Pain Disability Index"),
    "csi": (0, 100, "Central Sensitization Inventory"),
}
FIELDS = ("code", *CATEGORIES, *SCALES, "consent_date")


def validate_code(value: str) -> str:
    code = (value or "").strip()
    if not CODE_PATTERN.match(code):
        raise InputError(
            "code",
            value,
            "a pseudonym code of 1–20 letters, digits, '-' or '_', starting with a letter "
            "(such as P05); never a real name",
        )
    return code


def validate_field(name: str, value: Any) -> Any:
    """Return the normalised value of one characteristic, or raise InputError."""
    if name == "code":
        return validate_code(value)
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if name in CATEGORIES:
        text = str(value).strip().lower().replace("–", "-").replace(" ", "")
        allowed = CATEGORIES[name]
        if text not in allowed:
            raise InputError(name.replace("_", "-"), value, "one of " + ", ".join(allowed))
        return text
    if name in SCALES:
        low, high, label = SCALES[name]
        try:
            number = float(str(value).strip())
        except ValueError:
            number = math.nan
        if math.isnan(number) or not number.is_integer() or not low <= number <= high:
            raise InputError(name, value, f"a whole number from {low} to {high} ({label})")
        return int(number)
    if name == "consent_date":
        try:
            date = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise InputError("consent-date", value, "a date as YYYY-MM-DD") from None
        if date > dt.date.today():
            raise InputError("consent-date", value, "a date that is not in the future")
        return date.isoformat()
    raise InputError("field", name, "one of " + ", ".join(FIELDS))


def validate_characteristics(values: dict[str, Any]) -> dict[str, Any]:
    """Validate every given characteristic; raises on the first bad one."""
    return {name: validate_field(name, value) for name, value in values.items()}
