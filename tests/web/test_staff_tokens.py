"""API tokens for scripts: shown once, stored as a SHA-256 only, scoped to a role and municipality no wider
than the account's, revocable, expiring, used as ``Authorization: Bearer`` on ``/api/`` and nowhere else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner
from web_staff_support import STAFF_PASSWORD, staff_test_client

from borgerblik.storage import StorageError
from borgerblik.storage.audit import audit_entries
from borgerblik.storage.staff import (
    ADDRESS_LIMIT,
    add_staff_account,
    add_staff_token,
    disable_staff_account,
    revoke_staff_token,
    staff_tokens,
)
from borgerblik.storage.times import utcnow
from borgerblik.web.auth import hash_api_token, new_api_token
from borgerblik.web.passwords import hash_password


def make_token(db, username, role=None, kommune=None, *, expires_at=None, account_role=None, **account):
    """A token for ``username`` (the account is made first when ``account_role`` is given)."""
    if account_role is not None:
        add_staff_account(db, username, hash_password(STAFF_PASSWORD), account_role, account.get("kommune"))
    token, digest, prefix = new_api_token()
    record = add_staff_token(
        db, username, "test", digest, prefix, role=role, municipality=kommune, expires_at=expires_at
    )
    return token, record


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_reads_and_writes_the_api_with_its_accounts_role_and_no_csrf(survey):
    client = staff_test_client(survey.db)
    token, record = make_token(survey.db, "mette", account_role="administrator")
    assert token.startswith("bbk_") and len(token) == 47 and record.prefix == token[:12]
    session = client.get("/api/session", headers=bearer(token))
    assert session.status_code == 200
    assert session.json() == {"username": "mette", "role": "administrator", "municipality": None, "csrf": ""}
    created = client.post(
        "/api/surveys", json={"name": "Token-undersøgelse", "template": "kl-2024"}, headers=bearer(token)
    )
    assert created.status_code == 201, created.text
    assert [s["name"] for s in client.get("/api/surveys", headers=bearer(token)).json()][-1] == (
        "Token-undersøgelse"
    )
    assert audit_entries(survey.db)[0].actor == "mette"
    assert staff_tokens(survey.db)[0].last_used_at is not None


def test_only_the_hash_is_stored(survey):
    token, _ = make_token(survey.db, "mette", account_role="administrator")
    with survey.db.engine.connect() as connection:
        rows = [tuple(str(v) for v in row) for row in connection.execute(text("SELECT * FROM staff_tokens"))]
    assert len(rows) == 1
    assert not any(token in value or token[12:] in value for value in rows[0])
    assert hash_api_token(token) in rows[0]


def test_a_token_is_held_to_its_role_and_municipality(survey):
    client = staff_test_client(survey.db)
    add_staff_account(survey.db, "chef", hash_password(STAFF_PASSWORD), "administrator")
    narrow, _ = make_token(survey.db, "chef", "municipal_analyst", "Rødovre")
    session = client.get("/api/session", headers=bearer(narrow)).json()
    assert (session["role"], session["municipality"]) == ("municipal_analyst", "Rødovre")
    assert client.get("/api/audit", headers=bearer(narrow)).status_code == 403
    assert client.post("/api/surveys", json={"name": "x"}, headers=bearer(narrow)).status_code == 403
    assert client.get("/api/surveys", headers=bearer(narrow)).status_code == 200
    hotline, _ = make_token(survey.db, "hotline1", account_role="interviewer")
    assert client.get("/api/surveys", headers=bearer(hotline)).status_code == 403


def test_a_token_never_has_more_than_its_account(survey):
    add_staff_account(survey.db, "ole", hash_password(STAFF_PASSWORD), "analyst")
    add_staff_account(survey.db, "lars", hash_password(STAFF_PASSWORD), "municipal_analyst", "Aarhus")
    for username, role, kommune in (
        ("ole", "administrator", None),
        ("ole", "municipal_analyst", "Aarhus"),
        ("lars", "municipal_analyst", "Rødovre"),
        ("lars", "analyst", None),
    ):
        with pytest.raises(StorageError, match="mere adgang end kontoen"):
            make_token(survey.db, username, role, kommune)
    _, own = make_token(survey.db, "lars")
    assert (own.role, own.municipality) == ("municipal_analyst", "Aarhus")
    with pytest.raises(StorageError, match="kommune"):
        add_staff_account(survey.db, "chef", hash_password(STAFF_PASSWORD), "administrator")
        make_token(survey.db, "chef", "municipal_analyst", None)


def test_revoked_expired_or_disabled_tokens_stop_at_once(survey):
    client = staff_test_client(survey.db)
    revoked, record = make_token(survey.db, "mette", account_role="administrator")
    assert client.get("/api/session", headers=bearer(revoked)).status_code == 200
    revoke_staff_token(survey.db, record.id)
    refused = client.get("/api/session", headers=bearer(revoked))
    assert refused.status_code == 401 and refused.json()["error"] == "Ugyldigt token"
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]
    with pytest.raises(StorageError, match="allerede trukket tilbage"):
        revoke_staff_token(survey.db, record.id)
    expired, _ = make_token(survey.db, "mette", expires_at=utcnow() - timedelta(seconds=1))
    assert client.get("/api/session", headers=bearer(expired)).status_code == 401
    closed, _ = make_token(survey.db, "ole", account_role="analyst")
    disable_staff_account(survey.db, "ole")
    assert client.get("/api/session", headers=bearer(closed)).status_code == 401


def test_a_token_is_for_the_api_only_and_other_schemes_are_refused(survey):
    client = staff_test_client(survey.db)
    token, _ = make_token(survey.db, "mette", account_role="administrator")
    page = client.get("/", headers=bearer(token))
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/"
    basic = client.get("/api/session", headers={"Authorization": "Basic bWV0dGU6eA=="})
    assert basic.status_code == 401 and basic.headers["www-authenticate"] == 'Bearer realm="borgerblik"'
    assert client.get("/api/session", headers={"Authorization": "Bearer "}).status_code == 401


def test_guessing_tokens_is_rate_limited_per_address(survey):
    client = staff_test_client(survey.db)
    token, _ = make_token(survey.db, "mette", account_role="administrator")
    for number in range(ADDRESS_LIMIT):
        assert client.get("/api/session", headers=bearer(f"bbk_gaet{number}")).status_code == 401
    limited = client.get("/api/session", headers=bearer(token))
    assert limited.status_code == 429 and limited.json()["error"] == "For mange forsøg"


def test_token_commands_add_list_revoke(tmp_path):
    from borgerblik.cli import app
    from borgerblik.storage import Database

    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    runner = CliRunner()
    with Database(url) as db:
        add_staff_account(db, "mette", hash_password(STAFF_PASSWORD), "administrator")
    added = runner.invoke(
        app,
        ["staff", "token", "add", "mette", "--name", "natlig", "--role", "analyst", "--days", "30"],
        env={"BORGERBLIK_DATABASE_URL": url},
    )
    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("bbk_") and len(token) == 47
    listed = runner.invoke(app, ["staff", "token", "list", "--database", url]).stdout.splitlines()
    assert listed[0] == "nr\tbruger\tnavn\tstart\trolle\tkommune\tudløber\tsidst brugt\tstatus"
    fields = listed[1].split("\t")
    assert fields[:6] == ["1", "mette", "natlig", token[:12], "analyst", ""]
    assert fields[8] == "aktiv" and token not in listed[1]
    assert runner.invoke(app, ["staff", "token", "revoke", "1", "--database", url]).exit_code == 0
    listed = runner.invoke(app, ["staff", "token", "list", "--database", url]).stdout.splitlines()
    assert listed[1].endswith("\ttrukket tilbage")
    again = runner.invoke(app, ["staff", "token", "revoke", "1", "--database", url])
    assert again.exit_code == 2 and "allerede" in again.output
    wider = runner.invoke(
        app, ["staff", "token", "add", "ukendt", "--name", "x", "--database", url], catch_exceptions=False
    )
    assert wider.exit_code == 2 and "findes ikke" in wider.output
    with Database(url) as db:
        assert [e.action for e in audit_entries(db)] == ["token_revoke", "token_add"]
