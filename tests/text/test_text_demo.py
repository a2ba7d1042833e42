"""The demo's open-answer step on generator answers: themes found, their agreement with the planted ones
printed, top themes per group printed."""

from __future__ import annotations

import io

import numpy as np
import polars as pl
from rich.console import Console

from borgerblik.core import load_template
from borgerblik.synth.open_answers import write_answers
from borgerblik.text.demo import open_answers_step
from borgerblik.text.redaction import redact_all


def test_the_step_compares_the_themes_with_the_planted_ones_and_names_the_top_ones(tmp_path):
    rng = np.random.default_rng(2024)
    n = 2500
    instrument = load_template("kl-2024")
    scale = rng.choice([1, 2, 3, 4, 5], n, p=[0.1, 0.1, 0.15, 0.3, 0.35])
    written = write_answers(scale >= 4, improvement=False, rng=rng)
    texts, _ = redact_all(written.text)
    respondents = pl.DataFrame(
        {
            "respondent_id": [str(i) for i in range(n)],
            "kommune": rng.choice(["Aarhus", "Odense"], n).tolist(),
            instrument.overall_question: scale.tolist(),
            "hvorfor_tilfreds": texts,
        }
    )
    planted = dict(zip(respondents["respondent_id"], written.theme, strict=True))
    weights = pl.DataFrame({"respondent_id": respondents["respondent_id"], "weight": np.ones(n)})
    buffer = io.StringIO()
    tables = open_answers_step(
        respondents, instrument, weights, tmp_path, Console(file=buffer, width=300), planted
    )
    printed = buffer.getvalue()
    assert (
        "Temaer fundet uden kodebog (NMF over ordstammer og ordpar, 8 temaer, det antal der var mest stabilt "
        "mellem 5 og 15): renhed 0,77 og justeret Rand-indeks 0,64 mod generatorens 9 temaer"
    ) in printed
    assert "Hyppigste temaer blandt tilfredse:" in printed
    assert "Hyppigste temaer blandt mindre tilfredse:" in printed
    assert (tmp_path / "open_answers_accounts.parquet").exists()
    assert "open_answers_quotes" in tables
