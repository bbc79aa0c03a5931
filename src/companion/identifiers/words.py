"""The words the rules read, per language: months, numbers said aloud, titles, professions.

Kept as plain tables so a reader can see what is matched; the rules in
:mod:`companion.identifiers.rules` and the detectors use them.
"""

from __future__ import annotations

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
           "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december", "jan", "feb", "mrt", "apr", "jun",
           "jul", "aug", "sep", "sept", "okt", "nov", "dec"),
}

# Numbers said aloud, 0-19 and the tens; compounds (twenty-one, eenentwintig) are built
# from these by :mod:`companion.identifiers.numbers`.
UNITS: dict[str, dict[str, int]] = {
    "en": {"zero": 0, "oh": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4,
           "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
           "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
           "seventeen": 17, "eighteen": 18, "nineteen": 19},
    "nl": {"nul": 0, "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5,
           "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
           "dertien": 13, "veertien": 14, "vijftien": 15, "zestien": 16, "zeventien": 17,
           "achttien": 18, "negentien": 19},
}
TENS: dict[str, dict[str, int]] = {
    "en": {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
           "eighty": 80, "ninety": 90},
    "nl": {"twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60,
           "zeventig": 70, "tachtig": 80, "negentig": 90},
}
ORDINALS: dict[str, dict[str, int]] = {
    "en": {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
           "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
           "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
           "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
           "twentieth": 20, "thirtieth": 30},
    "nl": {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6,
           "zevende": 7, "achtste": 8, "negende": 9, "tiende": 10, "elfde": 11,
           "twaalfde": 12, "dertiende": 13, "veertiende": 14, "vijftiende": 15,
           "zestiende": 16, "zeventiende": 17, "achttiende": 18, "negentiende": 19,
           "twintigste": 20, "dertigste": 30},
}
# Words that say "the next digit twice" when a number is read out.
REPEATS: dict[str, dict[str, int]] = {
    "en": {"double": 2, "triple": 3},
    "nl": {"dubbel": 2},
}

# Said between the parts of an e-mail address.
EMAIL_AT: dict[str, tuple[str, ...]] = {
    "en": ("at",),
    "nl": ("at", "apenstaartje", "apestaart", "apenstaart"),
}
EMAIL_DOT: dict[str, tuple[str, ...]] = {
    "en": ("dot", "point"),
    "nl": ("punt", "dot"),
}
TOP_DOMAINS = ("com", "nl", "org", "net", "co", "uk", "be", "de", "eu", "info", "io", "edu",
               "gov", "nu", "ie", "fr", "me")

# A person's title before the name; kept out of the name itself, so "mevrouw De Jong" and
# "De Jong" are one name in the replacement list.
TITLES: dict[str, tuple[str, ...]] = {
    "en": ("dr", "dr.", "doctor", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx",
           "professor", "prof", "prof.", "nurse", "sister", "sir", "dame", "father"),
    "nl": ("dokter", "dr", "dr.", "mevrouw", "mevr", "mevr.", "mw", "mw.", "meneer", "mijnheer",
           "dhr", "dhr.", "de heer", "zuster", "professor", "prof", "prof.", "juf", "meester"),
}

# Professions that often stand before a name ("my physio, Anna"); a name after one gets
# that profession as its label ([physiotherapist 1]). The protocol's own vocabulary and
# live synonyms are added per session.
PROFESSIONS: dict[str, dict[str, str]] = {
    "en": {"physiotherapist": "physiotherapist", "physio": "physiotherapist",
           "physical therapist": "physiotherapist",
           "occupational therapist": "occupational therapist", "ot": "occupational therapist",
           "psychologist": "psychologist", "therapist": "therapist",
           "physician": "physician", "rehabilitation physician": "physician",
           "doctor": "doctor", "gp": "GP", "consultant": "consultant", "surgeon": "surgeon",
           "specialist": "specialist", "nurse": "nurse", "neurologist": "neurologist",
           "rheumatologist": "rheumatologist", "social worker": "social worker",
           "counsellor": "counsellor", "counselor": "counsellor", "manager": "manager",
           "boss": "manager", "coach": "coach"},
    "nl": {"fysiotherapeut": "fysiotherapeut", "fysio": "fysiotherapeut",
           "ergotherapeut": "ergotherapeut", "psycholoog": "psycholoog",
           "revalidatiearts": "revalidatiearts", "arts": "arts", "dokter": "arts",
           "huisarts": "huisarts", "specialist": "specialist", "chirurg": "chirurg",
           "neuroloog": "neuroloog", "reumatoloog": "reumatoloog",
           "verpleegkundige": "verpleegkundige", "therapeut": "therapeut",
           "maatschappelijk werker": "maatschappelijk werker",
           "psychomotorisch therapeut": "psychomotorisch therapeut",
           "bedrijfsarts": "bedrijfsarts", "leidinggevende": "leidinggevende",
           "baas": "leidinggevende", "manager": "leidinggevende", "coach": "coach"},
}

# What the default labels say, per kind ([person 1], [town], [date]); a person's label
# takes a profession's name instead when one stands before the name.
LABELS: dict[str, dict[str, str]] = {
    "en": {"person": "person", "place": "town", "street": "street", "hospital": "hospital",
           "clinic": "clinic", "employer": "employer", "institution": "institution",
           "date": "date", "age": "age", "phone": "phone number", "email": "e-mail",
           "postcode": "postcode", "id": "id number"},
    "nl": {"person": "persoon", "place": "plaats", "street": "straat",
           "hospital": "ziekenhuis", "clinic": "kliniek", "employer": "werkgever",
           "institution": "instelling", "date": "datum", "age": "leeftijd",
           "phone": "telefoonnummer", "email": "e-mail", "postcode": "postcode",
           "id": "BSN"},
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Capitalised words that are never a name or a place on their own.
NOT_NAMES: dict[str, frozenset[str]] = {
    "en": _words("""
        i i'm i've i'd i'll me my mine we us our you your he him his she her they
        them their it its this that these those there here then when what which who
        whom whose why how yes no yeah okay ok oh well so but and or if because
        although though also just very really quite maybe perhaps anyway actually
        basically honestly right sure mum mom mam dad mother father mummy daddy nan
        nana gran granny grandma grandad grandpa auntie uncle sis bro god jesus
        christ lord christmas easter monday tuesday wednesday thursday friday
        saturday sunday january february march april may june july august september
        october november december english dutch british american irish scottish
        welsh german french polish spanish italian european nhs gp a e a&e uh um er
        erm hmm mm ah eh hm like you know mean thank thanks please sorry hello hi
        bye doctor dr nurse sister mr mrs ms miss professor sir madam the a an of in
        on at to for from with by about into over after before during since until
        till while during not never always sometimes often usually again still
        already even only first second third last next other another some any all
        every each both either neither none one two three four five six seven eight
        nine ten hundred thousand internet google facebook whatsapp zoom covid
        corona pain physio ward
        """),
    "nl": _words("""
        ik mij me mijn wij we ons onze jij je jou jouw u uw hij hem zijn zij ze haar
        hun het dit dat deze die daar hier toen als wat wie waar waarom hoe ja nee
        nou oké ok o ja nee dus maar en of want omdat hoewel ook gewoon echt best
        misschien eigenlijk mama papa mam pap moeder vader oma opa tante oom god
        jezus kerst pasen maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
        nederlands engels duits frans eh ehm uh hm hmm nou dank bedankt sorry hallo
        hoi doei dokter zuster meneer mevrouw de een van in op aan te voor met bij
        over na tot sinds tijdens niet nooit altijd soms vaak weer nog al alleen
        eerst tweede laatste volgende andere
        """),
}

# Treatments and the words of a programme, often capitalised in a transcript: no names.
CARE_WORDS = {
    "en": _words("""
        physiotherapy physio therapy therapies hydrotherapy acupuncture mindfulness yoga
        pilates programme program management rehabilitation rehab counselling counseling
        cbt psychotherapy osteopathy chiropractic massage gym swimming medication tablets
        painkillers paracetamol ibuprofen morphine tramadol gabapentin pregabalin
        occupational psychology team clinic hospital
        """),
    "nl": _words("""
        fysiotherapie therapie hydrotherapie acupunctuur mindfulness yoga pilates programma
        revalidatie revalidatieprogramma pijnrevalidatie psychotherapie ergotherapie
        medicatie paracetamol ibuprofen morfine tramadol team
        """),
}

# Family members: a name after one is a person ("my wife Marieke").
KIN: dict[str, tuple[str, ...]] = {
    "en": ("wife", "husband", "partner", "daughter", "son", "mother", "father", "sister",
           "brother", "friend", "neighbour", "neighbor", "colleague", "boyfriend",
           "girlfriend", "niece", "nephew", "cousin", "aunt", "uncle", "grandson",
           "granddaughter", "mum", "dad"),
    "nl": ("vrouw", "man", "partner", "dochter", "zoon", "moeder", "vader", "zus", "broer",
           "vriend", "vriendin", "buurman", "buurvrouw", "collega", "nicht", "neef", "tante",
           "oom", "kleinzoon", "kleindochter", "schoonzoon", "schoondochter"),
}
