"""Relative weights on any numeric scale: the rwa package README's published mtcars example, and 0–10.

tests/analysis/r/mtcars.csv is R's ``datasets::mtcars`` written by tests/analysis/r/mtcars.R. The README of
martinctc/rwa publishes for ``rwa(mtcars, "mpg", c("cyl", "disp", "hp", "gear"))``: R² = 0.7791896 and raw
weights 0.2284797, 0.2221469, 0.2321744, 0.0963886 (rescaled 29.32274, 28.50999, 29.79691, 12.37037).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from borgerblik.analysis import AnalysisInputError, relative_weights, scale_values
from borgerblik.analysis.answers import SCALES, parse_scale

MTCARS = Path(__file__).parent / "r" / "mtcars.csv"
PUBLISHED_RAW = [0.2284797, 0.2221469, 0.2321744, 0.0963886]
PUBLISHED_RESCALED = [29.32274, 28.50999, 29.79691, 12.37037]


def test_mtcars_gives_the_rwa_readme_r_squared_and_raw_weights():
    frame = pl.read_csv(MTCARS, infer_schema=False)
    result = relative_weights(
        frame, "mpg", ["cyl", "disp", "hp", "gear"], bootstrap=0, scale=SCALES["numeric"]
    )
    assert result.r_squared == pytest.approx(0.7791896, abs=5e-8)
    np.testing.assert_allclose(result.table["raw_weight"], PUBLISHED_RAW, atol=5e-8)
    np.testing.assert_allclose(result.table["rescaled_weight"], PUBLISHED_RESCALED, atol=5e-6)
    assert result.n_included == 32


def test_the_drivers_command_takes_a_continuous_outcome(tmp_path: Path):
    import typer
    from typer.testing import CliRunner

    from borgerblik.cli import analysis as analysis_commands

    app = typer.Typer()
    analysis_commands.register(app)
    out = tmp_path / "drivers.csv"
    result = CliRunner().invoke(app, [
        "drivers", "--data", str(MTCARS), "--outcome", "mpg", "--predictors", "cyl,disp,hp,gear",
        "--scale", "numeric", "--bootstrap", "0", "--out", str(out),
    ])
    assert result.exit_code == 0, result.stderr
    table = pl.read_csv(out).sort("predictor")
    assert table["raw_weight"].to_list() == pytest.approx(
        [PUBLISHED_RAW[0], PUBLISHED_RAW[1], PUBLISHED_RAW[3], PUBLISHED_RAW[2]], abs=5e-8
    )
    assert "R² = 0,779" in result.stdout


def test_a_zero_to_ten_scale_keeps_its_own_dont_know_code():
    frame = pl.DataFrame({"nps": [0, 10, 9, 99, None, 7]})
    values = scale_values(frame, "nps", SCALES["0-10"])
    assert np.isnan(values[[3, 4]]).all() and values[[0, 1, 2, 5]].tolist() == [0, 10, 9, 7]
    with pytest.raises(AnalysisInputError, match=r"linje 2: forventede et svar 1–5, 9 eller tomt, fik 0"):
        scale_values(frame, "nps")


def test_a_scale_is_named_or_given_as_low_high():
    seven = parse_scale("1-7")
    assert (seven.low, seven.high, seven.dont_know, seven.positive) == (1, 7, 9, (6, 7))
    assert parse_scale("0-10", dont_know=11).dont_know == 11
    assert SCALES["ja/nej"].positive == (1,)
    with pytest.raises(AnalysisInputError, match="--scale"):
        parse_scale("meget")


def test_the_instrument_declares_which_categories_are_positive():
    from borgerblik.analysis.answers import instrument_scale, positive_share
    from borgerblik.core import dump_instrument, load_template, parse_instrument

    instrument = load_template("kl-2024")
    assert instrument.scales["grad"].positive == (4, 5)  # the default: the top two
    text = dump_instrument(instrument).replace("  grad:\n", "  grad:\n    positive: [5]\n", 1)
    declared = parse_instrument(text, "test")
    assert declared.scales["grad"].positive == (5,)
    assert "positive: [5]" in dump_instrument(declared) or "positive:\n    - 5" in dump_instrument(declared)
    scale = instrument_scale(declared.scales["grad"])
    assert positive_share(np.array([5.0, 4.0, np.nan]), scale)[:2].tolist() == [1.0, 0.0]
    with pytest.raises(Exception, match="positive"):
        parse_instrument(text.replace("positive: [5]", "positive: [7]"), "test")
