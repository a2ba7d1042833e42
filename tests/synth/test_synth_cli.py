"""`borgerblik synth register` and `synth fieldwork`: files written, bad input refused with exit 2."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.synth import REGISTER_COLUMNS

runner = CliRunner()


@pytest.fixture(scope="module")
def register_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "register.csv"
    result = runner.invoke(
        app, ["synth", "register", "--out", str(path), "--seed", "2024", "--ineligible", "4"]
    )
    assert result.exit_code == 0, result.output
    assert "Skrev 198.881 rækker" in result.output
    return path


def test_register_command_writes_the_contract_columns(register_csv: Path):
    frame = pl.read_csv(register_csv, infer_schema=False)
    assert frame.columns == list(REGISTER_COLUMNS)
    assert frame.height == 198_881


def test_fieldwork_command_writes_sample_answers_and_truth_per_wave(register_csv: Path, tmp_path: Path):
    eligible = pl.read_csv(register_csv, infer_schema=False).head(198_877)
    source = tmp_path / "eligible.csv"
    eligible.write_csv(source)
    out = tmp_path / "fw"
    result = runner.invoke(
        app,
        [
            "synth",
            "fieldwork",
            "--register",
            str(source),
            "--out",
            str(out),
            "--waves",
            "2023,2024",
            "--sample-fraction",
            "0.02",
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "fieldwork-2023.csv",
        "fieldwork-2023.parquet",
        "fieldwork-2024.csv",
        "fieldwork-2024.parquet",
        "sample-2023.csv",
        "sample-2024.csv",
        "truth-2023.parquet",
        "truth-2024.parquet",
    ]
    sample = pl.read_csv(out / "sample-2024.csv", infer_schema=False)
    assert sample.height == 3_976  # 2 % of every municipality, rounded per municipality
    persons = pl.read_parquet(out / "fieldwork-2024.parquet")
    assert persons.height == sample.height and "cpr" not in persons.columns
    assert pl.read_csv(out / "fieldwork-2024.csv").columns == persons.columns
    assert "2024: 3.976 udtrukket" in result.output and "svarprocent" in result.output


def test_fieldwork_command_refuses_a_register_with_ineligible_rows(register_csv: Path, tmp_path: Path):
    result = runner.invoke(
        app, ["synth", "fieldwork", "--register", str(register_csv), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    # the 4th ineligible row breaks the target-group rule: data row 198,881 is physical line 198,882
    assert "linje 198882, kolonne maalgruppe: forventede en LAB-kode 6.1-6.9, fik '6.0'" in result.output


def test_fieldwork_command_names_the_file_line_and_column_of_a_bad_cpr(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        ",".join(REGISTER_COLUMNS)
        + "\n"
        + "721085-1234,Assens,6.1,2023-01-01,,jobsamtale,nej,,\n"
        + "12345,Assens,6.1,2023-01-01,,jobsamtale,nej,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["synth", "fieldwork", "--register", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert f"{bad}, linje 3, kolonne cpr: forventede DDMMÅÅ-LLLL, fik '12345'" in result.output
    assert not (tmp_path / "o").exists()


def test_fieldwork_command_errors_are_clear(tmp_path: Path):
    missing = runner.invoke(app, ["synth", "fieldwork", "--register", str(tmp_path / "x.csv"), "--out", "o"])
    assert missing.exit_code == 2 and "filen findes ikke" in missing.output
    columns = tmp_path / "cols.csv"
    columns.write_text("cpr,kommune\n", encoding="utf-8")
    wrong = runner.invoke(app, ["synth", "fieldwork", "--register", str(columns), "--out", "o"])
    assert wrong.exit_code == 2 and "linje 1: forventede kolonnerne cpr, kommune, maalgruppe" in wrong.output
    assert "mangler maalgruppe, ydelse_start" in wrong.output
    waves = runner.invoke(
        app, ["synth", "fieldwork", "--register", str(columns), "--out", "o", "--waves", "2021"]
    )
    assert waves.exit_code == 2 and "--waves: forventede år blandt 2022, 2023, 2024" in waves.output
    fraction = runner.invoke(
        app, ["synth", "fieldwork", "--register", str(columns), "--out", "o", "--sample-fraction", "1.5"]
    )
    assert (
        fraction.exit_code == 2
        and "--sample-fraction: forventede et tal over 0 og højst 1" in fraction.output
    )
    assert "Traceback" not in missing.output + wrong.output + waves.output + fraction.output


def test_output_paths_of_the_wrong_kind_are_refused(tmp_path: Path, register_csv: Path):
    folder = runner.invoke(app, ["synth", "register", "--out", str(tmp_path)])
    assert folder.exit_code == 2 and "forventede et filnavn, fik en mappe" in folder.output
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["synth", "fieldwork", "--register", str(register_csv), "--out", str(a_file)])
    assert result.exit_code == 2 and "forventede en mappe, fik en fil" in result.output


def test_an_unknown_template_is_named_with_the_known_ones(tmp_path: Path):
    source = tmp_path / "tiny.csv"
    source.write_text(
        ",".join(REGISTER_COLUMNS) + "\n721085-1234,Assens,6.1,2023-01-01,,jobsamtale,nej,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["synth", "fieldwork", "--register", str(source), "--out", str(tmp_path / "o"), "--template", "nope"],
    )
    assert result.exit_code == 2
    assert (
        "--template: ukendt skabelon 'nope' (findes: kl-2024, rodovre-2023, vive-kbh-2020)" in result.output
    )
