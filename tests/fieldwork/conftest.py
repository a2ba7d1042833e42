"""Fieldwork fixtures: a small invited survey on SQLite and on PostgreSQL, with chosen contact data."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fieldwork_rows import SETTINGS
from sqlalchemy import Engine, create_engine

from borgerblik.storage import Database, make_engine
from borgerblik.surveys import create_survey_from_template

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    """The gateway on a fresh SQLite file, or on a fresh schema of the session's PostgreSQL database."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'fieldwork.sqlite'}")
        yield database
        database.close()
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"f_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine: Engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    database = Database(engine=engine)
    yield database
    database.close()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture
def make_survey(db: Database) -> Callable[[list[dict[str, Any]]], tuple[int, list[int]]]:
    """Load the rows, sample and invite everyone: (survey id, invitation ids in row order)."""

    def make(rows: list[dict[str, Any]]) -> tuple[int, list[int]]:
        survey_id = create_survey_from_template(
            db, f"KL 2024 {uuid.uuid4().hex[:6]}", "kl-2024", settings=SETTINGS
        )
        member_ids = db.add_members(survey_id, rows)
        db.save_sample(survey_id, {m: "stratum" for m in member_ids}, draw_seed=2024)
        db.create_invitations(survey_id)
        by_member = {i.member_id: i.id for i in db.invitations(survey_id)}
        return survey_id, [by_member[m] for m in member_ids]

    return make
