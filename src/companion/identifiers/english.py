"""Names, places and institutions in English speech, from name lists and the way people
say them.

The lists come from Faker (MIT, data in its PyPI wheel: about 7,200 first names from US
birth records, about 1,900 surnames of the US census and Britain, 2,200 common English
words, the British counties, the US states and the world's countries); nothing is
downloaded. Around them, rules of how a name is said in an interview: after a title
("Dr Patel"), a profession or a relative ("my physio, Anna", "my wife Claire"), a place
after "in", "from", "near" or "moved to", an institution before "Hospital", "Clinic" or
"Infirmary", an employer after "worked at". A capitalised word in the middle of a sentence
that is no common word is a name too: in a transcript it rarely is anything else. A
transcript without any capitals (some models write none) is read by the lists and the
strongest cues only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from companion.identifiers.finding import Found, found
from companion.identifiers.numbers import Token, tokens
from companion.identifiers.words import (
    CARE_WORDS,
    KIN,
    MONTHS,
    NOT_NAMES,
    PROFESSIONS,
    TITLES,
)

PLACE_CUES = frozenset(["in", "from", "near", "to", "outside", "around", "towards", "into",
                        "via", "nearby", "past"])
STRONG_PLACE_CUES = ("live in", "lived in", "living in", "lives in", "moved to",
                     "moved from", "grew up in", "born in", "come from", "comes from",
                     "came from", "i'm from", "from near", "live near", "lived near",
                     "drive to", "drove to", "back to", "went to", "go to", "going to",
                     "travelled to", "traveled to", "came to", "move to")
INSTITUTIONS = {"hospital": "hospital", "infirmary": "hospital", "hospitals": "hospital",
                "clinic": "clinic", "centre": "clinic", "center": "clinic",
                "practice": "clinic", "surgery": "clinic", "hospice": "clinic",
                "university": "institution", "college": "institution",
                "school": "institution", "academy": "institution", "trust": "institution",
                "council": "employer", "ltd": "employer", "limited": "employer",
                "plc": "employer", "group": "employer", "foods": "employer",
                "motors": "employer", "bank": "employer"}
EMPLOYER_CUES = re.compile(
    r"\b(?:work(?:s|ed|ing)?|job|employed|employer|company|firm|boss)\s*(?:at|for|by|is|was|,)?"
    r"\s*(?:the\s+)?$", re.IGNORECASE)
PARTICLES = frozenset(["van", "von", "de", "der", "den", "da", "di", "le", "la", "du", "o'",
                       "mac", "st", "st.", "saint"])
PLACE_JOINS = frozenset(["upon", "on", "under", "le", "de"])
PLACE_SUFFIX = re.compile(
    r"(?:ton|ford|ham|bury|borough|brough|field|chester|caster|cester|mouth|wick|by|pool|"
    r"minster|shire|worth|stead|bridge|burgh|combe|hampton|port|stow|ley|dale)$")
SENTENCE_END = re.compile(r"[.!?:;\"“”]")


def _names(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.casefold() for v in values)


class EnglishDetector:
    """Finds persons, places and institutions in English text (see the module)."""

    language = "en"

    def __init__(self) -> None:
        from faker.providers.address.en import Provider as Addresses
        from faker.providers.address.en_GB import Provider as BritishAddresses
        from faker.providers.address.en_US import Provider as UsAddresses
        from faker.providers.lorem.en_US import Provider as Lorem
        from faker.providers.person.en import Provider as People
        from faker.providers.person.en_GB import Provider as BritishPeople
        from faker.providers.person.en_US import Provider as UsPeople

        common = set(Lorem.word_list)
        for words in Lorem.parts_of_speech.values():
            common.update(words)
        self.not_names = NOT_NAMES["en"] | set(MONTHS["en"]) | CARE_WORDS["en"]
        self.common = _names(common) | self.not_names
        self.first_names = _names([*People.first_names_female, *People.first_names_male,
                                   *BritishPeople.first_names_female,
                                   *BritishPeople.first_names_male]) - self.not_names
        self.last_names = _names([*People.last_names, *UsPeople.last_names,
                                  *BritishPeople.last_names]) - self.not_names
        self.places = _names([*BritishAddresses.counties, *UsAddresses.states])
        self.countries = _names(Addresses.countries) | _names(
            ["england", "scotland", "wales", "britain", "great britain", "uk", "usa",
             "america", "europe", "holland", "the netherlands", "ireland"])
        self.titles = frozenset(t.rstrip(".") for t in TITLES["en"])
        self.cues = {**PROFESSIONS["en"], **{k: k for k in KIN["en"]}}

    # --- reading the tokens ----------------------------------------------------------------

    def find(self, text: str) -> list[Found]:
        reader = _Reader(self, text)
        return reader.institutions() + reader.places() + reader.persons()


class _Reader:
    """One text's tokens with what the rules ask of them."""

    def __init__(self, lists: EnglishDetector, text: str) -> None:
        self.lists = lists
        self.text = text
        self.toks: list[Token] = [t for t in tokens(text) if t.text[0].isalpha()]
        self.caseless = not any(c.isupper() for c in text)
        self.taken: set[int] = set()

    def low(self, i: int) -> str:
        return self.toks[i].low.rstrip(".")

    def cap(self, i: int) -> bool:
        return 0 <= i < len(self.toks) and self.toks[i].text[0].isupper()

    def starts_sentence(self, i: int) -> bool:
        if i == 0:
            return True
        return bool(SENTENCE_END.search(self.toks[i - 1].gap_to(self.toks[i])))

    def proper(self, i: int) -> bool:
        """A capitalised word that names something: not a common word at the start of a
        sentence, never a pronoun, month, country or title."""
        if not self.cap(i):
            return False
        low = self.low(i)
        if low in self.lists.not_names or low in self.lists.countries:
            return False
        if self.starts_sentence(i):
            known = (low in self.lists.first_names or low in self.lists.last_names
                     or low in self.lists.places)
            return (known and low not in self.lists.common) or (
                low not in self.lists.common and self.proper(i + 1))
        return True

    def name_word(self, i: int) -> bool:
        """A word that can be part of a person's name here."""
        if not 0 <= i < len(self.toks):
            return False
        low = self.low(i)
        if self.caseless:
            return (low in self.lists.first_names or low in self.lists.last_names) and (
                low not in self.lists.common)
        return self.proper(i) or (self.cap(i) and low in self.lists.last_names
                                  and low not in self.lists.not_names)

    def run(self, i: int, word: str = "name") -> int:
        """The index after a name (or place) that starts at ``i``: more name words,
        particles ("van der", "upon") only when a name word follows them."""
        test = self.name_word if word == "name" else self.place_word
        joins = PLACE_JOINS | PARTICLES if word == "place" else PARTICLES
        j = i + 1
        while j < len(self.toks) and j - i < 5 and self.close(j):
            if test(j):
                j += 1
            elif self.low(j) in joins and j + 1 < len(self.toks) and test(j + 1) \
                    and self.close(j + 1):
                j += 2
            else:
                break
        return j

    def close(self, j: int) -> bool:
        """Token ``j`` follows the one before it with only a space between."""
        return self.toks[j - 1].gap_to(self.toks[j]) in (" ", "-", "' ", "’ ")

    def span(self, i: int, j: int, kind: str, detail: str | None = None) -> Found:
        self.taken.update(range(i, j))
        end = self.toks[j - 1].end
        if self.text[end:end + 2] in ("'s", "’s"):  # "Thomas's": the name, not the 's
            pass
        return found(self.text, self.toks[i].start, end, kind, detail, "english")

    def before(self, i: int, words: int = 3) -> str:
        start = self.toks[max(0, i - words)].start if i else 0
        return self.text[start:self.toks[i].start].casefold() if i < len(self.toks) else ""

    # --- persons ---------------------------------------------------------------------------

    def persons(self) -> list[Found]:
        out = []
        for i in range(len(self.toks)):
            if i in self.taken or len(self.toks[i].text) < 2:
                continue
            low = self.low(i)
            j = None
            if i > 0 and self.low(i - 1) in PLACE_CUES - {"to"} and not self.after_cue(i):
                continue  # "in Harlow", "near Ely": the place rules read these
            if low in self.lists.titles and i + 1 < len(self.toks) and self.close(i + 1) and (
                    self.cap(i + 1) or (self.caseless and self.name_word(i + 1))):
                # "Dr Green", "Mrs Young": after a title any capitalised word is a name
                self.taken.add(i)
                i += 1
                j = self.run(i)
            elif self.person_here(i):
                j = self.run(i)
            if j is not None and j > i:
                out.append(self.span(i, j, "person"))
        return out

    def person_here(self, i: int) -> bool:
        """A name starts at ``i``: after a profession or relative, a first name from the
        lists (a common word only when capitalised mid-sentence: "Will", "Grace"), or a
        capitalised word mid-sentence that no place rule reads."""
        low = self.low(i)
        if self.after_cue(i) and self.name_word(i):
            return True
        if low in self.lists.first_names:
            if self.caseless:
                return low not in self.lists.common
            return self.cap(i) and (low not in self.lists.common
                                    or not self.starts_sentence(i))
        # Any other capitalised word mid-sentence: a name unless it is a common word
        # ("So I said, Look…", "Occupational Therapy").
        return (self.proper(i) and not self.starts_sentence(i) and not self.placeish(i)
                and low not in self.lists.common)

    def after_cue(self, i: int) -> bool:
        """A profession or a relative just before: "my physio, Anna", "his wife Claire"."""
        said = re.sub(r"[,:]", " ", self.before(i, 3))
        words = said.split()
        return any(" ".join(words[k:]) in self.lists.cues for k in range(len(words)))

    def placeish(self, i: int) -> bool:
        """Token ``i`` is better read as a place (the place rules take it)."""
        low = self.low(i)
        if low in self.lists.first_names:
            return False
        if i > 0 and self.low(i - 1) in PLACE_CUES:
            return True
        return low in self.lists.places or (bool(PLACE_SUFFIX.search(low)) and (
            low not in self.lists.last_names))

    # --- places ------------------------------------------------------------------------------

    def place_word(self, i: int) -> bool:
        if not 0 <= i < len(self.toks):
            return False
        if self.caseless:
            return self.low(i) not in self.lists.common and self.low(i).isalpha()
        return self.proper(i) or (self.cap(i) and self.low(i) not in self.lists.not_names
                                  and self.low(i) not in self.lists.countries)

    def places(self) -> list[Found]:
        out = []
        for i in range(len(self.toks)):
            if i in self.taken:
                continue
            low = self.low(i)
            start = None
            if self.caseless:
                said = self.before(i, 3)
                if any(said.rstrip().endswith(cue) for cue in STRONG_PLACE_CUES) and \
                        self.place_word(i) and low not in self.lists.first_names:
                    start = i
            elif self.place_here(i):
                start = i
            if start is not None:
                j = self.run(start, "place")
                if INSTITUTIONS.get(self.low(j - 1)) or (
                        j < len(self.toks) and INSTITUTIONS.get(self.low(j))):
                    continue  # "in Leeds General Infirmary": the institution rule's
                if low in self.lists.first_names and self.low(i - 1) in ("to", "at") and not any(
                        self.before(i, 3).rstrip().endswith(cue) for cue in STRONG_PLACE_CUES):
                    continue  # "I talked to Sarah": a person
                out.append(self.span(start, j, "place"))
        return out

    def place_here(self, i: int) -> bool:
        """A place starts at ``i``: a place word after "in", "from", "near"…, or a known
        county or state, or a capitalised word with a town's ending (-ton, -bury, -ford)."""
        low = self.low(i)
        if i > 0 and self.low(i - 1) in PLACE_CUES and self.place_word(i):
            return True
        return self.proper(i) and (low in self.lists.places or (
            bool(PLACE_SUFFIX.search(low)) and low not in self.lists.first_names
            and low not in self.lists.last_names))

    # --- institutions ----------------------------------------------------------------------

    def institutions(self) -> list[Found]:
        out = []
        for i in range(len(self.toks)):
            if i in self.taken:
                continue
            low = self.low(i)
            detail = INSTITUTIONS.get(low)
            if detail and (self.cap(i) or self.caseless) and i > 0:
                # the capitalised words before "Hospital", with at least one proper name
                k = i
                while k > 0 and i - k < 5 and self.close(k) and (
                        self.cap(k - 1) or self.low(k - 1) in ("st", "saint", "of")
                        or (self.caseless and self.low(k - 1) not in self.lists.common)):
                    if self.low(k - 1) in self.lists.not_names and not self.cap(k - 1):
                        break
                    k -= 1
                while k < i and self.low(k) == "of":
                    k += 1
                names = [m for m in range(k, i) if self.low(m) not in self.lists.common
                         and self.low(m) not in self.lists.not_names]
                if names and not (len(names) == 1 and self.low(names[0]) in
                                  self.lists.countries):
                    end = i + 1
                    # "Hospital of St Cross", "University of Leeds"
                    if end + 1 < len(self.toks) and self.low(end) == "of" and \
                            self.place_word(end + 1):
                        end = self.run(end + 1, "place")
                    out.append(self.span(k, end, "institution", detail))
                    continue
            if EMPLOYER_CUES.search(self.before(i, 4)) and i not in self.taken and (
                    self.place_word(i) if not self.caseless else
                    self.low(i) not in self.lists.common and self.low(i).isalpha()):
                j = self.run(i, "employer")
                out.append(self.span(i, j, "institution", "employer"))
        return out
