"""The "largest differences" table: how citizens high and low on one outcome question answer the others.

Rambøll shows, for an outcome such as "styrker din mulighed for job", the questions whose mean differs most
between those who answer it high (4–5) and low (1–2), largest first. The middle category (3) is in neither.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from borgerblik.analysis.answers import AnalysisInputError, scale_matrix, scale_values

HIGH_CODES = (4, 5)
LOW_CODES = (1, 2)


def largest_differences(
    frame: pl.DataFrame,
    outcome: str,
    questions: Sequence[str],
    *,
    high: Sequence[int] = HIGH_CODES,
    low: Sequence[int] = LOW_CODES,
) -> pl.DataFrame:
    """Mean of each question among the high and the low group on ``outcome``, sorted by the difference."""
    others = [q for q in questions if q != outcome]
    outcome_values = scale_values(frame, outcome)
    is_high = np.isin(outcome_values, high)
    is_low = np.isin(outcome_values, low)
    if not is_high.any() or not is_low.any():
        raise AnalysisInputError(
            f"kolonne '{outcome}': der skal være svar både højt {tuple(high)} og lavt {tuple(low)} "
            f"for at beregne forskelle (høj: {int(is_high.sum())}, lav: {int(is_low.sum())})"
        )
    data = scale_matrix(frame, others)
    rows = []
    for j, question in enumerate(others):
        column = data[:, j]
        high_values = column[is_high & ~np.isnan(column)]
        low_values = column[is_low & ~np.isnan(column)]
        if high_values.size == 0 or low_values.size == 0:
            continue
        rows.append(
            {
                "question": question,
                "mean_high": float(high_values.mean()),
                "mean_low": float(low_values.mean()),
                "difference": float(high_values.mean() - low_values.mean()),
                "n_high": int(high_values.size),
                "n_low": int(low_values.size),
            }
        )
    schema = {
        "question": pl.Utf8,
        "mean_high": pl.Float64,
        "mean_low": pl.Float64,
        "difference": pl.Float64,
        "n_high": pl.Int64,
        "n_low": pl.Int64,
    }
    table = pl.DataFrame(rows, schema=schema)
    return table.sort(["difference", "question"], descending=[True, False])
