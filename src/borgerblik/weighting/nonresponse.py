"""Non-response analysis: who answered compared with who was sampled, before and after weighting.

KL's three figures: sample vs respondents (complete + partial) by gender, age group, target group and
municipality with the mean age of each; and, per group, the ratio between the share who answered and the
share who actively opted out. The weighted column shows the respondents after weighting, which for the
weighting variables should be back at the sample's (proportional) distribution.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import polars as pl

from borgerblik.weighting.tables import ID_COLUMN, Table, as_table, require_columns


def nonresponse_table(
    sample: pl.DataFrame | Table,
    respondent_ids: Iterable[str],
    variables: Sequence[str],
    *,
    weights: pl.DataFrame | None = None,
    id_column: str = ID_COLUMN,
) -> pl.DataFrame:
    """Per variable and group: n and share in the sample, among respondents, and respondents weighted.

    Columns: variable, group, sample_n, sample_share, respondents_n, respondents_share,
    weighted_share (null without weights), difference (respondents_share − sample_share).
    """
    table = as_table(sample, "sample")
    require_columns(table, [id_column, *variables], "stikprøve")
    frame = table.frame.with_columns(pl.col(id_column).cast(pl.Utf8))
    answered = pl.col(id_column).is_in(list(respondent_ids))
    frame = frame.with_columns(answered.alias("_answered"))
    if weights is not None:
        frame = frame.join(
            weights.select(pl.col(id_column).cast(pl.Utf8), pl.col("weight").cast(pl.Float64)),
            on=id_column, how="left",
        )
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("weight"))
    blocks = []
    for variable in variables:
        grouped = (
            frame.with_columns(pl.col(variable).cast(pl.Utf8).alias("group"))
            .group_by("group")
            .agg(
                pl.len().alias("sample_n"),
                pl.col("_answered").sum().cast(pl.Int64).alias("respondents_n"),
                pl.col("weight").filter(pl.col("_answered")).sum().alias("_wsum"),
            )
            .sort("group")
        )
        weight_total = grouped["_wsum"].sum()
        blocks.append(
            grouped.with_columns(
                pl.lit(variable).alias("variable"),
                (pl.col("sample_n") / pl.col("sample_n").sum()).alias("sample_share"),
                (pl.col("respondents_n") / pl.col("respondents_n").sum()).alias("respondents_share"),
                (pl.col("_wsum") / weight_total if weights is not None and weight_total else pl.lit(None))
                .cast(pl.Float64)
                .alias("weighted_share"),
            ).with_columns((pl.col("respondents_share") - pl.col("sample_share")).alias("difference"))
        )
    columns = ["variable", "group", "sample_n", "sample_share", "respondents_n", "respondents_share",
               "weighted_share", "difference"]
    return pl.concat([b.select(columns) for b in blocks])


def mean_age(
    sample: pl.DataFrame | Table,
    respondent_ids: Iterable[str],
    *,
    age_column: str = "alder_aar",
    weights: pl.DataFrame | None = None,
    id_column: str = ID_COLUMN,
) -> dict[str, float]:
    """Mean age of the sample, of the respondents, and of the respondents weighted (KL: 42,2 vs 46,7)."""
    table = as_table(sample, "sample")
    require_columns(table, [id_column, age_column], "stikprøve")
    ids = table.frame.get_column(id_column).cast(pl.Utf8)
    age = table.frame.get_column(age_column).cast(pl.Float64).to_numpy()
    answered = ids.is_in(list(respondent_ids)).to_numpy()
    result = {"sample": float(np.mean(age)), "respondents": float(np.mean(age[answered]))}
    if weights is not None:
        keys = weights[id_column].cast(pl.Utf8).to_list()
        lookup = dict(zip(keys, weights["weight"].to_list(), strict=True))
        w = np.array([lookup.get(i, 0.0) for i in ids.to_list()])
        result["respondents_weighted"] = float(np.sum(w * age) / np.sum(w))
    return result


def optout_ratio(
    sample: pl.DataFrame | Table,
    respondent_ids: Iterable[str],
    optout_ids: Iterable[str],
    variables: Sequence[str],
    *,
    id_column: str = ID_COLUMN,
) -> pl.DataFrame:
    """Per group: answered and opted-out counts, their shares of the group's sample, and answered / opted out.

    Columns: variable, group, sample_n, answered_n, optout_n, answered_share, optout_share, ratio
    (null where nobody opted out). A low ratio marks a group that opts out rather than answers.
    """
    table = as_table(sample, "sample")
    require_columns(table, [id_column, *variables], "stikprøve")
    frame = table.frame.with_columns(
        pl.col(id_column).cast(pl.Utf8).is_in(list(respondent_ids)).alias("_answered"),
        pl.col(id_column).cast(pl.Utf8).is_in(list(optout_ids)).alias("_optout"),
    )
    blocks = []
    for variable in variables:
        blocks.append(
            frame.group_by(pl.col(variable).cast(pl.Utf8).alias("group"))
            .agg(
                pl.len().alias("sample_n"),
                pl.col("_answered").sum().cast(pl.Int64).alias("answered_n"),
                pl.col("_optout").sum().cast(pl.Int64).alias("optout_n"),
            )
            .sort("group")
            .with_columns(
                pl.lit(variable).alias("variable"),
                (pl.col("answered_n") / pl.col("sample_n")).alias("answered_share"),
                (pl.col("optout_n") / pl.col("sample_n")).alias("optout_share"),
                pl.when(pl.col("optout_n") > 0)
                .then(pl.col("answered_n") / pl.col("optout_n"))
                .otherwise(None)
                .alias("ratio"),
            )
            .select("variable", "group", "sample_n", "answered_n", "optout_n", "answered_share",
                    "optout_share", "ratio")
        )
    return pl.concat(blocks)
