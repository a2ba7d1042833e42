"""Answer codes as numbers: by default 1–5 are valid, 9 ("ved ikke/ikke relevant") and empty are missing.

Every statistic in this package reads answers through these helpers, so "ved ikke" is treated the same
way in means, tests, weights and drivers (DOMAIN.md § Computation rules). A question on another scale says so
with a :class:`AnswerScale` (0–10 with its own "ved ikke" code, yes/no, or any number for a continuous
outcome): which values are valid, which code is "ved ikke" and which values count as positive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from borgerblik.core.errors import BorgerblikError
from borgerblik.weighting.design import SurveyDesign, Weighting, fixed_weights
from borgerblik.weighting.inference import DesignVariance

DONT_KNOW = 9
VALID_CODES = (1, 2, 3, 4, 5)
POSITIVE_CODES = (4, 5)


class AnalysisInputError(BorgerblikError, ValueError):
    """Bad input for an analysis: the message names the column and says what was expected."""


@dataclass(frozen=True)
class AnswerScale:
    """The values a question's answers take: ``low``–``high`` in whole steps (``None``: any number), the
    "ved ikke" code outside them (or none) and the values counted as positive."""

    low: float | None = 1
    high: float | None = 5
    dont_know: int | None = DONT_KNOW
    positive: tuple[float, ...] = POSITIVE_CODES
    name: str = "1-5"
    has_mean: bool = True
    """False on yes/no: its codes 1/2 are names, so only the share answering positively is a figure."""

    @property
    def numeric(self) -> bool:
        return self.low is None

    def describe(self) -> str:
        if self.numeric:
            return "et tal eller tomt"
        dont_know = f", {self.dont_know}" if self.dont_know is not None else ""
        return f"et svar {self.low:g}–{self.high:g}{dont_know} eller tomt"

    def allowed(self, values: np.ndarray) -> np.ndarray:
        if self.numeric:
            return np.isfinite(values)
        on_scale = (values >= self.low) & (values <= self.high) & (values == np.round(values))
        return on_scale | ((values == self.dont_know) if self.dont_know is not None else False)


LIKERT_5 = AnswerScale()
SCALES = {
    "1-5": LIKERT_5,
    "0-10": AnswerScale(0, 10, 99, (9, 10), "0-10"),
    "ja/nej": AnswerScale(1, 2, DONT_KNOW, (1,), "ja/nej", has_mean=False),
    "numeric": AnswerScale(None, None, None, (), "numeric"),
}
"""The scales a command line can name; 0–10 is NPS-style (9–10 positive, 99 = ved ikke)."""


def instrument_scale(scale: object) -> AnswerScale:
    """The analysis scale of an instrument's scale (core.model.Scale): its range (1–5, 0–10, yes/no), its
    own "ved ikke" code and its positive codes."""
    positive = tuple(getattr(scale, "positive", POSITIVE_CODES))
    code = getattr(scale, "dont_know_code", DONT_KNOW)
    dont_know = code if getattr(scale, "dont_know", None) is not None else None
    low, high = getattr(scale, "low", 1), getattr(scale, "high", 5)
    has_mean = bool(getattr(scale, "has_mean", True))
    return AnswerScale(low, high, dont_know, positive, str(getattr(scale, "name", "1-5")), has_mean)


def instrument_scales(instrument: object, kommune: str | None = None) -> dict[str, AnswerScale]:
    """The analysis scale of every scale item of an instrument (core.model.Instrument), by question id."""
    return {
        q: instrument_scale(instrument.scale_of(q))  # type: ignore[attr-defined]
        for q in instrument.scale_items(kommune)  # type: ignore[attr-defined]
    }


def is_likert(scale: AnswerScale) -> bool:
    """A 1–5 scale with 9 = ved ikke and 4–5 positive: the estimate table's own, with its shares 1–5."""
    return (scale.low, scale.high, scale.positive) == (1, 5, POSITIVE_CODES) and scale.dont_know in (
        DONT_KNOW,
        None,
    )


def as_share(frame: pl.DataFrame, column: str, scale: AnswerScale) -> tuple[pl.Series, AnswerScale]:
    """A question without a meaningful mean (yes/no) as 1 = positive, 0 = not, "ved ikke" kept as 9.

    Every mean-based statistic of the analysis (benchmark, tests, case mix) then estimates the share answering
    positively ("ja"), with the same design-based linearisation."""
    values = scale_values(frame, column, scale)
    code = np.where(np.isnan(values), np.nan, np.isin(values, scale.positive).astype(float))
    if scale.dont_know is not None:
        raw = frame.get_column(column).cast(pl.Utf8).str.strip_chars().cast(pl.Float64, strict=False)
        code = np.where(raw.fill_null(np.nan).to_numpy() == scale.dont_know, DONT_KNOW, code)
    share = AnswerScale(0, 1, DONT_KNOW if scale.dont_know is not None else None, (1,), scale.name, False)
    return pl.Series(column, code, nan_to_null=True), share


def scale_for(scales: Mapping[str, AnswerScale] | None, question: str) -> AnswerScale:
    """The scale of one question: from ``scales`` when given there, else 1–5."""
    if scales is None:
        return LIKERT_5
    return scales.get(question, LIKERT_5)


def parse_scale(
    text: str, *, dont_know: int | None = None, positive: Sequence[float] | None = None
) -> AnswerScale:
    """``1-5``, ``0-10``, ``ja/nej``, ``numeric`` or any ``LOW-HIGH``; ``dont_know``/``positive`` override."""
    base = SCALES.get(text.strip().lower())
    if base is None:
        parts = text.replace("–", "-").split("-")
        try:
            low, high = (float(p) for p in parts)
        except ValueError:
            raise AnalysisInputError(
                f"--scale: forventede {', '.join(SCALES)} eller LAV-HØJ (fx 1-7), fik '{text}'"
            ) from None
        top = (high - 1, high) if high - low >= 4 else (high,)
        base = AnswerScale(low, high, DONT_KNOW if high < DONT_KNOW else None, top, text)
    if dont_know is not None:
        base = AnswerScale(base.low, base.high, dont_know, base.positive, base.name)
    if positive is not None:
        base = AnswerScale(base.low, base.high, base.dont_know, tuple(positive), base.name)
    return base


def require_columns(frame: pl.DataFrame, columns: Sequence[str], what: str = "data") -> None:
    """Fail with the missing column names rather than a KeyError deep inside a computation."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisInputError(
            f"{what}: kolonne(r) mangler: {', '.join(missing)} (findes: {', '.join(frame.columns)})"
        )


def scale_values(frame: pl.DataFrame, column: str, scale: AnswerScale = LIKERT_5) -> np.ndarray:
    """The answers of one scale question as floats, NaN where missing ("ved ikke", empty, not asked).

    A value outside the scale (default 1–5, 9 or empty) is an error naming the column and the first bad row,
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
                f"kolonne '{column}', linje {row + 2}: forventede {scale.describe()}, fik "
                f"'{stripped[row]}' (hint: spørgsmålet skal være numerisk kodet)"
            )
        series = numeric
    elif not series.dtype.is_numeric() and series.dtype != pl.Null:
        raise AnalysisInputError(
            f"kolonne '{column}': forventede numeriske svarkoder 1–5/9, fik typen {series.dtype}"
        )
    values = series.cast(pl.Float64).to_numpy().astype(float, copy=True)
    known = ~np.isnan(values)
    bad_rows = np.flatnonzero(known & ~scale.allowed(values))
    if bad_rows.size:
        row = int(bad_rows[0])
        raise AnalysisInputError(
            f"kolonne '{column}', linje {row + 2}: forventede {scale.describe()}, fik {values[row]:g}"
        )
    if scale.dont_know is not None:
        values[values == scale.dont_know] = np.nan
    return values


def positive_share(values: np.ndarray, scale: AnswerScale = LIKERT_5) -> np.ndarray:
    """1 where the answer is one the instrument calls positive, 0 otherwise, NaN where missing."""
    return np.where(np.isnan(values), np.nan, np.isin(values, scale.positive).astype(float))


def scale_matrix(frame: pl.DataFrame, columns: Sequence[str], scale: AnswerScale = LIKERT_5) -> np.ndarray:
    """Rows × questions of valid answers, NaN where missing."""
    if not columns:
        return np.empty((frame.height, 0))
    return np.column_stack([scale_values(frame, c, scale) for c in columns])


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


DESIGN_ROW = "_design_row"
"""Column of an analysis frame giving each row's position in the survey design, so a filtered frame (one
target group, one wave) still tests within the whole design, as R's ``subset`` does."""


@dataclass(frozen=True)
class DesignRows:
    """A frame's rows placed in a survey design: every test and regression of the analysis runs on this."""

    variance: DesignVariance
    rows: np.ndarray

    @property
    def size(self) -> int:
        return len(self.variance.design.weights)

    @property
    def weights(self) -> np.ndarray:
        """The design weight of each frame row."""
        return self.variance.design.weights[self.rows]

    def spread(self, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """Frame-row values (1-D or rows × k) placed at their design rows; ``fill`` elsewhere."""
        values = np.asarray(values)
        out = np.full((self.size, *values.shape[1:]), fill, dtype=values.dtype)
        out[self.rows] = values
        return out


def design_rows(
    frame: pl.DataFrame, design: SurveyDesign | Weighting | None = None, weight: str | None = None
) -> DesignRows:
    """The design of the analysis: the survey's own, or one of fixed weights, or equal weights.

    Without a design the answers are a simple random sample with replacement (R's ``svydesign(ids=~1,
    weights=~w)``, weights 1 when none are given), so even an unweighted table is tested design-based.
    """
    if design is None:
        ids = np.arange(frame.height)
        if DESIGN_ROW in frame.columns:
            raise AnalysisInputError(f"kolonne '{DESIGN_ROW}' uden et design")
        return DesignRows(DesignVariance(fixed_weights(ids, weights_of(frame, weight))), ids)
    if isinstance(design, Weighting):
        design = design.design
    variance = DesignVariance(design)
    if DESIGN_ROW in frame.columns:
        return DesignRows(variance, frame.get_column(DESIGN_ROW).cast(pl.Int64).to_numpy())
    require_columns(frame, ["respondent_id"])
    position = {str(rid): i for i, rid in enumerate(design.ids.tolist())}
    ids = frame.get_column("respondent_id").cast(pl.Utf8).to_list()
    missing = [i for i, rid in enumerate(ids) if rid not in position]
    if missing:
        raise AnalysisInputError(
            f"kolonne 'respondent_id', linje {missing[0] + 2}: respondenten '{ids[missing[0]]}' "
            "er ikke i designet"
        )
    return DesignRows(variance, np.array([position[rid] for rid in ids], dtype=np.int64))
