"""Each question's own measure in a report: a 1–5 question by its mean (and the five categories), a 0–10
question by its mean on 0–10, its answers grouped 0–6 / 7–8 / 9–10 and "% positive" = 9–10, and a yes/no
question by the share answering "ja" with its interval — it has no mean (its codes 1/2 are names).

The analysis's breakdown table has the five shares only on 1–5; the distribution of a 0–10 question comes
from :func:`scale_distribution`, a table made beside the analysis tables (``scale_distribution``) with the
estimator of the breakdowns (the same weights, domains and linearisation), one row per question and place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from borgerblik.core import Instrument
from borgerblik.core.model import Scale, ScaleKind
from borgerblik.weighting import SurveyDesign, Weighting
from borgerblik.weighting.estimates import OVERALL, scale_estimate
from borgerblik.weighting.tables import ID_COLUMN

DISTRIBUTION = "scale_distribution"
NATIONAL = "alle"
MUNICIPALITY = "kommune"
GROUPS = ("low", "middle", "high")
"""The three groups of a 0–10 answer: below the middle, the two points below the positive ones, positive."""


@dataclass(frozen=True)
class Measure:
    """How one question is measured and drawn: the breakdown column that carries its figure (``mean`` or
    ``pct_positive`` for yes/no), its interval columns, the axis and how the figure is written."""

    kind: ScaleKind
    column: str
    ci_low: str
    ci_high: str
    lo: float
    hi: float
    figure_kind: str
    """"mean" (written 3,87) or "share" (written 62,3 %)."""

    @property
    def has_mean(self) -> bool:
        return self.kind is not ScaleKind.YESNO

    @property
    def likert(self) -> bool:
        return self.kind is ScaleKind.LIKERT_5

    def ticks(self) -> list[tuple[float, str]]:
        """The ticks of an interval chart: every point on 1–5, every other on 0–10, quarters on a share."""
        if self.kind is ScaleKind.YESNO:
            return [(v / 4, f"{25 * v} %") for v in range(5)]
        step = 2 if self.kind is ScaleKind.ZERO_TEN else 1
        return [(float(v), str(v)) for v in range(int(self.lo), int(self.hi) + 1, step)]


LIKERT = Measure(ScaleKind.LIKERT_5, "mean", "mean_ci_low", "mean_ci_high", 1.0, 5.0, "mean")
ZERO_TEN = Measure(ScaleKind.ZERO_TEN, "mean", "mean_ci_low", "mean_ci_high", 0.0, 10.0, "mean")
YES_NO = Measure(
    ScaleKind.YESNO, "pct_positive", "pct_positive_ci_low", "pct_positive_ci_high", 0.0, 1.0, "share"
)


def measure_of(instrument: Instrument, question: str) -> Measure:
    """The measure of a scale item (a question without a scale counts as 1–5, as the analysis does)."""
    scale = instrument.question(question).scale
    kind = scale.kind if scale is not None else ScaleKind.LIKERT_5
    return {ScaleKind.ZERO_TEN: ZERO_TEN, ScaleKind.YESNO: YES_NO}.get(kind, LIKERT)


def groups_of(scale: Scale) -> dict[str, tuple[int, ...]]:
    """The codes of each group of a 0–10 answer: with 9–10 positive, 0–6 / 7–8 / 9–10 (NPS's detractors,
    passives and promoters — the top group is exactly the question's "% positive")."""
    positive = tuple(sorted(scale.positive))
    first = positive[0] if positive else scale.high + 1
    middle = tuple(c for c in (first - 2, first - 1) if scale.low <= c)
    low = tuple(c for c in scale.values if c < (middle[0] if middle else first))
    return {"low": low, "middle": middle, "high": positive}


def group_label(codes: Sequence[int]) -> str:
    return f"{codes[0]}–{codes[-1]}" if len(codes) > 1 else str(codes[0])


def scale_distribution(
    frame: pl.DataFrame,
    design: SurveyDesign | Weighting,
    instrument: Instrument,
    breakdowns: pl.DataFrame | None = None,
    *,
    id_column: str = ID_COLUMN,
) -> pl.DataFrame:
    """The distribution of every 0–10 question, nationally and per municipality: ``share_<code>`` for each
    point and ``share_low/middle/high`` for the three groups (:func:`groups_of`), as fractions of the valid
    answers ("ved ikke" outside, as in the mean), estimated in ``design`` like the breakdowns.

    With ``breakdowns`` (the published table) a place whose total the analysis suppressed is marked
    ``suppressed`` (its figures emptied), so the distribution hides what the breakdowns hide."""
    parts = []
    for question in instrument.scale_items():
        scale = instrument.scale_of(question)
        if scale.kind is not ScaleKind.ZERO_TEN or question not in frame.columns:
            continue
        parts.append(_question_distribution(frame, design, question, scale, id_column))
    if not parts:
        return pl.DataFrame(schema={"question": pl.Utf8, MUNICIPALITY: pl.Utf8, "suppressed": pl.Boolean})
    table = pl.concat(parts, how="diagonal_relaxed")
    hidden = pl.lit(False)
    if breakdowns is not None and "suppressed" in breakdowns.columns:
        totals = breakdowns.filter((pl.col("by") == NATIONAL) & pl.col("suppressed"))
        keys = totals.select(pl.struct("question", MUNICIPALITY)).to_series().implode()
        hidden = pl.struct("question", MUNICIPALITY).is_in(keys)
    shares = [c for c in table.columns if c.startswith("share_")]
    return table.with_columns(hidden.alias("suppressed")).with_columns(
        pl.when("suppressed").then(None).otherwise(pl.col(c)).alias(c) for c in shares
    )


def _question_distribution(
    frame: pl.DataFrame,
    design: SurveyDesign | Weighting,
    question: str,
    scale: Scale,
    id_column: str,
) -> pl.DataFrame:
    """One indicator column per point and group (1 = this answer, 0 = another valid answer, empty outside
    the domain): its domain mean is the share, by the estimator of the breakdowns."""
    answer = pl.col(question).cast(pl.Utf8).str.strip_chars().cast(pl.Float64, strict=False)
    valid = answer.is_in([float(v) for v in scale.values]).fill_null(False)
    codes: dict[str, tuple[int, ...]] = {str(v): (v,) for v in scale.values}
    codes.update(groups_of(scale))
    indicators = [
        pl.when(valid).then(answer.is_in([float(c) for c in members]).cast(pl.Int8)).alias(f"__{name}")
        for name, members in codes.items()
    ]
    cols = [id_column, *([MUNICIPALITY] if MUNICIPALITY in frame.columns else [])]
    work = frame.select(*cols, *indicators)
    by = [MUNICIPALITY] if MUNICIPALITY in work.columns else []
    estimated = scale_estimate(
        work,
        design,
        [f"__{n}" for n in codes],
        by,
        low=0,
        high=1,
        dont_know=None,
        positive=(1,),
        id_column=id_column,
    )
    place = pl.when(pl.col("by") == OVERALL).then(pl.lit(NATIONAL)).otherwise(pl.col("group"))
    long = estimated.with_columns(place.alias(MUNICIPALITY)).select(
        MUNICIPALITY, pl.col("question").str.slice(2).alias("point"), "mean", "n_valid"
    )
    wide = long.pivot(on="point", index=MUNICIPALITY, values="mean")
    wide = wide.rename({c: f"share_{c}" for c in wide.columns if c != MUNICIPALITY})
    n_valid = long.filter(pl.col("point") == "high").select(MUNICIPALITY, "n_valid")
    order = pl.col(MUNICIPALITY) != NATIONAL
    return (
        wide.join(n_valid, on=MUNICIPALITY)
        .with_columns(pl.lit(question).alias("question"))
        .sort([order, MUNICIPALITY])
        .select("question", MUNICIPALITY, "n_valid", *[f"share_{c}" for c in codes])
    )


def distribution_row(table: pl.DataFrame | None, question: str, place: str) -> Mapping[str, object] | None:
    """The published distribution row of a question in a place (None when absent or suppressed)."""
    if table is None or "question" not in table.columns:
        return None
    rows = table.filter(
        (pl.col("question") == question) & (pl.col(MUNICIPALITY) == place) & ~pl.col("suppressed")
    )
    return rows.row(0, named=True) if rows.height else None
