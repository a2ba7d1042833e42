"""Mode effects: how answers given by phone or face to face differ from web answers, after case mix.

VIVE interviewed face to face and Rødovre phoned non-respondents; citizens tend to answer an interviewer more
positively. The mode effect of each mode is its coefficient in a design-based regression (R: ``svyglm``) of
the answer on mode dummies plus the case-mix columns, fitted on all municipalities — so a mode used mostly for
one target group is not blamed for that group's answers. To adjust the municipal comparison for it, add the
mode column to the case mix (``casemix_scores(adjust=[..., "mode"])``, ``borgerblik benchmark --adjust``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from borgerblik.analysis.answers import (
    LIKERT_5,
    AnalysisInputError,
    AnswerScale,
    design_rows,
    require_columns,
    scale_values,
)
from borgerblik.analysis.casemix import independent_columns, mix_columns, mix_matrix
from borgerblik.analysis.significance import significance_flag
from borgerblik.weighting.design import SurveyDesign, Weighting
from borgerblik.weighting.inference import DESIGN_REGRESSION, design_regression

MODE = "mode"
REFERENCE_MODE = "web"

MODE_SCHEMA = {
    "question": pl.Utf8,
    "mode": pl.Utf8,
    "n": pl.Int64,
    "mean": pl.Float64,
    "raw_difference": pl.Float64,
    "adjusted_difference": pl.Float64,
    "se": pl.Float64,
    "p_value": pl.Float64,
    "flag": pl.Utf8,
    "test": pl.Utf8,
    "adjusted_for": pl.Utf8,
}


def mode_effects(
    frame: pl.DataFrame,
    questions: Sequence[str],
    *,
    adjust: Sequence[str] | None = None,
    design: SurveyDesign | Weighting | None = None,
    weight: str | None = None,
    mode_column: str = MODE,
    reference: str = REFERENCE_MODE,
    scale: AnswerScale = LIKERT_5,
) -> pl.DataFrame:
    """Per question and mode other than ``reference``: raw and case-mix adjusted difference from it, tested.

    Empty when the survey has one mode only.
    """
    require_columns(frame, [mode_column])
    modes = sorted(frame.get_column(mode_column).drop_nulls().cast(pl.Utf8).unique().to_list())
    if reference not in modes:
        if not modes:
            return pl.DataFrame(schema=MODE_SCHEMA)
        reference = modes[0]
    others = [m for m in modes if m != reference]
    if not others:
        return pl.DataFrame(schema=MODE_SCHEMA)
    columns = [c for c in mix_columns(frame, adjust) if c != mode_column]
    placed = design_rows(frame, design, weight)
    mix, complete, _ = mix_matrix(frame, columns)
    mode = frame.get_column(mode_column).cast(pl.Utf8).to_numpy()
    dummies = np.column_stack([mode == m for m in others]).astype(float)
    rows = []
    for question in questions:
        y = scale_values(frame, question, scale)
        used = ~np.isnan(y) & complete & (mode != None)  # noqa: E711 - elementwise on an object array
        regressors = independent_columns(np.column_stack([np.ones(frame.height), dummies, mix]), used)
        if used.sum() <= regressors.shape[1] or regressors.shape[1] < len(others) + 1:
            raise AnalysisInputError(f"kolonne '{question}': for få svar til at teste svarmåde")
        fit = design_regression(
            placed.variance, placed.spread(np.nan_to_num(y)), placed.spread(regressors), placed.spread(used)
        )
        w = placed.weights
        in_reference = used & (mode == reference)
        reference_mean = float(np.average(y[in_reference], weights=w[in_reference]))
        for j, name in enumerate(others, start=1):
            inside = used & (mode == name)
            mean = float(np.average(y[inside], weights=w[inside])) if inside.any() else float("nan")
            p_value = float(fit.p_value[j])
            rows.append(
                {
                    "question": question,
                    "mode": name,
                    "n": int(inside.sum()),
                    "mean": mean,
                    "raw_difference": mean - reference_mean,
                    "adjusted_difference": float(fit.coefficients[j]),
                    "se": float(fit.se[j]),
                    "p_value": p_value,
                    "flag": significance_flag(p_value),
                    "test": f"{DESIGN_REGRESSION}; forskel fra {reference}",
                    "adjusted_for": ", ".join(columns),
                }
            )
    return pl.DataFrame(rows, schema=MODE_SCHEMA)
