"""The analysts' coding pages: codebook, answers to code (redacted text only) with suggestions, one answer's
codes saved by a form with the CSRF token, and the coders' agreement. Only analysts reach an answer; a
municipal analyst only their own municipality's."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from sklearn.metrics import cohen_kappa_score

from borgerblik.danish import decimal
from borgerblik.storage.open_answers import (
    Code,
    codebook,
    coded_answers,
    open_answers,
    save_codebook,
    set_codes,
)

QUESTION = "hvorfor_tilfreds"
WAITING = [
    "Jeg ventede alt for længe på svar fra jobcentret.",
    "Ventetiden på en samtale var flere uger.",
    "Det tog lang tid før nogen ringede tilbage.",
    "Jeg har ventet i måneder på en afklaring.",
    "Lang ventetid og ingen besked om hvad der skulle ske.",
]
LISTENED = [
    "Min rådgiver lyttede og forstod min situation.",
    "Jeg følte mig hørt til samtalen.",
    "De lyttede til mine ønsker om uddannelse.",
    "Sagsbehandleren tog sig tid og lyttede.",
    "Jeg blev mødt med forståelse og respekt.",
]
PLANTED = "Tak til Mette Hansen, ring gerne på 23 45 67 89."
BOOK = [
    Code("ventetid", "Ventetid", "Svar der nævner at vente"),
    Code("samtalen", "Samtalen"),
    Code("lyttet", "Lyttet til mig", parent="samtalen"),
]
CODE_FIELD = re.compile(r'name="kode" value="([^"]+)"')


@pytest.fixture
def coding(survey):
    """A survey of 24 answers to the open question: 12 in Høje-Taastrup, 12 in Rødovre (the first is
    the planted identifiers), with its three-code codebook. Returns (survey id, invitation ids by place)."""
    return make_coding_survey(survey.db)


def make_coding_survey(db):
    """:func:`coding`'s survey in ``db`` (the browser test makes it too)."""
    yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    survey_id = db.create_survey("KL kodning", "kl-2024", yaml_text)
    rows = [
        {
            "cpr": f"{(n % 28) + 61:02d}0385-{n:04d}",
            "kommune": ("Høje-Taastrup", "Rødovre")[n % 2],
            "maalgruppe": "6.1",
            "gender": "mand" if n % 2 else "kvinde",
            "birth_date": "1985-03-01",
            "age": 38,
            "age_group": "30-49",
            "ydelse_start": "2023-06-15",
            "ydelse_slut": "",
            "samtaler": "jobsamtale",
            "digital_post_fritaget": "nej",
            "telefon": f"2{n:07d}",
            "email": "",
        }
        for n in range(24)
    ]
    members = db.add_members(survey_id, rows)
    db.save_sample(survey_id, dict.fromkeys(members, "stratum"), draw_seed=1)
    db.create_invitations(survey_id)
    by_member = {inv.member_id: inv for inv in db.invitations(survey_id)}
    texts = [PLANTED] + [(WAITING + LISTENED)[n % 10] + f" Svar nummer {n}." for n in range(1, 24)]
    places: dict[str, list[int]] = {"Høje-Taastrup": [], "Rødovre": []}
    for member, text in zip(members, texts, strict=True):
        invitation = by_member[member]
        db.save_answers(invitation.id, {QUESTION: text}, state="partial")
        places[invitation.kommune].append(invitation.id)
    save_codebook(db, survey_id, QUESTION, BOOK)
    return survey_id, places


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.text


def test_an_analyst_codes_an_answer_and_goes_on_to_the_next(survey, coding, staff_client):
    survey_id, places = coding
    analyst = staff_client("analyst")
    base = f"/kodning/{survey_id}/{QUESTION}"
    index = _page(analyst, "/kodning")
    assert f'href="{base}"' in index
    listing = _page(analyst, base)
    assert "24 svar, 24 endnu ikke kodet af dig" in listing
    assert "Tak til [XXX], ring gerne på [XXX]." in listing
    assert "Mette" not in listing and "23 45 67 89" not in listing
    first = places["Høje-Taastrup"][0]
    form = _page(analyst, f"{base}/svar/{first}")
    assert CODE_FIELD.findall(form) == ["ventetid", "samtalen", "lyttet"]
    assert 'accesskey="1"' in form and 'accesskey="3"' in form and "Mette" not in form
    saved = analyst.post(f"{base}/svar/{first}", data={"csrf": analyst.csrf, "kode": ["lyttet", "samtalen"]})
    assert saved.status_code == 303
    everyone = sorted(places["Høje-Taastrup"] + places["Rødovre"])
    second = next((i for i in everyone if i > first), everyone[0])
    assert saved.headers["location"] == f"{base}/svar/{second}"
    coded = coded_answers(survey.db, survey_id, QUESTION)
    assert sorted(coded.select("invitation_id", "code", "coder", "source").rows()) == [
        (first, "lyttet", analyst.username, "manual"),
        (first, "samtalen", analyst.username, "manual"),
    ]
    assert "checked" in _page(analyst, f"{base}/svar/{first}")
    assert "23 endnu ikke kodet af dig" in _page(analyst, base)
    cleared = analyst.post(f"{base}/svar/{first}", data={"csrf": analyst.csrf})
    assert cleared.status_code == 303
    assert coded_answers(survey.db, survey_id, QUESTION).height == 0


def test_a_code_form_without_the_csrf_token_or_with_an_unknown_code_stores_nothing(
    survey, coding, staff_client
):
    survey_id, places = coding
    analyst = staff_client("analyst")
    url = f"/kodning/{survey_id}/{QUESTION}/svar/{places['Rødovre'][0]}"
    assert analyst.post(url, data={"kode": "ventetid"}).status_code == 403
    assert analyst.post(url, data={"csrf": "gæt", "kode": "ventetid"}).status_code == 403
    assert analyst.post(url, data={"csrf": analyst.csrf, "kode": "findes_ikke"}).status_code == 400
    assert coded_answers(survey.db, survey_id, QUESTION).height == 0
    assert analyst.get(f"/kodning/{survey_id}/{QUESTION}/svar/999999").status_code == 404
    assert analyst.get(f"/kodning/{survey_id}/findes_ikke").status_code == 404
    assert analyst.get(f"/kodning/{survey_id}/samlet_tilfredshed").status_code == 404


def test_no_interviewer_or_administrator_sees_an_individual_answer(survey, coding, staff_client):
    survey_id, places = coding
    base = f"/kodning/{survey_id}/{QUESTION}"
    for role in ("interviewer", "administrator"):
        client = staff_client(role)
        for url in ("/kodning", base, f"{base}/svar/{places['Rødovre'][0]}", f"{base}/enighed"):
            response = client.get(url)
            assert response.status_code == 403, (role, url)
            assert "Svar nummer" not in response.text
        posted = client.post(
            f"{base}/svar/{places['Rødovre'][0]}", data={"csrf": client.csrf, "kode": "ventetid"}
        )
        assert posted.status_code == 403
    assert coded_answers(survey.db, survey_id, QUESTION).height == 0


def test_a_municipal_analyst_codes_only_their_own_municipality(survey, coding, staff_client):
    survey_id, places = coding
    analyst = staff_client("municipal_analyst", "Rødovre")
    base = f"/kodning/{survey_id}/{QUESTION}"
    listing = _page(analyst, base)
    assert "12 svar, 12 endnu ikke kodet af dig" in listing
    assert "[XXX]" not in listing, "the planted answer is Høje-Taastrup's"
    other = places["Høje-Taastrup"][0]
    assert analyst.get(f"{base}/svar/{other}").status_code == 403
    refused = analyst.post(f"{base}/svar/{other}", data={"csrf": analyst.csrf, "kode": "ventetid"})
    assert refused.status_code == 403
    own = places["Rødovre"][0]
    assert (
        analyst.post(f"{base}/svar/{own}", data={"csrf": analyst.csrf, "kode": "ventetid"}).status_code == 303
    )
    assert coded_answers(survey.db, survey_id, QUESTION)["invitation_id"].to_list() == [own]
    book = _page(analyst, f"{base}/kodebog")
    assert "Kun den tværkommunale analytiker retter kodebogen" in book
    edit = analyst.post(f"{base}/kodebog", data={"csrf": analyst.csrf, "kode_0": "x", "etiket_0": "X"})
    assert edit.status_code == 403


def test_the_codebook_is_edited_in_two_levels_and_a_bad_row_is_shown_again(survey, coding, staff_client):
    survey_id, _ = coding
    analyst = staff_client("analyst")
    url = f"/kodning/{survey_id}/{QUESTION}/kodebog"
    page = _page(analyst, url)
    assert 'value="ventetid"' in page and 'name="kode_5"' in page and 'name="kode_6"' not in page
    form = {
        "csrf": analyst.csrf,
        "kode_0": "ventetid",
        "etiket_0": "Ventetid",
        "noegleord_0": "vente | lang tid",
        "eksempler_0": "Jeg ventede\nDet tog tid",
        "kode_1": "kontakt",
        "etiket_1": "Kontakt",
        "kode_2": "telefon",
        "etiket_2": "Telefonen",
        "overkode_2": "kontakt",
        "kode_3": "",
        "etiket_3": "",
    }
    saved = analyst.post(url, data=form)
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?gemt=ja"
    assert codebook(survey.db, survey_id, QUESTION) == [
        Code("ventetid", "Ventetid", "", ("vente", "lang tid"), ("Jeg ventede", "Det tog tid")),
        Code("kontakt", "Kontakt"),
        Code("telefon", "Telefonen", parent="kontakt"),
    ]
    assert "Kodebogen er gemt." in _page(analyst, f"{url}?gemt=ja")
    bad = analyst.post(url, data={**form, "kode_1": "Kontakt Nu"})
    assert bad.status_code == 422
    assert "Række 2: koden &#39;Kontakt Nu&#39; må kun have små bogstaver" in bad.text
    assert 'value="Kontakt Nu"' in bad.text
    third = analyst.post(url, data={**form, "overkode_1": "ventetid"})
    assert third.status_code == 422 and "to niveauer" in third.text
    assert len(codebook(survey.db, survey_id, QUESTION)) == 3


def test_suggestions_come_with_their_measured_precision_once_enough_is_coded(survey, coding, staff_client):
    survey_id, places = coding
    analyst = staff_client("analyst")
    base = f"/kodning/{survey_id}/{QUESTION}"
    assert "Kod mindst 10 svar" in _page(analyst, base)
    texts = {a.invitation_id: a.text for a in open_answers(survey.db, survey_id, QUESTION)}
    planted = [i for i, t in texts.items() if t.startswith(tuple(WAITING + LISTENED))]
    code = {i: "ventetid" if texts[i].startswith(tuple(WAITING)) else "lyttet" for i in planted}
    waiting = [i for i in planted if code[i] == "ventetid"]
    listened = [i for i in planted if code[i] == "lyttet"]
    training = waiting[:10] + listened[:10]
    set_codes(survey.db, survey_id, QUESTION, [(i, code[i]) for i in training], coder=analyst.username)
    listing = _page(analyst, base)
    assert "Forslagenes træfsikkerhed pr. kode" in listing
    assert re.search(r"<td>Ventetid</td><td>10</td><td>\d,\d\d</td><td>\d,\d\d</td>", listing)
    uncoded = waiting[10]
    form = _page(analyst, f"{base}/svar/{uncoded}")
    assert re.search(r"Ventetid \(forslag, \d+ %\)", form)


def test_the_agreement_page_shows_cohens_kappa_per_code(survey, coding, staff_client):
    survey_id, places = coding
    analyst = staff_client("analyst", username="mette")
    ids = sorted(places["Høje-Taastrup"] + places["Rødovre"])[:10]
    first = ["ventetid"] * 5 + ["lyttet"] * 5
    second = ["ventetid"] * 4 + ["lyttet"] * 5 + ["ventetid"]
    set_codes(survey.db, survey_id, QUESTION, list(zip(ids, first, strict=True)), coder="mette")
    set_codes(survey.db, survey_id, QUESTION, list(zip(ids, second, strict=True)), coder="søren")
    page = _page(analyst, f"/kodning/{survey_id}/{QUESTION}/enighed?a=mette&b=søren")
    assert "mette og søren: 10 svar kodet af begge" in page
    expected = cohen_kappa_score([c == "ventetid" for c in first], [c == "ventetid" for c in second])
    assert decimal(expected) == "0,60"
    assert "<td>Ventetid</td><td>5</td><td>5</td><td>0,60</td>" in page
    assert "<td>Samtalen</td><td>0</td><td>0</td><td>1,00</td>" in page


def test_a_suggester_is_kept_until_a_tenth_more_answers_are_coded():
    from borgerblik.web.staff_pages.coding import suggester_for

    texts = [w + f" {n}" for n, w in enumerate((WAITING + LISTENED) * 4)]
    codes = [["ventetid"] if t.startswith(tuple(WAITING)) else ["lyttet"] for t in texts]
    key = ("test", "kept")
    first = suggester_for(key, texts[:20], codes[:20])
    assert suggester_for(key, texts[:29], codes[:29]) is first
    assert suggester_for(key, texts[:30], codes[:30]) is not first
    assert suggester_for(("test", "few"), texts[:9], codes[:9]) == (
        "Kod mindst 10 svar, så kan Borgerblik foreslå koder."
    )
