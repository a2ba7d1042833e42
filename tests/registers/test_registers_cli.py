"""`borgerblik register check|population`: the database-free command-line contract."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from borgerblik.cli import app

runner = CliRunner()

LINES = [
    "CPR;Kommune;Målgruppe;Ydelse_start;Samtaler;Telefon",
    "010190-1235;Høje-Taastrup;6.1;2023-10-02;jobsamtale;22345678",
    "010190-1235;Høje-Taastrup;6.1;2023-10-02;jobsamtale;22345678",
    "020290-1236;Høje-Taastrup;9.9;2023-10-02;jobsamtale;22345678",
    "030390-1237;Høje-Taastrup;6.2;2023-10-02;rådighedssamtale;999",
    "",
]


def test_check_prints_accepted_and_one_line_per_reason_and_writes_masked_rejects(
    write_extract: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_extract(LINES, encoding="cp1252")
    rejects = tmp_path / "REJ.csv"
    result = runner.invoke(
        app, ["register", "check", str(path), "--reference-date", "2023-12-31", "--rejects", str(rejects)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Godkendt: 2 rækker"
    assert lines[1] == "Afvist: 2 rækker"
    assert sorted(line.split(" — ")[0].strip() for line in lines[2:5]) == [
        "dublet-cpr: 1", "ugyldigt-telefonnummer: 1", "ukendt-maalgruppe: 1",
    ]
    assert "Læst som Windows-1252, semikolonsepareret" in result.output
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        "line,column,reason,value",
        "3,CPR,dublet-cpr,010190-****",
        "4,Målgruppe,ukendt-maalgruppe,9.9",
        "5,Telefon,ugyldigt-telefonnummer,999",
    ]


def test_check_with_a_mapping_file(write_extract: Callable[..., Path], tmp_path: Path) -> None:
    path = write_extract(["Personnr;Bopæl;LAB-kode;Fra", "010190-1235;Tårnby;6.1;2023-10-02"])
    mapping = tmp_path / "M.yaml"
    mapping.write_text(
        "cpr: Personnr\nkommune: Bopæl\nmaalgruppe: LAB-kode\nydelse_start: Fra\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["register", "check", str(path), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == ["Godkendt: 1 rækker", "Afvist: 0 rækker"]


def test_bad_input_is_exit_2_with_a_message_and_no_traceback(
    write_extract: Callable[..., Path], tmp_path: Path
) -> None:
    missing = runner.invoke(app, ["register", "check", str(tmp_path / "findes-ikke.csv")])
    assert missing.exit_code == 2
    assert "filen findes ikke" in missing.output
    no_cpr = write_extract(["kommune;maalgruppe", "Tårnby;6.1"], name="uden-cpr.csv")
    headers = runner.invoke(app, ["register", "check", str(no_cpr)])
    assert headers.exit_code == 2
    assert "mangler kolonnen cpr, ydelse_start" in headers.output
    assert "--mapping" in headers.output
    bad_date = runner.invoke(app, ["register", "check", str(no_cpr), "--reference-date", "31-12-2023"])
    assert bad_date.exit_code == 2
    assert "--reference-date" in bad_date.output
    assert "Traceback" not in missing.output + headers.output + bad_date.output


def test_population_command_reports_exclusions_and_writes_the_report(
    write_extract: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_extract(LINES)
    report = tmp_path / "population.csv"
    result = runner.invoke(app, ["register", "population", str(path), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "Udelukket af samtaletype" in result.output
    assert "Population: 1 borgere" in result.output
    assert report.read_text(encoding="utf-8").splitlines() == [
        "kommune,maalgruppe,koen,aldersgruppe,antal",
        "Høje-Taastrup,6.1,mand,30-49,1",
    ]


def test_a_municipality_outside_the_98_is_reported_and_its_rows_kept(
    write_extract: Callable[..., Path],
) -> None:
    path = write_extract(
        [
            "CPR;Kommune;Målgruppe;Ydelse_start;Samtaler",
            "010190-1235;Rodovre;6.1;2023-10-02;jobsamtale",
            "020290-1236;Københavns Kommune;6.1;2023-10-02;jobsamtale",
            "030390-1237;rødovre;6.2;2023-10-02;jobsamtale",
        ]
    )
    result = runner.invoke(app, ["register", "check", str(path), "--reference-date", "2023-12-31"])
    assert result.exit_code == 0, result.output
    assert "Godkendt: 3 rækker" in result.output
    warning = next(line for line in result.output.splitlines() if line.startswith("Advarsel"))
    assert warning.endswith(": Rodovre (1)")
