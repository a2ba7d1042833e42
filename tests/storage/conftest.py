"""Storage fixtures: every gateway test runs on a fresh SQLite file and on a fresh PostgreSQL schema."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from borgerblik.storage import Database, make_engine

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def _postgres_schema(url: str) -> Iterator[Engine]:
    """An engine whose search path is a new, empty schema in the session's PostgreSQL database."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    # In the URL, not connect_args, so a subprocess given engine.url lands in the same schema.
    postgres = make_engine(f"{url}?options=-csearch_path%3D{schema}")
    try:
        yield postgres
    finally:
        postgres.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Engine]:
    """An engine on an empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        sqlite = make_engine(f"sqlite:///{tmp_path / 'borgerblik.sqlite'}")
        yield sqlite
        sqlite.dispose()
        return
    with _postgres_schema(request.getfixturevalue("postgres_url")) as postgres:
        yield postgres


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """PostgreSQL only, for behaviour SQLite does not have (row locks, SKIP LOCKED)."""
    with _postgres_schema(postgres_url) as postgres:
        yield postgres


@pytest.fixture
def db(engine: Engine) -> Database:
    """The gateway on a migrated, empty database."""
    return Database(engine=engine)


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
