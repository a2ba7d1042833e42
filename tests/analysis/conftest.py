"""Small constructed survey tables for the analysis tests."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from borgerblik.core import load_template


def likert(values: np.ndarray) -> np.ndarray:
    """Continuous scores cut into 1–5 by their own quintiles."""
    edges = np.quantile(values, [0.2, 0.4, 0.6, 0.8])
    return (np.searchsorted(edges, values) + 1).astype(float)


@pytest.fixture()
def driver_frame() -> pl.DataFrame:
    """300 answers to an outcome and four correlated questions, with some "ved ikke" (9) and blanks."""
    rng = np.random.default_rng(20240407)
    n = 300
    common = rng.normal(size=n)
    questions = {f"q{j}": likert(common * (0.5 + 0.3 * j) + rng.normal(size=n)) for j in range(1, 5)}
    outcome = likert(sum((j / 2) * questions[f"q{j}"] for j in range(1, 5)) + rng.normal(size=n) * 2)
    frame = pl.DataFrame({"samlet": outcome, **questions})
    missing = rng.random((n, 5))
    return frame.with_columns(
        pl.when(pl.lit(missing[:, k] < 0.05))
        .then(pl.lit(9.0))
        .when(pl.lit(missing[:, k] > 0.96))
        .then(pl.lit(None))
        .otherwise(pl.col(c))
        .alias(c)
        for k, c in enumerate(frame.columns)
    )


def _kl_survey(
    n: int = 240, kommuner: tuple[str, ...] = ("Albertslund", "Ballerup", "Dragør")
) -> pl.DataFrame:
    """KL 2024 answers for some municipalities, enough for every table."""
    rng = np.random.default_rng(9)
    items = load_template("kl-2024").scale_items()
    latent = rng.normal(size=n)
    frame = {
        "respondent_id": [str(i) for i in range(1, n + 1)],
        "kommune": rng.choice(list(kommuner), size=n).tolist(),
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


@pytest.fixture()
def kl_survey():
    """``kl_survey(n, kommuner)``: a small KL 2024 survey as a polars frame."""
    return _kl_survey
