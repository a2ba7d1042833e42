"""The open answers' themes and quotes on the results pages: an open question coded by an analyst, the
analysis run as the results page runs it, and every share and quote checked against the tables of
``borgerblik report --survey`` (``reporting.from_database.analysed_survey``) laid out as the report lays
them — no quote twice, none from a suppressed group — and a municipal analyst held to the nation and their
own."""

from __future__ import annotations

import html

import polars as pl
import pytest
from results_support import run_analysis, simulated_wave

from borgerblik.reporting.from_database import analysed_survey
from borgerblik.reporting.numbers import Numbers
from borgerblik.reporting.open_section import (
    QuotePicker,
    place_accounts,
    place_sentiments,
    question_themes,
    redacted,
)
from borgerblik.storage.open_answers import Code, open_answers, save_codebook, set_codes

QUESTION = "hvorfor_tilfreds"
PLACES = ("alle", "Høje-Taastrup", "Rødovre")


@pytest.fixture
def wave(survey, tmp_path):
    return simulated_wave(survey.db, tmp_path, 2024)


def code_answers(db, survey_id):
    """The analyst's coding: waiting, the meetings, or something else, by the words of each answer."""
    book = [Code("ventetid", "Ventetid"), Code("samtalen", "Samtalen"), Code("andet", "Andet")]
    save_codebook(db, survey_id, QUESTION, book)

    def code(text: str) -> str:
        text = text.lower()
        return "ventetid" if "vent" in text else "samtalen" if "samtal" in text or "møde" in text else "andet"

    answers = open_answers(db, survey_id, QUESTION)
    set_codes(db, survey_id, QUESTION, [(a.invitation_id, code(a.text)) for a in answers], coder="analytiker")
    return len(answers)


def report_layout(db, survey_id, place):
    """The coded question's groups in ``place`` as the report lays them out: (group, [(code, share, with
    code, quotes)]), the groups it hides and the sentiment rows."""
    url = db.engine.url.render_as_string(hide_password=False)
    tables = analysed_survey(str(survey_id), url, 20)[0]
    accounts, quotes = tables.get("open_answers_accounts"), tables.get("open_answers_quotes")
    groups = question_themes(place_accounts(accounts, place), quotes, QUESTION, place, QuotePicker())
    layout = [
        (
            g.group,
            [
                (t["code"], t["share"], t["with_code"], list(q))
                for t, q in zip(g.themes, g.quotes, strict=True)
            ],
        )
        for g in groups
    ]
    hidden = accounts.filter(
        (pl.col("kommune") == place) & (pl.col("question") == QUESTION) & pl.col("suppressed")
    )
    sentiment = place_sentiments(tables.get("open_answers_sentiment"), QUESTION, place)
    return layout, set(hidden["group"].to_list()), sentiment, accounts, quotes


def shown_layout(view):
    (question,) = [q for q in view["questions"] if q["question"] == QUESTION]
    layout = [
        (g["group"], [(t["code"], t["share"], t["with_code"], t["quotes"]) for t in g["themes"]])
        for g in question["groups"]
    ]
    return question, layout


def test_before_anything_is_coded_the_page_says_not_coded_yet(survey, wave, admin):
    run_analysis(survey.db, wave)
    page = admin.get(f"/resultater/{wave}/aabne-svar")
    assert page.status_code == 200 and "Ikke kodet endnu" in page.text
    assert admin.get(f"/api/surveys/{wave}/open-answers").json()["coded"] == []
    overview = admin.get(f"/resultater/{wave}").text
    assert f'href="/resultater/{wave}/aabne-svar"' in overview


def test_the_themes_and_quotes_are_the_reports_own(survey, wave, admin):
    assert code_answers(survey.db, wave) > 50
    run_analysis(survey.db, wave)
    numbers = Numbers("da")
    for place in PLACES:
        layout, hidden, sentiment, accounts, quotes = report_layout(survey.db, wave, place)
        view = admin.get(f"/api/surveys/{wave}/open-answers", params={"kommune": place}).json()
        assert view["coded"] == [QUESTION]
        question, shown = shown_layout(view)
        assert shown == layout and layout, place
        assert [r["share_positiv"] for r in question["sentiment"]] == [r["share_positiv"] for r in sentiment]
        names = {"tilfreds": "Tilfredse borgere", "mindre tilfreds": "Mindre tilfredse borgere"}
        assert set(question["hidden_groups"]) == {names.get(g, g) for g in hidden}

        every = [q for _, themes in shown for *_, chosen in themes for q in chosen]
        assert len(every) == len(set(every)) > 0, "a quote shown twice on one page"
        mine = accounts.filter(pl.col("question") == QUESTION)  # suppression is the question's own
        suppressed = mine.filter(pl.col("suppressed")).select("kommune", "group").unique()
        allowed = quotes.filter(pl.col("question") == QUESTION).join(
            suppressed, on=["kommune", "group"], how="anti"
        )
        for group, themes in shown:
            for code, *_, chosen in themes:
                pool = allowed.filter(
                    (pl.col("kommune") == place) & (pl.col("group") == group) & (pl.col("code") == code)
                )["quote"].to_list()
                pool = [redacted(quote).strip() for quote in pool]  # redacted once more, as the report does
                assert all(quote in pool for quote in chosen), (place, group, code)

        page = admin.get(f"/resultater/{wave}/aabne-svar", params={"kommune": place})
        assert page.status_code == 200
        for _, themes in shown:
            for _, share, with_code, chosen in themes:
                assert f"<td>{numbers.integer(with_code)}</td><td>{numbers.share(share)}</td>" in page.text
                assert all(f"<blockquote><p>{html.escape(q)}</p></blockquote>" in page.text for q in chosen)


def test_a_municipal_analyst_sees_the_nations_themes_and_their_own(survey, wave, staff_client):
    code_answers(survey.db, wave)
    run_analysis(survey.db, wave)
    analyst = staff_client("municipal_analyst", "Rødovre")
    own = analyst.get(f"/resultater/{wave}/aabne-svar?kommune=Rødovre")
    assert own.status_code == 200 and "<option selected>Rødovre</option>" in own.text
    assert "Høje-Taastrup" not in own.text
    assert analyst.get(f"/resultater/{wave}/aabne-svar").status_code == 200
    assert analyst.get(f"/resultater/{wave}/aabne-svar?kommune=Høje-Taastrup").status_code == 403
    other = analyst.get(f"/api/surveys/{wave}/open-answers", params={"kommune": "Høje-Taastrup"})
    assert other.status_code == 403
    assert analyst.get(f"/api/surveys/{wave}/open-answers").json()["places"] == ["Rødovre"]
