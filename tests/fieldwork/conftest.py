"""Fieldwork fixtures: a small invited survey on SQLite and on PostgreSQL, with chosen contact data."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fieldwork_rows import SETTINGS

from borgerblik.storage import Database
from borgerblik.surveys import create_survey_from_template


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
