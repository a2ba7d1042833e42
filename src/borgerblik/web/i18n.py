"""The questionnaire frame's texts in Danish, English and Arabic.

Question texts belong to the instrument; this module only holds the words around them (buttons, welcome,
anonymity promise, error pages). Danish is the default and the fallback, so a missing English or Arabic text
shows Danish rather than an empty button.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

DEFAULT_LANGUAGE = "da"
LANGUAGES: dict[str, str] = {"da": "Dansk", "en": "English", "ar": "العربية"}
RIGHT_TO_LEFT = frozenset({"ar"})


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    text = files("borgerblik.web").joinpath("translations.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def choose_language(requested: str | None) -> str:
    """A supported language code; anything unknown falls back to Danish instead of failing."""
    return requested if requested in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Translator:
    """Looks up frame texts in one language, filling ``{placeholders}``."""

    language: str

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RIGHT_TO_LEFT else "ltr"

    def __call__(self, key: str, **values: object) -> str:
        entry = _catalogue()[key]
        text = entry.get(self.language) or entry[DEFAULT_LANGUAGE]
        return text.format(**values) if values else text


def keys_missing_danish() -> list[str]:
    """Keys without a Danish text — must be empty, since Danish is every text's fallback."""
    return sorted(key for key, entry in _catalogue().items() if not entry.get(DEFAULT_LANGUAGE))
