"""Small constructed survey tables for the analysis tests."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest


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
