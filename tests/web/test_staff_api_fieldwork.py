"""The fieldwork and report operations of the pages, as JSON for scripts with an API token."""

from __future__ import annotations

from web_staff_support import STAFF_PASSWORD, staff_test_client

from borgerblik.storage.jobs import job
from borgerblik.storage.staff import add_staff_account, add_staff_token
from borgerblik.web.auth import new_api_token
from borgerblik.web.passwords import hash_password
from borgerblik.web.worker import run_next_job


def token_for(db, username: str, role: str) -> dict[str, str]:
    add_staff_account(db, username, hash_password(STAFF_PASSWORD), role)
    token, digest, prefix = new_api_token()
    add_staff_token(db, username, "script", digest, prefix)
    return {"Authorization": f"Bearer {token}"}


def test_a_script_invites_reminds_and_closes(survey, tmp_path, monkeypatch):
    monkeypatch.setenv("BORGERBLIK_SPOOL", str(tmp_path / "udbakke"))
    client, admin = staff_test_client(survey.db), token_for(survey.db, "script", "administrator")
    url = f"/api/surveys/{survey.survey_id}"
    refused = client.post(f"{url}/invite", json={"channels": ["brevdue"]}, headers=admin)
    assert refused.status_code == 422 and refused.json()["detail"].startswith("Vælg mindst én kanal")
    queued = client.post(f"{url}/invite", json={"channels": ["sms"], "at": "2024-03-11T10:00"}, headers=admin)
    assert queued.status_code == 202
    job_id = queued.json()["job"]
    assert job(survey.db, job_id).params == {"channels": ["sms"], "at": "2024-03-11T10:00:00+01:00"}
    run_next_job(survey.db, "test")
    done = client.get(f"/api/jobs/{job_id}", headers=admin).json()
    assert done["state"] == "done" and done["result"]["citizens"] == 3
    reminder = client.post(f"{url}/remind", json={"number": 1, "channels": ["digital_post"]}, headers=admin)
    assert reminder.status_code == 202
    assert (
        client.post(f"{url}/remind", json={"number": 0, "channels": ["sms"]}, headers=admin).status_code
        == 422
    )
    assert client.post(f"{url}/close", json={}, headers=admin).status_code == 422
    closed = client.post(f"{url}/close", json={"confirm": True}, headers=admin)
    assert closed.status_code == 200 and closed.json()["cancelled"] == 3  # the invitations' SMS still queued
    assert client.post(f"{url}/close", json={"confirm": True}, headers=admin).status_code == 409
    late = client.post(f"{url}/invite", json={"channels": ["sms"]}, headers=admin)
    assert late.status_code == 409 and late.json()["error"] == "Feltarbejdet er lukket"


def test_an_analyst_script_orders_reports_and_follows_only_that_job(survey):
    client, analyst = staff_test_client(survey.db), token_for(survey.db, "ole", "analyst")
    url = f"/api/surveys/{survey.survey_id}"
    assert client.post(f"{url}/reports", json={"formats": ["doc"]}, headers=analyst).status_code == 422
    ordered = client.post(f"{url}/reports", json={"formats": ["html"]}, headers=analyst)
    assert ordered.status_code == 202
    assert client.get(ordered.json()["url"], headers=analyst).json()["state"] == "queued"
    assert client.post(f"{url}/invite", json={"channels": ["sms"]}, headers=analyst).status_code == 403
    sample = client.post(
        f"{url}/sample", json={"seed": 1}, headers=token_for(survey.db, "chef", "administrator")
    )
    assert client.get(sample.json()["url"], headers=analyst).status_code == 403
