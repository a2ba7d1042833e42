"""Register rows and letter settings for the fieldwork tests (a module of its own: test files import it by
name, which a `conftest` of several directories cannot safely be)."""

from __future__ import annotations

from typing import Any

SETTINGS = {
    "fieldwork": {
        "sender": "KL og jobcentret",
        "base_url": "https://borgerblik.example.dk",
        "hotline_phone": "70 20 30 40",
        "hotline_hours": "hverdage kl. 9-15",
    }
}


def citizen(
    number: int, *, kommune: str = "Høje-Taastrup", exempt: bool = False, phone: str = "", email: str = ""
) -> dict[str, Any]:
    """A register row with a synthetic CPR (day + 60); odd numbers are men."""
    return {
        "cpr": f"{61 + number % 28:02d}0190-{1000 + number:04d}",
        "kommune": kommune,
        "maalgruppe": "6.1",
        "gender": "mand" if number % 2 else "kvinde",
        "birth_date": f"1990-01-{1 + number % 28:02d}",
        "age": 34,
        "age_group": "30-49",
        "ydelse_start": "2023-06-15",
        "ydelse_slut": "",
        "samtaler": "jobsamtale",
        "digital_post_fritaget": "ja" if exempt else "nej",
        "telefon": phone,
        "email": email,
    }
