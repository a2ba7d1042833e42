"""Storage fixtures: every gateway test runs on a fresh SQLite file and on a fresh PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from borgerblik.core import dump_instrument, load_template
from borgerblik.storage import Database

_MULTI = """  - id: kanaler
    kind: multi
    text:
      da: Hvordan har du været i kontakt med jobcenteret?
    options:
    - {code: 1, text: {da: Personligt fremmøde}}
    - {code: 2, text: {da: Telefon}}
    - {code: 3, text: {da: Digitalt}}
"""
_KL = dump_instrument(load_template("kl-2024"))
_OPEN = "  - id: hvorfor_tilfreds\n"
KL_YAML = _KL.replace(_OPEN, _MULTI + _OPEN, 1)
"""The KL 2024 instrument with a multiple-choice question added (no shipped template has one), frozen as a
survey stores it: saves are checked against it."""


def register_row(number: int, **overrides: Any) -> dict[str, Any]:
    """A register row with a synthetic CPR (day + 60, so no real person's number); odd numbers are men."""
    row: dict[str, Any] = {
        "cpr": f"{61 + number % 28:02d}0190-{1000 + number:04d}",
        "kommune": "Høje-Taastrup" if number % 2 else "Rødovre",
        "maalgruppe": f"6.{1 + number % 9}",
        "gender": "mand" if number % 2 else "kvinde",
        "birth_date": f"1990-01-{1 + number % 28:02d}",
        "age": 34,
        "age_group": "30-49",
        "ydelse_start": "2023-06-15",
        "ydelse_slut": "",
        "samtaler": "jobsamtale;opfølgningssamtale",
        "digital_post_fritaget": "nej",
        "telefon": f"2{number:07d}",
        "email": f"borger{number}@example.dk",
    }
    row.update(overrides)
    return row


@pytest.fixture
def rows() -> Callable[..., list[dict[str, Any]]]:
    """``rows(n)`` register rows numbered 1..n."""
    return lambda n, **overrides: [register_row(i, **overrides) for i in range(1, n + 1)]


@pytest.fixture
def invited(db: Database, rows: Callable[..., list[dict[str, Any]]]) -> tuple[int, list[int]]:
    """A survey with four members, all sampled and invited: (survey id, invitation ids)."""
    survey_id = db.create_survey("KL 2024", "kl-2024", KL_YAML)
    member_ids = db.add_members(survey_id, rows(4))
    db.save_sample(survey_id, {member_id: "stratum" for member_id in member_ids}, draw_seed=2024)
    db.create_invitations(survey_id)
    return survey_id, [invitation.id for invitation in db.invitations(survey_id)]
