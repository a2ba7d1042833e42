"""Honest outcomes: an opt-out withdraws the answers, a blank submission is not complete, and every count —
monitor, analyze's read-back, the non-response table — uses the one definition (docs/outcomes.md)."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import select

from borgerblik.collection import complete, open_session, opt_out, save_page, start
from borgerblik.fieldwork.monitor import fieldwork_status
from borgerblik.storage import Database, StorageError
from borgerblik.storage.outcomes import RESPONDED, outcome_of
from borgerblik.storage.schema import OptOut
from borgerblik.surveys import stored_survey
from borgerblik.weighting.nonresponse import nonresponse_table


def _invited(db: Database) -> int:
    survey_id = db.surveys()[0].id
    db.set_invitation_state([i.id for i in db.invitations(survey_id)], "invited")
    return survey_id


def test_opting_out_withdraws_partial_answers_everywhere(db: Database, tokens) -> None:
    survey_id = _invited(db)
    token = tokens["dagpenge"]
    start(db, token)
    assert save_page(db, token, "moedet", {"tillid": 4, "inddragelse": 2}).outcome == "saved"
    invitation_id = db.invitation_by_token(token).id
    assert db.answers(invitation_id) == {"tillid": 4, "inddragelse": 2}

    assert opt_out(db, token) is True

    assert db.answers(invitation_id) == {}
    with db.reading() as connection:
        assert connection.execute(select(OptOut.answers_withdrawn)).scalars().all() == [2]
    status = fieldwork_status(db, survey_id).overall
    assert (status.partial, status.complete, status.opted_out, status.responded) == (0, 0, 1, 0)
    stored = stored_survey(db, survey_id)
    member_id = db.invitation(invitation_id).member_id
    assert member_id not in stored.respondents["respondent_id"].to_list()
    assert stored.sample.filter(pl.col("respondent_id") == member_id)["outcome"].to_list() == ["opted_out"]
    answered = stored.sample.filter(pl.col("outcome").is_in(RESPONDED))["respondent_id"].to_list()
    table = nonresponse_table(stored.sample, answered, ["maalgruppe"])
    assert table["respondents_n"].sum() == 0
    with pytest.raises(StorageError, match="frameldt"):
        db.save_answers(invitation_id, {"tillid": 5})


def test_a_blank_submission_is_blank_not_complete(db: Database, tokens) -> None:
    survey_id = _invited(db)
    answered, blank = tokens["aktivitetsparate"], tokens["jobafklaring"]
    save_page(db, answered, "moedet", {"tillid": 5})
    assert complete(db, answered) is True
    assert complete(db, blank) is True

    assert open_session(db, blank).status == "blank"
    assert open_session(db, blank).closed
    status = fieldwork_status(db, survey_id).overall
    assert (status.complete, status.blank, status.partial, status.responded) == (1, 1, 0, 1)
    outcomes = dict(stored_survey(db, survey_id).sample.select("respondent_id", "outcome").iter_rows())
    assert sorted(outcomes.values()) == ["blank", "complete", "no_response", "no_response", "no_response"]
    assert stored_survey(db, survey_id).respondents.height == 1


def test_the_outcome_rule_in_one_table() -> None:
    assert [outcome_of(state, False) for state in (None, "started", "partial", "blank", "complete")] == [
        "no_response",
        "no_response",
        "partial",
        "blank",
        "complete",
    ]
    assert {outcome_of(state, True) for state in (None, "started", "partial", "complete")} == {"opted_out"}
