"""The command-line contract of `borgerblik drivers` and `borgerblik analyze`."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from borgerblik.analysis import relative_weights
from borgerblik.cli import app
from borgerblik.core import load_template

runner = CliRunner()


@pytest.fixture()
def data_csv(tmp_path, driver_frame):
    path = tmp_path / "svar.csv"
    driver_frame.write_csv(path)
    return path


def test_drivers_writes_the_contract_columns_and_prints_r2(data_csv, tmp_path, driver_frame):
    out = tmp_path / "dr.csv"
    result = runner.invoke(
        app,
        [
            "drivers",
            "--data",
            str(data_csv),
            "--outcome",
            "samlet",
            "--predictors",
            "q1,q2,q3,q4",
            "--bootstrap",
            "100",
            "--seed",
            "3",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    assert table.columns[:3] == ["predictor", "raw_weight", "rescaled_weight"]
    assert {"mean", "quadrant"} <= set(table.columns)
    expected = relative_weights(driver_frame, "samlet", ["q1", "q2", "q3", "q4"], bootstrap=0)
    assert table.sort("predictor")["raw_weight"].to_list() == pytest.approx(
        expected.table["raw_weight"].to_list()
    )
    r2 = f"{expected.r_squared:.3f}".replace(".", ",")
    assert f"R² = {r2}" in result.output


def test_drivers_names_a_constant_predictor_and_exits_2(tmp_path):
    path = tmp_path / "svar.csv"
    pl.DataFrame({"y": [1, 2, 3, 4, 5, 2], "a": [1, 3, 2, 5, 4, 1], "fast": [4, 4, 4, 4, 4, 4]}).write_csv(
        path
    )
    result = runner.invoke(app, ["drivers", "--data", str(path), "--outcome", "y", "--predictors", "a,fast"])
    assert result.exit_code == 2
    assert "kolonne 'fast' er konstant" in result.output
    assert "Traceback" not in result.output


def test_drivers_names_a_non_numeric_outcome_with_file_and_line(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_text("y,a\n1,2\nmeget tilfreds,3\n", encoding="utf-8")
    result = runner.invoke(app, ["drivers", "--data", str(path), "--outcome", "y", "--predictors", "a"])
    assert result.exit_code == 2
    assert (
        "svar.csv: kolonne 'y', linje 3: forventede et svar 1–5, 9 eller tomt, fik 'meget tilfreds'"
        in " ".join(result.output.split())
    )


def test_drivers_on_a_missing_file_or_column(tmp_path, data_csv):
    missing = runner.invoke(
        app, ["drivers", "--data", str(tmp_path / "nej.csv"), "--outcome", "y", "--predictors", "a"]
    )
    assert missing.exit_code == 2 and "findes ikke" in missing.output
    column = runner.invoke(
        app, ["drivers", "--data", str(data_csv), "--outcome", "samlet", "--predictors", "q1,q9"]
    )
    assert column.exit_code == 2 and "q9" in column.output


def small_survey(n: int = 240) -> pl.DataFrame:
    """KL 2024 answers for three municipalities, enough for every table."""
    rng = np.random.default_rng(9)
    items = load_template("kl-2024").scale_items()
    latent = rng.normal(size=n)
    frame = {
        "respondent_id": [str(i) for i in range(1, n + 1)],
        "kommune": rng.choice(["Albertslund", "Ballerup", "Dragør"], size=n).tolist(),
        "maalgruppe": rng.choice(["6.1", "6.2", "6.3", "6.6"], size=n).tolist(),
        "koen": rng.choice(["mand", "kvinde"], size=n).tolist(),
        "alder": rng.integers(16, 67, size=n).tolist(),
        "ydelse_start": ["2023-03-01"] * n,
        "status": rng.choice([1, 2], size=n).tolist(),
    }
    for item in items:
        values = np.clip(np.round(3 + latent + rng.normal(scale=0.8, size=n)), 1, 5)
        values[rng.random(n) < 0.05] = 9
        frame[item] = values.astype(int).tolist()
    return pl.DataFrame(frame)


def test_analyze_writes_every_table_as_parquet_and_csv_with_an_index(tmp_path):
    responses = tmp_path / "svar.csv"
    small_survey().write_csv(responses)
    out = tmp_path / "analyse"
    result = runner.invoke(
        app, ["analyze", "--responses", str(responses), "--out", str(out), "--bootstrap", "50"]
    )
    assert result.exit_code == 0, result.output
    index = pl.read_csv(out / "index.csv")
    assert index["table"].to_list()[:4] == ["breakdowns", "benchmark", "statements", "significance"]
    for name in index["table"]:
        assert (out / f"{name}.parquet").exists() and (out / f"{name}.csv").exists()
    breakdown = pl.read_parquet(out / "breakdowns.parquet")
    assert breakdown.filter(pl.col("by") == "alle")["kommune"].to_list()[:1] == ["alle"]
    assert "Kommunen med mest tilfredshed er" in result.output
    assert "cpr" not in breakdown.columns


def test_analyze_refuses_a_bad_answer_code_and_writes_nothing(tmp_path):
    responses = tmp_path / "svar.csv"
    small_survey().with_columns(
        pl.when(pl.col("respondent_id") == "7").then(7).otherwise(pl.col("tillid")).alias("tillid")
    ).write_csv(responses)
    out = tmp_path / "analyse"
    result = runner.invoke(app, ["analyze", "--responses", str(responses), "--out", str(out)])
    assert result.exit_code == 2
    assert "kolonne 'tillid', linje 8" in " ".join(result.output.split())
    assert not out.exists()
