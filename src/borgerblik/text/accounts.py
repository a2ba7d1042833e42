"""Open answers accounted for by sentiment group, and the quotes to show beside them.

The groups are those of the linked scale question: satisfied (the top two categories) against less satisfied,
with "hverken eller" (the middle) a group of its own wherever at least 10 % (weighted) chose it — else it
joins the less satisfied. Each code's share is weighted (the answer's survey weight)
within the group's coded answers, per municipality and nationally; a group with fewer answers than the
suppression threshold shows no shares and gives no quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

SATISFIED = "tilfreds"
LESS_SATISFIED = "mindre tilfreds"
NEUTRAL = "hverken eller"
NATIONAL = "alle"
NEUTRAL_SHARE = 0.10
DEFAULT_THRESHOLD = 5


def sentiment_groups(
    answers: pl.DataFrame,
    *,
    scale: str = "scale",
    weight: str = "weight",
    by: str = "kommune",
    top: Sequence[int] = (4, 5),
    middle: int = 3,
    missing: Sequence[int] = (9,),
) -> pl.DataFrame:
    """``answers`` with a ``group`` column: satisfied, less satisfied, or "hverken eller" where the middle
    category's weighted share within the area (``by``; and nationally) reaches 10 %. A missing scale answer
    (``ved ikke`` or none) gets no group."""
    valid = pl.col(scale).is_not_null() & ~pl.col(scale).is_in(list(missing))
    frame = answers.with_columns(
        pl.when(~valid)
        .then(None)
        .when(pl.col(scale).is_in(list(top)))
        .then(pl.lit(SATISFIED))
        .when(pl.col(scale) == middle)
        .then(pl.lit(NEUTRAL))
        .otherwise(pl.lit(LESS_SATISFIED))
        .alias("group")
    )
    share = (pl.col(weight) * (pl.col("group") == NEUTRAL)).sum() / (
        pl.col(weight) * pl.col("group").is_not_null()
    ).sum()
    shares = frame.group_by(by).agg(share.alias("_neutral"))
    national = frame.select(share).item()
    frame = frame.join(shares, on=by, how="left")
    local = frame.with_columns(
        pl.when((pl.col("group") == NEUTRAL) & (pl.col("_neutral") < NEUTRAL_SHARE))
        .then(pl.lit(LESS_SATISFIED))
        .otherwise(pl.col("group"))
        .alias("group")
    ).drop("_neutral")
    national_group = frame.select(
        pl.when((pl.col("group") == NEUTRAL) & pl.lit(national < NEUTRAL_SHARE))
        .then(pl.lit(LESS_SATISFIED))
        .otherwise(pl.col("group"))
        .alias("national_group")
    )
    return local.with_columns(national_group)


def code_accounts(
    coded: pl.DataFrame,
    labels: dict[str, str],
    *,
    by: str = "kommune",
    weight: str = "weight",
    threshold: int = DEFAULT_THRESHOLD,
) -> pl.DataFrame:
    """Per area (and ``alle``), group and code: answers in the group, answers with the code, the weighted
    share, and whether the group is suppressed (no count or share is shown).

    A group is suppressed when it has fewer than ``threshold`` answers (primary), and also when it is the
    complement that keeps a suppressed group from being derived: the national row of a group is the sum of
    its municipalities, so national minus the shown municipalities would give a lone suppressed one's count
    and its codes. Every group line with a suppressed municipality therefore has at least two (the smallest
    other is added, repeatedly; :func:`hidden_groups`). A suppressed group lists every code of its national
    group, so which codes it has cannot be read from which rows are there.

    ``coded``: a row per answer with ``by``, ``weight``, ``group``, ``national_group`` and ``codes`` (a list).
    """
    frames, totals_frames = [], []
    for area, group_column in ((by, "group"), (None, "national_group")):
        base = coded.filter(pl.col(group_column).is_not_null())
        if not area:
            base = base.with_columns(pl.lit(NATIONAL).alias(by))
        keys = [by, group_column]
        totals = base.group_by(keys).agg(pl.len().alias("answers"), pl.col(weight).sum().alias("_w"))
        exploded = base.explode("codes").filter(pl.col("codes").is_not_null())
        counts = exploded.group_by([*keys, "codes"]).agg(
            pl.len().alias("with_code"), pl.col(weight).sum().alias("_wc")
        )
        frames.append(counts.join(totals, on=keys).rename({group_column: "group", "codes": "code"}))
        totals_frames.append(totals.rename({group_column: "group"}).select(by, "group", "answers"))
    table = pl.concat(frames, how="vertical_relaxed")
    hidden = hidden_groups(pl.concat(totals_frames, how="vertical_relaxed"), by=by, threshold=threshold)
    if hidden.height:
        national_codes = table.filter(pl.col(by) == NATIONAL).select("group", "code").unique()
        filler = hidden.join(national_codes, on="group").join(
            table.select(by, "group", "code", "answers", "with_code", "_w", "_wc"),
            on=[by, "group", "code"],
            how="left",
        )
        table = pl.concat(
            [table.join(hidden, on=[by, "group"], how="anti"), filler.select(table.columns)],
            how="vertical_relaxed",
        )
    suppressed = pl.struct(by, "group").is_in(hidden.select(pl.struct(by, "group")).to_series().implode())
    return (
        table.with_columns(suppressed.alias("suppressed"))
        .with_columns(
            pl.col("code").replace_strict(labels, default=pl.col("code")).alias("label"),
            pl.when("suppressed").then(None).otherwise(pl.col("_wc") / pl.col("_w")).alias("share"),
            pl.when("suppressed").then(None).otherwise(pl.col("with_code")).alias("with_code"),
            pl.when("suppressed").then(None).otherwise(pl.col("answers")).alias("answers"),
        )
        .drop("_w", "_wc")
        .select(by, "group", "code", "label", "answers", "with_code", "share", "suppressed")
        .sort(
            [pl.col(by) != NATIONAL, by, "group", "share", "code"],
            descending=[False, False, False, True, False],
            nulls_last=True,
        )
    )


def hidden_groups(
    totals: pl.DataFrame, *, by: str = "kommune", threshold: int = DEFAULT_THRESHOLD
) -> pl.DataFrame:
    """The (area, group) pairs to suppress, from the answers per area and group (national rows included):
    those below ``threshold`` and, per group, the complements that keep national minus the shown
    municipalities from isolating one (the analysis' :func:`~borgerblik.analysis.hidden_rows` line rule)."""
    from borgerblik.analysis.suppression import hidden_rows

    pairs: list[tuple[str, str]] = []
    for (group,), part in totals.sort(by).group_by("group", maintain_order=True):
        national = part.filter(pl.col(by) == NATIONAL)
        if national.height and national["answers"][0] < threshold:
            pairs.append((NATIONAL, group))
        local = part.filter(pl.col(by) != NATIONAL)
        flags = hidden_rows(local["answers"].to_numpy(), threshold)
        pairs += [(area, group) for area, flag in zip(local[by], flags, strict=True) if flag]
    return pl.DataFrame(pairs, schema={by: pl.String, "group": pl.String}, orient="row")


_NORMALISE = re.compile(r"[^\w\[\]]+")


def _shingles(text: str) -> set[str]:
    words = _NORMALISE.sub(" ", text.casefold()).split()
    return {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def choose_quotes(
    coded: pl.DataFrame,
    accounts: pl.DataFrame,
    *,
    by: str = "kommune",
    per_code: int = 2,
    shortest: int = 20,
    longest: int = 300,
    near: float = 0.6,
) -> pl.DataFrame:
    """Representative quotes per area, group and code: redacted texts (``text`` must already be redacted),
    within the length bounds, never two that are the same or nearly so (Jaccard similarity of word
    triples ≥ ``near``) anywhere in the table, never from a suppressed group (local or national)."""
    shown = accounts.filter(~pl.col("suppressed")).select(by, "group", "code").unique()
    rows = []
    used: list[set[str]] = []
    # An answer from a suppressed local group is quoted nowhere, not even nationally: a quote from a
    # municipality's three less satisfied citizens would point at one of them.
    hidden = accounts.filter(pl.col("suppressed") & (pl.col(by) != NATIONAL)).select(by, "group").unique()
    candidates = coded.filter(pl.col("text").str.len_chars().is_between(shortest, longest)).join(
        hidden, on=[by, "group"], how="anti"
    )
    for area, group, code in shown.sort(by, "group", "code").iter_rows():
        column = "group" if area != NATIONAL else "national_group"
        pool = candidates.filter(pl.col(column) == group)
        if area != NATIONAL:
            pool = pool.filter(pl.col(by) == area)
        pool = pool.filter(pl.col("codes").list.contains(code)).sort("text")
        chosen = 0
        for text in pool["text"].to_list():
            shingles = _shingles(text)
            if any(len(shingles & other) / len(shingles | other) >= near for other in used):
                continue
            used.append(shingles)
            rows.append((area, group, code, text))
            chosen += 1
            if chosen == per_code:
                break
    return pl.DataFrame(
        rows, schema={by: pl.String, "group": pl.String, "code": pl.String, "quote": pl.String}, orient="row"
    )
