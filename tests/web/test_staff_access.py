"""Every role boundary of the staff app, re-checked from a table written by hand (issue 18, item 4).

The table says, for every staff route, which roles may use it and what such a request answers; every other
role gets 403 and an anonymous visitor the sign-in (a 303 to ``/login`` for a page, 401 for a form post or
the API). The app's routes and the table must match both ways, so a new route cannot go in without a row
and a role cannot be widened on a route without the table changing. The same matrix runs with API tokens
on ``/api/``, and concurrently against a live server while a citizen keeps loading pages. Beside it: CSRF
on every POST, session fixation at sign-in, and a server that keeps its staff pages shut while it has no
accounts.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest
from starlette.routing import Mount, Route
from web_staff_support import CSRF_FIELD, SECRET, STAFF_PASSWORD, sign_in, staff_test_client

from borgerblik.storage.jobs import queue_job
from borgerblik.storage.staff import add_staff_account, add_staff_token
from borgerblik.web.auth import ALL_ROLES, StaffRoute, new_api_token
from borgerblik.web.passwords import hash_password

ADMIN = frozenset({"administrator"})
EVERYONE = frozenset(ALL_ROLES)
READERS = frozenset({"administrator", "analyst", "municipal_analyst"})
RUNNERS = frozenset({"administrator", "analyst"})
INTERVIEWERS = frozenset({"administrator", "interviewer"})
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/login/oidc"), ("GET", "/login/oidc/svar")}
CITIZEN_PREFIXES = ("/s/",)
OTHER_HELPERS = ("borgerblik.web.staff_pages.coding",)
"""Modules whose routes another piece of work adds; they are held to their declared roles (below) until
they get rows here."""

# (method, path) → (the roles that may, what a request with the body in BODIES answers them)
ROUTES: dict[tuple[str, str], tuple[frozenset[str], int]] = {
    ("GET", "/"): (EVERYONE, 200),
    ("GET", "/admin/audit"): (ADMIN, 200),
    ("GET", "/undersoegelser/ny"): (ADMIN, 200),
    ("POST", "/undersoegelser/ny"): (ADMIN, 422),
    ("GET", "/undersoegelser/{survey_id:int}"): (ADMIN, 200),
    ("POST", "/undersoegelser/{survey_id:int}/register"): (ADMIN, 400),
    ("POST", "/undersoegelser/{survey_id:int}/stikproeve"): (ADMIN, 400),
    ("POST", "/undersoegelser/{survey_id:int}/slet-persondata"): (ADMIN, 400),
    ("POST", "/undersoegelser/{survey_id:int}/inviter"): (ADMIN, 400),
    ("POST", "/undersoegelser/{survey_id:int}/paamind"): (ADMIN, 400),
    ("POST", "/undersoegelser/{survey_id:int}/luk"): (ADMIN, 400),
    ("GET", "/undersoegelser/{survey_id:int}/hotline"): (INTERVIEWERS, 200),
    ("POST", "/undersoegelser/{survey_id:int}/hotline"): (INTERVIEWERS, 422),
    ("GET", "/undersoegelser/{survey_id:int}/hotline/{which}.csv"): (INTERVIEWERS, 200),
    ("GET", "/undersoegelser/{survey_id:int}/lokale-spoergsmaal"): (ADMIN, 200),
    ("POST", "/undersoegelser/{survey_id:int}/lokale-spoergsmaal"): (ADMIN, 422),
    ("GET", "/undersoegelser/{survey_id:int}/forhaandsvisning"): (ADMIN, 400),
    ("GET", "/undersoegelser/{survey_id:int}/forhaandsvisning/{kommune}/{maalgruppe}/side/{page}"): (
        ADMIN,
        404,
    ),
    ("POST", "/undersoegelser/{survey_id:int}/forhaandsvisning/{kommune}/{maalgruppe}/side/{page}"): (
        ADMIN,
        404,
    ),
    ("GET", "/koersler/{job_id:int}"): (RUNNERS, 200),
    ("GET", "/resultater/{survey_id:int}"): (READERS, 200),
    ("POST", "/resultater/{survey_id:int}/analyse"): (RUNNERS, 303),
    ("GET", "/resultater/{survey_id:int}/prioritetskort"): (READERS, 303),
    ("GET", "/resultater/{survey_id:int}/rapporter"): (READERS, 200),
    ("POST", "/resultater/{survey_id:int}/rapporter"): (RUNNERS, 400),
    ("GET", "/resultater/{survey_id:int}/rapporter/{job_id:int}/{path:path}"): (READERS, 404),
    ("GET", "/resultater/{survey_id:int}/tendenser"): (READERS, 303),
    ("GET", "/resultater/{survey_id:int}/aabne-svar"): (READERS, 303),
    ("GET", "/resultater/{survey_id:int}/eksport"): (RUNNERS, 200),
    ("POST", "/resultater/{survey_id:int}/eksport"): (RUNNERS, 400),
    ("GET", "/resultater/{survey_id:int}/eksport/{job_id:int}/{path:path}"): (RUNNERS, 404),
    ("GET", "/resultater/{survey_id:int}/{question}"): (READERS, 303),
    ("GET", "/api/openapi.json"): (EVERYONE, 200),
    ("GET", "/api/session"): (EVERYONE, 200),
    ("GET", "/api/surveys"): (READERS, 200),
    ("POST", "/api/surveys"): (ADMIN, 422),
    ("GET", "/api/surveys/{survey_id:int}"): (READERS, 200),
    ("POST", "/api/surveys/{survey_id:int}/sample"): (ADMIN, 422),
    ("POST", "/api/surveys/{survey_id:int}/purge"): (ADMIN, 422),
    ("GET", "/api/surveys/{survey_id:int}/results/{question}"): (READERS, 409),
    ("GET", "/api/surveys/{survey_id:int}/trends"): (READERS, 409),
    ("GET", "/api/surveys/{survey_id:int}/open-answers"): (READERS, 409),
    ("GET", "/api/surveys/{survey_id:int}/exports"): (RUNNERS, 200),
    ("POST", "/api/surveys/{survey_id:int}/exports"): (RUNNERS, 422),
    ("GET", "/api/surveys/{survey_id:int}/exports/{job_id:int}/{path:path}"): (RUNNERS, 404),
    ("POST", "/api/surveys/{survey_id:int}/invite"): (ADMIN, 422),
    ("POST", "/api/surveys/{survey_id:int}/remind"): (ADMIN, 422),
    ("POST", "/api/surveys/{survey_id:int}/close"): (ADMIN, 422),
    ("POST", "/api/surveys/{survey_id:int}/reports"): (RUNNERS, 202),
    ("GET", "/api/jobs/{job_id:int}"): (RUNNERS, 200),
    ("GET", "/api/audit"): (ADMIN, 200),
    ("GET", "/interviewer/"): (INTERVIEWERS, 200),
    ("POST", "/interviewer/find"): (INTERVIEWERS, 422),
    ("POST", "/interviewer/anonym"): (INTERVIEWERS, 422),
    ("GET", "/interviewer/s/{token}/side/{page}"): (INTERVIEWERS, 404),
    ("POST", "/interviewer/s/{token}/side/{page}"): (INTERVIEWERS, 404),
    ("GET", "/interviewer/s/{token}/tak"): (INTERVIEWERS, 200),
    ("GET", "/analytiker/feltarbejde/{survey_id:int}"): (RUNNERS, 200),
    ("POST", "/logout"): (EVERYONE, 303),
}
BODIES: dict[str, dict[str, str]] = {
    "/undersoegelser/{survey_id:int}/stikproeve": {"seed": "ikke et tal"},
    "/api/surveys/{survey_id:int}/sample": {"seed": "ikke et tal"},
    "/api/surveys/{survey_id:int}/exports": {"formats": ["ingen"]},
}
"""What a POST sends besides its CSRF token: nothing, unless a route would otherwise change something."""


def every_route(routes: list[Any], prefix: str = "") -> list[tuple[str, str, Any]]:
    found = []
    for route in routes:
        if isinstance(route, Mount):
            if route.path != "/static":
                found += every_route(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            found += [(method, prefix + route.path, route) for method in sorted(route.methods - {"HEAD"})]
    return found


def staff_routes(app: Any) -> dict[tuple[str, str], StaffRoute]:
    return {
        (method, path): route
        for method, path, route in every_route(app.routes)
        if isinstance(route, StaffRoute)
    }


@pytest.fixture
def oidc_configured(monkeypatch):
    """An identity provider configured, so its public routes are in the app too (nothing is fetched)."""
    monkeypatch.setenv("BORGERBLIK_OIDC_ISSUER", "https://idp.example.dk")
    monkeypatch.setenv("BORGERBLIK_OIDC_CLIENT_ID", "borgerblik")
    monkeypatch.setenv("BORGERBLIK_OIDC_CLIENT_SECRET", "hemmelig")


class Matrix:
    """The URLs and bodies of the table for one survey (with one job, so the job pages exist)."""

    def __init__(self, survey: Any) -> None:
        self.survey_id = survey.survey_id
        self.job_id = queue_job(survey.db, "analysis", "test", survey_id=survey.survey_id)

    def url(self, path: str) -> str:
        values = {
            "survey_id": self.survey_id,
            "job_id": self.job_id,
            "token": "x",
            "page": "x",
            "question": "q1",
            "which": "opfoelgning",
            "kommune": "Rødovre",
            "maalgruppe": "6.1",
            "path": "landsrapport.html",
        }
        return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(values[m.group(1)]), path)

    def order(self) -> list[tuple[str, str]]:
        """Logout last: it ends the session the rest of the rows use."""
        return sorted(ROUTES, key=lambda key: key == ("POST", "/logout"))

    @staticmethod
    def expected(key: tuple[str, str], role: str | None) -> int:
        roles, status = ROUTES[key]
        if role is None:
            method, path = key
            return 303 if method == "GET" and not path.startswith("/api/") else 401
        return status if role in roles else 403

    def send(self, client: Any, key: tuple[str, str], csrf: str | None, *, bearer: str | None = None) -> Any:
        method, path = key
        url, body = self.url(path), BODIES.get(path, {})
        if method == "GET":
            headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
            return client.request("GET", url, headers=headers)
        if path.startswith("/api/"):
            headers = {"Authorization": f"Bearer {bearer}"} if bearer else {"X-CSRF-Token": csrf or ""}
            return client.request("POST", url, json=body, headers=headers)
        return client.request("POST", url, data={**body, "csrf": csrf or ""})


def test_the_table_and_the_apps_routes_match_both_ways(survey, oidc_configured):
    app = staff_test_client(survey.db).app
    found = staff_routes(app)
    public = {
        (method, path)
        for method, path, route in every_route(app.routes)
        if not isinstance(route, StaffRoute) and not path.startswith(CITIZEN_PREFIXES)
    }
    assert public == PUBLIC
    assert set(ROUTES) - set(found) == set(), "rows for routes the app no longer has"
    unlisted = {
        key
        for key, route in found.items()
        if key not in ROUTES and route.handler.__module__ not in OTHER_HELPERS
    }
    assert unlisted == set(), "routes with no row in ROUTES"
    for key, (roles, _status) in ROUTES.items():
        assert found[key].roles == roles, key
    for key, route in found.items():  # another helper's routes: at least never open to everyone by mistake
        if key not in ROUTES:
            assert route.roles and route.roles <= EVERYONE, key


def test_every_route_answers_every_role_as_the_table_says(survey, staff_client):
    matrix = Matrix(survey)
    clients: dict[str | None, Any] = {None: staff_test_client(survey.db)}
    for role in ALL_ROLES:
        clients[role] = staff_client(role, "Høje-Taastrup" if role == "municipal_analyst" else None)
    wrong = []
    for key in matrix.order():
        for role, client in clients.items():
            answer = matrix.send(client, key, getattr(client, "csrf", None))
            if answer.status_code != matrix.expected(key, role):
                wrong.append((key, role, answer.status_code, matrix.expected(key, role)))
            if role is None and answer.status_code == 303:
                assert answer.headers["location"].startswith("/login?next=/"), key
    assert wrong == []


def test_every_api_route_answers_every_tokens_role_as_the_table_says(survey):
    matrix = Matrix(survey)
    client = staff_test_client(survey.db)
    add_staff_account(survey.db, "chef", hash_password(STAFF_PASSWORD), "administrator")
    tokens = {}
    for role in ALL_ROLES:
        token, digest, prefix = new_api_token()
        kommune = "Høje-Taastrup" if role == "municipal_analyst" else None
        add_staff_token(survey.db, "chef", role, digest, prefix, role=role, municipality=kommune)
        tokens[role] = token
    wrong = []
    for key in matrix.order():
        if not key[1].startswith("/api/"):
            continue
        for role, token in tokens.items():
            answer = matrix.send(client, key, None, bearer=token)
            if answer.status_code != matrix.expected(key, role):
                wrong.append((key, role, answer.status_code))
    assert wrong == []


def test_every_staff_post_refuses_a_missing_wrong_or_anothers_csrf_token(survey, staff_client):
    matrix = Matrix(survey)
    admin, other = staff_client("administrator"), staff_client("administrator")
    interviewer = staff_client("interviewer")
    posts = [key for key in matrix.order() if key[0] == "POST"]
    assert len(posts) >= 12
    for key in posts:
        roles, _ = ROUTES[key]
        client = admin if "administrator" in roles else interviewer
        for csrf in (None, "", "gaettet", other.csrf):
            answer = matrix.send(client, key, csrf)
            assert answer.status_code == 403, (key, csrf, answer.status_code)
            assert "sikkerhedsfelt" in answer.text, key
    assert admin.get("/").status_code == 200, "the refused logout ended nothing"


def test_a_session_planted_before_sign_in_is_never_the_one_after(survey):
    """Session fixation: an attacker's own valid session in the victim's browser is replaced at sign-in,
    and the victim's session (cookie and CSRF token) is new on every sign-in."""
    add_staff_account(survey.db, "angriber", hash_password(STAFF_PASSWORD), "interviewer")
    add_staff_account(survey.db, "mette", hash_password(STAFF_PASSWORD), "administrator")
    attacker = staff_test_client(survey.db)
    assert sign_in(attacker, "angriber").status_code == 303
    planted = attacker.cookies.get("__Host-borgerblik")
    victim = staff_test_client(survey.db)
    victim.cookies.set("__Host-borgerblik", planted, domain="testserver.local")
    assert victim.get("/interviewer/").status_code == 200  # the planted session works before sign-in
    signed = sign_in(victim, "mette")
    assert signed.status_code == 303
    after = victim.cookies.get("__Host-borgerblik")
    assert after != planted
    home = victim.get("/")
    assert "mette (Administrator)" in home.text
    first_csrf = CSRF_FIELD.search(home.text).group(1)
    assert attacker.get("/admin/audit").status_code == 403, "the planted cookie is still only the attacker's"
    again = staff_test_client(survey.db)
    sign_in(again, "mette")
    second = CSRF_FIELD.search(again.get("/").text).group(1)
    assert second != first_csrf and again.cookies.get("__Host-borgerblik") != after


def test_the_matrix_holds_under_concurrent_load_beside_a_citizen(survey, server, staff_client):
    """All rows for all roles at once (16 threads, three rounds) against uvicorn on loopback while a
    citizen loads their questionnaire without pause: every answer is still exactly the table's."""
    matrix = Matrix(survey)
    clients: dict[str | None, httpx2.Client] = {None: httpx2.Client(base_url=server.url)}
    csrf: dict[str | None, str | None] = {None: None}
    for role in ALL_ROLES:
        name = f"last-{role}"
        add_staff_account(
            survey.db,
            name,
            hash_password(STAFF_PASSWORD),
            role,
            "Høje-Taastrup" if role == "municipal_analyst" else None,
        )
        client = httpx2.Client(base_url=server.url)
        assert sign_in(client, name).status_code == 303
        csrf[role] = CSRF_FIELD.search(
            client.get("/interviewer/" if role == "interviewer" else "/").text
        ).group(1)
        clients[role] = client
    rows = [key for key in matrix.order() if key != ("POST", "/logout")]
    jobs = [(key, role) for _ in range(3) for key in rows for role in clients]
    stop, saves = threading.Event(), []

    def citizen() -> None:
        with httpx2.Client(base_url=server.url) as browser:
            token = survey.tokens["dagpenge"]
            while not stop.is_set():
                saves.append(browser.get(f"/s/{token}").status_code)

    def one(job: tuple[tuple[str, str], str | None]) -> tuple[Any, ...] | None:
        key, role = job
        answer = matrix.send(clients[role], key, csrf[role])
        expected = matrix.expected(key, role)
        return None if answer.status_code == expected else (key, role, answer.status_code, expected)

    saver = threading.Thread(target=citizen)
    saver.start()
    try:
        with ThreadPoolExecutor(16) as pool:
            wrong = [result for result in pool.map(one, jobs) if result is not None]
    finally:
        stop.set()
        saver.join()
        for client in clients.values():
            client.close()
    assert wrong == []
    assert len(jobs) == 3 * len(rows) * 5 and saves and set(saves) == {200}


@pytest.mark.slow
def test_serve_keeps_the_staff_pages_shut_without_accounts(tmp_path):
    """The real ``borgerblik serve`` on an empty database: it says so on start, every staff page answers
    503 (never opens), and the citizens' side is served."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'tom.sqlite'}"
    env = {**os.environ, "BORGERBLIK_SECRET_KEY": SECRET}
    process = subprocess.Popen(
        [sys.executable, "-c", "from borgerblik.cli import main; main()", "serve", "--port", str(port)]
        + ["--database", url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx2.get(base + "/login", timeout=2)
                break
            except httpx2.TransportError:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.2)
        for path in (
            "/",
            "/login",
            "/interviewer/",
            "/analytiker/feltarbejde/1",
            "/admin/audit",
            "/api/session",
        ):
            answer = httpx2.get(base + path, timeout=10)
            assert answer.status_code == 503, (path, answer.status_code)
        posted = httpx2.post(base + "/interviewer/anonym", data={"survey": "1"}, timeout=10)
        assert posted.status_code == 503
        assert httpx2.get(base + "/s/ukendt-link", timeout=10).status_code == 404
    finally:
        os.killpg(process.pid, 15)
        _, stderr = process.communicate(timeout=30)
    assert "ingen personalekonti, så personalesiderne er lukkede" in stderr
