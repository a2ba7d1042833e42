"""Every figure in the HTML and the Excel workbook equals the analysis-table row it names — all of them."""

from __future__ import annotations

import re

import openpyxl
import polars as pl
import pytest
from lxml import html as lxml_html

from borgerblik.reporting.numbers import kind_of

REPORTS = ["landsrapport", "kommuner/hoeje-taastrup"]
THRESHOLD = 5


def parse_danish(text: str) -> float:
    """'3,06' → 3.06; '30,6 %' → 30.6; '1.084' → 1084."""
    return float(text.replace("%", "").strip().replace(".", "").replace(",", "."))


def expected(tables: dict[str, pl.DataFrame], source: str) -> tuple[float, str]:
    table, row, column = source.split(":")
    return tables[table][int(row), column], column


def check_text(tables, source: str, text: str) -> None:
    if source == "method:threshold":
        assert text == str(THRESHOLD)
        return
    value, column = expected(tables, source)
    assert value is not None, f"{source} is empty in the table but printed as {text!r}"
    shown = parse_danish(text)
    kind = kind_of(column)
    if source.startswith("method:"):  # the survey's facts: each row names the kind of its value(s)
        table, row, _ = source.split(":")
        kind = tables[table][int(row), "kind"].split(",")[column == "value2"]
    if text.endswith("%") and kind in ("share", "mean"):  # a yes/no question's "mean" is its share ja
        assert shown == pytest.approx(value * 100, abs=0.05 + 1e-9), source
    elif column == "p_value":
        assert shown == pytest.approx(value, abs=0.0005 + 1e-12), source
    elif kind == "count":
        assert shown == round(value), source
        assert "," not in text
    else:
        assert shown == pytest.approx(value, abs=(0.005 if kind == "mean" else 0.05) + 1e-9), source


@pytest.mark.parametrize("name", REPORTS)
def test_every_number_in_the_html_is_its_table_row(reports_dir, tables, name):
    tree = lxml_html.fromstring((reports_dir / f"{name}.html").read_bytes())
    texts = [e for e in tree.xpath("//*[@data-source]") if e.tag not in ("rect", "circle", "line", "text")]
    assert len(texts) > 300
    for element in texts:
        check_text(tables, element.get("data-source"), element.text_content())
    marks = tree.xpath("//svg//*[@data-value]")
    assert len(marks) > 100
    for mark in marks:
        value, _ = expected(tables, mark.get("data-source"))
        assert float(mark.get("data-value")) == pytest.approx(value, rel=1e-5)


def test_every_municipality_with_published_figures_has_its_reports(reports_dir, tables):
    shown = (
        tables["breakdowns"]
        .filter(
            (pl.col("by") == "alle")
            & (pl.col("question") == "samlet_tilfredshed")
            & ~pl.col("suppressed")
            & (pl.col("kommune") != "alle")
        )["kommune"]
        .to_list()
    )
    assert "Høje-Taastrup" in shown and "Læsø" not in shown
    written = sorted(p.name for p in (reports_dir / "kommuner").iterdir())
    slugs = {
        "Albertslund": "albertslund",
        "Ballerup": "ballerup",
        "Dragør": "dragoer",
        "Høje-Taastrup": "hoeje-taastrup",
    }
    assert written == sorted(f"{slugs[m]}.{ext}" for m in shown for ext in ("html", "pdf", "xlsx"))


def test_danish_number_format_in_the_html(reports_dir):
    text = (reports_dir / "landsrapport.html").read_text(encoding="utf-8")
    assert re.search(r">\d,\d\d<", text)  # 3,06
    assert re.search(r">\d{1,2},\d %<", text)  # 38,8 %
    assert '<html lang="da">' in text


@pytest.mark.parametrize("name", REPORTS)
def test_every_number_in_the_workbook_is_its_table_row(reports_dir, tables, name):
    book = openpyxl.load_workbook(reports_dir / f"{name}.xlsx")
    sources = list(book["Kilder"].iter_rows(min_row=2, values_only=True))
    assert len(sources) > 300
    for sheet, cell, source in sources:
        value = book[sheet][cell].value
        assert isinstance(value, int | float), f"{sheet}!{cell} is not a number"
        if source == "method:threshold":
            assert value == THRESHOLD
            continue
        wanted, _ = expected(tables, source)
        assert value == pytest.approx(wanted, rel=1e-9), f"{sheet}!{cell} ≠ {source}"
    numbers = [
        c
        for ws in book.worksheets
        if ws.title != "Kilder"
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, int | float)
    ]
    assert len(numbers) == len(sources), "every number in the workbook is listed with its source"
    assert {"Oversigt", "Drivere", "Metode", "Kommuner"} <= set(book.sheetnames)
    assert any(ws.freeze_panes for ws in book.worksheets)
    share_cells = [book[s][c] for s, c, src in sources if src.endswith(":pct_positive")]
    assert share_cells and all(c.number_format == "0.0 %" for c in share_cells)


def test_the_municipal_report_sets_the_municipality_beside_the_nation_with_its_rank(reports_dir, tables):
    tree = lxml_html.fromstring((reports_dir / "kommuner/hoeje-taastrup.html").read_bytes())
    bench = tables["benchmark"].with_row_index("_row")
    own = bench.filter((pl.col("kommune") == "Høje-Taastrup") & (pl.col("question") == "samlet_tilfredshed"))
    row = own["_row"][0]
    assert tree.xpath(f"//*[@data-source='benchmark:{row}:rank']")
    assert tree.xpath(f"//*[@data-source='benchmark:{row}:national_mean']")
    assert tree.xpath("//tr[@class='own']/th")[0].text == "Høje-Taastrup"


def test_a_question_nobody_was_asked_gets_no_section_and_no_figure(analysis_dir):
    """A routed question with no valid answer (no sygedagpenge citizen, say) has no mean: the report leaves
    it out instead of failing on it."""
    from borgerblik.core import load_template
    from borgerblik.reporting.content import build_report
    from borgerblik.reporting.tables import read_tables

    tables = read_tables(analysis_dir)
    bd = tables.tables["breakdowns"]
    tables.tables["breakdowns"] = bd.with_columns(
        pl.when(pl.col("question") == "tilbagevenden_job").then(None).otherwise(pl.col("mean")).alias("mean")
    )
    instrument = load_template("kl-2024")
    for place in (None, "Høje-Taastrup"):
        report = build_report(tables, instrument, place)
        ids = [s.id for s in report.sections]
        assert "q-tilbagevenden_job" not in ids and "q-samlet_tilfredshed" in ids
        rows = bd.with_row_index("_r").filter(pl.col("question") == "tilbagevenden_job")
        hidden = {f"breakdowns:{r}" for r in rows["_r"].to_list()}
        assert not any(f.source.rsplit(":", 1)[0] in hidden for f in report.figures())
