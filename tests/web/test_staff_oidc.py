"""Sign-in through the municipality's OpenID Connect provider, against a small provider this test runs
itself (discovery document, JWKS, authorization and token endpoints, ID tokens signed with a test key) on
loopback."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from typer.testing import CliRunner
from web_staff_support import CSRF_FIELD, SECRET, STAFF_PASSWORD, staff_test_client

from borgerblik.storage.audit import audit_entries
from borgerblik.storage.staff import ADDRESS_LIMIT, add_staff_account, disable_staff_account, recent_failures
from borgerblik.web.oidc import OidcConfigError, OidcSettings
from borgerblik.web.passwords import hash_password

CLIENT_ID = "borgerblik-test"
CLIENT_SECRET = "klienthemmelighed med plads og æøå"
CALLBACK = "https://testserver/login/oidc/svar"


class Provider:
    """A minimal OpenID provider: one person signs in (``subject``); ``claims`` and ``signing_key`` let a
    test make it misbehave."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "nøgle-1"})
        self.signing_key = self.key
        self.published = [self.key]
        self.subject = "aarhus-12345"
        self.claims: dict[str, Any] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def reply(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path, _, query = self.path.partition("?")
                if path == "/.well-known/openid-configuration":
                    self.reply(200, provider.discovery())
                elif path == "/jwks":
                    self.reply(200, KeySet(provider.published).as_dict(private=False))
                elif path == "/authorize":
                    self.authorize(dict(urllib.parse.parse_qsl(query)))
                else:
                    self.reply(404, {"error": "not_found"})

            def authorize(self, params: dict[str, str]) -> None:
                assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
                assert params["scope"] == "openid" and params["code_challenge_method"] == "S256"
                code = secrets.token_urlsafe(16)
                provider.codes[code] = params
                target = (
                    params["redirect_uri"]
                    + "?"
                    + urllib.parse.urlencode({"code": code, "state": params["state"]})
                )
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:  # noqa: N802
                provider.token_requests += 1
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                expected = (
                    "Basic "
                    + base64.b64encode(
                        f"{urllib.parse.quote(CLIENT_ID)}:{urllib.parse.quote(CLIENT_SECRET)}".encode()
                    ).decode()
                )
                if self.headers.get("Authorization") != expected:
                    return self.reply(401, {"error": "invalid_client"})
                params = provider.codes.pop(form.get("code", ""), None)  # a code works once
                if params is None or form.get("grant_type") != "authorization_code":
                    return self.reply(400, {"error": "invalid_grant"})
                digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if (
                    challenge != params["code_challenge"]
                    or form.get("redirect_uri") != params["redirect_uri"]
                ):
                    return self.reply(400, {"error": "invalid_grant"})
                now = int(time.time())
                claims = {
                    "iss": provider.issuer,
                    "sub": provider.subject,
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 300,
                    "nonce": params["nonce"],
                    **provider.claims,
                }
                header = {"alg": "RS256", "kid": provider.signing_key.kid}
                id_token = jwt.encode(header, claims, provider.signing_key)
                self.reply(200, {"access_token": "x", "token_type": "Bearer", "id_token": id_token})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def settings(self) -> OidcSettings:
        return OidcSettings(self.issuer, CLIENT_ID, CLIENT_SECRET, "Aarhus Kommunes login")

    def environment(self, monkeypatch: pytest.MonkeyPatch, issuer: str | None = None) -> None:
        """Configure the app as an operator would: ``BORGERBLIK_OIDC_*``."""
        monkeypatch.setenv("BORGERBLIK_OIDC_ISSUER", issuer or self.issuer)
        monkeypatch.setenv("BORGERBLIK_OIDC_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("BORGERBLIK_OIDC_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("BORGERBLIK_OIDC_NAME", "Aarhus Kommunes login")


@pytest.fixture
def provider() -> Iterator[Provider]:
    found = Provider()
    found.thread.start()
    try:
        yield found
    finally:
        found.server.shutdown()
        found.server.server_close()


@pytest.fixture
def oidc_client(survey, provider, monkeypatch):
    """The app with the provider configured, and an account linked to the provider's person."""
    add_staff_account(survey.db, "mette", None, "administrator", oidc=(provider.issuer, provider.subject))
    provider.environment(monkeypatch)
    return staff_test_client(survey.db)


def through_provider(client, start: str = "/login/oidc"):
    """Follow the flow as a browser would: the app, the provider's authorization, the app's callback."""
    begun = client.get(start)
    assert begun.status_code == 303, begun.text
    at_provider = httpx2.get(begun.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302
    back = at_provider.headers["location"]
    assert back.startswith(CALLBACK + "?")
    return client.get(back.removeprefix("https://testserver"))


def test_the_login_page_offers_the_municipalitys_login(oidc_client):
    page = oidc_client.get("/login?next=/admin/audit")
    assert '<a class="button" href="/login/oidc?next=/admin/audit">Log ind med Aarhus Kommunes login</a>' in (
        page.text
    )


def test_a_linked_account_signs_in_through_the_provider_with_a_fresh_session(survey, oidc_client, provider):
    oidc_client.cookies.set("__Host-borgerblik", "plantet-af-en-angriber", domain="testserver.local")
    begun = oidc_client.get("/login/oidc?next=/admin/audit")
    location = urllib.parse.urlsplit(begun.headers["location"])
    params = dict(urllib.parse.parse_qsl(location.query))
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/authorize"
    assert params["redirect_uri"] == CALLBACK and params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 43 and len(params["nonce"]) >= 43 and len(params["code_challenge"]) == 43
    flow_cookie = begun.headers["set-cookie"]
    assert "__Host-borgerblik-oidc=" in flow_cookie and "samesite=lax" in flow_cookie.lower()
    at_provider = httpx2.get(begun.headers["location"], follow_redirects=False)
    signed = oidc_client.get(at_provider.headers["location"].removeprefix("https://testserver"))
    assert signed.status_code == 303 and signed.headers["location"] == "/admin/audit"
    cookies = signed.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("__Host-borgerblik="))
    assert "plantet-af-en-angriber" not in session and "Secure" in session and "HttpOnly" in session
    assert any(c.startswith("__Host-borgerblik-oidc=") and "Max-Age=0" in c for c in cookies)
    audit = oidc_client.get("/admin/audit")
    assert audit.status_code == 200 and "mette (Administrator)" in audit.text
    entry = audit_entries(survey.db)[0]
    assert (entry.actor, entry.action, entry.detail) == ("mette", "sign_in", "OIDC, adresse testclient")


def test_the_password_form_never_lets_an_oidc_only_account_in(survey, oidc_client):
    form = oidc_client.get("/login")
    token = CSRF_FIELD.search(form.text).group(1)
    refused = oidc_client.post("/login", data={"username": "mette", "password": "", "csrf": token})
    assert refused.status_code == 401


def test_an_unknown_or_closed_subject_is_refused_and_counted(survey, oidc_client, provider):
    provider.subject = "ukendt-person"
    refused = through_provider(oidc_client)
    assert refused.status_code == 403 and "ingen aktiv konto i Borgerblik" in refused.text
    provider.subject = "aarhus-12345"
    add_staff_account(survey.db, "chef", hash_password(STAFF_PASSWORD), "administrator")
    disable_staff_account(survey.db, "mette")
    assert through_provider(oidc_client).status_code == 403
    assert recent_failures(survey.db, "testclient") == 2
    assert "__Host-borgerblik=" not in str(oidc_client.cookies)


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "en-anden-klient"},
        {"iss": "https://falsk.example"},
        {"nonce": "gættet"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"aud": [CLIENT_ID, "en-anden"], "azp": "en-anden"},
    ],
    ids=["audience", "issuer", "nonce", "expired", "azp"],
)
def test_an_id_token_with_wrong_claims_is_refused(oidc_client, provider, claims):
    provider.claims = claims
    refused = through_provider(oidc_client)
    assert refused.status_code == 401 and "kunne ikke bekræftes" in refused.text
    assert oidc_client.get("/").status_code == 303


def test_a_token_signed_with_another_key_is_refused_and_a_rotated_key_is_fetched(oidc_client, provider):
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "nøgle-1"})
    assert through_provider(oidc_client).status_code == 401
    rotated = RSAKey.generate_key(2048, parameters={"kid": "nøgle-2"})
    assert through_provider(oidc_client).status_code == 401  # the app has cached nøgle-1
    provider.signing_key, provider.published = rotated, [provider.key, rotated]
    assert through_provider(oidc_client).status_code == 303


def test_an_unsigned_token_is_refused(oidc_client, provider):
    class Unsigned:
        kid = "nøgle-1"

    original = jwt.encode

    def unsigned(header, claims, key):
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode() + "." + body + "."

    jwt.encode = unsigned  # the provider's module uses the same joserfc function
    try:
        assert through_provider(oidc_client).status_code == 401
    finally:
        jwt.encode = original


def test_a_forged_state_a_missing_flow_or_a_reused_code_is_refused(oidc_client, provider):
    begun = oidc_client.get("/login/oidc")
    back = httpx2.get(begun.headers["location"], follow_redirects=False).headers["location"]
    forged = back.split("&state=")[0] + "&state=forfalsket"
    assert oidc_client.get(forged.removeprefix("https://testserver")).status_code == 400
    oidc_client.cookies.delete("__Host-borgerblik-oidc", domain="testserver.local")
    assert oidc_client.get(back.removeprefix("https://testserver")).status_code == 400
    assert provider.token_requests == 0, "no code is exchanged before the state matches"


def test_a_code_works_once(oidc_client, provider):
    begun = oidc_client.get("/login/oidc")
    flow = oidc_client.cookies.get("__Host-borgerblik-oidc")
    back = httpx2.get(begun.headers["location"], follow_redirects=False).headers["location"]
    assert oidc_client.get(back.removeprefix("https://testserver")).status_code == 303
    oidc_client.cookies.set("__Host-borgerblik-oidc", flow, domain="testserver.local")
    replay = oidc_client.get(back.removeprefix("https://testserver"))
    assert replay.status_code == 401


def test_a_provider_that_does_not_answer_gives_a_page_not_a_500(survey, provider, monkeypatch):
    add_staff_account(survey.db, "mette", hash_password(STAFF_PASSWORD), "administrator")
    provider.environment(monkeypatch, "http://127.0.0.1:9")
    client = staff_test_client(survey.db)
    answer = client.get("/login/oidc")
    assert answer.status_code == 502 and "Kommunens login svarer ikke" in answer.text


def test_without_accounts_the_oidc_door_is_closed_too(survey, provider, monkeypatch):
    provider.environment(monkeypatch)
    client = staff_test_client(survey.db)
    assert client.get("/login/oidc").status_code == 503


def test_the_callback_is_rate_limited_per_address(survey, oidc_client, provider):
    provider.subject = "ukendt-person"
    for _ in range(ADDRESS_LIMIT):
        assert through_provider(oidc_client).status_code == 403
    provider.subject = "aarhus-12345"
    assert through_provider(oidc_client).status_code == 429


def test_settings_refuse_plain_http_elsewhere_and_a_half_configuration():
    with pytest.raises(OidcConfigError, match="https"):
        OidcSettings("http://idp.aarhus.dk", CLIENT_ID, CLIENT_SECRET)
    with pytest.raises(OidcConfigError, match="CLIENT_SECRET"):
        OidcSettings.from_env(
            {"BORGERBLIK_OIDC_ISSUER": "https://idp.aarhus.dk", "BORGERBLIK_OIDC_CLIENT_ID": "x"}
        )
    assert OidcSettings.from_env({}) is None
    found = OidcSettings.from_env(
        {
            "BORGERBLIK_OIDC_ISSUER": "https://idp.aarhus.dk/",
            "BORGERBLIK_OIDC_CLIENT_ID": "borgerblik",
            "BORGERBLIK_OIDC_CLIENT_SECRET": "s",
            "BORGERBLIK_OIDC_NAME": "Aarhus Kommunes login",
        }
    )
    assert found == OidcSettings("https://idp.aarhus.dk", "borgerblik", "s", "Aarhus Kommunes login", None)


def test_staff_add_links_an_oidc_subject_without_a_password(tmp_path, provider):
    from borgerblik.cli import app
    from borgerblik.storage import Database
    from borgerblik.storage.staff import staff_account_by_oidc

    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["staff", "add", "lars", "--role", "analyst", "--oidc-subject", "aarhus-777", "--database", url],
        env={"BORGERBLIK_OIDC_ISSUER": provider.issuer},
    )
    assert added.exit_code == 0, added.output
    missing = runner.invoke(
        app, ["staff", "add", "ole", "--role", "analyst", "--oidc-subject", "x", "--database", url], env={}
    )
    assert missing.exit_code == 2 and "udstederen mangler" in missing.output
    with Database(url) as db:
        record = staff_account_by_oidc(db, provider.issuer, "aarhus-777")
        assert record is not None and record.username == "lars" and record.password_hash is None
        assert audit_entries(db)[0].detail == "lars: analyst via OIDC"
    assert SECRET
