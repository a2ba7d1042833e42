"""A suppressed group appears nowhere; the PDF says what the HTML says; nothing is fetched from outside."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from lxml import html as lxml_html
from tests.conftest import require

ARTEFACTS = Path(__file__).resolve().parents[2] / "artefacts" / "reports"


def all_text(reports_dir: Path) -> dict[str, str]:
    found = {p.name: p.read_text(encoding="utf-8") for p in reports_dir.rglob("*.html")}
    for book_path in reports_dir.rglob("*.xlsx"):
        book = openpyxl.load_workbook(book_path)
        found[book_path.name] = " ".join(
            str(c.value)
            for ws in book.worksheets
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        )
    return found


def test_a_municipality_below_the_threshold_is_named_nowhere(reports_dir, tables):
    assert "Læsø" in tables["breakdowns"]["kommune"].to_list()  # it answered, but only three citizens
    for name, text in all_text(reports_dir).items():
        assert "Læsø" not in text, name
        assert "laesoe" not in text, name


def test_no_figure_comes_from_a_suppressed_row(reports_dir, tables):
    hidden = tables["breakdowns"].with_row_index("_row").filter(pl.col("suppressed"))["_row"].to_list()
    assert hidden, "the fixed survey has suppressed groups"
    hidden_refs = re.compile("|".join(rf"breakdowns:{r}:" for r in hidden))
    for path in reports_dir.rglob("*.html"):
        assert not hidden_refs.search(path.read_text(encoding="utf-8")), path.name
    for path in reports_dir.rglob("*.xlsx"):
        sources = [
            r[2] for r in openpyxl.load_workbook(path)["Kilder"].iter_rows(min_row=2, values_only=True)
        ]
        assert not any(hidden_refs.match(s + ":") or hidden_refs.match(s) for s in sources), path.name


def test_a_group_suppressed_in_a_municipality_is_missing_from_its_breakdowns(reports_dir, tables):
    bd = tables["breakdowns"]
    hidden = bd.filter(
        pl.col("suppressed") & (pl.col("kommune") == "Høje-Taastrup") & (pl.col("by") != "alle")
    )
    tree = lxml_html.fromstring((reports_dir / "kommuner/hoeje-taastrup.html").read_bytes())
    for row in hidden.iter_rows(named=True):
        section = tree.get_element_by_id(f"q-{row['question']}")
        tables_text = " ".join(t.text_content() for t in section.xpath(".//table")[1:])
        alt = " ".join(d.text_content() for d in section.xpath(".//*[local-name()='desc']")[1:])
        label = {
            "dagpenge": "Dagpenge",
            "sygedagpenge": "Sygedagpenge",
            "aktivitetsparate": "Aktivitetsparate",
            "job_udd_parate": "Job- og uddannelsesparate",
        }.get(row["group"], row["group"])
        assert f": {label}" not in tables_text and f": {label}:" not in alt


def test_no_external_url_is_fetched(reports_dir):
    for path in reports_dir.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), path.name
        assert "<script" not in text and "@import" not in text and "url(" not in text


def pdftotext(path: Path) -> str:
    require(shutil.which("pdftotext") is not None, "pdftotext is missing (apt-get install poppler-utils)")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_pdf_has_the_name_with_aeoeaa_and_the_headline_figures_of_the_html(reports_dir):
    text = pdftotext(reports_dir / "kommuner/hoeje-taastrup.pdf")
    assert "Høje-Taastrup" in text and "Sådan læser du rapporten" in text and "Tværkommunal" in text
    tree = lxml_html.fromstring((reports_dir / "kommuner/hoeje-taastrup.html").read_bytes())
    headline = [dd.text_content() for dd in tree.xpath("//dl[@class='headline']//dd")]
    assert len(headline) == 4
    first_page = text.split("\f")[0]
    for figure in headline:
        assert figure in first_page
    fonts = subprocess.run(
        ["pdffonts", str(reports_dir / "landsrapport.pdf")], capture_output=True, text=True
    ).stdout
    assert "DejaVuSans" in fonts and all(" yes " in line for line in fonts.splitlines()[2:] if line.strip())


def test_the_first_pages_render_to_png(reports_dir):
    require(shutil.which("pdftoppm") is not None, "pdftoppm is missing (apt-get install poppler-utils)")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for stem, name in (("landsrapport", "landsrapport"), ("kommuner/hoeje-taastrup", "hoeje-taastrup")):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "50",
                "-f",
                "1",
                "-l",
                "4",
                str(reports_dir / f"{stem}.pdf"),
                str(ARTEFACTS / name),
            ],
            check=True,
        )
    pngs = sorted(ARTEFACTS.glob("*.png"))
    assert len(pngs) >= 8 and all(p.stat().st_size > 1000 for p in pngs)


@pytest.mark.parametrize("name", ["landsrapport.html", "kommuner/hoeje-taastrup.html", "index.html"])
def test_axe_finds_no_wcag_21_aa_violations(reports_dir, chromium_path, name):
    sync_api = pytest.importorskip("playwright.sync_api")
    from axe_playwright_python.sync_playwright import Axe

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.goto((reports_dir / name).as_uri())
            results = Axe().run(
                page,
                options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
            )
            violations = [
                f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                for v in results.response["violations"]
            ]
        finally:
            browser.close()
    assert violations == []


def test_a_pdf_typst_will_not_make_pdf_ua_is_written_and_said_so(analysis_dir, tmp_path, monkeypatch, capsys):
    """No silent fallback: the refusal goes to stderr and beside the report in index.html."""
    from borgerblik.core import load_template
    from borgerblik.reporting import pdf
    from borgerblik.reporting.publish import write_reports
    from borgerblik.reporting.tables import read_tables

    real = pdf._compiler()

    class Refusing:
        def compile(self, data, pdf_standards=None):
            if pdf_standards:
                raise RuntimeError("PDF/UA-1 error: missing alt text")
            return real.compile(data)

    monkeypatch.setattr(pdf, "_compiler", lambda: Refusing())
    written = write_reports(
        read_tables(analysis_dir), load_template("kl-2024"), tmp_path / "r", [], ["pdf"], workers=1
    )
    assert written.untagged == (("landsrapport.pdf", "PDF/UA-1 error: missing alt text"),)
    err = capsys.readouterr().err
    assert "advarsel: landsrapport.pdf er ikke PDF/UA-mærket (typst: PDF/UA-1 error: missing alt text)" in err
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "PDF&#39;en er ikke PDF/UA-mærket (typst: PDF/UA-1 error: missing alt text)" in index or (
        "PDF'en er ikke PDF/UA-mærket (typst: PDF/UA-1 error: missing alt text)" in index
    )
    assert (tmp_path / "r" / "landsrapport.pdf").read_bytes().startswith(b"%PDF")
