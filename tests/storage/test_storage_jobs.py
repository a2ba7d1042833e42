"""The job queue keeps a finished job's result exactly, on both back ends — also though it is serialised
before the write transaction begins (so a national analysis' 17 MB never holds SQLite's write lock while it
is turned into JSON)."""

from __future__ import annotations

from borgerblik.storage.jobs import claim_job, finish_job, job, queue_job


def test_a_finished_jobs_result_reads_back_as_it_was_given(db):
    job_id = queue_job(db, "analysis", "mette", params={"bootstrap": 20})
    claimed, _upload = claim_job(db, "w1")
    assert claimed.id == job_id and claimed.state == "running"
    result = {
        "respondents": 31_626,
        "tables": {"breakdowns": [{"kommune": "Rødovre", "mean": 3.87, "n": None, "by": "alle"}]},
        "questions": [{"id": "tillid", "text": "Blev du mødt med tillid? «æøå» \u202e"}],
        "nested": [[1, 2.5, True, False, None]],
    }
    finish_job(db, job_id, result, "Analyse af 31626 besvarelser")
    done = job(db, job_id)
    assert (done.state, done.progress, done.result, done.message) == (
        "done", 100, result, "Analyse af 31626 besvarelser"
    )


def test_pages_that_show_a_jobs_state_leave_an_analysis_result_unread(db):
    analysis = queue_job(db, "analysis", "mette", survey_id=None)
    sample = queue_job(db, "draw_sample", "mette")
    for _ in range(2):
        claimed, _upload = claim_job(db, "w1")
        finish_job(db, claimed.id, {"rows": [1, 2, 3]}, "færdig")
    assert job(db, analysis, summary=True).result is None
    assert job(db, sample, summary=True).result == {"rows": [1, 2, 3]}
    assert job(db, analysis).result == {"rows": [1, 2, 3]}
