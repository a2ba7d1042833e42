"""Sample, invitations, the outbox, opt-outs and contact logs — what the fieldwork stage builds on."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from borgerblik.storage import Database, InvalidRowError, NotFoundError, StorageError
from borgerblik.storage.schema import ContactEvent, HotlineCall
from borgerblik.storage.times import as_utc, utcnow


def test_sampled_members_get_one_invitation_each_with_an_unguessable_token(db: Database, rows) -> None:
    survey_id = db.create_survey("KL 2024", "kl-2024", "")
    member_ids = db.add_members(survey_id, rows(6))
    assert db.save_sample(survey_id, {m: f"stratum-{i % 2}" for i, m in enumerate(member_ids[:4])}, 2024) == 4
    assert db.create_invitations(survey_id) == 4
    assert db.create_invitations(survey_id) == 0  # idempotent: nobody is invited twice

    invitations = db.invitations(survey_id)
    assert sorted(i.member_id for i in invitations) == sorted(member_ids[:4])
    assert all(
        len(i.token) == 43 and re.fullmatch(r"[A-Za-z0-9_-]+", i.token) for i in invitations
    )  # 256 bits
    assert len({i.token for i in invitations}) == 4
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", i.case_code) for i in invitations)
    assert {i.state for i in invitations} == {"created"}

    frame = db.members_frame(survey_id)
    assert frame["sampled"].sum() == 4
    assert sorted(frame["stratum"].drop_nulls().to_list()) == [
        "stratum-0",
        "stratum-0",
        "stratum-1",
        "stratum-1",
    ]


def test_sample_rejects_strangers_and_members_drawn_twice(db: Database, rows) -> None:
    survey_id = db.create_survey("KL 2024", "kl-2024", "")
    member_ids = db.add_members(survey_id, rows(2))
    with pytest.raises(
        InvalidRowError, match="række 2, felt 'member_id': forventede et medlem af undersøgelse"
    ):
        db.save_sample(survey_id, {member_ids[0]: "a", "0000000000000000": "a"}, 1)
    db.save_sample(survey_id, {member_ids[0]: "a"}, 1)
    with pytest.raises(InvalidRowError, match="et medlem der ikke er udtrukket før"):
        db.save_sample(survey_id, {member_ids[0]: "a"}, 1)


def test_invitation_lookup_by_token_and_by_case_code_carries_routing_context(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    invitation = db.invitation(invitation_ids[0])
    assert db.invitation_by_token(invitation.token) == invitation
    assert db.invitation_by_token("not-a-token") is None
    typed = invitation.case_code.replace("-", "").lower()
    assert db.invitation_by_case_code(survey_id, f" {typed} ") == invitation
    assert invitation.kommune in {"Høje-Taastrup", "Rødovre"}
    assert re.fullmatch(r"6\.[1-9]", invitation.maalgruppe)
    with pytest.raises(NotFoundError, match="invitation 999 findes ikke"):
        db.invitation(999)


def test_contacts_give_the_sending_workers_addresses(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    contacts = db.contacts(survey_id, invitation_ids[:2])
    assert [c.invitation_id for c in contacts] == invitation_ids[:2]
    assert all(re.fullmatch(r"\d{6}-\d{4}", c.cpr) and c.digital_post_exempt is False for c in contacts)
    assert all(c.email and c.email.endswith("@example.dk") for c in contacts)


def test_outbox_queue_claim_send_and_retry(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    now = utcnow()
    queued = db.queue_messages(
        survey_id,
        [
            {"invitation_id": invitation_ids[0], "channel": "digital_post", "kind": "invitation"},
            {"invitation_id": invitation_ids[1], "channel": "sms", "kind": "reminder", "payload": {"n": 1}},
            {
                "invitation_id": invitation_ids[2],
                "channel": "sms",
                "kind": "reminder",
                "due_at": now + timedelta(days=7),
            },
        ],
    )
    assert queued == 3

    claimed = db.claim_messages(10, "worker-a", now=now + timedelta(seconds=1))
    assert [(m.invitation_id, m.channel, m.kind, m.payload, m.attempts) for m in claimed] == [
        (invitation_ids[0], "digital_post", "invitation", {}, 1),
        (invitation_ids[1], "sms", "reminder", {"n": 1}, 1),
    ]
    assert db.claim_messages(10, "worker-b", now=now + timedelta(seconds=2)) == []  # the reminder is not due

    db.mark_message_sent(claimed[0].id)
    later = now + timedelta(minutes=1)
    assert db.mark_message_failed(claimed[1].id, "SMS-gateway svarede 503", retry_at=later) == "queued"
    again = db.claim_messages(10, "worker-b", now=later)
    assert [(m.id, m.attempts) for m in again] == [(claimed[1].id, 2)]
    assert db.mark_message_failed(again[0].id, "503", retry_at=later, max_attempts=2) == "failed"

    frame = db.messages_frame(survey_id).sort("message_id")
    assert frame.select("status", "attempts").rows() == [("sent", 1), ("failed", 2), ("queued", 0)]
    assert frame["sent_at"].null_count() == 2
    with pytest.raises(NotFoundError, match="er ikke hentet til afsendelse"):
        db.mark_message_sent(claimed[0].id)


def test_a_claim_left_by_a_dead_worker_returns_after_the_lease(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    db.queue_messages(
        survey_id, [{"invitation_id": invitation_ids[0], "channel": "sms", "kind": "invitation"}]
    )
    now = utcnow()
    first = db.claim_messages(1, "dies", now=now)
    assert len(first) == 1
    assert db.claim_messages(1, "rescuer", now=now + timedelta(seconds=20)) == []
    rescued = db.claim_messages(1, "rescuer", now=now + timedelta(seconds=31))  # the 30-s lease lapsed
    assert [(m.id, m.attempts) for m in rescued] == [(first[0].id, 2)]


def test_a_live_worker_renews_its_lease_and_learns_which_claims_it_lost(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    db.queue_messages(
        survey_id,
        [{"invitation_id": i, "channel": "sms", "kind": "invitation"} for i in invitation_ids[:2]],
    )
    now = utcnow()
    held = db.claim_messages(2, "alive", now=now)
    assert db.renew_claims("alive", now=now + timedelta(seconds=25)) == {m.id for m in held}
    assert db.claim_messages(2, "other", now=now + timedelta(seconds=50)) == []  # renewed at 25 s
    db.mark_message_sent(held[0].id)
    taken = db.claim_messages(2, "other", now=now + timedelta(seconds=56))  # stalled past the renewed lease
    assert [m.id for m in taken] == [held[1].id]
    assert db.renew_claims("alive", now=now + timedelta(seconds=60)) == set()
    assert db.renew_claims("other", now=now + timedelta(seconds=60)) == {held[1].id}


def test_bad_messages_are_rejected_before_anything_is_queued(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    good = {"invitation_id": invitation_ids[0], "channel": "sms", "kind": "invitation"}
    with pytest.raises(InvalidRowError, match="række 2, felt 'kind': forventede invitation eller reminder"):
        db.queue_messages(survey_id, [good, {**good, "kind": "takkebrev"}])
    with pytest.raises(NotFoundError, match=r"invitation\(er\) \[12345\] findes ikke"):
        db.queue_messages(survey_id, [{**good, "invitation_id": 12345}])
    assert db.messages_frame(survey_id).height == 0


def test_opt_out_stops_reminders_and_is_recorded_once(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    target = invitation_ids[0]
    db.queue_messages(
        survey_id,
        [
            {"invitation_id": target, "channel": "sms", "kind": "reminder"},
            {"invitation_id": invitation_ids[1], "channel": "sms", "kind": "reminder"},
        ],
    )
    assert db.record_opt_out(target, "link", reason="Ønsker ikke at deltage") is True
    assert db.record_opt_out(target, "hotline") is False
    assert db.invitation(target).state == "opted_out"
    assert db.messages_frame(survey_id).sort("message_id")["status"].to_list() == ["cancelled", "queued"]
    frame = db.members_frame(survey_id)
    assert frame.filter(frame["invitation_id"] == target)["opted_out"].to_list() == [True]
    assert frame["opted_out"].sum() == 1


def test_completing_the_questionnaire_cancels_pending_reminders(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    db.queue_messages(survey_id, [{"invitation_id": invitation_ids[0], "channel": "sms", "kind": "reminder"}])
    db.save_answers(invitation_ids[0], {"samlet_tilfredshed": 5}, state="complete")
    assert db.invitation(invitation_ids[0]).state == "completed"
    assert db.messages_frame(survey_id)["status"].to_list() == ["cancelled"]


def test_invitation_state_changes_are_checked(db: Database, invited) -> None:
    _, invitation_ids = invited
    assert db.set_invitation_state(invitation_ids[:2], "invited") == 2
    assert [db.invitation(i).state for i in invitation_ids] == ["invited", "invited", "created", "created"]
    with pytest.raises(StorageError, match="ukendt invitationstilstand 'sendt'"):
        db.set_invitation_state(invitation_ids, "sendt")


def test_contact_events_and_hotline_calls_are_logged(db: Database, invited) -> None:
    survey_id, invitation_ids = invited
    event_id = db.log_contact_event(
        invitation_ids[0], "phone", "call_attempt", outcome="no_answer", interviewer_id="int-07"
    )
    call_id = db.log_hotline_call(
        survey_id, "spørgsmål om anonymitet", note="Borger spurgte, hvem der ser svar"
    )
    anonymous = db.log_hotline_call(survey_id, "tekniske problemer", invitation_id=invitation_ids[1])
    assert (event_id, call_id, anonymous) == (1, 1, 2)
    when = datetime(2024, 3, 4, 9, 30, tzinfo=ZoneInfo("Europe/Copenhagen"))
    db.log_contact_event(invitation_ids[2], "sms", "delivery_receipt", outcome="delivered", at=when)
    with db.reading() as connection:
        events = connection.execute(
            select(
                ContactEvent.invitation_id,
                ContactEvent.channel,
                ContactEvent.kind,
                ContactEvent.outcome,
                ContactEvent.interviewer_id,
                ContactEvent.occurred_at,
            ).order_by(ContactEvent.id)
        ).all()
        calls = connection.execute(
            select(HotlineCall.topic, HotlineCall.note, HotlineCall.invitation_id).order_by(HotlineCall.id)
        ).all()
    assert [tuple(event[:5]) for event in events] == [
        (invitation_ids[0], "phone", "call_attempt", "no_answer", "int-07"),
        (invitation_ids[2], "sms", "delivery_receipt", "delivered", None),
    ]
    assert as_utc(events[1][5]) == datetime(2024, 3, 4, 8, 30, tzinfo=UTC)  # stored in UTC
    assert [tuple(call) for call in calls] == [
        ("spørgsmål om anonymitet", "Borger spurgte, hvem der ser svar", None),
        ("tekniske problemer", None, invitation_ids[1]),
    ]
    with pytest.raises(StorageError, match="skrivningen strider mod databasens regler"):
        db.log_contact_event(999, "phone", "call_attempt")
