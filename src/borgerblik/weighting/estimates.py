"""The estimate table: per closed question, overall and per group of each breakdown.

Columns (shares and percentages as fractions 0–1; every standard error design-based):

question, by, group            question id; breakdown column (``overall`` for the whole) and its value
n_valid, n_dont_know           answers 1–5, and answers 9 (ved ikke/ikke relevant), unweighted
weighted_n                     sum of the weights of the valid answers (an estimated population count)
mean, mean_se, mean_ci_low, mean_ci_high            weighted mean score 1–5 with 95 % normal interval
pct_positive, pct_positive_se, pct_positive_ci_low, pct_positive_ci_high   weighted share answering 4 or 5
share_1 … share_5, share_1_se … share_5_se          weighted distribution over the categories
unweighted_mean, unweighted_share_1 … unweighted_share_5                   the same without weights

"Ved ikke" and empty answers are outside each question's domain; every group is a domain of the whole
design (R's svyby), never a separate design. Intervals are estimate ± 1.959964·SE, as R's confint.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from borgerblik.weighting.design import SurveyDesign, Weighting
from borgerblik.weighting.errors import WeightingInputError
from borgerblik.weighting.inference import DesignVariance, domain_mean_influence
from borgerblik.weighting.linearisation import DomainMoments, design_cells, domain_estimates
from borgerblik.weighting.tables import (
    ID_COLUMN,
    Table,
    answer_codes,
    as_table,
    check_unique_ids,
    require_columns,
)

Z_95 = 1.959963984540054
_SLOTS = 7
DONT_KNOW_SLOT = 5
_SLOT_OF_CODE = np.array([6, 0, 1, 2, 3, 4, 6, 6, 6, DONT_KNOW_SLOT], dtype=np.int64)
"""Answer code → count slot: 1–5 → 0–4, 9 (ved ikke) → 5, empty → 6; the last two are outside the domain."""
OVERALL = "overall"
CATEGORIES = 5
QUESTION_THREADS = min(4, os.cpu_count() or 1)


def estimate(
    responses: pl.DataFrame | Table,
    design: SurveyDesign | Weighting,
    questions: Sequence[str],
    by: Sequence[str] = (),
    *,
    id_column: str = ID_COLUMN,
) -> pl.DataFrame:
    """The estimate table (see the module docstring) for ``questions``, overall and by each ``by`` column."""
    table = as_table(responses, "responses")
    if isinstance(design, Weighting):
        design = design.design
    require_columns(table, [id_column], "svarfil")
    require_columns(table, list(questions), "spørgsmål")
    require_columns(table, list(by), "--by")
    order = _design_order(table, design, id_column)
    codes = answer_codes(table, questions)[order]
    blocks = [(OVERALL, np.zeros(len(order), dtype=np.int64), [""])]
    for column in by:
        values = table.frame.get_column(column).cast(pl.Utf8).str.strip_chars()
        values = values.set(values == "", None)
        present = sorted(values.drop_nulls().unique().to_list(), key=_natural)
        mapping = {v: i for i, v in enumerate(present)}
        group = values.replace_strict(mapping, default=-1, return_dtype=pl.Int64).fill_null(-1)
        blocks.append((column, group.to_numpy()[order], present))
    cells = design_cells(design)
    group_total = sum(len(names) for _, _, names in blocks)
    offsets = np.cumsum([0, *[len(names) for _, _, names in blocks]])
    rows = np.concatenate([np.flatnonzero(group >= 0) for _, group, _ in blocks])
    groups = np.concatenate(
        [group[group >= 0] + offset for (_, group, _), offset in zip(blocks, offsets, strict=False)]
    )
    slot = (cells.of_row[rows] * group_total + groups) * _SLOTS
    answers = np.ascontiguousarray(codes[rows].T)  # (questions, rows), one contiguous row per question
    size = cells.size * group_total * _SLOTS
    shape = (cells.size, group_total, _SLOTS)
    if cells.weight is None:
        w, w2 = design.weights[rows], design.weights[rows] ** 2

    def one_question(j: int) -> tuple[np.ndarray, ...]:
        index = slot + _SLOT_OF_CODE[answers[j]]
        counts = np.bincount(index, minlength=size).reshape(shape)
        if cells.weight is None:
            s1 = np.bincount(index, weights=w, minlength=size).reshape(shape)[:, :, :CATEGORIES]
            s2 = np.bincount(index, weights=w2, minlength=size).reshape(shape)[:, :, :CATEGORIES]
        else:
            s1 = counts[:, :, :CATEGORIES] * cells.weight[:, None, None]
            s2 = s1 * cells.weight[:, None, None]
        total, est, var = domain_estimates(DomainMoments(w=s1, w2=s2), cells)
        per_group = counts.sum(axis=0)
        return total, est, np.sqrt(var), per_group[:, :CATEGORIES], per_group[:, DONT_KNOW_SLOT]

    # Questions are independent and numpy releases the GIL in its array loops, so they run on the machine's
    # cores; each product is small, so BLAS's own threads would only contend with them.
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(QUESTION_THREADS) as pool:
        results = list(pool.map(one_question, range(len(questions))))
    by_names = [name for name, _, names in blocks for _ in names]
    group_names = [g for _, _, names in blocks for g in names]
    return _table(list(questions), by_names, group_names, results)


def _table(
    questions: list[str],
    by_names: list[str],
    group_names: list[str],
    results: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
) -> pl.DataFrame:
    groups = len(group_names)

    def stack(i: int) -> np.ndarray:
        return np.concatenate([r[i] for r in results]) if results else np.zeros((0, 7) if i in (1, 2) else 0)

    total, est, se = stack(0), stack(1), stack(2)
    counts = np.concatenate([r[3] for r in results]) if results else np.zeros((0, CATEGORIES))
    n_dk = stack(4)
    n_valid = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        unweighted = counts / n_valid[:, None]
        unweighted_mean = (counts * np.arange(1, CATEGORIES + 1)).sum(axis=1) / n_valid
    data: dict[str, object] = {
        "question": np.repeat(questions, groups).tolist(),
        "by": by_names * len(questions),
        "group": group_names * len(questions),
        "n_valid": pl.Series(n_valid, dtype=pl.Int64),
        "n_dont_know": pl.Series(n_dk, dtype=pl.Int64),
        "weighted_n": total,
        "mean": est[:, 0],
        "mean_se": se[:, 0],
        "mean_ci_low": est[:, 0] - Z_95 * se[:, 0],
        "mean_ci_high": est[:, 0] + Z_95 * se[:, 0],
        "pct_positive": est[:, 6],
        "pct_positive_se": se[:, 6],
        "pct_positive_ci_low": est[:, 6] - Z_95 * se[:, 6],
        "pct_positive_ci_high": est[:, 6] + Z_95 * se[:, 6],
    }
    for k in range(CATEGORIES):
        data[f"share_{k + 1}"] = est[:, 1 + k]
    for k in range(CATEGORIES):
        data[f"share_{k + 1}_se"] = se[:, 1 + k]
    data["unweighted_mean"] = unweighted_mean
    for k in range(CATEGORIES):
        data[f"unweighted_share_{k + 1}"] = unweighted[:, k]
    frame = pl.DataFrame(data, schema_overrides={"question": pl.Utf8, "by": pl.Utf8, "group": pl.Utf8})
    return frame.with_columns(pl.col(pl.Float64).fill_nan(None))


def _natural(value: str) -> tuple[int, float | str]:
    """Numbers in numeric order (6.2 before 6.10), text in text order."""
    try:
        return (0, float(value.replace(",", ".")))
    except ValueError:
        return (1, value)


def _design_order(table: Table, design: SurveyDesign, id_column: str) -> np.ndarray:
    """Row of the responses table for each design row; a respondent missing on either side is an error."""
    ids = check_unique_ids(table, id_column)
    if len(ids) == len(design.ids) and np.array_equal(ids, design.ids):
        return np.arange(len(ids))
    position = {rid: i for i, rid in enumerate(ids.tolist())}
    missing = [rid for rid in design.ids.tolist() if rid not in position]
    if missing or len(ids) != len(design.ids):
        raise WeightingInputError(
            table.name, None, id_column, "de samme respondenter som i vægtene",
            f"{len(missing)} respondenter uden svar og {len(ids)} svar mod {len(design.ids)} vægte",
        )
    return np.array([position[rid] for rid in design.ids.tolist()])


def scale_estimate(
    responses: pl.DataFrame | Table,
    design: SurveyDesign | Weighting,
    questions: Sequence[str],
    by: Sequence[str] = (),
    *,
    low: float | None = 1,
    high: float | None = 5,
    dont_know: float | None = 9,
    positive: Sequence[float] = (4, 5),
    id_column: str = ID_COLUMN,
) -> pl.DataFrame:
    """Mean and % positive with design-based SEs on any numeric scale (0–10, yes/no, a continuous outcome).

    The same linearisation as :func:`estimate` (``svyby(~y, ~g, subset(design, valid), svymean)``), through
    the general influence-value variance; on a 1–5 scale it gives the estimate table's mean and % positive.
    ``low``/``high`` None accepts any number; ``dont_know`` is outside the domain and counted.
    Columns: question, by, group, n_valid, n_dont_know, weighted_n, mean, mean_se, mean_ci_low, mean_ci_high,
    pct_positive, pct_positive_se, pct_positive_ci_low, pct_positive_ci_high, unweighted_mean.
    """
    table = as_table(responses, "responses")
    if isinstance(design, Weighting):
        design = design.design
    require_columns(table, [id_column], "svarfil")
    require_columns(table, list(questions), "spørgsmål")
    require_columns(table, list(by), "--by")
    order = _design_order(table, design, id_column)
    frame = table.frame[order]
    groups = [(OVERALL, "", np.ones(frame.height, dtype=bool))]
    for column in by:
        values = frame.get_column(column).cast(pl.Utf8).str.strip_chars()
        for value in sorted(values.drop_nulls().unique().to_list(), key=_natural):
            if value:
                groups.append((column, value, (values == value).fill_null(False).to_numpy()))
    members = np.column_stack([g[2] for g in groups])
    variance = DesignVariance(design)
    w = design.weights
    rows = []
    for question in questions:
        y, dk = _numeric_answers(table, frame, order, question, low, high, dont_know)
        valid = ~np.isnan(y)
        inside = members & valid[:, None]
        means, z = domain_mean_influence(y, w, inside)
        shares, zp = domain_mean_influence(np.where(valid, np.isin(y, positive), np.nan), w, inside)
        se, se_p = np.sqrt(variance.variances(z)), np.sqrt(variance.variances(zp))
        n_valid = inside.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            unweighted = np.nan_to_num(y) @ inside / n_valid
        for j, (column, value, member) in enumerate(groups):
            rows.append({
                "question": question, "by": column, "group": value, "n_valid": int(n_valid[j]),
                "n_dont_know": int((member & dk).sum()), "weighted_n": float(w @ inside[:, j]),
                "mean": means[j], "mean_se": se[j], "mean_ci_low": means[j] - Z_95 * se[j],
                "mean_ci_high": means[j] + Z_95 * se[j], "pct_positive": shares[j],
                "pct_positive_se": se_p[j],
                "pct_positive_ci_low": shares[j] - Z_95 * se_p[j],
                "pct_positive_ci_high": shares[j] + Z_95 * se_p[j], "unweighted_mean": unweighted[j],
            })
    return pl.DataFrame(rows).with_columns(pl.col(pl.Float64).fill_nan(None))


def _numeric_answers(
    table: Table, frame: pl.DataFrame, order: np.ndarray, question: str,
    low: float | None, high: float | None, dont_know: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Valid answers (NaN elsewhere) and the "ved ikke" mask; a value off the scale names its line."""
    text = frame.get_column(question).cast(pl.Utf8).str.strip_chars().fill_null("")
    values = text.str.replace(",", ".").cast(pl.Float64, strict=False).to_numpy()
    given = (text != "").to_numpy()
    dk = given & (values == dont_know) if dont_know is not None else np.zeros(len(values), dtype=bool)
    on_scale = np.isfinite(values)
    if low is not None:
        on_scale &= (values >= low) & (values <= high)
    bad = np.flatnonzero(given & ~on_scale & ~dk)
    if bad.size:
        row = int(order[bad[0]])
        scale = "et tal" if low is None else f"et svar {low:g}–{high:g}"
        raise WeightingInputError(
            table.name, table.line(row), question, f"{scale}, ved ikke-koden {dont_know} eller tom",
            f"'{text[int(bad[0])]}'",
        )
    return np.where(on_scale & ~dk, values, np.nan), dk
