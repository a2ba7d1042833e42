"""Texts in several languages, each with an optional past-tense variant.

Danish is the survey's own language and always required; English and Arabic (right-to-left) are
offered where written. KL asks citizens whose course has ended the same questions in the past
tense, so a wording may carry a ``past`` variant per language.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum

from babel import Locale, UnknownLocaleError

BASE_LANGUAGE = "da"
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class Tense(StrEnum):
    PRESENT = "present"
    PAST = "past"


def is_language_code(code: object) -> bool:
    """True for an ISO 639 code that CLDR knows (da, en, ar, so, ti, ...)."""
    if not isinstance(code, str) or not _LANGUAGE_CODE.match(code):
        return False
    return _known_to_cldr(code)


@functools.cache
def _known_to_cldr(code: str) -> bool:
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


@functools.cache
def text_direction(code: str) -> str:
    """``rtl`` for right-to-left scripts (Arabic, Persian, Urdu, ...), else ``ltr`` — from CLDR."""
    return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"


@dataclass(frozen=True)
class LocalText:
    """One wording in several languages; ``past`` holds past-tense variants where they differ."""

    present: dict[str, str]
    past: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:
        # frozen values are used as dict keys and in sets by later stages; dicts themselves do not hash
        return hash((tuple(sorted(self.present.items())), tuple(sorted(self.past.items()))))

    def get(self, lang: str = BASE_LANGUAGE, tense: str = Tense.PRESENT) -> str:
        """The wording in ``lang`` (Danish when not translated), past tense when asked and written."""
        if lang not in self.present:
            lang = BASE_LANGUAGE
        if tense == Tense.PAST and lang in self.past:
            return self.past[lang]
        return self.present[lang]

    def shown_language(self, lang: str) -> str:
        """The language :meth:`get` really shows for ``lang``: ``lang`` itself, or Danish as the fallback
        (a page marks such a text ``lang="da"`` so a screen reader and the text direction follow it)."""
        return lang if lang in self.present else BASE_LANGUAGE

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self.present)

    def to_data(self) -> dict[str, object]:
        """The canonical YAML form: ``{da: text}`` or ``{da: {present: ..., past: ...}}``."""
        data: dict[str, object] = {}
        for lang, text in self.present.items():
            data[lang] = {"present": text, "past": self.past[lang]} if lang in self.past else text
        return data
