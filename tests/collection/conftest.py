"""A KL 2024 survey with one invited citizen per target group, on SQLite and on PostgreSQL."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pytest

from borgerblik.storage import Database

#: LAB code per citizen: dagpenge, aktivitetsparate, sygedagpenge, job- og uddannelsesparate, jobafklaring.
CITIZENS = {
    "dagpenge": "6.1",
    "aktivitetsparate": "6.3",
    "sygedagpenge": "6.6",
    "jobparat": "6.2",
    "jobafklaring": "6.7",
}


def register_row(number: int, maalgruppe: str) -> dict[str, Any]:
    """A register row with a substitute CPR (day + 60, never a real person); odd last digit = man."""
    return {
        "cpr": f"{60 + number:02d}0385-{4000 + number:04d}",
        "kommune": "Høje-Taastrup",
        "maalgruppe": maalgruppe,
        "gender": "mand" if number % 2 else "kvinde",
        "birth_date": "1985-03-01",
        "age": 38,
        "age_group": "30-49",
        "ydelse_start": "2023-06-15",
        "ydelse_slut": "",
        "samtaler": "jobsamtale",
        "digital_post_fritaget": "nej",
        "telefon": f"2{number:07d}",
        "email": "",
    }


def kl_survey(db: Database) -> dict[str, str]:
    """Create the KL 2024 survey with one invited citizen per entry of CITIZENS; returns name → link token."""
    yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    survey_id = db.create_survey("KL 2024", "kl-2024", yaml_text)
    member_ids = db.add_members(
        survey_id, [register_row(i, code) for i, code in enumerate(CITIZENS.values(), 1)]
    )
    db.save_sample(survey_id, dict.fromkeys(member_ids, "stratum"), draw_seed=2024)
    db.create_invitations(survey_id)
    by_member = {invitation.member_id: invitation.token for invitation in db.invitations(survey_id)}
    return {name: by_member[member_id] for name, member_id in zip(CITIZENS, member_ids, strict=True)}


@pytest.fixture
def tokens(db: Database) -> dict[str, str]:
    return kl_survey(db)


@pytest.fixture
def pg_tokens(postgres_engine: Any) -> tuple[Database, dict[str, str]]:
    """The same survey on PostgreSQL only, for its lock-free save path."""
    db = Database(engine=postgres_engine)
    return db, kl_survey(db)
