"""Names, places and institutions in Dutch speech, with ``deduce``.

deduce (LGPL-3.0-or-later, used here as a library; see its notice in the README) was
made to de-identify Dutch clinical notes: name, place, hospital and care-institution lists
and the patterns around them. Its lookup structures are built once per installation
(about two minutes on two cores, then cached inside the package: ``scripts/setup.sh``
does it, or :func:`prepare` from the app in the background); later loads take seconds.

Two things it was not made for are added here: transcripts without capitals (some models
write none) get the capitals back where deduce's own lists say a word is a name or a place
and no common word; and what is said aloud (dates, numbers, e-mail addresses) is left to
:mod:`companion.identifiers.rules`.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion.identifiers.finding import Found, found
from companion.identifiers.numbers import tokens
from companion.identifiers.words import KIN, PROFESSIONS, TITLES

# deduce's tags, as kinds (and details) of ours; its url tag is not an identifier here.
TAGS: dict[str, tuple[str, str | None]] = {
    "persoon": ("person", None), "patient": ("person", None),
    "locatie": ("place", None), "straat": ("place", "street"),
    "ziekenhuis": ("institution", "hospital"), "zorginstelling": ("institution", "clinic"),
    "instelling": ("institution", None), "datum": ("date", None), "leeftijd": ("age", None),
    "telefoonnummer": ("phone", None), "emailadres": ("email", None), "bsn": ("id", None),
}
# Before a town: a capitalised word after one of these that deduce's place list holds is a
# place even when it is a common word too ("in Haren": Haren, not hair).
PLACE_CUES = frozenset(["in", "naar", "uit", "vanuit", "buiten", "rond", "richting", "te"])

_LOCK = threading.Lock()


def _import_deduce() -> Any:
    """Import deduce without letting it set up the root logger: it calls
    ``logging.basicConfig(stream=sys.stdout, level=DEBUG)`` on import, which would print
    every library's debug lines into the terminal and the TUI."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import deduce

    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    return deduce


def cache_file() -> Path:
    """Where deduce keeps its built lookup structures."""
    deduce = _import_deduce()
    return Path(deduce.__file__).parent / "data" / "lookup" / "cache" / "lookup_structs.pickle"


def ready() -> bool:
    """Are deduce's lookup structures built and newer than its lists (a quick check: the
    load itself decides)?"""
    cache = cache_file()
    if not cache.is_file():
        return False
    lists = cache.parent.parent / "src"
    newest = max((p.stat().st_mtime for p in lists.rglob("*.txt")), default=0.0)
    return cache.stat().st_mtime >= newest


class DutchDetector:
    """deduce with capitals put back and titles kept out of names."""

    language = "nl"

    def __init__(self, progress: Callable[[str], None] | None = None) -> None:
        deduce = _import_deduce()
        if progress is not None and not ready():
            progress("building the Dutch name and place lists (once, about two minutes)")
        with _LOCK:  # two threads building the cache at once would both write it
            self.deduce = deduce.Deduce()
        from deduce.lookup_structs import load_raw_itemsets

        base = Path(deduce.__file__).parent / "data" / "lookup"
        raw = load_raw_itemsets(base, ["names/lst_first_name", "locations/lst_placename",
                                       "whitelist/lst_common_word", "whitelist/lst_stop_word",
                                       "whitelist/lst_medical_term"])
        self.first_names = {n.casefold() for n in raw["first_name"]}
        self.places = {n.casefold() for n in raw["placename"] if " " not in n}
        self.common = {w.casefold() for key in ("common_word", "stop_word", "medical_term")
                       for w in raw[key]}
        self.cues = {*PROFESSIONS["nl"], *KIN["nl"], *(t.rstrip(".") for t in TITLES["nl"])}

    def recased(self, text: str) -> str:
        """A text without capitals with them put back where a name or place is likely: a
        first name or place from deduce's lists that is no common word, and any word
        after a title or profession ("dokter pieters"). Same length, same offsets."""
        if any(c.isupper() for c in text):
            return text
        chars = list(text)
        toks = tokens(text)
        for i, tok in enumerate(toks):
            low = tok.low
            after_cue = i > 0 and toks[i - 1].low.rstrip(".") in self.cues
            if low in self.common or not low.isalpha():
                continue
            if after_cue or low in self.first_names or low in self.places:
                upper = tok.text[0].upper()
                if len(upper) == 1:
                    chars[tok.start] = upper
        return "".join(chars)

    def find(self, text: str) -> list[Found]:
        doc = self.deduce.deidentify(self.recased(text))
        out = []
        for annotation in doc.annotations:
            tag = str(annotation.tag).split("+")[0]
            kind, detail = TAGS.get(tag, (None, None))
            if kind is None:
                continue
            out.append(found(text, annotation.start_char, annotation.end_char, kind, detail,
                             "deduce"))
        toks = tokens(text)
        for before, tok in itertools.pairwise(toks):
            if (before.low in PLACE_CUES and tok.text[:1].isupper()
                    and tok.low in self.places):
                out.append(found(text, tok.start, tok.end, "place", None, "deduce"))
        return out


def prepare(progress: Callable[[str], None] | None = None) -> float:
    """Build deduce's lookup structures now if they are not (the set-up does this);
    returns the seconds it took."""
    import time

    started = time.monotonic()
    DutchDetector(progress)
    return time.monotonic() - started
