"""The trends page of the results: two stored waves (2023 and 2024) of the KL survey, the 2024 analysis run
as the results page runs it, and every figure checked against the trend tables of ``borgerblik report
--survey`` (``reporting.from_database.analysed_survey``) with the report's suppression — the nation with its
target groups, each municipality's own line, and a municipal analyst held to the nation and their own."""

from __future__ import annotations

import html
import math
import re

import polars as pl
import pytest
from results_support import run_analysis, simulated_wave

from borgerblik.reporting.from_database import analysed_survey
from borgerblik.reporting.numbers import Numbers
from borgerblik.reporting.trends_section import (
    MUNICIPAL_CHANGES,
    MUNICIPAL_TRENDS,
    published_trends,
    visible_changes,
)

YEARS = [2023, 2024]


@pytest.fixture
def waves(survey, tmp_path):
    """The 2024 wave's survey id, analysed, with the 2023 wave stored before it."""
    simulated_wave(survey.db, tmp_path, 2023)
    current = simulated_wave(survey.db, tmp_path, 2024)
    run_analysis(survey.db, current)
    return current


def _plain(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def report_tables(db, survey_id):
    tables, _, _ = analysed_survey(str(survey_id), db.engine.url.render_as_string(hide_password=False), 20)
    return tables


def expected_rows(tables, trend_table, change_table, group=None):
    """(group, question, year) → (n, mean, % positive) and (group, question) → (change, p) as the report shows
    them (only the municipality's own line for a municipal table)."""
    shown = published_trends(tables.get(trend_table), tables.threshold)
    changes = visible_changes(shown, tables.get(change_table), YEARS)
    if group is not None:
        shown, changes = shown.filter(pl.col("group") == group), changes.filter(pl.col("group") == group)
    rows = {
        (r["group"], r["question"], r["year"]): (r["n_valid"], r["mean"], r["pct_positive"])
        for r in shown.iter_rows(named=True)
    }
    tests = {
        (r["group"], r["question"]): (r["change"], _plain(r["p_value"]))
        for r in changes.iter_rows(named=True)
    }
    return rows, tests


def shown_rows(view):
    rows = {
        (g["group"], q["question"], year): (w["n_valid"], w["mean"], w["pct_positive"])
        for g in view["groups"]
        for q in g["questions"]
        for year, w in zip(view["waves"], q["waves"], strict=True)
        if w is not None
    }
    tests = {
        (g["group"], q["question"]): (q["change"]["change"], q["change"]["p_value"])
        for g in view["groups"]
        for q in g["questions"]
        if q["change"] is not None
    }
    return rows, tests


def test_the_nations_trends_are_the_reports_own(survey, waves, admin):
    tables = report_tables(survey.db, waves)
    expected, tested = expected_rows(tables, "trends", "trend_changes")
    view = admin.get(f"/api/surveys/{waves}/trends").json()
    assert view["waves"] == YEARS and view["kommune"] == "alle"
    assert view["places"] == ["Høje-Taastrup", "Rødovre"]
    got, got_tests = shown_rows(view)
    assert got == expected
    assert got_tests == tested and len(tested) > 10
    groups = [g["group"] for g in view["groups"]]
    assert groups[0] == "alle" and len(groups) > 1  # everyone first, then the target groups
    assert view["groups"][0]["questions"][-1]["text"] == "Gennemsnit af alle spørgsmål"

    page = admin.get(f"/resultater/{waves}/tendenser")
    assert page.status_code == 200
    numbers = Numbers("da")
    everyone = next(g for g in view["groups"] if g["group"] == "alle")
    question = next(q for q in everyone["questions"] if q["question"] == "samlet_tilfredshed")
    row = re.search(
        rf"<tr><th scope=\"row\">{re.escape(html.escape(question['text']))}</th>(.*?)</tr>", page.text, re.S
    )
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    before, after = question["waves"]
    change = question["change"]
    assert cells == [
        numbers.figure("pct_positive", before["pct_positive"]),
        numbers.figure("mean", before["mean"]),
        numbers.figure("pct_positive", after["pct_positive"]),
        numbers.figure("mean", after["mean"]),
        numbers.figure("change", change["change"]),
        numbers.decimal(change["p_value"], 3),
        "Ja" if change["p_value"] < 0.05 else "Nej",
    ]
    assert "Udvikling over tid: Alle" in page.text and "Ændring i gennemsnit siden 2023" in page.text
    overview = admin.get(f"/resultater/{waves}").text
    assert f'href="/resultater/{waves}/tendenser"' in overview


def test_each_municipality_has_its_own_line_and_a_municipal_analyst_only_theirs(
    survey, waves, admin, staff_client
):
    tables = report_tables(survey.db, waves)
    for kommune in ("Høje-Taastrup", "Rødovre"):
        expected, tested = expected_rows(tables, MUNICIPAL_TRENDS, MUNICIPAL_CHANGES, kommune)
        view = admin.get(f"/api/surveys/{waves}/trends", params={"kommune": kommune}).json()
        assert [g["group"] for g in view["groups"]] == [kommune]
        assert shown_rows(view) == (expected, tested) and expected

    analyst = staff_client("municipal_analyst", "Rødovre")
    own = analyst.get(f"/api/surveys/{waves}/trends", params={"kommune": "Rødovre"}).json()
    assert own["places"] == ["Rødovre"]
    page = analyst.get(f"/resultater/{waves}/tendenser?kommune=Rødovre")
    assert page.status_code == 200 and "Udvikling over tid: Rødovre" in page.text
    assert "Høje-Taastrup" not in page.text
    assert analyst.get(f"/resultater/{waves}/tendenser").status_code == 200  # the nation
    other = analyst.get(f"/resultater/{waves}/tendenser?kommune=Høje-Taastrup")
    assert other.status_code == 403 and "Ingen adgang" in other.text
    api = analyst.get(f"/api/surveys/{waves}/trends", params={"kommune": "Høje-Taastrup"})
    assert api.status_code == 403


def test_without_earlier_waves_the_page_says_so(survey, answered, admin):
    assert admin.get(f"/resultater/{answered}/tendenser").status_code == 303  # no analysis yet
    assert admin.get(f"/api/surveys/{answered}/trends").status_code == 409
    run_analysis(survey.db, answered)
    page = admin.get(f"/resultater/{answered}/tendenser")
    assert page.status_code == 200 and "Der er ingen tidligere bølger at sammenligne med her" in page.text
    assert admin.get(f"/api/surveys/{answered}/trends").json()["groups"] == []
