"""File names of municipal reports: ``kommuner/<slug>.html`` — a contract scripts rely on."""

from __future__ import annotations

import difflib
import re

LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "-"})


def slug(municipality: str) -> str:
    """'Høje-Taastrup' → 'hoeje-taastrup', 'Lyngby-Taarbæk' → 'lyngby-taarbaek'."""
    text = municipality.lower().translate(LETTERS)
    return re.sub(r"[^a-z0-9-]", "", text)


def closest(name: str, names: list[str]) -> str | None:
    """The known name nearest to a misspelt one, for the error message."""
    lowered = {n.lower(): n for n in names}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[found[0]] if found else None
