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

from borgerblik.text.lexicon import (
    AMBIGUOUS_NAMES,
    FUNCTION_WORDS,
    NAME_PREPOSITIONS,
    PLACE_MARKERS,
    PLACES_FOLDED,
    ROLE_WORDS,
    name_kinds,
)

MASK = "[XXX]"
KINDS = ("cpr", "phone", "email", "address", "name")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_CPR = re.compile(r"(?<![\d.,/-])(\d{2})(\d{2})(\d{2})[ -]?(\d{4})(?!\d|[.,]\d)")
_PHONE = re.compile(
    r"(?<![\w.,/+-])(?:(?:\+|00)45[ .-]?|\(\+45\)[ ]?)?"
    r"(\d{2}([ .-]?)\d{2}\2\d{2}\2\d{2}|\d{4}[ .-]\d{4}|\d{3} \d{2} \d{3})(?!\w|[.,]\d)"
)
_STREET_SUFFIX = (
    r"(?:vej|vejen|gade|gaden|allé|alle|stræde|strædet|plads|pladsen|torv|torvet|boulevard|vænge|vænget|parken"
    r"|park|bakken|bakke|toften|løkken|stien|engen|høj|højen|hegnet|haven|have|kvarter|marken|ager"
    r"|vang|vangen|holm|dalen|skoven|lund|lunden|kær|kæret|krogen|bjerg|bjerget|broen|havnen|kajen"
    r"|gården|tofte|ringen|svinget|passagen|promenaden)"
)
_ADDRESS = re.compile(
    r"(?:(?:\b[A-ZÆØÅ][\w.]*\.?\s){0,2}\b[A-Za-zÆØÅæøåéü][\w-]+?" + _STREET_SUFFIX
    + r"|(?:\b[A-ZÆØÅ][\w.]*\.?\s){1,3}(?:Allé|Alle|Vej|Gade|Boulevard|Plads|Torv|Vænge|Have|Park))"
    r"\s+\d{1,4}(?:[A-Za-z]\b|\s[A-Z]\b)?"
    r"(?:,?\s?(?:st|kld|\d{1,2})\.?(?:\s?(?:tv|th|mf)\b\.?)?)?(?![\d.,]\d)"
)
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

    def claim(start: int, end: int, kind: str) -> None:
        if any(taken[start:end]):
            return
        taken[start:end] = b"\x01" * (end - start)
        spans.append(Span(start, end, kind))

    if "@" in text:
        for match in _EMAIL.finditer(text):
            claim(match.start(), match.end(), "email")
    if _has_digits(text):
        for match in _CPR.finditer(text):
            if _is_cpr_date(*match.group(1, 2)):
                claim(match.start(), match.end(), "cpr")
        for match in _PHONE.finditer(text):
            if _is_danish_phone(match.group(0)):
                claim(match.start(), match.end(), "phone")
        for match in _ADDRESS.finditer(text):
            start = _address_start(text, match)
            claim(start, match.end(), "address")
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


def _has_digits(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


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
        if street_begins or not (folded in PLACES_FOLDED or folded in FUNCTION_WORDS):
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
        previous = words[i - 1][2].casefold() if i else ""
        following = words[i + 1][2] if i + 1 < len(words) else ""
        if folded in PLACES_FOLDED or previous in PLACE_MARKERS or following.casefold() in PLACE_MARKERS:
            continue
        capital = word[0].isupper()
        initial = i == 0 or _starts_sentence(text, start)
        listed = folded in kinds or _is_listed_compound(folded, kinds)
        after_role = previous in ROLE_WORDS and not initial  # "… sagsbehandlere. Ring gerne" is no name
        if listed and folded not in AMBIGUOUS_NAMES:
            is_name[i] = capital or not _is_common_lowercase(folded)
        elif listed:
            is_name[i] = (capital and (not initial or previous in NAME_PREPOSITIONS)) or after_role
        elif capital and not initial and (after_role or (i and is_name[i - 1])):
            # an unlisted surname after a first name, or a name after "sagsbehandler"
            is_name[i] = folded not in FUNCTION_WORDS
        if not is_name[i] and capital and initial and listed and following[:1].isupper():
            # "Per Hansen ringede": an ambiguous first word followed by a name
            is_name[i] = following.casefold() in kinds
    for i in range(len(words) - 2):
        # "Kim og Bo fra jobcentret": an ambiguous first word joined by "og" to a name is one too
        word = words[i][2]
        if not is_name[i] and is_name[i + 2] and words[i + 1][2] == "og" and word[0].isupper():
            is_name[i] = word.casefold() in kinds
    return [(start, end) for (start, end, _), name in zip(words, is_name, strict=True) if name]


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
