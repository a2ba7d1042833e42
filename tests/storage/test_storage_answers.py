"""Answers: one row per answer, replaced when changed, with a response session that only moves forward."""

from __future__ import annotations

import polars as pl
import pytest

from borgerblik.storage import Database, InvalidRowError, NotFoundError, StorageError


def test_answers_round_trip_codes_texts_and_multiple_choice(db: Database, invited) -> None:
    _, invitation_ids = invited
    answers = {
        "status": 1,
        "tillid": 5,
        "inddragelse": 9,
        "hvorfor_tilfreds": "Søde medarbejdere – tak!",
        "kanaler": [1, 3],
    }
    session = db.save_answers(invitation_ids[0], answers, mode="web", language="da", page=2)
    assert db.answers(invitation_ids[0]) == answers
    assert (session.state, session.mode, session.language, session.current_page) == (
        "started",
        "web",
        "da",
        2,
    )
    assert session.completed_at is None
    assert session.started_at.tzinfo is not None


def test_a_changed_answer_replaces_the_old_one_and_none_clears_it(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    invitation_id = invitation_ids[0]
    db.save_answers(invitation_id, {"tillid": 2, "udgangspunkt": 3, "kanaler": [1, 2]})
    db.save_answers(invitation_id, {"tillid": 4, "udgangspunkt": None, "kanaler": [2]})
    assert db.answers(invitation_id) == {"tillid": 4, "kanaler": 2}
    assert db.responses_frame(survey_id).height == 2


def test_the_session_never_moves_backwards(db: Database, invited) -> None:
    _, invitation_ids = invited
    invitation_id = invitation_ids[1]
    assert db.save_answers(invitation_id, {"tillid": 3}, state="partial").state == "partial"
    assert db.save_answers(invitation_id, {"klart_maal": 4}).state == "partial"
    done = db.save_answers(invitation_id, {"samlet_tilfredshed": 4}, state="complete", page=9)
    assert (done.state, done.current_page) == ("complete", 9)
    assert done.completed_at is not None
    edited = db.save_answers(invitation_id, {"tillid": 4}, mode="phone", interviewer_id="int-03")
    assert (edited.state, edited.completed_at, edited.mode, edited.interviewer_id, edited.current_page) == (
        "complete",
        done.completed_at,
        "phone",
        "int-03",
        9,
    )
    assert db.session(invitation_id) == edited
    assert db.session(invitation_ids[2]) is None


def test_bad_answers_are_rejected_and_nothing_is_saved(db: Database, invited) -> None:
    _, invitation_ids = invited
    invitation_id = invitation_ids[0]
    with pytest.raises(InvalidRowError, match="række 2, felt 'tillid': forventede en svarkode"):
        db.save_answers(invitation_id, {"status": 1, "tillid": 4.5})
    with pytest.raises(InvalidRowError, match="felt 'tillid'"):
        db.save_answers(invitation_id, {"tillid": True})
    with pytest.raises(StorageError, match="ukendt svarform 'post'; forventede en af web, phone, in_person"):
        db.save_answers(invitation_id, {"tillid": 4}, mode="post")
    with pytest.raises(StorageError, match="ukendt besvarelsestilstand 'done'"):
        db.save_answers(invitation_id, {"tillid": 4}, state="done")
    with pytest.raises(NotFoundError, match="invitation 999 findes ikke"):
        db.save_answers(999, {"tillid": 4})
    assert db.answers(invitation_id) == {}
    assert db.session(invitation_id) is None


def test_responses_frame_long_and_wide(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    db.save_answers(
        invitation_ids[0],
        {"tillid": 5, "samlet_tilfredshed": 4, "forbedringer": "Kortere ventetid"},
        state="complete",
    )
    db.save_answers(
        invitation_ids[1],
        {"tillid": 9, "kanaler": [1, 2]},
        mode="in_person",
        language="ar",
        interviewer_id="int-11",
        state="partial",
    )

    long = db.responses_frame(survey_id)
    assert long.select("invitation_id", "question_id", "value_code", "text", "mode", "language").rows() == [
        (invitation_ids[0], "tillid", 5, None, "web", "da"),
        (invitation_ids[0], "samlet_tilfredshed", 4, None, "web", "da"),
        (invitation_ids[0], "forbedringer", None, "Kortere ventetid", "web", "da"),
        (invitation_ids[1], "tillid", 9, None, "in_person", "ar"),
        (invitation_ids[1], "kanaler", 1, None, "in_person", "ar"),
        (invitation_ids[1], "kanaler", 2, None, "in_person", "ar"),
    ]
    saved_at = db.session(invitation_ids[1]).updated_at.replace(tzinfo=None)  # naive UTC in the frames
    assert long.schema["answered_at"] == pl.Datetime("us")
    assert long["answered_at"].to_list()[3:] == [saved_at] * 3
    assert long["interviewer_id"].to_list() == [None, None, None, "int-11", "int-11", "int-11"]
    assert long["response_state"].unique().sort().to_list() == ["complete", "partial"]

    wide = db.responses_frame(survey_id, wide=True)
    assert wide.columns == [
        "invitation_id",
        "member_id",
        "response_state",
        "tillid",
        "samlet_tilfredshed",
        "forbedringer",
        "kanaler",
    ]
    assert wide.schema["tillid"] == pl.Int16
    assert wide.schema["kanaler"] == pl.List(pl.Int16)
    assert wide.drop("member_id").rows() == [
        (invitation_ids[0], "complete", 5, 4, "Kortere ventetid", None),
        (invitation_ids[1], "partial", 9, None, None, [1, 2]),
    ]
    members = db.members_frame(survey_id)
    assert members.filter(pl.col("response_state").is_not_null()).height == 2


def test_empty_survey_gives_empty_tables_with_their_columns(db: Database) -> None:
    survey_id = db.create_survey("Tom", "kl-2024", "")
    assert db.responses_frame(survey_id).height == 0
    assert db.responses_frame(survey_id, wide=True).columns == [
        "invitation_id",
        "member_id",
        "response_state",
    ]
    assert db.members_frame(survey_id).schema["birth_date"] == pl.Date
    assert db.messages_frame(survey_id).height == 0
