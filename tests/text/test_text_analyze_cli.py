"""`borgerblik analyze` writes the open-answer tables beside the others, with no identifier in any file."""

from __future__ import annotations

import numpy as np
import polars as pl
from click.testing import CliRunner

from borgerblik.cli import _command
from borgerblik.core import load_template
from borgerblik.synth.open_answers import write_answers

PLANTED = ("Mette Kjærsgaard", "22 33 44 55", "010190-1234")


def test_analyze_writes_the_open_answer_tables(tmp_path):
    rng = np.random.default_rng(9)
    n = 300
    instrument = load_template("kl-2024")
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
    for item in instrument.scale_items():
        frame[item] = np.clip(np.round(3 + latent + rng.normal(scale=0.8, size=n)), 1, 5).astype(int).tolist()
    satisfied = np.array(frame[instrument.overall_question]) >= 4
    why = write_answers(satisfied, improvement=False, rng=rng).text
    why[0] = f"Min sagsbehandler {PLANTED[0]} ringer aldrig, ring {PLANTED[1]}, cpr {PLANTED[2]}."
    frame["hvorfor_tilfreds"] = why
    responses = tmp_path / "svar.csv"
    pl.DataFrame(frame).write_csv(responses)
    out = tmp_path / "analyse"
    result = CliRunner().invoke(
        _command("analyze"), ["--responses", str(responses), "--out", str(out), "--bootstrap", "20"]
    )
    assert result.exit_code == 0, result.output
    index = pl.read_csv(out / "index.csv")["table"].to_list()
    assert {"open_answers_themes", "open_answers_accounts", "open_answers_quotes"} <= set(index)
    quotes = pl.read_parquet(out / "open_answers_quotes.parquet")
    assert quotes.height and quotes["quote"].n_unique() == quotes.height
    written = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.csv"))
    assert not any(identifier in written for identifier in PLANTED)
