"""Hostile input at the citizen's link (issue 18): SQL-injection strings are stored as typed, on both back
ends; characters that turn text around (U+202E) or are not text (control characters) are taken out, a NUL
is refused with a message; guessing tokens is limited per address across workers, in the database."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import markupsafe
import pytest
from starlette.testclient import TestClient

from borgerblik.storage import Database
from borgerblik.storage.link_probes import PROBE_LIMIT, PROBE_WINDOW, recent_link_probes
from borgerblik.web import create_app
from borgerblik.web.probes import probe_address

NONCE = re.compile(r'name="nonce" value="([0-9a-f]+)"')
INJECTIONS = [
    "'; DROP TABLE responses; --",
    "1' OR '1'='1",
    '" OR ""="',
    "'); DELETE FROM invitations WHERE ('a'='a",
    "%' UNION SELECT token FROM invitations --",
    "\\'; SELECT pg_sleep(5); --",
    "$$; TRUNCATE identities; $$",
]


def _client(db: Database, address: str = "192.0.2.10") -> TestClient:
    return TestClient(
        create_app(db), raise_server_exceptions=False, follow_redirects=False, client=(address, 50000)
    )


def _post(client: TestClient, token: str, page: str, direction: str = "next", **answers: Any) -> Any:
    url = f"/s/{token}/side/{page}"
    nonce = NONCE.search(client.get(url).text).group(1)
    return client.post(url, data={"nonce": nonce, "lang": "da", "direction": direction, **answers})


def _as_written(db: Database, invitation_id: int) -> dict[str, Any]:
    """The open answers as the citizen wrote them: the protected original where redaction changed the text."""
    from sqlalchemy import select

    from borgerblik.storage.schema import OpenAnswerOriginal

    with db.engine.connect() as connection:
        originals = dict(
            connection.execute(
                select(OpenAnswerOriginal.question_id, OpenAnswerOriginal.text).where(
                    OpenAnswerOriginal.invitation_id == invitation_id
                )
            ).all()
        )
    return {**db.answers(invitation_id), **originals}


def test_sql_injection_strings_are_stored_verbatim_on_both_back_ends(engine, kl_invited):
    db = Database(engine=engine)
    survey_id, invitations = kl_invited(db, {"dagpenge": "6.1"})
    token = invitations["dagpenge"].token
    client = _client(db)
    client.get(f"/s/{token}")
    invitation_id = db.invitation_by_token(token).id
    for text in INJECTIONS:
        saved = _post(client, token, "aabne", "back", hvorfor_tilfreds=text, forbedringer=text)  # not sent
        assert saved.status_code == 303
        assert _as_written(db, invitation_id) == {"hvorfor_tilfreds": text, "forbedringer": text}, text
        shown = client.get(f"/s/{token}/side/aabne").text  # the answer as stored, escaped, in its text box
        assert str(markupsafe.escape(db.answers(invitation_id)["forbedringer"])) in shown
    assert [i.id for i in db.invitations(survey_id)] == [invitation_id]  # nothing deleted, nothing truncated


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Alt var godt\u202e.exe", "Alt var godt.exe"),  # right-to-left override
        ("\u2066isoleret\u2069 og \u202aindlejret\u202c", "isoleret og indlejret"),
        ("klokke\x07 tilbage\x08 escape\x1b[31m rød", "klokke tilbage escape[31m rød"),
        ("C1\x85-tegn\x9b", "C1-tegn"),
        ("linjer\r\nog\ttabulator", "linjer\nog\ttabulator"),  # what a text box sends stays
        ("شكراً\u200f لكم", "شكراً\u200f لكم"),  # the right-to-left mark Arabic needs stays
    ],
)
def test_characters_that_turn_text_around_or_are_not_text_are_taken_out(client, survey, typed, stored):
    token = survey.tokens["dagpenge"]
    assert _post(client, token, "aabne", hvorfor_tilfreds=typed).status_code == 303
    assert survey.db.answers(survey.db.invitation_by_token(token).id) == {"hvorfor_tilfreds": stored}


def test_a_nul_byte_is_refused_with_a_message_and_nothing_is_saved(client, survey):
    token = survey.tokens["dagpenge"]
    refused = _post(client, token, "aabne", hvorfor_tilfreds="før\x00efter")
    assert refused.status_code == 422
    assert "Siden blev ikke gemt" in refused.text
    assert survey.db.answers(survey.db.invitation_by_token(token).id) == {}


def test_probe_addresses_count_ipv6_by_its_64():
    assert probe_address("192.0.2.7") == "192.0.2.7"
    assert (
        probe_address("2001:db8:1:2:aaaa::1") == probe_address("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    )
    assert probe_address("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert probe_address("::ffff:192.0.2.7") == "192.0.2.7"
    assert probe_address(None) == "ukendt"


def test_token_probing_is_limited_per_address_in_every_worker(survey, monkeypatch):
    token = survey.tokens["dagpenge"]
    worker_a, worker_b = _client(survey.db), _client(survey.db)  # two apps on one database: two workers
    neighbour = _client(survey.db, "198.51.100.20")
    assert worker_a.get(f"/s/{token}").status_code == 200
    nonce = NONCE.search(worker_a.get(f"/s/{token}/side/status").text).group(1)
    for n in range(PROBE_LIMIT):
        prober = (worker_a, worker_b)[n % 2]
        assert prober.get(f"/s/gaet{n:04d}{'A' * 35}").status_code == 404
    assert recent_link_probes(survey.db, "192.0.2.10") == PROBE_LIMIT
    for worker in (worker_a, worker_b):
        refused = worker.get(f"/s/{token}")  # even a real link: the address is refused before any look-up
        assert refused.status_code == 429, refused.status_code
        assert "For mange forsøg" in refused.text and refused.headers["retry-after"] == "900"
        assert worker.post(f"/s/{token}/fravalg", data={"lang": "da"}).status_code == 429
        stale = worker.post(f"/s/{token}/side/status", data={"nonce": "0" * 64, "status": "1"})
        assert stale.status_code == 429, "a refused save must not tell a real link from a guessed one"
        assert worker.get("/s/" + "B" * 43).status_code == 429
    assert recent_link_probes(survey.db, "192.0.2.10") == PROBE_LIMIT  # refused requests write nothing
    # A save that stores the page (it needs the nonce only the real page gives) is never held up.
    saved = worker_b.post(f"/s/{token}/side/status", data={"nonce": nonce, "lang": "da", "status": "1"})
    assert saved.status_code == 303 and "x-borgerblik-nonce" in saved.headers
    assert survey.db.answers(survey.db.invitation_by_token(token).id) == {"status": 1}
    assert survey.db.session(survey.db.invitation_by_token(token).id).state != "opted_out"
    assert neighbour.get(f"/s/{token}").status_code == 200  # another address is not affected
    # When the window has passed, the address may open links again.
    later = survey.db  # the same database, read a window later
    from borgerblik.storage import link_probes

    now = link_probes.utcnow()
    monkeypatch.setattr(link_probes, "utcnow", lambda: now + PROBE_WINDOW + timedelta(seconds=1))
    assert recent_link_probes(later, "192.0.2.10") == 0
    assert worker_a.get(f"/s/{token}").status_code == 200
