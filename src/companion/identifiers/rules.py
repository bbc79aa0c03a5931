"""Rules for identifiers that have a form: e-mail addresses, phone numbers, dates, ages,
postcodes and national id numbers, written or said aloud, in English and Dutch.

Each rule takes the text and its language and returns findings; names, places and
institutions are the detectors' work (:mod:`companion.identifiers.english`,
:mod:`companion.identifiers.dutch`).
"""

from __future__ import annotations

import re

import phonenumbers

from companion.identifiers.finding import Found, found
from companion.identifiers.numbers import (
    Token,
    digit_run,
    number_value,
    ordinal_value,
    tokens,
)
from companion.identifiers.words import EMAIL_AT, EMAIL_DOT, MONTHS, TENS, TOP_DOMAINS, UNITS

EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)

PHONE_CUE = re.compile(r"\b(?:phone|number|mobile|call|ring|text|landline|telefoon|nummer|"
                       r"mobiel|bellen|bel|gebeld|06)\b", re.IGNORECASE)

# Where a phone number read out or written is looked for first, per language.
PHONE_REGIONS = {"en": ("GB", "US", "IE", "NL"), "nl": ("NL", "BE")}

NL_POSTCODE = re.compile(r"\b[1-9]\d{3} ?(?!MG|GR|ML|KG|KM|CM|MM|SS|SD)[A-Z]{2}\b")
UK_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b")
POSTCODE_CUE = re.compile(r"\b(?:post ?code|postal code|zip(?: code)?|postcode)\b[\s:,]*"
                          r"(?:is\s+|was\s+|is:?\s*)?([a-z0-9]{2,4}\s?[a-z0-9]{2,3})\b",
                          re.IGNORECASE)

UK_NINO = re.compile(r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
US_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
ID_CUE = re.compile(
    r"\b(?:bsn|burgerservicenummer|sofinummer|sofi-nummer|nhs number|national insurance"
    r"(?: number)?|social security(?: number)?|ssn|patient ?number|patiëntnummer|"
    r"id number|identity number)\b", re.IGNORECASE)
DIGIT_GROUPS = re.compile(r"(?<![\d\-/.])\d(?:[ \-]?\d){8,11}(?![\d\-/])")

NUMERIC_DATE = re.compile(
    r"(?<![\d/.\-])(?:(?:0?[1-9]|[12]\d|3[01])([-/.])(?:0?[1-9]|1[0-2])\1(?:19|20)?\d{2}"
    r"|(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![\d/.\-]\d)")


def eleven_proof(digits: str) -> bool:
    """The Dutch BSN check: 9 digits, weights 9…2 and -1, sum divisible by 11."""
    if len(digits) != 9 or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def nhs_check(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


# --- e-mail -----------------------------------------------------------------------------

def emails(text: str, language: str) -> list[Found]:
    out = [found(text, m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
    out += spoken_emails(text, language)
    return out


def spoken_emails(text: str, language: str) -> list[Found]:
    """"anna dot jansen at gmail dot com", "kees apenstaartje ziggo punt nl"."""
    at_words = EMAIL_AT.get(language, EMAIL_AT["en"])
    dot_words = EMAIL_DOT.get(language, EMAIL_DOT["en"])
    toks = tokens(text)
    out = []
    for i, tok in enumerate(toks):
        if tok.low not in at_words or i == 0:
            continue
        # after "at": a domain, then "dot part" pairs, the last one a top-level domain
        j, last = i + 1, None
        while j + 2 < len(toks) and toks[j + 1].low in dot_words:
            j += 2
            if toks[j].low in TOP_DOMAINS:
                last = j
        if last is None:
            continue
        # before "at": the local part, at most three words joined by "dot"
        k, words = i - 1, 1
        while k >= 2 and toks[k - 1].low in dot_words and words < 3:
            k, words = k - 2, words + 1
        out.append(found(text, toks[k].start, toks[last].end, "email"))
    return out


# --- phone numbers ------------------------------------------------------------------------

def phones(text: str, language: str) -> list[Found]:
    out: list[Found] = []
    for region in PHONE_REGIONS.get(language, ("GB", "US", "NL")):
        for match in phonenumbers.PhoneNumberMatcher(text, region,
                                                     leniency=phonenumbers.Leniency.VALID):
            out.append(found(text, match.start, match.end, "phone"))
    # Read out: a national number starts with 0; any other run needs a word for a phone
    # before it (a list of scores read out is no phone number).
    for candidate, digits in spoken_digits(text, language, minimum=9):
        before = text[max(0, candidate.start - 40):candidate.start]
        if len(digits) <= 13 and (digits.startswith("0") or PHONE_CUE.search(before)):
            out.append(candidate)
    return out


def spoken_digits(text: str, language: str, *, minimum: int) -> list[tuple[Found, str]]:
    """Runs of digits read out (words, digits or both) with at least ``minimum`` digits,
    as phone findings with their digits; one written number alone is left to the written
    rules."""
    toks = tokens(text)
    out = []
    index = 0
    while index < len(toks):
        digits, stop = digit_run(toks, index, language)
        if stop > index + 1 and len(digits) >= minimum:
            start = toks[index].start
            if start > 0 and text[start - 1] == "+":
                start -= 1
            out.append((found(text, start, toks[stop - 1].end, "phone"), digits))
        index = max(stop, index + 1)
    return out


# --- id numbers and postcodes -----------------------------------------------------------

def id_numbers(text: str, language: str) -> list[Found]:
    out = []
    for match in DIGIT_GROUPS.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if eleven_proof(digits) or nhs_check(digits):
            out.append(found(text, match.start(), match.end(), "id"))
    for pattern in (UK_NINO, US_SSN):
        out += [found(text, m.start(), m.end(), "id") for m in pattern.finditer(text)]
    # after "my NHS number is", "mijn BSN is": whatever digits follow, said or written
    for cue in ID_CUE.finditer(text):
        rest = text[cue.end():cue.end() + 120]
        lead = re.match(r"[\s:,]*(?:is|was|:)?[\s:,]*", rest, re.IGNORECASE)
        offset = cue.end() + (lead.end() if lead else 0)
        toks = tokens(text[offset:])
        digits, stop = digit_run(toks, 0, language)
        if len(digits) >= 6:
            out.append(found(text, offset + toks[0].start, offset + toks[stop - 1].end, "id"))
        else:
            nino = UK_NINO.match(text[offset:].upper())
            if nino:
                out.append(found(text, offset, offset + nino.end(), "id"))
    return out


def postcodes(text: str, language: str) -> list[Found]:
    out = [found(text, m.start(), m.end(), "postcode") for m in NL_POSTCODE.finditer(text)]
    out += [found(text, m.start(), m.end(), "postcode") for m in UK_POSTCODE.finditer(text)
            if (any(c.isdigit() for c in m.group(0)) and " " in m.group(0))
            or re.search(r"\d[A-Z]{2}$", m.group(0))]
    for cue in POSTCODE_CUE.finditer(text):
        out.append(found(text, cue.start(1), cue.end(1), "postcode"))
    return out


# --- dates ---------------------------------------------------------------------------------

def dates(text: str, language: str) -> list[Found]:
    out = [found(text, m.start(), m.end(), "date") for m in NUMERIC_DATE.finditer(text)]
    months = set(MONTHS.get(language, MONTHS["en"]))
    toks = tokens(text)
    for i, tok in enumerate(toks):
        if tok.low.rstrip(".") not in months:
            continue
        start = end = None
        # day before the month: "14 March", "the fourteenth of March", "de veertiende maart"
        j = i - 1
        if j >= 0 and toks[j].low in ("of", "van"):
            j -= 1
        day_start = _day_before(toks, j, language)
        if day_start is not None:
            start = day_start
            end = i
        else:
            # day after the month: "March 14th", "March the fourteenth"
            k = i + 1
            if k < len(toks) and toks[k].low in ("the", "de"):
                k += 1
            day_end = _day_after(toks, k, language)
            if day_end is not None and (tok.text[0].isupper()
                                        or tok.low not in ("may", "march")):
                start, end = i, day_end
        if start is None or end is None:
            continue
        end = _year_after(toks, end, language)
        if start > 0 and toks[start - 1].low in ("the", "de"):
            start -= 1
        out.append(found(text, toks[start].start, toks[end].end, "date"))
    return out


def _day_value(toks: list[Token], j: int, language: str) -> tuple[int, int] | None:
    """(day, first token index) of a day number ending at token ``j``."""
    if j < 0:
        return None
    value = ordinal_value(toks[j].text, language)
    if value is None:
        value = number_value(toks[j].text, language)
        if value is not None and not toks[j].low.isdigit() and language == "en":
            value = None  # "three March" is not how English says a date
    if value is None:
        return None
    first = j
    # "twenty first", "thirty one": tens before a unit
    if j > 0 and value < 10 and toks[j - 1].low in TENS.get(language, {}):
        value += TENS[language][toks[j - 1].low]
        first = j - 1
    return (value, first) if 1 <= value <= 31 else None


def _day_before(toks: list[Token], j: int, language: str) -> int | None:
    day = _day_value(toks, j, language)
    return None if day is None else day[1]


def _day_after(toks: list[Token], k: int, language: str) -> int | None:
    if k >= len(toks):
        return None
    for last in (k + 1, k):  # "twenty first" first, then one token
        if last < len(toks):
            day = _day_value(toks, last, language)
            if day is not None and day[1] == k:
                return last
    return None


def _year_after(toks: list[Token], end: int, language: str) -> int:
    """Extend a date over the year said after it: 2019, nineteen seventy-six,
    two thousand and nineteen, negentienhonderdzesenzeventig."""
    k = end + 1
    if k < len(toks) and re.fullmatch(r"(?:19|20)\d{2}|'\d{2}", toks[k].low):
        return k
    units = UNITS.get(language, {})
    if language == "en" and k < len(toks):
        low = toks[k].low
        if low in ("nineteen", "twenty") and k + 1 < len(toks):
            nxt = number_value(toks[k + 1].text, language)
            if nxt is not None and 10 <= nxt <= 99:
                last = k + 1
                if (nxt % 10 == 0 and last + 1 < len(toks)
                        and toks[last + 1].low in units and units[toks[last + 1].low] < 10):
                    last += 1
                return last
        if low == "two" and k + 1 < len(toks) and toks[k + 1].low == "thousand":
            last = k + 1
            if last + 1 < len(toks) and toks[last + 1].low == "and":
                last += 1
            if last + 1 < len(toks) and number_value(toks[last + 1].text, language) is not None:
                last += 1
            return last
    if language == "nl" and k < len(toks) and toks[k].low.startswith(("negentien", "tweeduizend")):
        return k
    return end


# --- ages ------------------------------------------------------------------------------------

AGE_BEFORE = {
    "en": re.compile(r"(?:\bi'm|\bi am|\bi'll be|\bi turned|\bturning|\baged|\bshe's|\bhe's|"
                     r"\bi was born \w+ years ago,? so i'm)\s*$", re.I),
    "nl": re.compile(r"(?:\bik ben|\bik word|\bik werd|\bben ik)\s+(?:nu\s+|pas\s+)?$", re.I),
}
AGE_STOP = {
    "en": re.compile(r"^\s*(?:years?\b(?!\s+(?:ago|in|into|since|with|at|on|of)\b)|now\b|"
                     r"this\b|next\b|last\b|[.,;!?]|$|and\b|but\b|so\b)", re.I),
    "nl": re.compile(r"^\s*(?:jaar\b(?!\s+(?:geleden|bezig|ziek|lang|in|met|op|bij|aan|"
                     r"getrouwd|gescheiden|thuis|niet|hier|daar|weg)\b)|[.,;!?]|$|en\b|"
                     r"maar\b|dus\b)", re.I),
}


def ages(text: str, language: str) -> list[Found]:
    """"I'm 48", "forty-eight years old", "ik ben zevenenvijftig", "48-jarige"; a number
    of years that is a duration ("for ten years", "al tien jaar") is no age."""
    lang = language if language in AGE_BEFORE else "en"
    toks = tokens(text)
    out = []
    for i, tok in enumerate(toks):
        value = number_value(tok.text, lang)
        first = i
        if value is not None and value < 10 and i > 0 and toks[i - 1].low in TENS.get(lang, {}):
            value += TENS[lang][toks[i - 1].low]
            first = i - 1
        if value is None or not 10 <= value <= 110:
            continue
        before = text[:toks[first].start]
        after = text[tok.end:]
        said_old = re.match(r"^\s*(?:-?years?-old|years? old|years? of age|jaar oud|-jarige)",
                            after, re.I)
        if said_old or (AGE_BEFORE[lang].search(before) and AGE_STOP[lang].match(after)):
            end = tok.end + (said_old.end() if said_old else 0)
            out.append(found(text, toks[first].start, end, "age"))
    return out


RULES = (emails, phones, id_numbers, postcodes, dates, ages)


def find_by_rules(text: str, language: str) -> list[Found]:
    """Every finding of the rules above in ``text`` (overlaps not yet resolved)."""
    out: list[Found] = []
    for rule in RULES:
        out += rule(text, language)
    return out
