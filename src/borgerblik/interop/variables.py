"""The variables of an analysis export: names every package accepts, labels in one language, missing codes.

One list of :class:`Variable` drives every writer (SPSS, Stata, Excel, CSV, Parquet) and the codebook, so
a variable has the same name, label and value labels whichever file an analyst opens.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from borgerblik.core.texts import BASE_LANGUAGE

#: Stata's limit; SPSS allows 64 bytes, so one name fits both (and R, SAS and Excel headers).
MAX_NAME = 32
#: Stata's limit on a variable label; SPSS files keep the full text.
STATA_LABEL = 80
#: Words neither SPSS nor Stata accepts as a variable name (SPSS's reserved keywords, Stata's reserved names).
SPSS_RESERVED = ("all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with")
STATA_RESERVED = (
    "byte", "double", "float", "if", "in", "int", "long", "str", "strl", "using",
    "_all", "_b", "_coef", "_cons", "_n", "_pi", "_pred", "_rc", "_se", "_skip", "_weight",
)
RESERVED = frozenset(SPSS_RESERVED + STATA_RESERVED)
_TRANSLITERATION = str.maketrans(
    {"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", "ß": "ss"}
)


class Measure(StrEnum):
    """What a variable holds, as SPSS's measurement level and the writers' column types."""

    ORDINAL = "ordinal"
    NOMINAL = "nominal"
    SCALE = "scale"
    TEXT = "text"
    DATE = "date"


@dataclass(frozen=True)
class Variable:
    """One column of the export."""

    name: str
    labels: dict[str, str]
    measure: Measure
    #: code → label per language (the scale's own labels, "ved ikke" included)
    values: dict[str, dict[int, str]] = field(default_factory=dict)
    #: codes declared missing (9 = "Ved ikke/ikke relevant"): user-missing in SPSS, ``.a`` in Stata
    missing: tuple[int, ...] = ()
    #: who was asked, in words ("Alle", "Målgruppe (kl2024) er sygedagpenge")
    asked: str = "Alle"
    #: the question (or matrix item) the values come from; None for background variables
    question: str | None = None

    def label(self, lang: str = BASE_LANGUAGE) -> str:
        return self.labels.get(lang) or self.labels[BASE_LANGUAGE]

    def value_labels(self, lang: str = BASE_LANGUAGE) -> dict[int, str]:
        return self.values.get(lang) or self.values.get(BASE_LANGUAGE, {})

    @property
    def numeric(self) -> bool:
        return self.measure in (Measure.ORDINAL, Measure.NOMINAL, Measure.SCALE)


def valid_name(wanted: str, taken: set[str]) -> str:
    """A variable name SPSS and Stata both accept, unique (case-insensitively) among ``taken``.

    ASCII letters, digits and ``_``; starts with a letter (a leading ``_`` is Stata's system namespace,
    LimeSurvey's corrupted names began there); at most 32 characters; never a reserved word. Danish letters
    are spelled out (æ → ae), so "tilfredshed_ø" stays readable. ``taken`` is updated.
    """
    ascii_name = unicodedata.normalize("NFKD", wanted.translate(_TRANSLITERATION))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_name).strip("_") or "v"
    if not name[0].isalpha():
        name = f"v{name}"
    if name.casefold() in RESERVED:
        name = f"{name}_"
    name = name[:MAX_NAME]
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f"_{number}"
        candidate = f"{name[: MAX_NAME - len(suffix)]}{suffix}"
    taken.add(candidate.casefold())
    return candidate


def stata_label(text: str) -> tuple[str, bool]:
    """The label within Stata's 80 characters, and whether it was shortened (the codebook keeps the whole)."""
    text = " ".join(text.split())
    if len(text) <= STATA_LABEL:
        return text, False
    return text[: STATA_LABEL - 1].rstrip() + "…", True
