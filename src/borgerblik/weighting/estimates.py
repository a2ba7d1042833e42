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

from collections.abc import Sequence

import numpy as np
import polars as pl

from borgerblik.weighting.design import SurveyDesign, Weighting
from borgerblik.weighting.errors import WeightingInputError
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
OVERALL = "overall"
CATEGORIES = 5


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
        values = values.set(values == "", None).to_numpy()[order]
        present = sorted({v for v in values if v is not None}, key=_natural)
        lookup = {v: i for i, v in enumerate(present)}
        codes_of = np.array([lookup.get(v, -1) if v is not None else -1 for v in values], dtype=np.int64)
        blocks.append((column, codes_of, present))
    cells = design_cells(design)
    weights = design.weights
    group_total = sum(len(names) for _, _, names in blocks)
    frames = []
    for j, question in enumerate(questions):
        answer = codes[:, j]
        valid = (answer >= 1) & (answer <= CATEGORIES)
        dont_know = answer == 9
        index_parts, weight_parts, valid_groups, dk_groups = [], [], [], []
        offset = 0
        for _, group, names in blocks:
            keep = valid & (group >= 0)
            global_group = group[keep] + offset
            cell = cells.of_row[keep]
            index_parts.append((global_group * cells.size + cell) * CATEGORIES + answer[keep] - 1)
            weight_parts.append(weights[keep])
            valid_groups.append(global_group)
            dk_groups.append(group[dont_know & (group >= 0)] + offset)
            offset += len(names)
        index = np.concatenate(index_parts)
        w = np.concatenate(weight_parts)
        shape = (group_total, cells.size, CATEGORIES)
        size = group_total * cells.size * CATEGORIES
        moments = DomainMoments(
            w=np.bincount(index, weights=w, minlength=size).reshape(shape),
            w2=np.bincount(index, weights=w * w, minlength=size).reshape(shape),
        )
        total, est, var = domain_estimates(moments, cells)
        counts = np.bincount(
            np.concatenate(valid_groups) * CATEGORIES + (index % CATEGORIES),
            minlength=group_total * CATEGORIES,
        ).reshape(group_total, CATEGORIES)
        n_dk = np.bincount(np.concatenate(dk_groups), minlength=group_total)
        frames.append(_rows(question, blocks, total, est, np.sqrt(var), counts, n_dk))
    return pl.concat(frames) if frames else _rows("", [], np.zeros(0), np.zeros((0, 7)), np.zeros((0, 7)),
                                                  np.zeros((0, 5)), np.zeros(0))


def _rows(
    question: str,
    blocks: list[tuple[str, np.ndarray, list[str]]],
    total: np.ndarray,
    est: np.ndarray,
    se: np.ndarray,
    counts: np.ndarray,
    n_dk: np.ndarray,
) -> pl.DataFrame:
    by_names = [name for name, _, names in blocks for _ in names]
    group_names = [g for _, _, names in blocks for g in names]
    n_valid = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        unweighted = counts / n_valid[:, None]
        unweighted_mean = (counts * np.arange(1, CATEGORIES + 1)).sum(axis=1) / n_valid

    def column(values: np.ndarray) -> pl.Series:
        return pl.Series(values, dtype=pl.Float64).fill_nan(None)

    data: dict[str, pl.Series | list] = {
        "question": [question] * len(group_names),
        "by": by_names,
        "group": group_names,
        "n_valid": pl.Series(n_valid, dtype=pl.Int64),
        "n_dont_know": pl.Series(n_dk, dtype=pl.Int64),
        "weighted_n": column(total),
        "mean": column(est[:, 0]),
        "mean_se": column(se[:, 0]),
        "mean_ci_low": column(est[:, 0] - Z_95 * se[:, 0]),
        "mean_ci_high": column(est[:, 0] + Z_95 * se[:, 0]),
        "pct_positive": column(est[:, 6]),
        "pct_positive_se": column(se[:, 6]),
        "pct_positive_ci_low": column(est[:, 6] - Z_95 * se[:, 6]),
        "pct_positive_ci_high": column(est[:, 6] + Z_95 * se[:, 6]),
    }
    for k in range(CATEGORIES):
        data[f"share_{k + 1}"] = column(est[:, 1 + k])
    for k in range(CATEGORIES):
        data[f"share_{k + 1}_se"] = column(se[:, 1 + k])
    data["unweighted_mean"] = column(unweighted_mean)
    for k in range(CATEGORIES):
        data[f"unweighted_share_{k + 1}"] = column(unweighted[:, k])
    return pl.DataFrame(data)


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
