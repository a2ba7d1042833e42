"""Properties of the weights and estimates, checked with hypothesis on generated cells (empty ones too).

- post-stratified weights sum to the population count of every post-stratum (after collapsing) and to
  the population total;
- raking either meets every margin within its tolerance or raises RakingError naming the worst margin;
- estimates do not depend on the order of the rows (to 1e-10 relative).
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borgerblik.weighting import RakingError, estimate, poststratify, rake

LEVELS = {"a": ["a1", "a2", "a3"], "b": ["b1", "b2"], "c": ["c1", "c2", "c3"]}


@st.composite
def surveys(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    cells = list(itertools.product(*LEVELS.values()))
    counts = draw(st.lists(st.integers(1, 60), min_size=len(cells), max_size=len(cells)))
    respondents = [draw(st.integers(0, min(c, 6))) for c in counts]
    if sum(respondents) < 2:
        respondents[0], respondents[1] = 1, 1
    rows = [cell for cell, n in zip(cells, respondents, strict=True) for _ in range(n)]
    answers = draw(st.lists(st.sampled_from(["1", "2", "3", "4", "5", "9", ""]), min_size=len(rows),
                            max_size=len(rows)))
    responses = pl.DataFrame(rows, schema=list(LEVELS), orient="row").with_columns(
        pl.Series("respondent_id", [f"r{i}" for i in range(len(rows))]), pl.Series("q", answers)
    )
    population = pl.DataFrame(cells, schema=list(LEVELS), orient="row").with_columns(
        pl.Series("count", counts)
    )
    return responses, population


@settings(max_examples=40, deadline=None)
@given(surveys(), st.integers(0, 4))
def test_weights_sum_to_every_post_stratum_total(
    survey: tuple[pl.DataFrame, pl.DataFrame], min_cell: int
) -> None:
    responses, population = survey
    weighting = poststratify(responses, population, list(LEVELS), min_cell=min_cell)
    post = weighting.design.calibrations[-1]
    sums = np.bincount(post.labels, weights=weighting.design.weights)
    cells = weighting.cells
    totals = cells.group_by("poststratum").agg(pl.col("count").sum(), pl.col("respondents").sum())
    assert totals["respondents"].min() >= (max(min_cell, 1) if totals.height > 1 else 1)
    assert len(sums) == totals.height
    for label, total in zip(totals["poststratum"], totals["count"], strict=True):
        assert sums[label] == pytest.approx(total, rel=1e-12)
    assert weighting.design.weights.sum() == pytest.approx(population["count"].sum(), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(surveys(), st.integers(1, 30))
def test_raking_meets_the_margins_or_names_the_worst(
    survey: tuple[pl.DataFrame, pl.DataFrame], iterations: int
) -> None:
    responses, population = survey
    margins = list(LEVELS)
    present = [set(responses[m].to_list()) for m in margins]
    if any(len(p) < len(LEVELS[m]) for p, m in zip(present, margins, strict=True)):
        with pytest.raises(ValueError, match="ingen"):
            rake(responses, population, margins, max_iterations=iterations, design_strata=["a"])
        return
    try:
        weighting = rake(responses, population, margins, max_iterations=iterations, design_strata=["a"],
                         tolerance=1e-9)
    except RakingError as error:
        gap = abs(error.achieved - error.target) / error.target
        assert gap > 1e-9 and error.iterations == iterations
        return
    assert weighting.iterations is not None and weighting.iterations <= iterations
    for margin in margins:
        sums = (
            responses.with_columns(pl.Series("w", weighting.design.weights))
            .group_by(margin).agg(pl.col("w").sum()).sort(margin)
        )
        targets = population.group_by(margin).agg(pl.col("count").sum()).sort(margin)
        np.testing.assert_allclose(sums["w"], targets["count"].cast(pl.Float64), rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(surveys(), st.randoms(use_true_random=False))
def test_estimates_do_not_depend_on_row_order(survey: tuple[pl.DataFrame, pl.DataFrame], rnd) -> None:  # noqa: ANN001
    responses, population = survey
    order = list(range(responses.height))
    rnd.shuffle(order)
    shuffled = responses[order]
    first = estimate(responses, poststratify(responses, population, list(LEVELS)), ["q"], ["b", "c"])
    second = estimate(shuffled, poststratify(shuffled, population, list(LEVELS)), ["q"], ["b", "c"])
    assert first.select("by", "group", "n_valid").equals(second.select("by", "group", "n_valid"))
    for column in ("mean", "mean_se", "pct_positive_se", "share_3", "share_3_se"):
        np.testing.assert_allclose(
            first[column].fill_null(np.nan).to_numpy(), second[column].fill_null(np.nan).to_numpy(),
            rtol=1e-10, atol=1e-13,
        )
