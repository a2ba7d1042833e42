"""schemathesis against the staff API's own OpenAPI document (``/api/openapi.json``): every operation, with
requests that follow the document (positive) and that break it (negative), signed in as an administrator
with the session's CSRF token — no answer is a 5xx (issue 18).

The examples are few per operation and derandomised, so the test is the same on every run and stays well
under a minute; a failing example is printed with its method, URL and body.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.python import asgi
from starlette.testclient import TestClient

from borgerblik.storage import Database
from borgerblik.storage.jobs import queue_job
from borgerblik.storage.staff import add_staff_account
from borgerblik.web import create_app
from borgerblik.web.passwords import hash_password

SECRET = "en hemmelig nøgle kun testene kender, 32+ tegn"
PASSWORD = "korrekt hest batteri"
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
#: (mode, examples, whether ids are the real survey's and job's): random ids mostly reach the 404s.
PASSES = [(POSITIVE, 10, False), (NEGATIVE, 6, False), (POSITIVE, 8, True)]


def _signed_in_headers(app: Any, db: Database) -> dict[str, str]:
    """The cookie and CSRF header of an administrator signed in through the login form."""
    add_staff_account(db, "fuzz", hash_password(PASSWORD), "administrator")
    with TestClient(app, follow_redirects=False) as client:
        token = CSRF_FIELD.search(client.get("/login").text).group(1)
        signed = client.post("/login", data={"username": "fuzz", "password": PASSWORD, "csrf": token})
        assert signed.status_code == 303, signed.text
        csrf = client.get("/api/session").json()["csrf"]
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return {"Cookie": cookie, "X-CSRF-Token": csrf}


def test_the_staff_api_answers_no_5xx_to_what_its_document_allows_or_forbids(
    tmp_path: Any, kl_invited: Callable[..., Any]
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'borgerblik.sqlite'}")
    survey_id, _invitations = kl_invited(db, {"dagpenge": "6.1", "sygedagpenge": "6.6"})
    job_id = queue_job(db, "draw_sample", "fuzz", survey_id=survey_id, params={"seed": 1})
    real_ids = {"survey_id": survey_id, "job_id": job_id}
    app = create_app(db, secret_key=SECRET, secure_cookies=False)  # plain http in-process: no __Host- cookie
    headers = _signed_in_headers(app, db)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=headers)
    statuses: Counter[int] = Counter()
    server_errors: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9, [op.label for op in operations]

    with asgi.get_client(app) as client:  # one in-process client for every call, not one per call
        for operation in operations:
            names = {parameter.name for parameter in operation.path_parameters}
            for mode, examples, real in PASSES:
                fixed = {name: value for name, value in real_ids.items() if name in names}
                if real and not fixed:
                    continue

                @settings(
                    max_examples=examples,
                    deadline=None,
                    derandomize=True,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                @given(
                    case=operation.as_strategy(generation_mode=mode, path_parameters=fixed if real else None)
                )
                def call(case: Any) -> None:
                    # The document's security schemes make schemathesis invent a bearer token and a
                    # session cookie; those only reach the refusals (401, and 429 for guessed tokens),
                    # which the auth tests cover. The administrator's own cookie goes instead.
                    if case.headers:
                        case.headers.pop("Authorization", None)
                    if case.cookies:
                        case.cookies.clear()
                    response = case.call(session=client, headers=headers)
                    statuses[response.status_code] += 1
                    if response.status_code >= 500:
                        server_errors.append(
                            f"{case.method} {case.formatted_path} {case.query} {case.body!r}"
                            f" → {response.status_code}"
                        )

                call()
    print(f"schemathesis: {sum(statuses.values())} requests over {len(operations)} operations: {statuses}")
    assert server_errors == []
    assert not [status for status in statuses if status >= 500]
    assert statuses[200] > 0 and sum(statuses.values()) >= 10 * len(operations)
    db.close()


@pytest.mark.parametrize("path", ["/api/openapi.json"])
def test_the_document_is_valid_openapi_3_1(tmp_path: Any, path: str) -> None:
    db = Database(f"sqlite:///{tmp_path / 'borgerblik.sqlite'}")
    app = create_app(db, secret_key=SECRET, secure_cookies=False)
    schema = schemathesis.openapi.from_asgi(path, app, headers=_signed_in_headers(app, db))
    schema.validate()  # raises on a document that does not follow the OpenAPI 3.1 schema
    assert schema.specification.version == "3.1.0"
    db.close()
