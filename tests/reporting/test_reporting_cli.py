"""`borgerblik report`: the folder layout is the contract; bad input is one line, exit 2, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import html as lxml_html
from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.reporting.slugs import slug
from borgerblik.storage import Database
from borgerblik.surveys import create_survey_from_template

runner = CliRunner()
SNAPSHOT = Path(__file__).with_name("snapshots") / "landsrapport_structure.txt"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Høje-Taastrup", "hoeje-taastrup"),
        ("Lyngby-Taarbæk", "lyngby-taarbaek"),
        ("Ærø", "aeroe"),
        ("Ringkøbing-Skjern", "ringkoebing-skjern"),
        ("Aabenraa", "aabenraa"),
        ("Vesthimmerlands", "vesthimmerlands"),
        ("Faaborg Midtfyn", "faaborg-midtfyn"),
        ("Brønderslev", "broenderslev"),
        ("Ålborg", "aalborg"),
    ],
)
def test_slug_is_lower_case_with_ae_oe_aa_and_dashes(name, expected):
    assert slug(name) == expected


def test_report_from_an_analysis_folder_writes_the_contract_layout(analysis_dir, tmp_path):
    out = tmp_path / "rapporter"
    result = runner.invoke(
        app,
        [
            "report",
            "--analysis",
            str(analysis_dir),
            "--municipality",
            "Høje-Taastrup",
            "--format",
            "html,xlsx",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert str(out / "index.html") in result.output.replace("\n", "")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [
        "index.html",
        "kommuner/hoeje-taastrup.html",
        "kommuner/hoeje-taastrup.xlsx",
        "landsrapport.html",
        "landsrapport.xlsx",
    ]
    index = lxml_html.fromstring((out / "index.html").read_bytes())
    assert [a.get("href") for a in index.xpath("//a")] == [
        "landsrapport.html",
        "landsrapport.xlsx",
        "kommuner/hoeje-taastrup.html",
        "kommuner/hoeje-taastrup.xlsx",
    ]
    assert index.xpath("//td[@data-source]")  # the response figures


def test_english_report(analysis_dir, tmp_path):
    result = runner.invoke(
        app,
        [
            "report",
            "--analysis",
            str(analysis_dir),
            "--format",
            "html",
            "--language",
            "en",
            "--out",
            str(tmp_path / "en"),
        ],
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "en" / "landsrapport.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in text and "How to read this report" in text


def test_unknown_municipality_suggests_the_closest_and_writes_nothing(analysis_dir, tmp_path):
    out = tmp_path / "rapporter"
    result = runner.invoke(
        app, ["report", "--analysis", str(analysis_dir), "--municipality", "Høje-Tastrup", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "Høje-Tastrup" in result.output and "mente du Høje-Taastrup?" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_municipality_with_too_few_answers_is_refused(analysis_dir, tmp_path):
    result = runner.invoke(
        app,
        ["report", "--analysis", str(analysis_dir), "--municipality", "Læsø", "--out", str(tmp_path / "r")],
    )
    assert result.exit_code == 2 and "for få svar" in result.output


def test_an_unwritable_folder_is_a_clear_error(analysis_dir, tmp_path):
    # a file where the folder should go: unwritable for root too (CI runs as root; chmod proves nothing)
    blocker = tmp_path / "fil"
    blocker.write_text("ikke en mappe")
    result = runner.invoke(app, ["report", "--analysis", str(analysis_dir), "--out", str(blocker / "r")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "kan ikke skrives" in result.output or "ikke en mappe" in result.output


def test_not_an_analysis_folder(tmp_path):
    result = runner.invoke(app, ["report", "--analysis", str(tmp_path), "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "breakdowns.parquet" in result.output


def test_unknown_survey_and_a_survey_without_respondents(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    with Database(url) as db:
        create_survey_from_template(db, "KL tværkommunal 2024", "kl-2024")
    result = runner.invoke(
        app, ["report", "--survey", "KL tværkomunal 2024", "--database", url, "--out", str(tmp_path / "r")]
    )
    assert result.exit_code == 2 and "mente du 'KL tværkommunal 2024'?" in result.output
    result = runner.invoke(app, ["report", "--survey", "1", "--database", url, "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "ingen respondenter" in result.output
    assert not (tmp_path / "r").exists()


def structure(path: Path) -> str:
    """The report's skeleton: headings, sections, figures and tables with their shape — not the numbers."""
    tree = lxml_html.fromstring(path.read_bytes())
    lines = []
    for element in tree.iter("h1", "h2", "section", "figure", "table", "svg", "blockquote"):
        if element.tag == "section":
            lines.append(f"section#{element.get('id')}")
        elif element.tag in ("h1", "h2"):
            lines.append(f"  {element.tag}: {element.text_content()}")
        elif element.tag == "table":
            lines.append(f"    table {len(element.xpath('./thead/tr/th'))} columns")
        else:
            lines.append(f"    {element.tag}")
    return "\n".join(lines) + "\n"


def test_html_structure_snapshot(reports_dir):
    found = structure(reports_dir / "landsrapport.html")
    if os.environ.get("UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(found, encoding="utf-8")
    assert found == SNAPSHOT.read_text(encoding="utf-8")
