"""The tests' own interview passages: sentences as participants say them, each identifier
marked ``{text|kind}``, and clean sentences that hold none (written for these tests; no
real person, place of residence or number of anyone)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MARK = re.compile(r"\{([^|{}]+)\|(\w+)\}")


@dataclass(frozen=True)
class Expected:
    start: int
    end: int
    text: str
    kind: str


def unmark(marked: str) -> tuple[str, list[Expected]]:
    """The sentence as said, and where its identifiers are."""
    text = ""
    expected = []
    pos = 0
    for match in MARK.finditer(marked):
        text += marked[pos:match.start()]
        start = len(text)
        text += match.group(1)
        expected.append(Expected(start, len(text), match.group(1), match.group(2)))
        pos = match.end()
    text += marked[pos:]
    return text, expected


ENGLISH = [
    "My physio, {Anna|person}, was the first one who really listened.",
    "I've lived in {Harlow|place} most of my life, and we moved to {Bishop's Stortford|place} "
    "after the divorce.",
    "Dr {Okafor|person} at {Leeds General Infirmary|institution} sent me for another scan.",
    "It all started on {the fourteenth of March|date}, I remember it because it was a Friday.",
    "I was working at {Tesco|institution} then, on the tills.",
    "My wife {Claire|person} drove me to every appointment.",
    "I was born on {3 May 1976|date}, so I'm {forty-eight|age} now.",
    "You can call me on {07700 900123|phone} if anything changes.",
    "My email is {j.whitfield@example.co.uk|email}, that's the best way.",
    "The postcode is {LS2 9JT|postcode}, it's just behind the station.",
    "My NHS number is {943 476 5919|id}, they asked for it every time.",
    "The appointment was on {12/04/2021|date} and nobody turned up.",
    "Mrs {Henderson|person}, the psychologist, kept asking about my childhood.",
    "We went to {St Thomas' Hospital|institution} in {London|place} for the second opinion.",
    "My daughter {Priya|person} lives up in {Sheffield|place} now.",
    "The occupational therapist, {Martin Shaw|person}, came round to the house.",
    "my gp {sarah|person} said it was all in my head",
    "i live in {croydon|place} so it was two buses every time",
    "Give the clinic a ring on {oh one one three, four nine six, oh two two two|phone}.",
    "It's {anna dot kowalski at gmail dot com|email} if you want to send it.",
    "I turned {sixty|age} last year and that changed how I saw things.",
    "That was {March the twenty-first|date}, the day after my birthday.",
    "My husband {Dave|person} works for {Arla Foods|institution} in {Aylesbury|place}.",
    "The consultant, Mr {Patel|person}, said surgery wouldn't help.",
    "We had a session with {Siobhan|person} and {Tom|person} together.",
    "My son {Oliver|person} was only {twelve years old|age} when it started.",
    "Before that I went to the pain clinic in {Milton Keynes|place}.",
    "My national insurance number is {JT 48 22 91 B|id}.",
    "I grew up near {Ely|place}, out in the fens.",
    "The letter came on {the 2nd of June 2022|date}, months after the referral.",
    "Nurse {Joanne|person} was lovely, she always made time.",
    "They moved the programme to {Kettering|place} in the spring.",
]

ENGLISH_CLEAN = [
    "The physiotherapist gave me exercises I could do at home.",
    "I've had pain in my lower back for ten years now.",
    "At the start I didn't feel heard by the team at all.",
    "Filling in the WAI-ReD was harder than I expected.",
    "The intake took a whole day, with three professionals one after the other.",
    "Sometimes I think, why am I even still doing this?",
    "After two weeks I noticed I was sleeping better.",
    "The psychologist asked how I deal with setbacks.",
    "I just want to be able to cycle with my kids again.",
    "Central sensitization, I had never heard of it before.",
    "To be honest I nearly stopped in March.",
    "We sat around the table and nobody said a word.",
    "The rehabilitation physician explained what the programme is for.",
    "I scored my occupational therapist high on every question.",
    "It may take a while before the exercises help, she said.",
    "The Pain Disability Index asks about your daily activities.",
    "Will it ever get better, that's what I keep asking myself.",
    "i felt like they were talking about me and not to me",
    "Honestly the Occupational Therapy sessions helped the most.",
    "The Pain Management Programme was twelve weeks long.",
    "So I said to her, Look, I can't do this anymore.",
]

DUTCH = [
    "Mijn fysiotherapeut, {Henk de Boer|person}, zei dat ik het rustig aan moest doen.",
    "Ik woon sinds een paar jaar in {Assen|place}, daarvoor in {Hoogeveen|place}.",
    "Dokter {Van der Meulen|person} in het {UMCG|institution} heeft de scan bekeken.",
    "Op {14 maart 2019|date} ben ik gevallen op mijn werk.",
    "Ik werkte toen bij {Philips|institution} in {Eindhoven|place}.",
    "Mijn vrouw {Marieke|person} belde de huisarts.",
    "Ik ben geboren op {3 mei 1976|date}, dus ik ben nu {48|age} jaar.",
    "Mijn nummer is {06-12345678|phone}, bel gerust.",
    "U kunt mailen naar {marieke.jansen@ziggo.nl|email}.",
    "Mijn postcode is {9712 CP|postcode}.",
    "Mijn BSN is {123456782|id}.",
    "Dat was op {de veertiende maart|date}, een dinsdag.",
    "ik had een afspraak bij dokter {pieters|person} in {zwolle|place}",
    "De psycholoog, mevrouw {De Jong|person}, vond dat ik te veel wilde.",
    "Mijn dochter {Sanne|person} woont in {Utrecht|place}.",
    "We gingen naar het {Martini Ziekenhuis|institution} in {Groningen|place}.",
    "We zijn verhuisd naar {Leeuwarden|place}.",
    "In {Nijmegen|place}, bij de {Sint Maartenskliniek|institution}, kreeg ik mijn eerste "
    "behandeling.",
    "Mijn man {Gerard|person} zegt dat ook.",
    "Bij het {Roessingh|institution} in {Enschede|place} begon het programma.",
    "Op {1 april|date} begon het programma.",
    "Het nummer van de praktijk is {nul vijftig, drie twee vier, vijf zes, zeven acht|phone}.",
    "Mijn mailadres is {kees punt bakker at hotmail punt com|email}.",
    "Ik ben {zevenenvijftig|age} en ik werk nog gewoon halve dagen.",
    "De afspraak stond op {12-04-2021|date}, maar niemand wist ervan.",
    "Ik werkte bij {Albert Heijn|institution} in de bakkerij.",
    "De ergotherapeut, {Yvonne|person}, kwam bij ons thuis kijken.",
    "Mijn zoon {Daan|person} was toen {twaalf jaar oud|age}.",
    "Je kunt me bellen op {+31 6 23456789|phone}.",
    "Het begon allemaal op {twee juni|date} vorig jaar.",
    "Meneer {Visser|person} van het {Roessingh|institution} belde me zelf op.",
    "We woonden toen nog in {Haren|place}, vlak bij de stad.",
]

DUTCH_CLEAN = [
    "De fysiotherapeut liet me oefeningen doen die ik thuis kon herhalen.",
    "Ik heb al tien jaar last van mijn rug.",
    "In het begin voelde ik me niet gehoord door het behandelteam.",
    "De WAI-ReD vond ik lastig in te vullen.",
    "Het intakegesprek duurde een hele dag, met drie behandelaars.",
    "Soms denk ik: waarom doe ik dit eigenlijk nog?",
    "Na twee weken merkte ik dat ik beter sliep.",
    "De psycholoog vroeg hoe ik met tegenslag omga.",
    "Mijn pijn zit vooral in mijn onderrug en soms in mijn nek.",
    "Ik wil gewoon weer kunnen fietsen met mijn kinderen.",
    "De ergotherapeut keek naar hoe ik mijn dag indeel.",
    "Centrale sensitisatie, daar had ik nog nooit van gehoord.",
    "Eerlijk gezegd was ik in maart al bijna gestopt.",
    "we zaten met z'n vieren aan tafel en niemand zei iets",
    "De revalidatiearts legde uit wat pijnrevalidatie inhoudt.",
    "Ik ben tien jaar geleden gevallen en sindsdien is het nooit meer goed gekomen.",
    "De Pain Disability Index vroeg naar mijn dagelijkse bezigheden.",
]

# The study's own local names (what the team knows the list lacks).
LOCAL_NAMES_EN = {"Arla Foods": "employer"}
LOCAL_NAMES_NL = {"Philips": "employer", "Albert Heijn": "employer", "Roessingh": "clinic"}
