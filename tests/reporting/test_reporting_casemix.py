"""The fair comparison in the reports: Spiegelhalter's funnel of the case-mix adjusted scores on the overall
question (national and municipal report, own municipality highlighted), its table in every format, its
control limits against an independent computation, and the PDF keeping each chart with its intro."""

from __future__ import annotations

import re

import numpy as np
import openpyxl
import polars as pl
import pytest
from lxml import html as lxml_html

from borgerblik.core import load_template
from borgerblik.reporting.content import build_report
from borgerblik.reporting.pdf import typst_source
from borgerblik.reporting.tables import read_tables

OVERALL = "samlet_tilfredshed"
Z = {"95": 1.959963984540054, "998": 3.090232306167813}


def section(reports_dir, name):
    tree = lxml_html.fromstring((reports_dir / f"{name}.html").read_bytes())
    return tree.get_element_by_id("lige-vilkaar")


def shown_scores(tables) -> pl.DataFrame:
    published = (
        tables["breakdowns"]
        .filter((pl.col("by") == "alle") & (pl.col("question") == OVERALL) & ~pl.col("suppressed"))
        .get_column("kommune")
        .to_list()
    )
    return (
        tables["casemix"]
        .with_row_index("_row")
        .filter(
            (pl.col("question") == OVERALL)
            & pl.col("adjusted").is_not_null()
            & pl.col("kommune").is_in(published)
        )
        .sort("adjusted", descending=True)
    )


@pytest.mark.parametrize("name", ["landsrapport", "kommuner/hoeje-taastrup"])
def test_the_funnel_draws_every_shown_municipality_and_none_hidden(reports_dir, tables, name):
    scores = shown_scores(tables)
    # Læsø (3 answers) and Albertslund (hidden beside it) have no published figures
    assert scores["kommune"].to_list() == ["Ballerup", "Dragør", "Høje-Taastrup"]
    part = section(reports_dir, name)
    dots = part.xpath(".//*[local-name()='circle']")
    assert [d.get("data-source") for d in dots] == [f"casemix:{r}:adjusted" for r in scores["_row"]]
    text = lxml_html.tostring(part, encoding="unicode")
    assert "Læsø" not in text and "Albertslund" not in text
    rows = [[c.text_content() for c in tr.xpath("./th|./td")] for tr in part.xpath(".//table/tbody/tr")]
    assert [r[0] for r in rows] == scores["kommune"].to_list()
    for row, r in zip(rows, scores.iter_rows(named=True), strict=True):
        assert row[1] == str(r["n"])
        assert row[4] == f"{r['adjusted']:.2f}".replace(".", ",")
    assert (
        part.xpath(".//p")[0]
        .text_content()
        .startswith("Hver kommunes score på »Overordnet tilfredshed« justeret for borgersammensætningen")
    )


def test_the_control_limits_equal_an_independent_computation(reports_dir, tables):
    """Outside 95 % / 99,8 % is |adjusted − national| > z·σ/√n, σ the spread the analysis used; the limit
    lines are national ± z·σ/√n on the funnel's grid."""
    scores = shown_scores(tables)
    part = section(reports_dir, "landsrapport")
    rows = {
        tr.xpath("./th")[0].text_content(): tr.xpath("./td")[-1].text_content()
        for tr in part.xpath(".//table/tbody/tr")
    }
    for r in scores.iter_rows(named=True):
        gap = abs(r["adjusted"] - r["national"])
        limit = {k: z * r["spread"] / np.sqrt(r["n"]) for k, z in Z.items()}
        wanted = "99,8 %" if gap > limit["998"] else "95 %" if gap > limit["95"] else ""
        assert rows[r["kommune"]] == wanted
    assert rows == {"Ballerup": "", "Dragør": "", "Høje-Taastrup": ""}
    assert part.xpath(".//p")[-1].text_content() == (
        "Alle kommuner ligger inden for kontrolgrænserne efter justering for borgersammensætning."
    )
    funnel = tables["funnel"].filter(pl.col("question") == OVERALL)
    first = scores.row(0, named=True)
    half = Z["95"] * first["spread"] / np.sqrt(funnel["n"].to_numpy())
    assert funnel["upper_95"].to_numpy() == pytest.approx(first["national"] + half, rel=1e-12)
    assert funnel["lower_95"].to_numpy() == pytest.approx(first["national"] - half, rel=1e-12)
    paths = part.xpath(".//*[local-name()='path']")
    assert len(paths) == 4  # the four limit lines


def test_the_municipal_report_highlights_its_own_municipality(reports_dir):
    part = section(reports_dir, "kommuner/hoeje-taastrup")
    assert part.xpath(".//tr[@class='own']/th")[0].text_content() == "Høje-Taastrup"
    dots = part.xpath(".//*[local-name()='circle']")
    big = [d for d in dots if d.get("r") == "6"]
    assert len(big) == 1 and big[0].get("fill") == "#b35806"
    names = [t.text for t in part.xpath(".//*[local-name()='text']") if t.get("font-weight") == "bold"]
    assert names == ["Høje-Taastrup"]


def test_the_workbook_has_the_fair_comparison_as_numbers(reports_dir, tables):
    scores = shown_scores(tables)
    book = openpyxl.load_workbook(reports_dir / "landsrapport.xlsx")
    ws = book["Lige vilkår"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in values if r[:2] == ["Kommune", "n"])
    body = values[values.index(header) + 1 : values.index(header) + 1 + scores.height]
    assert [r[0] for r in body] == scores["kommune"].to_list()
    assert [r[4] for r in body] == pytest.approx(scores["adjusted"].to_list(), rel=1e-12)
    assert [r[1] for r in body] == scores["n"].to_list()


def test_the_pdf_keeps_each_chart_with_its_intro(analysis_dir):
    """typst moves the intro sentence and its chart to the next page together (never the chart alone)."""
    tables = read_tables(analysis_dir)
    source = typst_source(build_report(tables, load_template("kl-2024"), "Høje-Taastrup"))
    kept = re.findall(r'#block\(breakable: false\)\[\n#par\("([^"]*)"\)\n#figure\(caption: "([^"]*)"', source)
    assert [caption for _, caption in kept] == [
        "Tragtdiagram: justeret score på »Overordnet tilfredshed« mod antal svar"
    ]
    assert kept[0][0].startswith("Hver kommunes score på »Overordnet tilfredshed«")
