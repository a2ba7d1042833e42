"""Fieldwork from the survey's page: invitation and reminder waves queued as jobs that call the schedule's
own functions, the hotline's call log and lists, closing the fieldwork."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from borgerblik.fieldwork.hotline import phone_follow_up
from borgerblik.storage.audit import audit_entries
from borgerblik.storage.closing import close_fieldwork
from borgerblik.storage.jobs import job, queue_job
from borgerblik.web.worker import run_next_job

JOB_LINK = re.compile(r"^/koersler/(\d+)$")


@pytest.fixture
def drawn(survey, tmp_path, monkeypatch):
    """A second survey with 30 sampled citizens and no invitations yet: every 5th exempt from Digital Post,
    every 2nd with a mobile number, every 3rd with an e-mail address."""
    monkeypatch.setenv("BORGERBLIK_SPOOL", str(tmp_path / "udbakke"))
    db = survey.db
    yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    survey_id = db.create_survey("KL felt", "kl-2024", yaml_text)
    rows = [
        {
            "cpr": f"{(n % 28) + 1:02d}0385-{n:04d}",
            "kommune": ("Høje-Taastrup", "Rødovre")[n % 2],
            "maalgruppe": "6.1",
            "gender": "mand" if n % 2 else "kvinde",
            "birth_date": "1985-03-01",
            "age": 38,
            "age_group": "30-49",
            "ydelse_start": "2023-06-15",
            "ydelse_slut": "",
            "samtaler": "jobsamtale",
            "digital_post_fritaget": "ja" if n % 5 == 0 else "nej",
            "telefon": f"2{n:07d}" if n % 2 == 0 else "",
            "email": f"borger{n}@example.dk" if n % 3 == 0 else "",
        }
        for n in range(1, 31)
    ]
    members = db.add_members(survey_id, rows)
    db.save_sample(survey_id, dict.fromkeys(members, "stratum"), draw_seed=1)
    return survey_id


def run(db, response) -> object:
    assert response.status_code == 303, response.text
    job_id = int(JOB_LINK.match(response.headers["location"]).group(1))
    assert run_next_job(db, "test").id == job_id
    return job(db, job_id)


def test_an_invitation_wave_from_the_page_is_the_schedules_own(survey, admin, drawn):
    page = admin.get(f"/undersoegelser/{drawn}")
    assert "Læg invitationerne i udbakken" in page.text and "Luk feltarbejdet" in page.text
    queued = admin.post(
        f"/undersoegelser/{drawn}/inviter",
        data={"csrf": admin.csrf, "kanal": ["digital_post"], "tidspunkt": "2024-03-11T10:00"},
    )
    done = run(survey.db, queued)
    assert done.state == "done", done.message
    assert done.params == {"channels": ["digital_post"], "at": "2024-03-11T10:00:00+01:00"}
    # Exempt from Digital Post: 5, 10, …, 30; 10, 20, 30 fall back to SMS, 15 to e-mail, 5 and 25 have none.
    assert done.result == {
        "wave": "i0",
        "links_created": 30,
        "citizens": 28,
        "queued": {"digital_post": 24, "email": 1, "sms": 3},
        "continue_where_left": 0,
        "sms_segments": done.result["sms_segments"],
        "no_channel": 2,
    }
    assert done.message == "Bølge i0: 28 borgere, 28 beskeder i kø"
    states = sorted({i.state for i in survey.db.invitations(drawn)})
    assert states == ["invited", "undeliverable"]
    shown = admin.get(f"/koersler/{done.id}").text
    assert "Invitationer" in shown and "28 beskeder i kø" in shown
    again = run(
        survey.db, admin.post(f"/undersoegelser/{drawn}/inviter", data={"csrf": admin.csrf, "kanal": "sms"})
    )
    assert again.result["citizens"] == 0 and again.result["links_created"] == 0, (
        "a re-run adds only newcomers"
    )

    reminded = run(
        survey.db,
        admin.post(
            f"/undersoegelser/{drawn}/paamind",
            data={"csrf": admin.csrf, "nummer": "1", "kanal": ["digital_post", "sms"]},
        ),
    )
    assert reminded.state == "done", reminded.message
    assert reminded.result["wave"] == "r1" and reminded.result["citizens"] == 28
    assert reminded.result["queued"] == {"digital_post": 24, "email": 1, "sms": 15}
    assert [e.action for e in audit_entries(survey.db)][:3] == ["remind", "invite", "invite"]


@pytest.mark.parametrize(
    ("path", "fields", "message"),
    [
        ("inviter", {}, "Vælg mindst én kanal"),
        ("inviter", {"kanal": "brevdue"}, "Vælg mindst én kanal"),
        ("inviter", {"kanal": "sms", "tidspunkt": "i morgen"}, "ÅÅÅÅ-MM-DDTTT:MM"),
        ("paamind", {"kanal": "sms", "nummer": "0"}, "1–9"),
        ("paamind", {"kanal": "sms", "nummer": "x"}, "1–9"),
    ],
)
def test_a_wave_form_that_cannot_be_used_is_400_and_queues_nothing(
    survey, admin, drawn, path, fields, message
):
    refused = admin.post(f"/undersoegelser/{drawn}/{path}", data={"csrf": admin.csrf, **fields})
    assert refused.status_code == 400 and message in refused.text
    assert run_next_job(survey.db, "test") is None
    assert (
        admin.post(f"/undersoegelser/999/{path}", data={"csrf": admin.csrf, "kanal": "sms"}).status_code
        == 404
    )


def test_closing_cancels_what_waits_and_stops_further_waves(survey, admin, drawn):
    run(survey.db, admin.post(f"/undersoegelser/{drawn}/inviter", data={"csrf": admin.csrf, "kanal": "sms"}))
    waiting = queue_job(
        survey.db, "remind", "mette", survey_id=drawn, params={"number": 1, "channels": ["sms"]}
    )
    assert admin.post(f"/undersoegelser/{drawn}/luk", data={"csrf": admin.csrf}).status_code == 400
    closed = admin.post(f"/undersoegelser/{drawn}/luk", data={"csrf": admin.csrf, "bekraeft": "ja"})
    assert closed.status_code == 303 and closed.headers["location"] == f"/undersoegelser/{drawn}"
    settings = survey.db.survey(drawn).settings
    assert settings["fieldwork_closed_by"] == admin.username and settings["fieldwork_closed_at"]
    entry = audit_entries(survey.db)[0]
    assert (entry.action, entry.detail) == (
        "close_fieldwork",
        f"undersøgelse {drawn}: feltarbejdet lukket, 28 beskeder annulleret",
    )
    page = admin.get(f"/undersoegelser/{drawn}").text
    assert "der sendes ikke flere breve" in page and "Læg invitationerne i udbakken" not in page
    refused = admin.post(f"/undersoegelser/{drawn}/inviter", data={"csrf": admin.csrf, "kanal": "sms"})
    assert refused.status_code == 409 and "Feltarbejdet er lukket" in refused.text
    assert (
        admin.post(f"/undersoegelser/{drawn}/luk", data={"csrf": admin.csrf, "bekraeft": "ja"}).status_code
        == 409
    )
    assert run_next_job(survey.db, "test").id == waiting
    late = job(survey.db, waiting)
    assert late.state == "failed" and late.message == "feltarbejdet er lukket; der sendes ikke flere breve"


def test_close_fieldwork_cancels_only_the_queued_messages_of_that_survey(survey, drawn, tmp_path):
    from sqlalchemy import text

    from borgerblik.fieldwork.schedule import FieldworkPlan, queue_invitations

    plan = FieldworkPlan(invitation_channels=("sms",))
    survey.db.create_invitations(drawn)
    queue_invitations(survey.db, drawn, tmp_path / "a", plan=plan)
    queue_invitations(survey.db, survey.survey_id, tmp_path / "b", plan=plan)

    def statuses() -> dict[tuple[int, str], int]:
        query = text("SELECT survey_id, status, count(*) FROM outbox GROUP BY survey_id, status")
        with survey.db.engine.connect() as connection:
            return {(row[0], row[1]): row[2] for row in connection.execute(query)}

    before = statuses()
    result = close_fieldwork(survey.db, drawn, "mette")
    assert result.cancelled == before[(drawn, "queued")] == 28
    assert statuses() == {
        (drawn, "cancelled"): 28,
        (survey.survey_id, "queued"): before[(survey.survey_id, "queued")],
    }


def test_the_hotline_logs_calls_and_shows_the_call_lists(survey, staff_client, drawn):
    admin = staff_client("administrator")
    run(survey.db, admin.post(f"/undersoegelser/{drawn}/inviter", data={"csrf": admin.csrf, "kanal": "sms"}))
    hotline = staff_client("interviewer")
    home = hotline.get("/").text
    assert f'href="/undersoegelser/{drawn}/hotline"' in home
    page = hotline.get(f"/undersoegelser/{drawn}/hotline")
    assert page.status_code == 200
    follow_up = phone_follow_up(survey.db, drawn)
    assert len(follow_up) == 15
    assert "Telefonopfølgning (15 borgere)" in page.text and "Uden kanal (2 borgere)" in page.text
    assert follow_up[0].case_code in page.text and follow_up[0].phone in page.text
    code = follow_up[0].case_code
    logged = hotline.post(
        f"/undersoegelser/{drawn}/hotline",
        data={"csrf": hotline.csrf, "emne": "opt_out", "kode": code.lower(), "note": "vil ikke"},
    )
    assert logged.status_code == 200 and "Opkaldet er registreret: Ønsker ikke at deltage." in logged.text
    assert "Telefonopfølgning (14 borgere)" in logged.text
    invitation = survey.db.invitation_by_case_code(drawn, code)
    assert invitation.id in survey.db.opted_out(drawn)
    unknown = hotline.post(
        f"/undersoegelser/{drawn}/hotline",
        data={"csrf": hotline.csrf, "emne": "opt_out", "kode": "XXXX-XXXX"},
    )
    assert unknown.status_code == 422 and "ingen borger med koden" in unknown.text
    no_code = hotline.post(
        f"/undersoegelser/{drawn}/hotline", data={"csrf": hotline.csrf, "emne": "interview"}
    )
    assert no_code.status_code == 422 and "kræver borgerens kode" in no_code.text
    bad_topic = hotline.post(f"/undersoegelser/{drawn}/hotline", data={"csrf": hotline.csrf, "emne": "x"})
    assert bad_topic.status_code == 422 and "ukendt emne" in bad_topic.text

    csv_file = hotline.get(f"/undersoegelser/{drawn}/hotline/opfoelgning.csv")
    assert csv_file.status_code == 200 and csv_file.headers["content-type"] == "text/csv; charset=utf-8"
    lines = csv_file.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "kode;kommune;maalgruppe;telefon;status" and len(lines) == 1 + 14
    assert hotline.get(f"/undersoegelser/{drawn}/hotline/andet.csv").status_code == 404
    entry = audit_entries(survey.db)[0]
    assert (entry.actor, entry.action, entry.detail) == (
        hotline.username,
        "export_call_list",
        f"undersøgelse {drawn}: ringeliste opfoelgning, 14 borgere",
    )
