"""Workplace names in open answers ("praktik hos Jensens Maskinfabrik ApS", "ansat på Grundfos", "Bageriet
Kornet"): with the municipality beside them they point at a person as surely as a name does — a small
employer has one trainee from the job centre — so the redactor masks them.

Three signs, none of them a list of the employers in any test: a legal form after capitalised words (``ApS``,
``A/S``, ``& Søn``), a business noun before a capitalised name ("Café Kysten", "plejehjemmet Solbakken" —
the noun is part of the name only when it is capitalised), and a capitalised word after the words that
introduce a workplace ("hos", "ansat på", "praktik i", "arbejdsgiver"). Beside them, the largest Danish
chains and employers (a chain's name in a small town is as good as an address). A town after "praktik i"
that is not one of the places the lexicon knows is masked too: the redactor errs towards removing.
"""

from __future__ import annotations

import re

from borgerblik.text.lexicon import FUNCTION_WORDS, PLACE_MARKERS, PLACES_FOLDED, name_kinds

_NAME_WORD = r"[A-ZÆØÅ][\w'’-]*"
_LEGAL_FORM = r"(?:ApS|A/S|I/S|K/S|P/S|IVS|A\.m\.b\.a\.|amba|& Søn(?:ner)?|& Co\b\.?|& Co\.)"
_LEGAL = re.compile(rf"(?:\b{_NAME_WORD}\s){{1,4}}{_LEGAL_FORM}")
_BUSINESS_NOUNS = (
    "bageriet|bageri|café|cafe|cafeen|caféen|restaurant|restauranten|kantinen|tømrerfirmaet|murerfirmaet|"
    "malerfirmaet|vvs-firmaet|firmaet|børnehuset|børnehaven|vuggestuen|dagplejen|plejehjemmet|plejecenter|"
    "plejecentret|plejecentret|hotel|hotellet|salon|frisør|frisøren|butikken|autoværksted|autoværkstedet|"
    "værkstedet|gartneriet|slagter|slagteren|slagteriet|kiosken|pizzeria|grillbaren|rengøringsfirmaet|"
    "vognmand|vognmanden|lageret|fabrikken|skolen|efterskolen|friskolen|institutionen|bosted|bostedet"
)
_BUSINESS = re.compile(
    rf"\b(?P<noun>(?i:{_BUSINESS_NOUNS}))\s+(?P<name>{_NAME_WORD}(?:\s(?:&\s)?{_NAME_WORD}){{0,2}})"
)
_CONTEXT = re.compile(
    r"\b(?i:hos|ansat (?:på|i|hos|ved)|arbejder(?: nu)? (?:på|i|hos|ved)|arbejdet (?:på|i|hos)|"
    r"praktik(?:ken|plads|pladsen)? (?:på|i|hos|ved)|virksomhedspraktik (?:på|i|hos)|"
    r"løntilskud (?:på|i|hos|ved)|job (?:på|hos|ved)|fleksjob (?:på|i|hos|ved)|"
    r"arbejdsgiver(?:en)?(?: er)?|chef(?:en)? (?:i|på|hos)|mit eget firma,?)"
    rf"\s+(?P<name>{_NAME_WORD}(?:\s(?:{_NAME_WORD}|\d{{1,4}}\b)){{0,2}})"
)
#: The largest Danish chains and employers, as they are written (ambiguous words such as "Spar" and
#: "Normal" left out: they begin ordinary sentences).
EMPLOYERS = (
    "Netto", "Føtex", "Bilka", "Lidl", "Aldi", "Rema 1000", "Coop", "Kvickly", "SuperBrugsen",
    "Dagli'Brugsen", "Meny", "Irma", "Salling", "Elgiganten", "IKEA", "Jysk", "Silvan", "Bauhaus",
    "Harald Nyborg", "McDonald's", "Burger King", "Danfoss", "Grundfos", "Vestas", "Novo Nordisk",
    "Novozymes", "LEGO", "Lego", "Arla", "Arla Foods", "Danish Crown", "Carlsberg", "Mærsk", "Maersk", "DSV",
    "ISS", "Falck", "PostNord", "DSB", "Movia", "Arriva", "Matas", "Flying Tiger", "Søstrene Grene",
    "Circle K", "7-Eleven", "Ørsted", "Danske Bank", "Nykredit", "Jysk Bank", "Fakta", "Brugsen",
)  # fmt: skip
_EMPLOYER_WORDS: dict[str, list[list[str]]] = {}
for _employer in sorted(EMPLOYERS, key=len, reverse=True):
    _EMPLOYER_WORDS.setdefault(_employer.split()[0], []).append(_employer.split()[1:])
_CAPITALISED = re.compile(r"(?<![\w-])[A-ZÆØÅ0-9][\w'’-]*")
_LEGAL_HINTS = ("ApS", "A/S", "I/S", "K/S", "P/S", "IVS", "amba", "A.m.b.a.", "& ")


def workplaces(text: str) -> list[tuple[int, int]]:
    """(start, end) of every workplace name in ``text`` (overlaps are resolved by the caller)."""
    found: list[tuple[int, int]] = []
    capitalised = list(_CAPITALISED.finditer(text))
    if not capitalised:
        return found
    legal = any(hint in text for hint in _LEGAL_HINTS)
    for match in _LEGAL.finditer(text) if legal else ():
        start = match.start()
        for word in re.finditer(r"\S+", match.group(0)):
            if word.group(0).casefold() not in FUNCTION_WORDS:
                break
            start = match.start() + word.end() + 1  # "Jeg Jensens ApS": the sentence's first word is no name
        found.append((start, match.end()))
    for match in _BUSINESS.finditer(text):
        if _is_place(match.group("name")):
            continue
        start = match.start() if match.group("noun")[0].isupper() else match.start("name")
        found.append((start, match.end("name")))
    kinds = name_kinds()
    for match in _CONTEXT.finditer(text):
        name = match.group("name")
        first = name.split()[0]
        if _is_place(first) or first.casefold() in kinds or first.casefold() in FUNCTION_WORDS:
            continue  # places stay; a person's name is the name finder's
        found.append((match.start("name"), match.end("name")))
    for i, word in enumerate(capitalised):
        for rest in _EMPLOYER_WORDS.get(word.group(0), ()):
            following = capitalised[i + 1 : i + 1 + len(rest)]
            if [w.group(0) for w in following] == rest and all(
                text[a.end() : b.start()] == " " for a, b in zip([word, *following], following, strict=False)
            ):
                found.append((word.start(), (following[-1] if following else word).end()))
                break
    return found


def _is_place(words: str) -> bool:
    first = words.split()[0].casefold().rstrip(".,")
    return first in PLACES_FOLDED or first in PLACE_MARKERS
