"""Reports of a survey on three kinds of scale (``scales_survey``): a 0–10 question as its answers grouped
0–6 / 7–8 / 9–10 with the mean and % 9–10 and a table of all eleven points; a yes/no question as the share
answering ja with its interval and no mean; breakdowns, benchmark and main conclusions on each question's
own measure — in HTML, PDF and Excel, every figure its table row."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest
from lxml import html as lxml_html
from scales_survey import OWN, SMALL, analysed, answers, instrument
from test_reporting_cli import structure
from test_reporting_figures import check_text, expected

from borgerblik.analysis.survey import write_tables
from borgerblik.reporting.publish import write_reports
from borgerblik.reporting.tables import read_tables

SNAPSHOTS = Path(__file__).with_name("snapshots")


@pytest.fixture(scope="module")
def scales(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("skala-analyse")
    write_tables(analysed(), directory)
    out = tmp_path_factory.mktemp("skala-rapporter") / "ud"
    write_reports(read_tables(directory), instrument(), out, [OWN], workers=1)
    frames = {p.stem: pl.read_parquet(p) for p in directory.glob("*.parquet")}
    return out, frames


def page(out: Path, name: str):
    return lxml_html.fromstring((out / f"{name}.html").read_bytes())


def rows_of(table) -> list[list[str]]:
    return [[c.text_content() for c in tr.xpath("./th|./td")] for tr in table.xpath("./tbody/tr")]


def header_of(table) -> list[str]:
    return [th.text_content() for th in table.xpath("./thead/tr/th")]


def raw(place: str | None = None) -> pl.DataFrame:
    frame = answers()
    return frame if place is None else frame.filter(pl.col("kommune") == place)


def percent(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


@pytest.mark.parametrize("name", ["landsrapport", "kommuner/albertslund"])
def test_every_number_in_the_html_and_the_workbook_is_its_table_row(scales, name):
    out, frames = scales
    tree = page(out, name)
    texts = [e for e in tree.xpath("//*[@data-source]") if e.tag not in ("rect", "circle", "line", "text")]
    assert len(texts) > 100
    for element in texts:
        check_text(frames, element.get("data-source"), element.text_content())
    for mark in tree.xpath("//svg//*[@data-value]"):
        value, _ = expected(frames, mark.get("data-source"))
        assert float(mark.get("data-value")) == pytest.approx(value, rel=1e-5)
    book = openpyxl.load_workbook(out / f"{name}.xlsx")
    for sheet, cell, source in book["Kilder"].iter_rows(min_row=2, values_only=True):
        if source != "method:threshold":
            assert book[sheet][cell].value == pytest.approx(expected(frames, source)[0], rel=1e-9)


def test_a_zero_to_ten_question_is_its_grouped_answers_with_mean_and_share_nine_ten(scales):
    """0–6 / 7–8 / 9–10 and every point are the counts over the valid answers (unweighted survey; 99 =
    "ved ikke" left out), the mean is on 0–10."""
    out, _ = scales
    section = page(out, "kommuner/albertslund").get_element_by_id("q-anbefale")
    grouped, points = section.xpath(".//table")[:2]
    assert header_of(grouped) == [
        "Gruppe",
        "0–6",
        "7–8",
        "9–10",
        "Gennemsnit",
        "Andel positive (9–10)",
        "n",
        "Ved ikke",
    ]
    assert rows_of(grouped) == [
        ["Albertslund", "48,5 %", "34,8 %", "16,7 %", "6,11", "16,7 %", "66", "2"],
        ["Hele landet", "51,3 %", "30,9 %", "17,8 %", "6,15", "17,8 %", "230", "10"],
    ]
    for row, place in zip(rows_of(grouped), (OWN, None), strict=True):
        given = raw(place)["anbefale"].to_numpy()
        valid = given[given != 99]
        shares = [np.isin(valid, g).mean() for g in (range(0, 7), (7, 8), (9, 10))]
        assert row[1:4] == [percent(s) for s in shares]
        assert row[4] == f"{valid.mean():.2f}".replace(".", ",")
        assert row[7] == str((given == 99).sum())
    assert header_of(points) == ["Svar", "Albertslund", "Hele landet"]
    body = rows_of(points)
    assert [r[0] for r in body] == [
        "0 – Slet ikke sandsynligt",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10 – Meget sandsynligt",
    ]  # the questionnaire's order
    national = raw()["anbefale"].to_numpy()
    national = national[national != 99]
    assert [r[2] for r in body] == [percent((national == k).mean()) for k in range(11)]
    assert body[-1] == ["10 – Meget sandsynligt", "10,6 %", "7,4 %"]
    svg = section.xpath(".//*[local-name()='svg']")[0]
    assert [t.text for t in svg.xpath(".//*[local-name()='text']")][-3:] == ["0–6", "7–8", "9–10"]
    breakdown = section.xpath(".//table")[2]
    assert header_of(breakdown)[:2] == ["Gruppe", "Gennemsnit"]
    ticks = [t.text for t in section.xpath(".//*[local-name()='svg']")[1].xpath(".//*[local-name()='text']")]
    assert ticks[:6] == ["0", "2", "4", "6", "8", "10"]


def test_a_yes_no_question_is_the_share_answering_ja_with_its_interval_and_no_mean(scales):
    out, frames = scales
    section = page(out, "kommuner/albertslund").get_element_by_id("q-hjulpet")
    first = section.xpath(".//table")[0]
    assert header_of(first) == ["Gruppe", "Andel ja", "95 %-interval, fra", "til", "n", "Ved ikke"]
    assert rows_of(first) == [
        ["Albertslund", "57,8 %", "45,7 %", "69,9 %", "64", "4"],
        ["Hele landet", "53,7 %", "47,2 %", "60,1 %", "231", "9"],
    ]
    for row, place in zip(rows_of(first), (OWN, None), strict=True):
        given = raw(place)["hjulpet"].to_numpy()
        n_domain = np.isin(given, (1, 2)).sum()
        share = (given == 1).sum() / n_domain
        assert row[1] == percent(share)
        # R's svydesign(ids=~1, weights=~1): var = n/(n-1) · p(1-p)/n_domain, n the whole sample
        n = raw().height
        half = 1.959963984540054 * np.sqrt(n / (n - 1) * share * (1 - share) / n_domain)
        assert row[2:4] == [percent(share - half), percent(share + half)]
    assert "Gennemsnit" not in section.text_content()
    assert "Note: 4 svarede »ved ikke«; de indgår ikke i andelen." in section.text_content()
    assert (
        "I kommunen svarer 57,8 % ja, mens andelen i hele landet er 53,7 %. Kommunen ligger nr. 1 af 3."
        in section.text_content()
    )
    breakdown = section.xpath(".//table")[1]
    assert header_of(breakdown) == ["Gruppe", "Andel ja", "95 %-interval, fra", "til", "n"]
    svg = section.xpath(".//*[local-name()='svg']")[0]
    assert [t.text for t in svg.xpath(".//*[local-name()='text']")][:5] == [
        "0 %",
        "25 %",
        "50 %",
        "75 %",
        "100 %",
    ]
    bars = svg.xpath(".//*[local-name()='rect']")
    bd = frames["breakdowns"].with_row_index("_row")
    own = bd.filter((pl.col("question") == "hjulpet") & (pl.col("kommune") == OWN) & (pl.col("by") == "alle"))
    assert bars[0].get("data-source") == f"breakdowns:{own['_row'][0]}:pct_positive"


def test_benchmark_and_main_conclusions_use_each_questions_own_measure(scales):
    out, _ = scales
    tree = page(out, "kommuner/albertslund")
    bench = tree.get_element_by_id("benchmark").xpath(".//table")[0]
    assert header_of(bench) == [
        "Spørgsmål",
        "Skala",
        "Gennemsnit",
        "Landsgennemsnit",
        "Andel positive",
        "Andel positive i hele landet",
        "Rang",
        "af",
    ]
    assert rows_of(bench) == [
        ["Tillid", "1–5", "2,82", "2,85", "26,2 %", "30,7 %", "3", "3"],
        ["Inddragelse", "1–5", "3,02", "2,91", "36,9 %", "32,5 %", "1", "3"],
        ["Anbefaling", "0–10", "6,11", "6,15", "16,7 %", "17,8 %", "2", "3"],
        ["Hjulpet", "ja/nej", "", "", "57,8 %", "53,7 %", "1", "3"],
        ["Samlet tilfredshed", "1–5", "3,02", "2,94", "35,4 %", "33,8 %", "1", "3"],
    ]
    national = [
        p.text_content() for p in page(out, "landsrapport").get_element_by_id("konklusioner").xpath(".//p")
    ]
    assert national[:4] == [
        "Det spørgsmål, der scorer højest, er »Samlet tilfredshed« med et gennemsnit på 2,94.",
        "Det spørgsmål, der scorer lavest, er »Tillid« med et gennemsnit på 2,85.",
        "»Anbefaling« (skala 0–10) har et gennemsnit på 6,15, og 17,8 % svarer 9–10.",
        "53,7 % svarer ja til »Hjulpet« (95 %-interval 47,2 %–60,1 %).",
    ]
    guide = page(out, "landsrapport").get_element_by_id("laesevejledning").text_content()
    assert "0–6, 7–8 og 9–10" in guide and "andelen, der svarer ja" in guide


def test_the_workbook_holds_the_distribution_as_numbers(scales):
    out, frames = scales
    book = openpyxl.load_workbook(out / "kommuner/albertslund.xlsx")
    ws = book["03 Anbefaling"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in values if r[:4] == ["Gruppe", "0–6", "7–8", "9–10"])
    national = values[values.index(header) + 2]
    dist = frames["scale_distribution"].filter(pl.col("kommune") == "alle")
    assert national[0] == "Hele landet"
    wanted = [dist[f"share_{g}"][0] for g in ("low", "middle", "high")]
    assert national[1:4] == pytest.approx(wanted, rel=1e-12)
    cell = ws.cell(values.index(header) + 3, 2)
    assert cell.number_format == "0.0 %"
    points = next(r for r in values if r[:3] == ["Svar", "Albertslund", "Hele landet"])
    ten = values[values.index(points) + 11]
    own = frames["scale_distribution"].filter(pl.col("kommune") == OWN)
    assert ten[0] == "10 – Meget sandsynligt"
    assert ten[1:3] == pytest.approx([own["share_10"][0], dist["share_10"][0]], rel=1e-12)


def test_a_suppressed_municipality_has_no_distribution_row_anywhere(scales):
    out, frames = scales
    dist = frames["scale_distribution"].with_row_index("_row")
    hidden = dist.filter(pl.col("suppressed"))
    assert sorted(hidden["kommune"].to_list()) == ["Ballerup", SMALL]
    assert all(v is None for row in hidden.select(pl.col("^share_.*$")).rows() for v in row)
    for path in out.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert SMALL not in text
        for row in hidden["_row"].to_list():
            assert f"scale_distribution:{row}:" not in text


def test_the_pdf_shows_the_grouped_answers_and_the_share_ja(scales):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")
    out, _ = scales
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / "kommuner/albertslund.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Andel ja: Hjulpet" in text and "Alle svarmuligheder: Anbefaling" in text
    assert "10 – Meget sandsynligt" in text and "57,8 %" in text


def test_scales_report_structure_snapshot(scales):
    out, _ = scales
    path = SNAPSHOTS / "kommune_skalaer_structure.txt"
    found = structure(out / "kommuner/albertslund.html")
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(found, encoding="utf-8")
    assert found == path.read_text(encoding="utf-8")
