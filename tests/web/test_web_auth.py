"""Staff sign-in: no staff page without an account and the right role, CSRF on every staff form, lock-out per
account and rate limit per address, sessions that end on logout, reset and disable; the citizen's link never
asks for any of it."""

from __future__ import annotations

import re
from datetime import timedelta

from starlette.routing import Mount, Route
from typer.testing import CliRunner
from web_staff_support import CSRF_FIELD, SECRET, STAFF_PASSWORD, sign_in, staff_test_client

from borgerblik.storage.audit import audit_entries
from borgerblik.storage.staff import (
    ADDRESS_LIMIT,
    LOCK_AFTER,
    add_staff_account,
    disable_staff_account,
    staff_account,
)
from borgerblik.storage.times import utcnow
from borgerblik.web.auth import ALL_ROLES, StaffRoute
from borgerblik.web.passwords import hash_password, verify_password

CITIZEN_PREFIXES = ("/s/", "/static")
PUBLIC = {"/login"}


def every_route(routes, prefix=""):
    """(path, methods, route) for every endpoint of the app, through its mounts."""
    for route in routes:
        if isinstance(route, Mount):
            if route.path == "/static":
                continue
            yield from every_route(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, sorted((route.methods or set()) - {"HEAD"}), route


def concrete(path: str, survey_id: int) -> str:
    """A URL for the route: an existing id for every ``{…:int}`` parameter, ``x`` for the rest."""
    return re.sub(r"\{[^}]+\}", lambda m: str(survey_id) if ":int" in m.group(0) else "x", path)


def test_every_route_is_a_citizen_route_the_login_or_a_staff_route_with_roles(survey):
    app = staff_test_client(survey.db).app
    for path, _methods, route in every_route(app.routes):
        if path.startswith(CITIZEN_PREFIXES) or path in PUBLIC:
            assert not isinstance(route, StaffRoute), path
            continue
        assert isinstance(route, StaffRoute), f"{path} has no role check"
        assert route.roles and route.roles <= set(ALL_ROLES), path


def test_every_staff_route_refuses_anonymous_and_wrong_roles(survey, staff_client):
    clients = {
        role: staff_client(role, "Høje-Taastrup" if role == "municipal_analyst" else None)
        for role in ALL_ROLES
    }
    anonymous = staff_test_client(survey.db)
    staff_routes = [
        (path, methods, route)
        for path, methods, route in every_route(anonymous.app.routes)
        if isinstance(route, StaffRoute)
    ]
    assert len(staff_routes) >= 10
    for path, methods, route in staff_routes:
        url = concrete(path, survey.survey_id)
        for method in methods:
            refused = anonymous.request(method, url, data={"csrf": "gæt"} if method == "POST" else None)
            assert refused.status_code in (303, 401), (method, url, refused.status_code)
            if refused.status_code == 303:
                assert refused.headers["location"].startswith("/login?next=")
            for role in set(ALL_ROLES) - route.roles:
                client = clients[role]
                data = {"csrf": client.csrf} if method == "POST" else None
                wrong = client.request(method, url, data=data)
                assert wrong.status_code == 403, (role, method, url, wrong.status_code)


def test_without_any_account_the_staff_pages_are_closed_not_open(survey):
    client = staff_test_client(survey.db)
    for path in ("/", "/interviewer/", f"/analytiker/feltarbejde/{survey.survey_id}", "/login"):
        response = client.get(path)
        assert response.status_code == 503 and "Ingen personalekonti" in response.text, path
    assert client.post("/interviewer/anonym", data={"survey": "1"}).status_code == 503
    assert client.get(f"/s/{survey.tokens['dagpenge']}").status_code == 200


def test_sign_in_with_the_right_password_and_out_again(survey):
    add_staff_account(survey.db, "mette", hash_password(STAFF_PASSWORD), "administrator")
    client = staff_test_client(survey.db)
    assert client.get("/").headers["location"] == "/login?next=/"
    signed = sign_in(client, "mette")
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    cookie = signed.headers["set-cookie"]
    assert "__Host-borgerblik=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Max-Age=28800" in cookie
    home = client.get("/")
    assert home.status_code == 200 and "mette (Administrator)" in home.text
    stolen = dict(client.cookies)
    csrf = CSRF_FIELD.search(home.text).group(1)
    assert client.post("/logout", data={"csrf": csrf}).headers["location"] == "/login"
    assert client.get("/").status_code == 303
    replay = staff_test_client(survey.db)
    replay.cookies.update(stolen)
    assert replay.get("/").status_code == 303, "a cookie from before the logout must not work"
    assert [entry.action for entry in audit_entries(survey.db)] == ["sign_out", "sign_in"]


def test_wrong_passwords_unknown_users_and_forged_cookies_are_refused(survey):
    add_staff_account(survey.db, "mette", hash_password(STAFF_PASSWORD), "administrator")
    client = staff_test_client(survey.db)
    wrong = sign_in(client, "mette", "forkert kodeord!")
    assert wrong.status_code == 401 and "Forkert brugernavn eller adgangskode" in wrong.text
    unknown = sign_in(client, "ukendt", STAFF_PASSWORD)
    assert unknown.status_code == 401 and unknown.text.count("Forkert brugernavn") == 1
    client.cookies.set("__Host-borgerblik", "eyJhIjoxLCJlIjowLCJjIjoieCJ9.forfalsket", domain="testserver")
    assert client.get("/").status_code == 303
    other_key = staff_test_client(survey.db)
    assert sign_in(other_key, "mette").status_code == 303
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("en anden nøgle end serverens, 32+ tegn", salt="borgerblik.staff.session")
    client.cookies.set("__Host-borgerblik", forged.dumps({"a": 1, "e": 0, "c": "x"}), domain="testserver")
    assert client.get("/").status_code == 303
    assert SECRET  # the test key the fixtures sign with


def test_the_login_form_needs_its_own_token_and_next_stays_on_the_site(survey):
    add_staff_account(survey.db, "mette", hash_password(STAFF_PASSWORD), "administrator")
    client = staff_test_client(survey.db)
    refused = client.post("/login", data={"username": "mette", "password": STAFF_PASSWORD, "csrf": "x"})
    assert refused.status_code == 403 and "__Host-borgerblik=" not in refused.headers.get("set-cookie", "")
    form = client.get("/login?next=//evil.example/")
    token = CSRF_FIELD.search(form.text).group(1)
    signed = client.post(
        "/login",
        data={"username": "mette", "password": STAFF_PASSWORD, "csrf": token, "next": "//evil.example/"},
    )
    assert signed.headers["location"] == "/"


def test_staff_posts_without_the_session_csrf_token_are_refused_and_change_nothing(survey, staff_client):
    interviewer = staff_client("interviewer")
    members_before = len(survey.db.invitations(survey.survey_id))
    form = {
        "survey": str(survey.survey_id),
        "interviewer": "VIVE-03",
        "kommune": "Høje-Taastrup",
        "maalgruppe": "6.3",
        "koen": "kvinde",
        "alder": "44",
    }
    for csrf in (None, "", "gættet-token"):
        data = form if csrf is None else {**form, "csrf": csrf}
        refused = interviewer.post("/interviewer/anonym", data=data)
        assert refused.status_code == 403 and "sikkerhedsfelt" in refused.text
    assert len(survey.db.invitations(survey.survey_id)) == members_before
    accepted = interviewer.post("/interviewer/anonym", data={**form, "csrf": interviewer.csrf})
    assert accepted.status_code == 303
    page = interviewer.get(accepted.headers["location"])
    assert f'name="csrf" value="{interviewer.csrf}"' in page.text
    assert "csrf=" not in accepted.headers["location"]


def test_an_account_locks_after_repeated_wrong_passwords_and_reset_opens_it(survey):
    add_staff_account(survey.db, "mette", hash_password(STAFF_PASSWORD), "administrator")
    client = staff_test_client(survey.db)
    for _ in range(LOCK_AFTER):
        assert sign_in(client, "mette", "forkert kodeord!").status_code == 401
    locked = sign_in(client, "mette")
    assert locked.status_code == 429 and "For mange mislykkede forsøg" in locked.text
    assert staff_account(survey.db, "mette").locked(utcnow())
    assert not staff_account(survey.db, "mette").locked(utcnow() + timedelta(minutes=16))
    from borgerblik.storage.staff import set_staff_password

    set_staff_password(survey.db, "mette", hash_password("en ny adgangskode til mette"))
    assert sign_in(client, "mette", "en ny adgangskode til mette").status_code == 303


def test_an_address_is_rate_limited_across_accounts(survey):
    client = staff_test_client(survey.db)
    add_staff_account(survey.db, "mette", hash_password(STAFF_PASSWORD), "administrator")
    for number in range(ADDRESS_LIMIT):
        assert sign_in(client, f"gæt{number}", "forkert kodeord!").status_code == 401
    limited = sign_in(client, "mette")
    assert limited.status_code == 429


def test_disabling_an_account_ends_its_session_at_once(survey, admin, staff_client):
    analyst = staff_client("analyst")
    assert analyst.get("/").status_code == 200
    disable_staff_account(survey.db, analyst.username)
    assert analyst.get("/").status_code == 303


def test_malformed_staff_input_gets_400_or_404_never_500(survey, admin):
    for url, status in (
        ("/interviewer/?survey=abc", 400),
        ("/interviewer/?survey=999", 404),
        ("/interviewer/?survey=1234567890123456789012345", 400),
        ("/analytiker/feltarbejde/1234567890123456789012345", 404),
        ("/analytiker/feltarbejde/999", 404),
    ):
        response = admin.get(url)
        assert response.status_code == status, (url, response.status_code)
        assert "Traceback" not in response.text
    upload = admin.post(
        "/interviewer/find",
        data={"csrf": admin.csrf, "survey": str(survey.survey_id), "mode": "phone"},
        files={"interviewer": ("x.txt", b"VIVE-01", "text/plain")},
    )
    assert upload.status_code == 400
    bad_survey = admin.post(
        "/interviewer/find",
        data={"csrf": admin.csrf, "survey": "abc", "mode": "phone", "interviewer": "V1", "case_code": "X"},
    )
    assert bad_survey.status_code in (400, 404)


def test_passwords_are_argon2_hashes():
    stored = hash_password(STAFF_PASSWORD)
    assert stored.startswith("$argon2id$") and STAFF_PASSWORD not in stored
    assert stored != hash_password(STAFF_PASSWORD)  # each its own salt
    assert verify_password(STAFF_PASSWORD, stored) and not verify_password("andet", stored)
    assert not verify_password(STAFF_PASSWORD, None) and not verify_password(STAFF_PASSWORD, "pbkdf2$x")


def test_staff_commands_add_list_disable_reset(tmp_path):
    from borgerblik.cli import app

    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    runner = CliRunner()

    def run(*args: str, password: str | None = None):
        return runner.invoke(app, ["staff", *args, "--database", url], input=password)

    added = run(
        "add",
        "mette",
        "--role",
        "municipal_analyst",
        "--kommune",
        "Aarhus",
        "--password-stdin",
        password=STAFF_PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    assert "mette kan nu logge ind som kommuneanalytiker for Aarhus" in added.output
    assert run("add", "ole", "--role", "analyst", "--password-stdin", password="kort\n").exit_code == 2
    no_kommune = run(
        "add", "ole", "--role", "municipal_analyst", "--password-stdin", password=STAFF_PASSWORD + "\n"
    )
    assert no_kommune.exit_code == 2 and "kommune" in no_kommune.output
    bad_role = run("add", "ole", "--role", "chef", "--password-stdin", password=STAFF_PASSWORD + "\n")
    assert bad_role.exit_code == 2 and "findes ikke" in bad_role.output
    assert (
        run("add", "mette", "--role", "analyst", "--password-stdin", password=STAFF_PASSWORD + "\n").exit_code
        == 2
    )
    assert run("list").output.splitlines()[1] == "mette\tmunicipal_analyst\tAarhus\tja\tnej"
    assert run("disable", "mette").exit_code == 0
    assert run("list").output.splitlines()[1] == "mette\tmunicipal_analyst\tAarhus\tnej\tnej"
    assert run("disable", "ukendt").exit_code == 2
    assert run("reset", "mette", "--password-stdin", password="en helt ny adgangskode\n").exit_code == 0
    assert run("list").output.splitlines()[1].endswith("\tja\tnej")
    from borgerblik.storage import Database

    with Database(url) as db:
        assert [e.action for e in audit_entries(db)] == ["staff_reset", "staff_disable", "staff_add"]
        assert verify_password("en helt ny adgangskode", staff_account(db, "mette").password_hash)


def test_an_interviewer_lands_on_the_interviewer_screen(survey):
    add_staff_account(survey.db, "hotline1", hash_password(STAFF_PASSWORD), "interviewer")
    client = staff_test_client(survey.db)
    assert sign_in(client, "hotline1").headers["location"] == "/interviewer/"
    assert client.get("/interviewer/").status_code == 200
    assert client.get(f"/analytiker/feltarbejde/{survey.survey_id}").status_code == 403


def test_the_citizens_link_needs_no_sign_in(survey, admin):
    assert staff_test_client(survey.db).get(f"/s/{survey.tokens['dagpenge']}").status_code == 200
