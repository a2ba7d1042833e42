"""`borgerblik benchmark`: the contract's columns, the funnel file, the named outliers, bad input → exit 2."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import typer
from typer.testing import CliRunner

from borgerblik.analysis.casemix import casemix_scores
from borgerblik.cli import analysis as analysis_commands
from borgerblik.synth.casemix import case_mix_survey

CONTRACT = [
    "municipality", "n", "observed", "expected", "adjusted", "ci_low", "ci_high", "rank_raw", "rank_adjusted",
    "outside_95", "outside_998",
]


def run(*args: str | Path):
    """Only the analysis commands' module, as the command line loads it for `borgerblik benchmark`."""
    app = typer.Typer()
    analysis_commands.register(app)
    return CliRunner().invoke(app, [str(a) for a in args])


def test_benchmark_writes_the_contract_columns_and_names_the_outliers(tmp_path: Path):
    frame = case_mix_survey(30, seed=5, planted={2: 0.6})
    frame.write_csv(tmp_path / "svar.csv")
    out, funnel = tmp_path / "benchmark.csv", tmp_path / "funnel.csv"
    result = run(
        "benchmark", "--responses", tmp_path / "svar.csv", "--question", "samlet_tilfredshed",
        "--adjust", "maalgruppe_kl2024,aldersgruppe,koen", "--out", out, "--funnel", funnel,
    )
    assert result.exit_code == 0, result.stderr
    table = pl.read_csv(out)
    assert table.columns == CONTRACT
    mix = ["maalgruppe_kl2024", "aldersgruppe", "koen"]
    expected = casemix_scores(frame, "samlet_tilfredshed", adjust=mix)
    assert table["adjusted"].to_list() == expected["adjusted"].to_list()
    assert "over landsniveau (99,8 %): K03" in result.stderr
    assert pl.read_csv(funnel).columns == ["n", "lower_998", "lower_95", "upper_95", "upper_998"]


def test_benchmark_refuses_an_unknown_adjustment_column(tmp_path: Path):
    case_mix_survey(4, seed=1, size=(20, 30)).write_csv(tmp_path / "svar.csv")
    result = run("benchmark", "--responses", tmp_path / "svar.csv", "--adjust", "nope")
    assert result.exit_code == 2
    assert "--adjust: kolonne(r) mangler: nope" in result.stderr
