"""Open answers without the identifiers citizens write into them: CPR numbers, phone numbers, e-mail
addresses, street addresses and person names become ``[XXX]``, as in the KL seed's hand-redacted quotes.

Every open answer passes through :func:`redact` before it enters the analysis data (on save and on import);
the original stays only in the protected store beside the contact data. The redactor errs towards removing:
a caseworker's first name left in a quote is a breach, a lost word is not. Places, job centres, amounts,
weeks and times are left alone, because they carry the meaning of the answer and identify no one.

CPR numbers are found by their date (day 1–31, or day + 60 for substitute numbers, and a real month), never
by the modulus-11 check, which numbers issued since 2007 need not pass. Phone numbers are found in the ways
people type eight digits (``12345678``, ``12 34 56 78``, ``1234 5678``, ``+45``/``0045``) and parsed by the
``phonenumbers`` package as possible Danish subscriber numbers (not starting with 0 or 1).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

from borgerblik.text.coding import STOP_WORDS
from borgerblik.text.lexicon import (
    AMBIGUOUS_NAMES,
    FINITE_VERBS,
    FUNCTION_WORDS,
    NAME_PREPOSITIONS,
    PLACE_MARKERS,
    PLACES_FOLDED,
    ROLE_WORDS,
    name_kinds,
)
from borgerblik.text.workplaces import workplaces

MASK = "[XXX]"
KINDS = ("cpr", "phone", "email", "address", "name", "case", "workplace")

# "(at)" and spaces around the @ are how people keep addresses from robots; they still identify.
_EMAIL = re.compile(
    r"[\w.+-]+(?:\s?@\s?|\s?\((?:at|snabel-a)\)\s?)[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}", re.IGNORECASE
)
# The date's parts may be split the same way (010190, 01.01.90, 01 01 90); the serial number may follow a
# dash with spaces around it ("140587 - 2913").
_CPR = re.compile(r"(?<![\d.,/-])(\d{2})([. ]?)(\d{2})\2(\d{2})(?:\s?[-–]\s?|[ ])?(\d{4})(?!\d|[.,]\d)")
_PHONE = re.compile(
    r"(?<![\w.,/+-])(?:(?:\+|00)45[ .-]?|\(\+45\)[ ]?)?"
    r"(\d{2}([ .-]?)\d{2}\2\d{2}\2\d{2}|\d{4}[ .-]\d{4}|\d{3} \d{2} \d{3}|\d(?: \d){7})(?!\w|[.,]\d)"
)
# A case or journal number: a token with at least four digits after the word that announces it
# ("sagsnr. 1047823", "sag 2022-1187", "journalnr. 27.15.00-G01-1234-23", "Sagsnummer: JC-2024-00871").
_CASE = re.compile(
    r"\b(?:sags?(?:nummer|nummeret|nr|-?id)|sag|sagen|journal(?:nummer|nummeret|nr)|j\.\s?nr|"
    r"referencenummer|referencenr|ref|id)\b\.?"
    r"(?:\s*(?:nr\.?|nummer|er|har|:))*(?:\s*id)?\s*:?\s*"
    r"(?P<number>(?:[A-ZÆØÅ]{1,4}-)?\d[\w./-]*\d)",
    re.IGNORECASE,
)
_STREET_SUFFIX = (
    r"(?:vej|vejen|gade|gaden|allé|alle|stræde|strædet|plads|pladsen|torv|torvet|boulevard|vænge|vænget|parken"
    r"|park|bakken|bakke|toften|løkken|stien|engen|høj|højen|hegnet|haven|have|kvarter|marken|ager"
    r"|vang|vangen|holm|dalen|skoven|lund|lunden|kær|kæret|krogen|bjerg|bjerget|broen|havnen|kajen"
    r"|gården|tofte|ringen|svinget|passagen|promenaden|bryn|brynet|skrænt|skrænten|mose|mosen|lyngen"
    r"|enge|hegn|sti|krog|løkke|toft|leddet|banke|banken|gyde|gyden|dige|diget|vold|volden|vænget|huse"
    r"|husene|ager|agre|agrene|kilde|kilden|mølle|møllen|sø|søen|strand|stranden|bugt|bugten|næs|næsset)"
)
_ADDRESS = re.compile(
    r"(?:(?:\b[A-ZÆØÅ][\w.]*\.?\s){0,2}\b[A-Za-zÆØÅæøåéü][\w-]+?"
    + _STREET_SUFFIX
    + r"|(?:\b[A-ZÆØÅ][\w.]*\.?\s){1,3}(?:Allé|Alle|Vej|Gade|Boulevard|Plads|Torv|Vænge|Have|Park)"
    r"|\b(?:Ved|Bag|Langs)\s(?:[A-ZÆØÅ][\w-]*\s)?[A-ZÆØÅ][\w-]*)"
    r"\s+\d{1,4}(?:[A-Za-z]\b|\s[A-Z]\b)?"
    r"(?:,?\s?(?:st|kld|\d{1,2})\.?(?:\s?(?:tv|th|mf|sal)\b\.?)?)?(?![\d.,]\d)"
)
_STREET_PREPOSITIONS = frozenset({"Ved", "Bag", "Langs"})
_YEAR = re.compile(r"(?:19|20)\d{2}")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_SENTENCE_MARKS = frozenset('.!?:;\n"“(-–')


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Redaction:
    """The redacted text, what was replaced (kind and position in the original) and how many of each kind."""

    text: str
    spans: tuple[Span, ...] = ()
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.spans)


def redact(text: str | None) -> Redaction:
    """The answer with every identifier replaced by ``[XXX]`` (adjacent identifiers become one mask)."""
    if not text:
        return Redaction(text or "")
    spans: list[Span] = []
    taken = bytearray(len(text))
    # A mask already there stays as it is: redacting twice (on arrival, again for a quote) gives one mask.
    start = text.find(MASK)
    while start != -1:
        taken[start : start + len(MASK)] = b"\x01" * len(MASK)
        start = text.find(MASK, start + len(MASK))

    def claim(start: int, end: int, kind: str) -> None:
        if any(taken[start:end]):
            return
        taken[start:end] = b"\x01" * (end - start)
        spans.append(Span(start, end, kind))

    if "@" in text or "(at)" in text.casefold():
        for match in _EMAIL.finditer(text):
            claim(match.start(), match.end(), "email")
    if _has_digits(text):
        for match in _CPR.finditer(text):
            if _is_cpr_date(*match.group(1, 3)):
                claim(match.start(), match.end(), "cpr")
        for match in _PHONE.finditer(text):
            if _is_danish_phone(match.group(0)):
                claim(match.start(), match.end(), "phone")
        for match in _CASE.finditer(text):
            number = match.group("number")
            if sum(ch.isdigit() for ch in number) >= 4 and not _YEAR.fullmatch(number):
                claim(match.start("number"), match.end("number"), "case")
        for match in _ADDRESS.finditer(text):
            start = _address_start(text, match)
            claim(start, match.end(), "address")
    for start, end in workplaces(text):
        claim(start, end, "workplace")
    for start, end in _names(text, taken):
        claim(start, end, "name")
    if not spans:
        return Redaction(text)
    spans.sort(key=lambda span: span.start)
    return Redaction(_masked(text, spans), tuple(spans), Counter(span.kind for span in spans))


def redact_all(texts: Iterable[str | None]) -> tuple[list[str], Counter[str]]:
    """Many answers at once: the redacted texts and the identifiers replaced, by kind."""
    total: Counter[str] = Counter()
    out = []
    for text in texts:
        result = redact(text)
        total.update(result.counts)
        out.append(result.text)
    return out, total


_DIGIT = re.compile(r"\d")


def _has_digits(text: str) -> bool:
    return _DIGIT.search(text) is not None


def _is_cpr_date(day: str, month: str) -> bool:
    d, m = int(day), int(month)
    if d > 60:
        d -= 60  # substitute numbers (erstatningspersonnumre) add 60 to the day
    return 1 <= m <= 12 and 1 <= d <= (29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31)


def _is_danish_phone(candidate: str) -> bool:
    try:
        number = phonenumbers.parse(candidate, "DK")
    except phonenumbers.NumberParseException:
        return False
    # is_possible_number, not is_valid_number: the package's allocation ranges lag the operators' (it rejects
    # whole mobile series such as 52 and 61), and a number citizens type is to be removed either way.
    return (
        number.country_code == 45
        and phonenumbers.is_possible_number(number)
        and str(number.national_number)[0] not in "01"
    )


def _address_start(text: str, match: re.Match[str]) -> int:
    """Where the street name begins: a leading capitalised word that is a place or a sentence's first word
    ("Jeg bor på Vestergade 4" — not "Jeg") is not part of it."""
    start = match.start()
    for word in _WORD.finditer(match.group(0)):
        street_begins = word.end() + 1 >= len(match.group(0)) or not match.group(0)[word.end()].isspace()
        folded = word.group(0).casefold()
        if street_begins or word.group(0) in _STREET_PREPOSITIONS:
            break  # "Ved Stranden 4": capitalised, the preposition is the street's own first word
        if not (folded in PLACES_FOLDED or folded in FUNCTION_WORDS):
            break
        start = match.start() + word.end() + 1
    return start


def _names(text: str, taken: bytearray) -> list[tuple[int, int]]:
    """The person names in ``text``: the list's names judged by capitalisation, position and context."""
    kinds = name_kinds()
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text) if not taken[m.start()]]
    is_name = [False] * len(words)
    for i, (start, _, word) in enumerate(words):
        folded = word.casefold()
        # The word before is context only when nothing but a space parts them: "min sagsbehandler Mette",
        # never "sagsbehandleren, de lyttede" or "… med. Ring gerne".
        joined = i > 0 and text[words[i - 1][1] : start].isspace()
        previous = words[i - 1][2].casefold() if joined else ""
        following = words[i + 1][2] if i + 1 < len(words) else ""
        if folded in PLACES_FOLDED or previous in PLACE_MARKERS or following.casefold() in PLACE_MARKERS:
            continue
        capital = word[0].isupper()
        initial = i == 0 or _starts_sentence(text, start)
        listed = folded in kinds or _is_listed_compound(folded, kinds)
        # after a role a name is capitalised or a first name in lower case, never "sagsbehandler lang tid"
        after_role = (
            previous in ROLE_WORDS
            and not initial
            and (capital or _is_lowercase_first_name(folded, kinds))
        )
        context = after_role or (joined and is_name[i - 1])
        if listed and folded not in AMBIGUOUS_NAMES:
            # In lower case a first name is still a name ("tak til rikke"); a surname-only entry is more
            # often a word ("holdt", "din") and needs context.
            is_name[i] = capital or context or _is_lowercase_first_name(folded, kinds)
        elif listed:
            is_name[i] = (capital and (not initial or previous in NAME_PREPOSITIONS)) or after_role
            if not is_name[i] and capital and initial and _is_lowercase_first_name(folded, kinds):
                # "Kim var min mentor": an ambiguous first name at the start, followed by a verb
                is_name[i] = following.casefold() in FINITE_VERBS
        elif capital and not initial and context:
            # an unlisted surname after a first name, or a name after "sagsbehandler"
            is_name[i] = folded not in FUNCTION_WORDS
        elif capital and _is_genitive(folded, kinds):
            is_name[i] = True  # "Henriks chef", "Mettes mand"
        if not is_name[i] and capital and initial and listed and following[:1].isupper():
            # "Per Hansen ringede": an ambiguous first word followed by a name
            is_name[i] = following.casefold() in kinds
    for i in range(len(words) - 2):
        # "Kim og Bo fra jobcentret": an ambiguous first word joined by "og" to a name is one too
        word = words[i][2]
        if not is_name[i] and is_name[i + 2] and words[i + 1][2] == "og" and word[0].isupper():
            is_name[i] = word.casefold() in kinds
    for i in range(len(words) - 1):
        # "mødt Aleksandra Nowak": two capitalised words inside a sentence that no list knows are a name
        # (or an organisation); Danish writes its nouns in lower case.
        (start, end, word), (following_start, _, following) = words[i], words[i + 1]
        if (
            not is_name[i]
            and word[0].isupper()
            and following[0].isupper()
            and text[end:following_start].strip() == ""
            and not _starts_sentence(text, start)
            and i > 0
            and not any(_is_known_word(w) for w in (word, following))
        ):
            is_name[i] = is_name[i + 1] = True
    return [(start, end) for (start, end, _), name in zip(words, is_name, strict=True) if name]


def _is_known_word(word: str) -> bool:
    folded = word.casefold()
    return (
        folded in PLACES_FOLDED
        or folded in PLACE_MARKERS
        or folded in FUNCTION_WORDS
        or folded in NAME_PREPOSITIONS
        or word.isupper()  # abbreviations: FOA, STU, VUC
    )


def _is_lowercase_first_name(folded: str, kinds: dict[str, str]) -> bool:
    if _is_common_lowercase(folded) or folded in STOP_WORDS:
        return False
    return kinds.get(folded, "first") == "first"


def _is_genitive(folded: str, kinds: dict[str, str]) -> bool:
    stem = folded[:-1]
    return (
        folded.endswith("s")
        and len(folded) > 3
        and kinds.get(stem) == "first"
        and stem not in AMBIGUOUS_NAMES
        and folded not in FUNCTION_WORDS
    )


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 4) : start].rstrip(" \t")
    return not before or before[-1] in _SENTENCE_MARKS


def _is_listed_compound(folded: str, kinds: dict[str, str]) -> bool:
    """Double names: 'anne-mette', 'jensen-holm'."""
    return "-" in folded and all(part in kinds for part in folded.split("-"))


def _is_common_lowercase(folded: str) -> bool:
    """Listed names written in lower case are names, except the very short ones that read as words."""
    return len(folded) <= 2


def _masked(text: str, spans: list[Span]) -> str:
    parts: list[str] = []
    position = 0
    for span in spans:
        gap = text[position : span.start]
        if parts and parts[-1] == MASK and gap.strip() == "":
            position = span.end  # "Mette Hansen" becomes one [XXX], not two
            continue
        parts.append(gap)
        parts.append(MASK)
        position = span.end
    parts.append(text[position:])
    return "".join(parts)
