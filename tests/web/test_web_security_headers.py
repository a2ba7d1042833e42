"""Security headers on every response of the app: every route of ``app.routes`` (through its mounts) with
every method, as an anonymous visitor and as a signed-in administrator, the static files, and the error pages
(404, 405, 413, 500, 503); no template has inline script or style, so the policy needs no 'unsafe-inline'."""

from __future__ import annotations

import re
import sqlite3
from importlib.resources import files

from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from web_staff_support import SECRET

from borgerblik.web import create_app
from borgerblik.web.security import STRICT_TRANSPORT_SECURITY

#: What every response must carry, exactly.
REQUIRED = {
    "content-security-policy": (
        "default-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
MONITOR_POLICY = re.compile(
    r"^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'; "
    r"frame-ancestors 'none'; base-uri 'none'$"
)
INLINE = re.compile(r"<script|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def every_endpoint(routes, prefix=""):
    """(path, method) for every endpoint of the app, through its mounts; the static mount as its one file."""
    for route in routes:
        if isinstance(route, Mount):
            if route.path == "/static":
                yield "/static/style.css", "GET"
                continue
            yield from every_endpoint(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield prefix + route.path, method


def concrete(path: str, survey) -> str:
    """A URL for the route: the survey's id for ``{…:int}``, a real token, a real page, ``x`` for the rest."""
    values = {"token": survey.tokens["dagpenge"], "page": "status", "question": "tillid"}

    def value(match: re.Match[str]) -> str:
        name, _, kind = match.group(1).partition(":")
        return str(survey.survey_id) if kind == "int" else values.get(name, "x")

    return re.sub(r"\{([^}]+)\}", value, path)


def assert_secured(response, where: str, *, tls: bool) -> None:
    headers = response.headers
    for name, expected in REQUIRED.items():
        monitor = where.startswith("GET /analytiker/feltarbejde/") and response.status_code == 200
        if name == "content-security-policy" and monitor:  # its own, stricter policy: its style sheet's hash
            assert MONITOR_POLICY.match(headers[name]), (where, headers[name])
            continue
        assert headers.get(name) == expected, (where, response.status_code, name, headers.get(name))
    assert "unsafe-inline" not in headers["content-security-policy"], where
    assert headers.get("strict-transport-security") == (STRICT_TRANSPORT_SECURITY if tls else None), where


def test_no_template_has_inline_script_style_or_event_handlers():
    templates = files("borgerblik.web").joinpath("templates")
    checked = []

    def walk(folder):
        for entry in folder.iterdir():
            if entry.is_dir():
                walk(entry)
            elif entry.name.endswith(".html"):
                checked.append(entry.name)
                found = INLINE.findall(entry.read_text(encoding="utf-8"))
                assert not found, (entry.name, found)

    walk(templates)
    assert {"base.html", "page.html", "message.html", "interviewer.html", "login.html"} <= set(checked)


def test_every_route_answers_with_the_security_headers_anonymous_and_signed_in(survey, admin):
    anonymous = TestClient(
        create_app(survey.db, secret_key=SECRET),
        base_url="https://testserver",
        raise_server_exceptions=False,
        follow_redirects=False,
    )
    endpoints = sorted(set(every_endpoint(anonymous.app.routes)))
    assert len(endpoints) >= 30
    statuses = set()
    for path, method in endpoints:
        url = concrete(path, survey)
        for who, client in (("anonym", anonymous), ("administrator", admin)):
            data = {"csrf": getattr(client, "csrf", "x")} if method == "POST" else None
            response = client.request(method, url, data=data)
            statuses.add(response.status_code)
            assert_secured(response, f"{method} {url} ({who})", tls=True)
    # Pages, redirects, refusals and JSON alike (the walk must have reached each kind).
    assert {200, 303, 401, 404} <= statuses, statuses


def test_hsts_only_over_tls(client, survey):
    plain = client.get(f"/s/{survey.tokens['dagpenge']}")
    assert plain.status_code == 200
    assert_secured(plain, "GET /s/<token> over http", tls=False)
    secure = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    assert_secured(secure.get(f"/s/{survey.tokens['dagpenge']}"), "GET /s/<token> over https", tls=True)
    assert_secured(secure.get("/static/style.css"), "GET /static/style.css over https", tls=True)


def test_static_files_are_cacheable_but_secured(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert_secured(response, "GET /static/style.css", tls=False)


def test_error_pages_carry_the_headers(client, survey, monkeypatch):
    token = survey.tokens["dagpenge"]
    not_found = client.get("/findes/ikke")
    wrong_method = client.put(f"/s/{token}")
    too_large = client.post(
        f"/s/{token}/side/status",
        content=b"x" * (256 * 1024 + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert (not_found.status_code, wrong_method.status_code, too_large.status_code) == (404, 405, 413)

    def broken(*_args, **_kwargs):
        raise RuntimeError("en fejl i koden")

    def unavailable(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("borgerblik.web.app.open_session", broken)
    crashed = client.get(f"/s/{token}")
    monkeypatch.setattr("borgerblik.web.app.open_session", unavailable)
    away = client.get(f"/s/{token}")
    assert (crashed.status_code, away.status_code) == (500, 503)
    assert "Der skete en fejl" in crashed.text and "Dit svar kunne ikke gemmes lige nu" in away.text
    for name, response in {
        "404": not_found,
        "405": wrong_method,
        "413": too_large,
        "500": crashed,
        "503": away,
    }.items():
        assert_secured(response, name, tls=False)
