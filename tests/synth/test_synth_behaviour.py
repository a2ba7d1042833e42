"""synth's one behaviour model of simulated citizens, read from a stored survey: the demo and
`borgerblik fieldwork simulate` both replay these actions."""

from __future__ import annotations

import polars as pl
import pytest

from borgerblik.core import load_template
from borgerblik.storage import Database
from borgerblik.synth import REGISTER_COLUMNS
from borgerblik.synth.behaviour import citizen_actions, invited_sample, simulated_citizens
from borgerblik.synth.fieldwork import simulate_fieldwork

#: 28 citizens: the shared register rows' substitute CPR days run 61-88
CITIZENS = {f"borger{n}": code for n, code in enumerate(["6.1", "6.2", "6.3", "6.6"] * 7)}


@pytest.fixture
def invited(tmp_path, kl_invited):
    db = Database(f"sqlite:///{tmp_path / 'borgerblik.sqlite'}")
    survey_id, invitations = kl_invited(db, CITIZENS)
    yield db, survey_id, invitations
    db.close()


def test_the_invited_sample_is_read_back_in_the_register_contract(invited) -> None:
    db, survey_id, invitations = invited
    sample = invited_sample(db, survey_id)
    assert sample.columns == ["respondent_id", "invitation_id", *REGISTER_COLUMNS]
    assert sample.height == len(CITIZENS)
    first = sample.row(0, named=True)
    dates_and_exemption = (first["ydelse_start"], first["ydelse_slut"], first["digital_post_fritaget"])
    assert dates_and_exemption == ("2023-06-15", "", "nej")
    by_member = {i.member_id: i.id for i in invitations.values()}
    assert dict(sample.select("respondent_id", "invitation_id").iter_rows()) == by_member


def test_one_action_per_citizen_who_acts_with_the_models_outcome_day_language_and_answers(invited) -> None:
    db, survey_id, _ = invited
    kl = load_template("kl-2024")
    citizens = simulated_citizens(db, survey_id, kl, seed=5)
    persons = citizens.fieldwork.persons.filter(pl.col("outcome") != "no_response")
    assert len(citizens.actions) == persons.height
    answers = dict(citizens.fieldwork.answers_by_respondent())
    for action, row in zip(citizens.actions, persons.iter_rows(named=True), strict=True):
        assert action.invitation_id == row["invitation_id"]
        assert action.outcome == row["outcome"]
        expected_day = row["opted_out_day"] if action.outcome == "opted_out" else row["response_day"]
        assert action.day == expected_day
        assert action.answers == answers.get(row["respondent_id"], {})
        assert action.language in {"da", "en", "ar"} and action.mode in {"web", "phone"}
    # the same seed gives the same citizens; the model is simulate_fieldwork's, nothing of its own
    again = citizen_actions(simulate_fieldwork(invited_sample(db, survey_id), kl, 5), kl)
    assert again == citizens.actions
