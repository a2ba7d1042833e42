"""The JSON API under /api/: the same role checks as the pages, CSRF by header, long work queued as jobs, and
an OpenAPI document that lists every API route with its roles."""

from __future__ import annotations

import re

from web_staff_support import staff_test_client

from borgerblik.storage.jobs import job
from borgerblik.web.auth import StaffRoute
from borgerblik.web.worker import run_next_job


def api_routes(app):
    return [route for route in app.routes if isinstance(route, StaffRoute) and route.path.startswith("/api/")]


def csrf_of(client) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/session").json()["csrf"]}


def test_anonymous_gets_401_json_not_a_redirect(survey, admin):
    anonymous = staff_test_client(survey.db)
    response = anonymous.get("/api/surveys")
    assert response.status_code == 401 and response.json()["error"] == "Log ind"
    assert anonymous.post("/api/surveys", json={"name": "x"}).status_code == 401


def test_roles_decide_what_the_api_answers(survey, admin, staff_client):
    municipal = staff_client("municipal_analyst", "Høje-Taastrup")
    interviewer = staff_client("interviewer")
    assert [s["id"] for s in municipal.get("/api/surveys").json()] == [survey.survey_id]
    assert interviewer.get("/api/surveys").status_code == 403
    assert municipal.get("/api/audit").status_code == 403
    assert municipal.post("/api/surveys", json={"name": "x"}, headers=csrf_of(municipal)).status_code == 403
    me = municipal.get("/api/session").json()
    assert (me["role"], me["municipality"]) == ("municipal_analyst", "Høje-Taastrup")
    detail = admin.get(f"/api/surveys/{survey.survey_id}").json()
    assert detail["progress"] == {"population": 3, "sampled": 3, "invitations": 3, "complete": 0}
    assert admin.get("/api/surveys/999").status_code == 404
    assert admin.get("/api/surveys/1234567890123456789012345").status_code == 404


def test_changes_need_the_csrf_header_and_long_work_is_queued(survey, admin):
    body = {"name": "KL 2025 (API)", "template": "kl-2024", "close_date": "2025-04-30"}
    refused = admin.post("/api/surveys", json=body)
    assert refused.status_code == 403
    headers = csrf_of(admin)
    created = admin.post("/api/surveys", json=body, headers=headers)
    assert created.status_code == 201
    survey_id = created.json()["id"]
    assert admin.get(created.json()["url"]).json()["close_date"] == "2025-04-30"
    assert admin.post("/api/surveys", json={"name": ""}, headers=headers).status_code == 422
    assert (
        admin.post(
            "/api/surveys", content=b"{", headers={**headers, "content-type": "application/json"}
        ).status_code
        == 400
    )
    assert admin.post("/api/surveys", data={"name": "x"}, headers=headers).status_code == 415

    queued = admin.post(f"/api/surveys/{survey.survey_id}/sample", json={"seed": 5}, headers=headers)
    assert queued.status_code == 202 and queued.headers["location"] == queued.json()["url"]
    assert admin.get(queued.json()["url"]).json()["state"] == "queued"
    assert (
        admin.post(f"/api/surveys/{survey_id}/sample", json={"seed": "x"}, headers=headers).status_code == 422
    )
    assert admin.post(f"/api/surveys/{survey_id}/purge", json={}, headers=headers).status_code == 422
    purge = admin.post(f"/api/surveys/{survey.survey_id}/purge", json={"confirm": True}, headers=headers)
    assert purge.status_code == 202
    run_next_job(survey.db, "test")
    run_next_job(survey.db, "test")
    assert job(survey.db, purge.json()["job"]).state == "done"
    actions = [entry["action"] for entry in admin.get("/api/audit").json()]
    assert "purge" in actions and "survey_create" in actions


def test_the_openapi_document_lists_every_api_route_with_its_roles(survey, admin):
    document = admin.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    listed = {(path, method) for path, operations in document["paths"].items() for method in operations}
    routes = api_routes(admin.app)
    expected = {
        (re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), method.lower())
        for route in routes
        for method in route.methods - {"HEAD"}
    }
    assert listed == expected
    purge = document["paths"]["/api/surveys/{survey_id}/purge"]["post"]
    assert purge["x-roles"] == ["administrator"]
    assert any(p["name"] == "X-CSRF-Token" for p in purge["parameters"])
