"""Storage fixtures: every gateway test runs on a fresh SQLite file and on a fresh PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from borgerblik.storage import Database


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
    survey_id = db.create_survey("KL 2024", "kl-2024", "name: kl-2024\n")
    member_ids = db.add_members(survey_id, rows(4))
    db.save_sample(survey_id, {member_id: "stratum" for member_id in member_ids}, draw_seed=2024)
    db.create_invitations(survey_id)
    return survey_id, [invitation.id for invitation in db.invitations(survey_id)]
