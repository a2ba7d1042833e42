"""An administrator runs a survey's first steps through the pages: create from a template, upload the register
extract (summary and rejected rows on the job's page), draw the sample — each long step a background job run
by the worker, never by the web request."""

from __future__ import annotations

import re

from web_staff_support import register_csv

from borgerblik.storage.jobs import job
from borgerblik.web.worker import run_next_job

JOB_LINK = re.compile(r"^/koersler/(\d+)$")


def test_create_upload_and_sample_through_the_pages(admin, survey):
    form = admin.get("/undersoegelser/ny")
    assert form.status_code == 200 and "kl-2024" in form.text
    refused = admin.post("/undersoegelser/ny", data={"csrf": admin.csrf, "name": "", "template": "kl-2024"})
    assert refused.status_code == 422 and "Giv undersøgelsen et navn" in refused.text
    created = admin.post(
        "/undersoegelser/ny", data={"csrf": admin.csrf, "name": "KL 2025 (test)", "template": "kl-2024"}
    )
    assert created.status_code == 303
    survey_url = created.headers["location"]
    survey_id = int(survey_url.rsplit("/", 1)[1])
    assert "KL 2025 (test)" in admin.get(survey_url).text

    extract = register_csv()
    queued = admin.post(
        f"{survey_url}/register",
        data={"csrf": admin.csrf},
        files={"udtraek": ("udtraek.csv", extract, "text/csv")},
    )
    assert queued.status_code == 303
    job_id = int(JOB_LINK.match(queued.headers["location"]).group(1))
    waiting = admin.get(queued.headers["location"])
    assert waiting.headers["refresh"] == "2" and "I kø" in waiting.text
    assert "Stop automatisk opdatering" in waiting.text
    assert survey.db.members_frame(survey_id).height == 0, "the request itself imports nothing"

    ran = run_next_job(survey.db, "test")
    assert ran is not None and ran.id == job_id
    done = job(survey.db, job_id)
    assert done.state == "done", done.message
    members = survey.db.members_frame(survey_id).height
    assert done.result["added"] == members > 0
    assert done.result["rejected_rows"] >= 2
    page = admin.get(queued.headers["location"])
    assert "refresh" not in page.headers and "Importsummering" in page.text and "Afviste rækker" in page.text
    assert "990000-0000" not in page.text, "CPR numbers in rejected rows are masked"

    sampled = admin.post(f"{survey_url}/stikproeve", data={"csrf": admin.csrf, "seed": "11"})
    sample_job = int(JOB_LINK.match(sampled.headers["location"]).group(1))
    run_next_job(survey.db, "test")
    report = job(survey.db, sample_job)
    assert report.state == "done", report.message
    assert report.result["size"] == sum(g["sample"] for g in report.result["groups"]) > 0
    overview = admin.get(survey_url).text
    assert f"{report.result['size']} borgere" in overview and "Færdig" in overview
    assert run_next_job(survey.db, "test") is None


def test_bad_uploads_and_unknown_ids_get_clear_pages(admin, survey):
    url = f"/undersoegelser/{survey.survey_id}"
    assert admin.post(f"{url}/register", data={"csrf": admin.csrf}).status_code == 400
    wrong = admin.post(
        f"{url}/register",
        data={"csrf": admin.csrf},
        files={"udtraek": ("x.exe", b"MZ", "application/octet-stream")},
    )
    assert wrong.status_code == 400
    assert admin.post(f"{url}/stikproeve", data={"csrf": admin.csrf, "seed": "abc"}).status_code == 400
    assert admin.get("/undersoegelser/999").status_code == 404
    assert admin.get("/undersoegelser/1234567890123456789012345").status_code == 404
    assert admin.get("/koersler/1234567890123456789012345").status_code == 404
    # a sample before any register import fails as a job, with the reason on its page
    queued = admin.post(f"{url}/stikproeve", data={"csrf": admin.csrf, "seed": "1"})
    run_next_job(survey.db, "test")
    page = admin.get(queued.headers["location"])
    assert "Fejlede" in page.text


def test_the_extract_is_not_kept_after_the_job(admin, survey):
    admin.post(
        f"/undersoegelser/{survey.survey_id}/register",
        data={"csrf": admin.csrf},
        files={"udtraek": ("udtraek.csv", register_csv(0), "text/csv")},
    )
    run_next_job(survey.db, "test")
    with survey.db.reading() as connection:
        uploads = connection.exec_driver_sql("SELECT upload FROM jobs").all()
    assert uploads == [(None,)]


def test_the_worker_loop_runs_queued_jobs_until_stopped(survey):
    import threading
    import time

    from borgerblik.storage.jobs import queue_job
    from borgerblik.web.worker import work

    job_id = queue_job(survey.db, "draw_sample", "mette", survey_id=survey.survey_id, params={"seed": 3})
    stop = threading.Event()
    thread = threading.Thread(target=work, args=(survey.db, stop), kwargs={"poll_seconds": 0.05})
    thread.start()
    deadline = time.monotonic() + 20
    while not job(survey.db, job_id).finished and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert job(survey.db, job_id).state in ("done", "failed")
