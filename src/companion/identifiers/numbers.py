"""Numbers as a transcript writes them: digits, or words said aloud ("forty-eight",
"vierendertig", "oh seven seven double oh")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from companion.identifiers.words import ORDINALS, REPEATS, TENS, UNITS

TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|[+@]")
"""A word (letters or digits, joined by an apostrophe or hyphen), or a lone + or @."""
SAID_TOGETHER = re.compile(r"[\s,\-/.()]{0,3}")
"""What may stand between the parts of one number read out: spaces, a comma, a dash."""


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    source: str = field(default="", repr=False, compare=False)

    @property
    def low(self) -> str:
        return self.text.casefold()

    def gap_to(self, other: Token) -> str:
        """What stands between this token and a later one (set by :func:`tokens`)."""
        return self.source[self.end:other.start]


def tokens(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end(), text) for m in TOKEN.finditer(text)]


def _dutch_compound(word: str, language: str) -> int | None:
    """eenentwintig (21), tweeëntwintig (22), vierendertig (34)."""
    if language != "nl":
        return None
    for tens_word, tens in TENS["nl"].items():
        if word.endswith(tens_word):
            head = word[: -len(tens_word)]
            for joint in ("en", "ën"):
                if head.endswith(joint):
                    unit = UNITS["nl"].get(head[: -len(joint)])
                    if unit is not None and 1 <= unit <= 9:
                        return tens + unit
    return None


def number_value(word: str, language: str) -> int | None:
    """The value of one token said as a number (0-99), or of its digits; else None."""
    low = word.casefold()
    if low.isdigit():
        return int(low)
    units, tens = UNITS.get(language, {}), TENS.get(language, {})
    if low in units:
        return units[low]
    if low in tens:
        return tens[low]
    if "-" in low:  # forty-eight
        head, _, tail = low.partition("-")
        if head in tens and units.get(tail, 0) in range(1, 10) and tail in units:
            return tens[head] + units[tail]
    return _dutch_compound(low, language)


def ordinal_value(word: str, language: str) -> int | None:
    """14th, 3rd, fourteenth, veertiende, 14e, twenty-first: the day number, else None."""
    low = word.casefold()
    match = re.fullmatch(r"(\d{1,2})(st|nd|rd|th|e|ste|de)?", low)
    if match:
        return int(match.group(1))
    ordinals = ORDINALS.get(language, {})
    if low in ordinals:
        return ordinals[low]
    if "-" in low:  # twenty-first
        head, _, tail = low.partition("-")
        if head in TENS.get(language, {}) and tail in ordinals and ordinals[tail] < 10:
            return TENS[language][head] + ordinals[tail]
    if language == "nl":  # eenentwintigste
        for suffix in ("ste", "de"):
            if low.endswith(suffix):
                value = _dutch_compound(low[: -len(suffix)], language)
                if value is not None:
                    return value
    return None


def digit_run(toks: list[Token], start: int, language: str) -> tuple[str, int]:
    """The digits said from ``toks[start]`` on ("oh seven seven", "06 12", "twaalf",
    "double oh"), and the index after the last token used; ('', start) when none."""
    digits = ""
    index = start
    repeats = REPEATS.get(language, {})
    while index < len(toks):
        if index > start and not SAID_TOGETHER.fullmatch(
                toks[index - 1].gap_to(toks[index])):
            break
        low = toks[index].low
        if low in repeats and index + 1 < len(toks):
            value = number_value(toks[index + 1].text, language)
            if value is None or value > 9:
                break
            digits += str(value) * repeats[low]
            index += 2
            continue
        if re.fullmatch(r"\d+(?:-\d+)*", low):  # 06-12345678
            digits += low.replace("-", "")
            index += 1
            continue
        value = number_value(low, language)
        if value is None:
            break
        # "thirty four" read as a pair: the tens then a unit
        if (value in TENS.get(language, {}).values() and index + 1 < len(toks)
                and toks[index + 1].low in UNITS.get(language, {})
                and 1 <= UNITS[language][toks[index + 1].low] <= 9):
            value += UNITS[language][toks[index + 1].low]
            index += 1
        digits += str(value)
        index += 1
    return digits, index
