"""Fuzzing the citizen's page save (POST /s/{token}/side/{page}) through Starlette's TestClient: any token,
page, fields, values, nonce and body is a page a person can read — a redirect on a save, a 4xx page with a
message on a refusal — never a 5xx; a refused save changes none of the citizen's answers, and what a
save stores passes the save path's check, without control characters or bidi overrides."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

import pytest
from hostile_data import NASTY, fuzz, nasty_text, note
from hypothesis import strategies as st
from starlette.testclient import TestClient

from borgerblik.core import parse_instrument
from borgerblik.core.characters import neutralise
from borgerblik.storage import Database
from borgerblik.storage.answers import AnswerRules, check_answers
from borgerblik.web import create_app

NONCE = re.compile(r'name="nonce" value="([0-9a-f]+)"')
CITIZENS = 12
YAML_TEXT = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
INSTRUMENT = parse_instrument(YAML_TEXT)
PAGES = tuple(theme.id for theme in INSTRUMENT.themes)
ANSWER_IDS = tuple(answer_id for question in INSTRUMENT.questions() for answer_id in question.answer_ids)


@dataclass
class Site:
    db: Database
    client: TestClient
    prober: TestClient
    tokens: tuple[str, ...]
    rules: AnswerRules


def _member(number: int) -> dict[str, object]:
    return {
        "cpr": f"{60 + number % 28:02d}0385-{4000 + number:04d}",
        "kommune": "Rødovre",
        "maalgruppe": "6.1",
        "gender": "kvinde",
        "birth_date": "1985-03-01",
        "age": 38,
        "age_group": "30-49",
        "ydelse_start": "2023-06-15",
        "ydelse_slut": "",
        "samtaler": "jobsamtale",
        "digital_post_fritaget": "nej",
        "telefon": f"2{number:07d}",
        "email": "",
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The KL 2024 survey with twelve invited citizens on a SQLite file, and a client on its app."""
    folder: Path = tmp_path_factory.mktemp("hostile-page-save")
    db = Database(f"sqlite:///{folder / 'borgerblik.sqlite'}")
    survey_id = db.create_survey("KL 2024", "kl-2024", YAML_TEXT)
    members = db.add_members(survey_id, [_member(n) for n in range(1, CITIZENS + 1)])
    db.save_sample(survey_id, dict.fromkeys(members, "stratum"), draw_seed=2024)
    db.create_invitations(survey_id)
    tokens = tuple(invitation.token for invitation in db.invitations(survey_id))
    app = create_app(db)
    options = {"raise_server_exceptions": False, "follow_redirects": False}
    # Guessed links come from an address of their own: after 30 the probe limit answers 429 to that address,
    # and the citizens' own saves (another address) must still reach the save path.
    with (
        TestClient(app, client=("192.0.2.1", 50000), **options) as client,
        TestClient(app, client=("198.51.100.7", 50000), **options) as prober,
    ):
        yield Site(db, client, prober, tokens, AnswerRules.of(INSTRUMENT))
    db.close()


values = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "5", "9", "0", "-1", "6", "32768", "1.5", "", " ", "ja", "١"]),
    nasty_text,
    st.sampled_from(["\u202eevil", "a\x00b", "<script>alert(1)</script>", "'; drop table responses; --"]),
    st.integers(0, 7_000).map(lambda n: "æ" * n),
)
field_names = (
    st.sampled_from(ANSWER_IDS) | st.sampled_from(["nonce", "lang", "direction", "mode"]) | nasty_text
)


@st.composite
def submissions(draw: st.DrawFn) -> dict[str, object]:
    """Who posts what where: a real or guessed token, a page of the questionnaire or not, a nonce fetched
    from the page, made up or left out, and the fields — answer ids and others, each with any values."""
    codes = st.sampled_from(["1", "2", "3", "4", "5", "9"])
    fields = draw(
        st.lists(st.tuples(st.sampled_from(ANSWER_IDS), codes), max_size=6)
        | st.lists(st.tuples(field_names, values), max_size=12)
    )
    return {
        "citizen": draw(st.integers(0, CITIZENS - 1)),
        "token": draw(st.sampled_from(["real", "real", "real", "guessed", "hostile"])),
        "page": draw(
            st.sampled_from(PAGES[:2])
            | st.sampled_from(PAGES)
            | st.sampled_from(["tak", "", "..", "%00"])
            | nasty_text
        ),
        "nonce": draw(st.sampled_from(["fetched", "fetched", "made-up", "absent"])),
        "lang": draw(st.sampled_from(["da", "en", "ar", "xx", ""])),
        "direction": draw(st.sampled_from(["next", "back", "sideways"])),
        "fields": fields,
        "body": draw(st.sampled_from(["form", "form", "form", "multipart", "raw"])),
        "raw": draw(st.binary(max_size=300)),
        "content_type": draw(
            st.sampled_from(
                ["application/x-www-form-urlencoded", "text/plain", "application/json", "multipart/form-data"]
            )
        ),
    }


def post(site: Site, submission: dict) -> tuple[object, int | None]:
    """Send one submission; return the response and the invitation whose answers it could touch."""
    invitation = None
    if submission["token"] == "real":
        token = site.tokens[submission["citizen"]]
        invitation = site.db.invitation_by_token(token).id
    elif submission["token"] == "guessed":
        token = "A" * 43
    else:
        token = quote(str(submission["fields"][0][1] if submission["fields"] else NASTY), safe="")
    client = site.client if invitation is not None else site.prober
    page = quote(str(submission["page"]), safe="") or "status"
    url = f"/s/{token}/side/{page}"
    nonce = {"made-up": "0" * 32, "absent": None}.get(submission["nonce"], "")
    if submission["nonce"] == "fetched":
        found = NONCE.search(client.get(url).text)
        nonce = found.group(1) if found else ""
    data = [("lang", submission["lang"]), ("direction", submission["direction"])]
    if nonce is not None:
        data.append(("nonce", nonce))
    data += [(str(name), str(value)) for name, value in submission["fields"]]
    form: dict[str, list[str]] = {}
    for name, value in data:
        form.setdefault(name, []).append(value)
    if submission["body"] == "form":
        response = client.post(url, data=form)
    elif submission["body"] == "multipart":
        response = client.post(url, data=form, files={"upload": ("x.txt", b"x")})
    else:
        response = client.post(
            url, content=submission["raw"], headers={"content-type": submission["content_type"]}
        )
    return response, invitation


def save_any(site: Site, submission: dict) -> None:
    before = site.db.answers(_invitation(site, submission)) if submission["token"] == "real" else None
    response, invitation = post(site, submission)
    assert response.status_code < 500, response.text[:500]
    assert "Traceback" not in response.text
    note(f"status {response.status_code}")
    if invitation is None:
        return
    after = site.db.answers(invitation)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("text/html")
        assert response.text.strip()
        assert after == before  # a refused save changed nothing
    check_answers(after, site.rules)
    texts = [value for value in after.values() if isinstance(value, str)]
    assert all("\x00" not in text and neutralise(text) == text for text in texts)


def _invitation(site: Site, submission: dict) -> int:
    return site.db.invitation_by_token(site.tokens[submission["citizen"]]).id


test_page_save_never_answers_5xx, test_page_save_full = fuzz(40, submission=submissions())(save_any)


@pytest.mark.parametrize("nonce", ["\xa0", "ø" * 32, "\u202e", "\x00"])
def test_a_nonce_with_non_ascii_characters_is_a_stale_page_not_a_500(site: Site, nonce: str) -> None:
    """Found by the fuzzing above: hmac.compare_digest raised TypeError on a non-ASCII str nonce."""
    token = site.tokens[-1]
    invitation = site.db.invitation_by_token(token).id
    before = site.db.answers(invitation)
    response = site.client.post(f"/s/{token}/side/status", data={"nonce": nonce, "status": "1", "lang": "da"})
    assert response.status_code in (400, 409), response.status_code
    assert site.db.answers(invitation) == before
