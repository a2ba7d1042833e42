"""The open-answer tables of `borgerblik analyze`: themes, accounts by sentiment group, quotes — and no
planted identifier in any of them."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from borgerblik.core import load_template
from borgerblik.synth.open_answers import write_answers
from borgerblik.text.analysis import open_answer_tables

PLANTED = ("Mette Kjærsgaard", "22 33 44 55", "010190-1234", "mette.k@gmail.com", "Vestergade 12")


@pytest.fixture(scope="module")
def survey() -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(14)
    n = 900
    instrument = load_template("kl-2024")
    overall = instrument.overall_question
    scale = rng.choice([1, 2, 3, 4, 5, 9], n, p=[0.08, 0.08, 0.14, 0.3, 0.36, 0.04])
    why = write_answers(scale >= 4, improvement=False, rng=rng).text
    better = write_answers(scale >= 4, improvement=True, rng=rng).text
    why[0] = f"Min sagsbehandler {PLANTED[0]} ringer aldrig, mit nummer er {PLANTED[1]}."
    why[1] = f"cpr {PLANTED[2]}, skriv til {PLANTED[3]} eller {PLANTED[4]}."
    frame = pl.DataFrame(
        {
            "respondent_id": [str(i) for i in range(n)],
            "kommune": rng.choice(["Aarhus", "Odense"], n - 3, p=[0.6, 0.4]).tolist() + ["Læsø"] * 3,
            overall: scale.tolist(),
            "hvorfor_tilfreds": why,
            "forbedringer": [t if rng.random() < 0.7 else None for t in better],
        }
    )
    weights = pl.DataFrame({"respondent_id": frame["respondent_id"], "weight": rng.uniform(1, 4, n)})
    return frame, weights


def test_every_open_question_gets_its_tables(survey):
    frame, weights = survey
    tables = open_answer_tables(frame, load_template("kl-2024"), weights, threshold=5)
    assert set(tables) == {
        "open_answers_themes",
        "open_answers_accounts",
        "open_answers_sentiment",
        "open_answers_quotes",
    }
    themes = tables["open_answers_themes"]
    assert set(themes["question"]) == {"hvorfor_tilfreds", "forbedringer"}
    assert themes.filter(pl.col("question") == "hvorfor_tilfreds").height == 6  # the most stable of 5–15
    accounts = tables["open_answers_accounts"]
    assert {"alle", "Aarhus", "Odense"} <= set(accounts["kommune"])
    assert accounts.filter(pl.col("kommune") == "Læsø")["suppressed"].all()
    shown = accounts.filter(~pl.col("suppressed"))
    sums = shown.group_by("question", "kommune", "group").agg(pl.col("share").sum())
    # one theme per answer, none where no word is known to the model ("Øv."): the shares add up to at most 1
    assert sums["share"].max() == pytest.approx(1.0)
    assert sums["share"].min() == pytest.approx(0.9967, abs=1e-4)
    sentiment = tables["open_answers_sentiment"].filter(~pl.col("suppressed"))
    assert sentiment.filter(pl.col("kommune") == "Læsø").height == 0
    parts = sentiment.select(pl.sum_horizontal("share_positiv", "share_neutral", "share_negativ"))
    assert parts.to_series().to_numpy() == pytest.approx(1.0)


def test_no_planted_identifier_reaches_any_table(survey, tmp_path):
    frame, weights = survey
    tables = open_answer_tables(frame, load_template("kl-2024"), weights)
    for name, table in tables.items():
        table.write_csv(tmp_path / f"{name}.csv")
    written = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.csv"))
    for identifier in PLANTED:
        assert identifier not in written
    assert "Kjærsgaard" not in written and "22334455" not in written
