"""Answer codes as numbers: 1–5 are valid, 9 ("ved ikke/ikke relevant") and empty are missing.

Every statistic in this package reads answers through these helpers, so "ved ikke" is treated the same
way in means, tests, weights and drivers (DOMAIN.md § Computation rules).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

DONT_KNOW = 9
VALID_CODES = (1, 2, 3, 4, 5)
POSITIVE_CODES = (4, 5)


class AnalysisInputError(ValueError):
    """Bad input for an analysis: the message names the column and says what was expected."""


def require_columns(frame: pl.DataFrame, columns: Sequence[str], what: str = "data") -> None:
    """Fail with the missing column names rather than a KeyError deep inside a computation."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisInputError(
            f"{what}: kolonne(r) mangler: {', '.join(missing)} (findes: {', '.join(frame.columns)})"
        )


def scale_values(frame: pl.DataFrame, column: str) -> np.ndarray:
    """The answers of one scale question as floats, NaN where missing (9, empty, not asked).

    A value that is neither 1–5, 9 nor empty is an error naming the column and the first bad row,
    because silently treating it as missing would change the published figures.
    """
    require_columns(frame, [column])
    series = frame.get_column(column)
    if series.dtype == pl.Utf8:
        stripped = series.str.strip_chars()
        numeric = stripped.cast(pl.Float64, strict=False)
        bad = stripped.is_not_null() & (stripped != "") & numeric.is_null()
        if bad.any():
            row = int(bad.arg_true()[0])
            raise AnalysisInputError(
                f"kolonne '{column}', linje {row + 2}: forventede et svar 1–5, 9 eller tomt, fik "
                f"'{stripped[row]}' (hint: spørgsmålet skal være numerisk kodet)"
            )
        series = numeric
    elif not series.dtype.is_numeric() and series.dtype != pl.Null:
        raise AnalysisInputError(
            f"kolonne '{column}': forventede numeriske svarkoder 1–5/9, fik typen {series.dtype}"
        )
    values = series.cast(pl.Float64).to_numpy().astype(float, copy=True)
    known = ~np.isnan(values)
    allowed = np.isin(values, (*VALID_CODES, DONT_KNOW))
    bad_rows = np.flatnonzero(known & ~allowed)
    if bad_rows.size:
        row = int(bad_rows[0])
        raise AnalysisInputError(
            f"kolonne '{column}', linje {row + 2}: forventede et svar 1–5, 9 eller tomt, fik {values[row]:g}"
        )
    values[values == DONT_KNOW] = np.nan
    return values


def scale_matrix(frame: pl.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Rows × questions of valid answers, NaN where missing."""
    if not columns:
        return np.empty((frame.height, 0))
    return np.column_stack([scale_values(frame, c) for c in columns])


def weights_of(frame: pl.DataFrame, weight: str | None) -> np.ndarray:
    """Design weights, or ones when the survey is analysed unweighted; a bad weight is an error."""
    if weight is None:
        return np.ones(frame.height)
    require_columns(frame, [weight])
    values = frame.get_column(weight).cast(pl.Float64, strict=False).to_numpy().astype(float)
    bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
    if bad.size:
        raise AnalysisInputError(
            f"kolonne '{weight}', linje {int(bad[0]) + 2}: en vægt skal være et positivt tal"
        )
    return values
