"""Finding identifiers in one text: the language's detector, the rules, the study's own
list of local names, and the protocol's vocabulary, which is never an identifier.

Detectors are built once per process and language (:func:`detector`): deduce takes
seconds to load, the English lists a fraction of one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from companion.identifiers.finding import Found, found, resolve
from companion.identifiers.rules import find_by_rules
from companion.identifiers.words import PROFESSIONS, TITLES
from companion.protocol.model import Protocol as InterviewProtocol

# What the study's list of local names may call a name: a kind, with a detail.
LOCAL_KINDS: dict[str, tuple[str, str | None]] = {
    "person": ("person", None), "place": ("place", None),
    "hospital": ("institution", "hospital"), "clinic": ("institution", "clinic"),
    "employer": ("institution", "employer"), "institution": ("institution", None),
}


class Detector(Protocol):
    """What finds names, places and institutions in one language."""

    language: str

    def find(self, text: str) -> list[Found]: ...


def _no_names() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Context:
    """What a session adds to the detector: its language, the protocol's words (never an
    identifier), the study's local names (always one) and the professions that can stand
    before a name."""

    language: str
    vocabulary: tuple[str, ...] = ()
    local_names: Mapping[str, str] = field(default_factory=_no_names)
    professions: Mapping[str, str] = field(default_factory=_no_names)


def context_for(protocol: InterviewProtocol, local_names: Mapping[str, str]) -> Context:
    """The protocol's language decides; its vocabulary, codes, domain names and the live
    synonyms of its professions are never identifiers."""
    language = protocol.language.split("-")[0].casefold()
    professions = dict(PROFESSIONS.get(language, PROFESSIONS["en"]))
    vocabulary = list(protocol.vocabulary)
    for role, synonyms in protocol.live.synonyms.items():
        professions[role.casefold()] = role
        vocabulary.append(role)
        for synonym in synonyms:
            professions[synonym.casefold()] = role
            vocabulary.append(synonym)
    for code in protocol.codes:
        vocabulary += [code.id, code.name]
    if protocol.instrument is not None:
        vocabulary += [protocol.instrument.id, protocol.instrument.name,
                       *protocol.instrument.domains]
        vocabulary += list(getattr(protocol.instrument, "domain_labels", {}).values())
    vocabulary += list(professions)
    return Context(language, tuple(v for v in vocabulary if v and v.strip()),
                   MappingProxyType(dict(local_names)), MappingProxyType(professions))


# --- detectors, built once per language ---------------------------------------------------

_DETECTORS: dict[str, Detector] = {}
_BUILDING = threading.Lock()


def detector(language: str, progress: Callable[[str], None] | None = None) -> Detector | None:
    """The detector of names for ``language`` (nl: deduce; en: the English lists), built on
    first use and kept; None for a language without one (the rules and the local names
    still apply)."""
    key = language.split("-")[0].casefold()
    if key not in ("nl", "en"):
        return None
    with _BUILDING:
        if key not in _DETECTORS:
            if key == "nl":
                from companion.identifiers.dutch import DutchDetector

                _DETECTORS[key] = DutchDetector(progress)
            else:
                from companion.identifiers.english import EnglishDetector

                _DETECTORS[key] = EnglishDetector()
        return _DETECTORS[key]


# --- one text -------------------------------------------------------------------------------

def find_identifiers(text: str, context: Context, names: Detector | None) -> list[Found]:
    """Every identifier in ``text``: overlaps resolved, titles kept out of names, the
    protocol's vocabulary left alone, a profession named before a person as its detail."""
    if not text.strip():
        return []
    candidates = names.find(text) if names is not None else []
    candidates += find_by_rules(text, context.language)
    candidates += local_names(text, context.local_names)
    kept = []
    for f in resolve(candidates):
        if f.kind == "person":
            f = without_title(text, f, context.language)
        kept_part = outside_vocabulary(text, f, context.vocabulary)
        if kept_part is None:
            continue
        f = kept_part
        if f.kind == "institution":
            saint = re.search(r"(?:\bSint|\bSt\.?|\bSaint)\s+$", text[:f.start])
            if saint:
                f = found(text, saint.start(), f.end, f.kind, f.detail, f.by)
        if f.kind == "person" and f.detail is None:
            f = Found(f.start, f.end, f.text, f.kind, profession_of(text, f, context), f.by)
        kept.append(f)
    return kept


def whole_words(text: str, phrase: str) -> Iterable[re.Match[str]]:
    """Where ``phrase`` stands in ``text`` as whole words, in any case."""
    escaped = r"\s+".join(re.escape(part) for part in phrase.split())
    return re.finditer(rf"(?<!\w){escaped}(?!\w)", text, re.IGNORECASE)


def local_names(text: str, names: Mapping[str, str]) -> list[Found]:
    out = []
    for name, what in names.items():
        kind, detail = LOCAL_KINDS.get(what, ("institution", what))
        for match in whole_words(text, name):
            out.append(found(text, match.start(), match.end(), kind, detail, "study list"))
    return out


def without_title(text: str, f: Found, language: str) -> Found:
    titles = sorted({t.rstrip(".") for t in TITLES.get(language, TITLES["en"])}, key=len,
                    reverse=True)
    lowered = f.text.casefold()
    for title in titles:
        match = re.match(rf"{re.escape(title)}\.?\s+", lowered)
        if match and match.end() < len(f.text):
            return found(text, f.start + match.end(), f.end, f.kind, f.detail, f.by)
    return f


def outside_vocabulary(text: str, f: Found, vocabulary: Iterable[str]) -> Found | None:
    """``f`` unless it is the protocol's own word; a vocabulary word at its edge is cut
    off ("fysiotherapeut Henk" keeps "Henk")."""
    start, end = f.start, f.end
    for phrase in vocabulary:
        for match in whole_words(text, phrase):
            if match.end() <= start or match.start() >= end:
                continue
            if match.start() <= start and match.end() >= end:
                return None  # the finding is the vocabulary word (or part of it)
            if match.start() <= start:
                start = match.end()
            elif match.end() >= end:
                end = match.start()
            else:
                return None
    if (start, end) == (f.start, f.end):
        return f
    trimmed = found(text, start, end, f.kind, f.detail, f.by)
    return trimmed if trimmed.end > trimmed.start else None


def profession_of(text: str, f: Found, context: Context) -> str | None:
    """The profession said just before the name ("my physio, Anna", "dokter Pieters") or
    just after it ("Mrs Henderson, the psychologist")."""
    before = re.sub(r"[^\w\s'-]", " ", text[max(0, f.start - 40):f.start]).casefold().split()
    titles = {t.rstrip(".") for t in TITLES.get(context.language, TITLES["en"])}
    while before and before[-1] in titles and before[-1] not in context.professions:
        before.pop()  # "the consultant, Mr Patel"
    for size in (3, 2, 1):
        if len(before) >= size and " ".join(before[-size:]) in context.professions:
            return context.professions[" ".join(before[-size:])]
    after = re.match(r"[\s,]+(?:the|my|our|de|het|mijn|onze)?\s*([\w' -]{2,40})",
                     text[f.end:f.end + 50], re.IGNORECASE)
    if after:
        words = after.group(1).casefold().split()
        for size in (3, 2, 1):
            if len(words) >= size and " ".join(words[:size]) in context.professions:
                return context.professions[" ".join(words[:size])]
    return None
