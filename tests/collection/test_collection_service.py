"""The collection functions the web pages and the simulated fieldwork call, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import select

from borgerblik.collection import (
    answer_questionnaire,
    complete,
    open_session,
    opt_out,
    save_page,
    start,
    start_anonymous_interview,
)
from borgerblik.collection.interview import InterviewError
from borgerblik.storage import Database
from borgerblik.storage import responses as store
from borgerblik.storage.driver import single_statements
from borgerblik.storage.schema import OutboxMessage
from borgerblik.storage.times import utcnow


def answers_of(db, token: str) -> dict:
    return db.answers(db.invitation_by_token(token).id)


def test_pages_follow_routing_per_target_group(db, tokens):
    pages = {
        name: {p.key: [q.id for q in p.questions] for p in open_session(db, token).pages()}
        for name, token in tokens.items()
    }
    assert pages["dagpenge"]["progression"] == ["jobmuligheder", "taettere_job"]
    assert pages["aktivitetsparate"]["maal"] == ["klart_maal", "aktiviteter_mening", "andre_afdelinger"]
    assert pages["aktivitetsparate"]["progression"] == ["jobmuligheder", "styrket_tro"]
    assert pages["sygedagpenge"]["status"] == ["status", "arbejdsgiver"]
    assert pages["dagpenge"]["status"] == ["status"]
    assert list(pages["dagpenge"]) == [
        "status",
        "moedet",
        "maal",
        "samtale",
        "progression",
        "samlet",
        "aabne",
    ]


def test_a_follow_up_revealed_on_the_same_page_keeps_the_citizen_there(db, tokens):
    token = tokens["aktivitetsparate"]
    result = save_page(db, token, "maal", {"klart_maal": 4, "andre_afdelinger": 1})
    assert (result.outcome, result.next_page, result.revealed) == ("saved", "maal", ("samarbejde",))
    result = save_page(db, token, "maal", {"klart_maal": 4, "andre_afdelinger": 1, "samarbejde": 9})
    assert (result.outcome, result.next_page) == ("saved", "samtale")
    assert answers_of(db, token) == {"klart_maal": 4, "andre_afdelinger": 1, "samarbejde": 9}


def test_an_answer_routed_out_by_a_changed_trigger_is_cleared(db, tokens):
    token = tokens["sygedagpenge"]
    save_page(db, token, "status", {"status": 1, "arbejdsgiver": 2})
    assert save_page(db, token, "progression", {"jobmuligheder": 3, "styrket_tro": 5}).outcome == "saved"
    save_page(db, token, "status", {"status": 1, "arbejdsgiver": 1})
    assert answers_of(db, token) == {"status": 1, "arbejdsgiver": 1}
    questions = [q.id for q in open_session(db, token).page("progression").questions]
    assert questions == ["tilbagevenden_job"]


def test_ended_course_gives_past_tense(db, tokens):
    token = tokens["dagpenge"]
    save_page(db, token, "status", {"status": "2"})
    questionnaire = open_session(db, token)
    assert questionnaire.tense() == "past"
    present = open_session(db, tokens["aktivitetsparate"])
    tillid = questionnaire.instrument.question("tillid")
    assert tillid.text("da", questionnaire.tense()) != tillid.text("da", present.tense())


def test_resume_where_the_citizen_left_and_back_keeps_answers(db, tokens):
    token = tokens["dagpenge"]
    start(db, token)
    assert open_session(db, token).status == "started"
    save_page(db, token, "status", {"status": 1})
    save_page(db, token, "moedet", {"tillid": 5, "udgangspunkt": 4, "inddragelse": 9})
    back = save_page(db, token, "maal", {"klart_maal": 2}, direction="back")
    assert back.next_page == "moedet"
    reopened = open_session(db, token)
    assert (reopened.status, reopened.resume().key) == ("partial", "moedet")
    assert reopened.answers == {
        "status": 1,
        "tillid": 5,
        "udgangspunkt": 4,
        "inddragelse": 9,
        "klart_maal": 2,
    }


def test_last_page_completes_and_the_link_is_closed(db, tokens):
    token = tokens["jobparat"]
    save_page(db, token, "samlet", {"samlet_tilfredshed": 4})
    assert save_page(db, token, "aabne", {"forbedringer": "Mere tid"}).outcome == "completed"
    assert save_page(db, token, "samlet", {"samlet_tilfredshed": 1}).outcome == "closed"
    assert complete(db, token) is False
    assert opt_out(db, token) is False
    assert answers_of(db, token) == {"samlet_tilfredshed": 4, "forbedringer": "Mere tid"}
    assert db.invitation_by_token(token).state == "completed"


def test_complete_and_opt_out_directly(db, tokens):
    assert save_page(db, tokens["aktivitetsparate"], "moedet", {"tillid": 4}).outcome == "saved"
    assert complete(db, tokens["aktivitetsparate"]) is True
    assert db.session(db.invitation_by_token(tokens["aktivitetsparate"]).id).state == "complete"
    assert complete(db, tokens["jobafklaring"]) is True  # nothing answered: submitted, but blank
    assert db.session(db.invitation_by_token(tokens["jobafklaring"]).id).state == "blank"
    assert open_session(db, tokens["jobafklaring"]).closed
    assert opt_out(db, tokens["dagpenge"]) is True
    assert opt_out(db, tokens["dagpenge"]) is False
    assert opt_out(db, "x" * 43) is None
    assert open_session(db, tokens["dagpenge"]).status == "opted_out"


def test_tampered_code_and_stale_nonce_change_nothing(db, tokens):
    token = tokens["dagpenge"]
    nonce = open_session(db, token).nonce
    bad = save_page(db, token, "moedet", {"tillid": 6}, nonce=nonce)
    assert (bad.outcome, [p.message for p in bad.problems]) == ("invalid", ["error_invalid_code"])
    assert save_page(db, token, "moedet", {"tillid": 5}, nonce=nonce).outcome == "saved"
    assert save_page(db, token, "moedet", {"tillid": 1}, nonce=nonce).outcome == "stale"
    assert answers_of(db, token) == {"tillid": 5}


def test_interviewer_modes_are_stored_on_every_answer(db, tokens):
    token = tokens["dagpenge"]
    save_page(db, token, "status", {"status": 1}, mode="phone", interviewer_id="VIVE-07")
    session = db.session(db.invitation_by_token(token).id)
    assert (session.mode, session.interviewer_id) == ("phone", "VIVE-07")
    frame = db.responses_frame(db.invitation_by_token(token).survey_id)
    assert frame.select("mode", "interviewer_id").rows() == [("phone", "VIVE-07")]


def test_anonymous_in_person_interview_uses_the_same_routing(db, tokens):
    survey_id = db.invitation_by_token(tokens["dagpenge"]).survey_id
    token = start_anonymous_interview(
        db,
        survey_id,
        kommune="Høje-Taastrup",
        maalgruppe="6.6",
        gender="kvinde",
        age=52,
        background={},
        interviewer_id="VIVE-03",
    )
    questionnaire = open_session(db, token)
    assert [q.id for q in questionnaire.page("status").questions] == ["status", "arbejdsgiver"]
    assert questionnaire.respondent.age_group == "50-66"
    assert (
        save_page(db, token, "status", {"status": 1}, mode="in_person", interviewer_id="VIVE-03").outcome
        == "saved"
    )
    assert db.session(questionnaire.respondent.invitation_id).mode == "in_person"
    try:
        start_anonymous_interview(
            db,
            survey_id,
            kommune="Atlantis",
            maalgruppe="6.1",
            gender="mand",
            age=30,
            background={},
            interviewer_id="VIVE-03",
        )
    except InterviewError as exc:
        assert exc.field == "kommune"
    else:
        raise AssertionError("an unknown municipality must be refused")


INTENDED = {
    "status": 1,
    "arbejdsgiver": 2,
    "tillid": 4,
    "udgangspunkt": 5,
    "inddragelse": 3,
    "klart_maal": 4,
    "aktiviteter_mening": 9,
    "andre_afdelinger": 1,
    "samarbejde": 2,
    "formaal_klart": 5,
    "velforberedt": 5,
    "formidling_regler": 4,
    "plan_maal": 3,
    "plan_aftaler": 4,
    "plan_naeste_skridt": 2,
    "jobmuligheder": 1,
    "taettere_job": 2,
    "tilbagevenden_job": 5,
    "styrket_tro": 3,
    "samlet_tilfredshed": 4,
    "hvorfor_tilfreds": "God kontakt",
    "forbedringer": "",
}


def test_simulated_citizen_answers_through_the_same_routing(db, tokens):
    assert answer_questionnaire(db, tokens["aktivitetsparate"], INTENDED) == "complete"
    stored = answers_of(db, tokens["aktivitetsparate"])
    shown = {
        "status",
        "tillid",
        "udgangspunkt",
        "inddragelse",
        "klart_maal",
        "aktiviteter_mening",
        "andre_afdelinger",
        "samarbejde",
        "formaal_klart",
        "velforberedt",
        "formidling_regler",
        "plan_maal",
        "plan_aftaler",
        "plan_naeste_skridt",
        "jobmuligheder",
        "styrket_tro",
        "samlet_tilfredshed",
        "hvorfor_tilfreds",
    }
    assert stored == {key: INTENDED[key] for key in shown}
    assert answer_questionnaire(db, tokens["aktivitetsparate"], INTENDED) == "closed"


def test_simulated_citizen_stopping_half_way_leaves_a_partial_answer(db, tokens):
    assert answer_questionnaire(db, tokens["sygedagpenge"], INTENDED, stop_after_pages=3) == "partial"
    assert answers_of(db, tokens["sygedagpenge"]) == {
        "status": 1,
        "arbejdsgiver": 2,
        "tillid": 4,
        "udgangspunkt": 5,
        "inddragelse": 3,
        "klart_maal": 4,
        "aktiviteter_mening": 9,
    }
    assert db.session(db.invitation_by_token(tokens["sygedagpenge"]).id).state == "partial"
    assert (
        answer_questionnaire(db, tokens["sygedagpenge"], INTENDED, mode="phone", interviewer_id="H1")
        == "complete"
    )
    assert answers_of(db, tokens["sygedagpenge"])["styrket_tro"] == 3


def test_concurrent_double_submit_saves_exactly_once(db, tokens):
    """Two workers get the same form at once: the nonce check under the row lock lets one through."""
    token = tokens["dagpenge"]
    nonce = open_session(db, token).nonce
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(code: int) -> None:
        barrier.wait()
        outcomes.append(save_page(db, token, "moedet", {"tillid": code}, nonce=nonce).outcome)

    threads = [threading.Thread(target=submit, args=(code,)) for code in (2, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["saved", "stale"]
    assert answers_of(db, token)["tillid"] in (2, 4)
    assert len(db.responses_frame(db.invitation_by_token(token).survey_id)) == 1


def test_completing_cancels_only_that_citizens_queued_reminders(db, tokens):
    invitation = {name: db.invitation_by_token(token).id for name, token in tokens.items()}
    survey_id = db.invitation_by_token(tokens["jobparat"]).survey_id
    db.queue_messages(
        survey_id,
        [
            {"invitation_id": invitation[name], "channel": "sms", "kind": "reminder"}
            for name in ("jobparat", "jobafklaring", "dagpenge")
        ],
    )
    save_page(db, tokens["jobparat"], "samlet", {"samlet_tilfredshed": 4})
    assert save_page(db, tokens["jobparat"], "aabne", {}).outcome == "completed"
    assert complete(db, tokens["jobafklaring"]) is True
    with db.reading() as connection:
        status = dict(connection.execute(select(OutboxMessage.invitation_id, OutboxMessage.status)).all())
    assert status == {
        invitation["jobparat"]: "cancelled",
        invitation["jobafklaring"]: "cancelled",
        invitation["dagpenge"]: "queued",
    }
    session = db.session(invitation["jobparat"])
    assert (session.state, session.completed_at) == ("complete", session.updated_at)


# PostgreSQL's lock-free save: read, decide, then one compare-and-set statement ---------------------------


def read_started(db: Database, token: str) -> store.Respondent:
    start(db, token)
    with single_statements(db.engine) as link:
        return store.respondent_with_answers(link, token)[0]


def cas_save(db: Database, respondent: store.Respondent, answers: dict) -> bool:
    with single_statements(db.engine) as link:
        return store.save_answers_if_unchanged(link, _planned(link, respondent, answers))


def _planned(link, respondent: store.Respondent, answers: dict) -> store.PageSave:
    return store.page_save(
        respondent,
        answers,
        rules=store.answer_rules(link, respondent.survey_id),
        stored=(),
        mode="web",
        language="da",
        interviewer_id=None,
        page=1,
        state="partial",
        now=utcnow(),
    )


def test_compare_and_set_save_writes_when_nothing_moved(pg_tokens):
    db, tokens = pg_tokens
    respondent = read_started(db, tokens["dagpenge"])
    assert cas_save(db, respondent, {"tillid": 4, "inddragelse": 2}) is True
    assert answers_of(db, tokens["dagpenge"]) == {"tillid": 4, "inddragelse": 2}
    assert db.session(respondent.invitation_id).state == "partial"


def test_compare_and_set_save_writes_nothing_after_another_save(pg_tokens):
    """Read, then a save from a second window moves the session: the first window's write is refused."""
    db, tokens = pg_tokens
    token = tokens["dagpenge"]
    respondent = read_started(db, token)
    assert save_page(db, token, "moedet", {"tillid": 2}).outcome == "saved"
    assert cas_save(db, respondent, {"tillid": 5, "inddragelse": 1}) is False
    assert answers_of(db, token) == {"tillid": 2}


def test_compare_and_set_save_writes_nothing_after_an_opt_out(pg_tokens):
    db, tokens = pg_tokens
    token = tokens["dagpenge"]
    respondent = read_started(db, token)
    assert opt_out(db, token) is True
    assert cas_save(db, respondent, {"tillid": 5}) is False
    assert answers_of(db, token) == {}
    assert save_page(db, token, "moedet", {"tillid": 5}).outcome == "closed"


def test_a_stale_form_after_a_locked_save_is_refused_on_postgresql(pg_tokens):
    """The lock-free path falls back to the locked one, which reports the double submit as stale."""
    db, tokens = pg_tokens
    token = tokens["aktivitetsparate"]
    start(db, token)
    nonce = open_session(db, token).nonce
    first = save_page(db, token, "moedet", {"tillid": 3}, nonce=nonce)
    second = save_page(db, token, "moedet", {"tillid": 1}, nonce=nonce)
    assert (first.outcome, second.outcome) == ("saved", "stale")
    assert second.nonce == first.nonce
    assert answers_of(db, token) == {"tillid": 3}
