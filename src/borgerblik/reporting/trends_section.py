"""Trends across waves (the Copenhagen memo's table): % positive per question and wave for everyone and per
target group with the average row, and the sentences on the largest changes since the previous wave.

The analysis's ``trends`` table is not suppressed, so the report does it: in each wave and question a target
group with fewer valid answers than the threshold is hidden together with the next smallest group (the
groups add up to everyone), and a group's average row is hidden in a wave where any of its questions is — the
average and the shown rows would give the hidden one away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from borgerblik.analysis.suppression import hidden_rows
from borgerblik.analysis.trends import AVERAGE_LABEL
from borgerblik.reporting.model import Block, Figure, Section, Sentence, Table

if TYPE_CHECKING:
    from borgerblik.reporting.content import ContentBuilder

NATIONAL = "alle"
SIGNIFICANT = 0.05
CHANGES_SHOWN = 3
MUNICIPAL_TRENDS, MUNICIPAL_CHANGES = "municipal_trends", "municipal_trend_changes"
"""Each municipality's own trend rows (``group`` = the municipality) and changes, made by ``report --survey``
from the stored waves (:func:`borgerblik.reporting.from_database.municipal_trends`)."""


def _names(b: ContentBuilder) -> tuple[str, str, str]:
    """(trend table, change table, the group that is "everyone") of the report's place: the nation's tables
    with "alle", or the municipal ones with the municipality — whose line across municipalities is
    suppressed as the target groups' is."""
    if b.municipality is None:
        return "trends", "trend_changes", NATIONAL
    return MUNICIPAL_TRENDS, MUNICIPAL_CHANGES, b.municipality


def published_trends(trends: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """The trend rows a report may show (``_row`` kept, so every figure still names its table row)."""
    questions = trends.filter(pl.col("question") != AVERAGE_LABEL)
    hidden: set[int] = set()
    groups = questions.filter(pl.col("group") != NATIONAL)
    for _, line in groups.group_by("question", "year"):
        counts = line["n_valid"].fill_null(0).to_numpy()
        hide = hidden_rows(np.where(counts == 0, 1, counts), threshold)
        hidden |= {int(r) for r, h in zip(line["_row"].to_list(), hide, strict=True) if h}
    everyone = questions.filter((pl.col("group") == NATIONAL) & (pl.col("n_valid") < threshold))
    hidden |= set(everyone["_row"].to_list())
    gone = questions.filter(pl.col("_row").is_in(list(hidden))).select("group", "year").unique()
    averages = trends.filter(pl.col("question") == AVERAGE_LABEL).join(gone, on=["group", "year"], how="anti")
    return pl.concat([questions.filter(~pl.col("_row").is_in(list(hidden))), averages])


def _waves(trends: pl.DataFrame) -> list[int]:
    return sorted(int(y) for y in trends["year"].unique().to_list())


def trends(b: ContentBuilder) -> Section | None:
    """One table per group (everyone first): % positive per question and wave, the average row last, and the
    change in mean since the previous wave with its test; then the largest changes as sentences."""
    trend_table, _, everyone = _names(b)
    raw = b.t.get(trend_table)
    if raw is None or "year" not in raw.columns:
        return None
    shown = published_trends(raw, b.t.threshold)
    if b.municipality is not None:
        shown = shown.filter(pl.col("group") == everyone)
    waves = _waves(shown) if shown.height else []
    if len(waves) < 2:
        return None
    w = b.w
    changes = _changes(b, waves)
    blocks: list[Block] = [Sentence((w["trends_intro"],))]
    order = {q: i for i, q in enumerate(b.questions)}
    groups = [everyone] + sorted(g for g in shown["group"].unique().to_list() if g != everyone)
    for group in groups:
        part = shown.filter(pl.col("group") == group)
        by_question: dict[str, dict[int, dict[str, Any]]] = {}
        for r in part.iter_rows(named=True):
            by_question.setdefault(r["question"], {})[int(r["year"])] = r
        names = sorted((q for q in by_question if q != AVERAGE_LABEL), key=lambda q: order.get(q, 99))
        if AVERAGE_LABEL in by_question:
            names.append(AVERAGE_LABEL)
        rows = []
        for q in names:
            label = w["average"] if q == AVERAGE_LABEL else b.heading(q)
            cells: list[Any] = [label]
            for year in waves:
                r = by_question[q].get(year)
                cells.append(b.fig(trend_table, r, "pct_positive") if r is not None else "–")
            change = changes.get((q, group))
            cells.append(b.fig(_names(b)[1], change, "change") if change is not None else "")
            rows.append(cells)
        if not rows:
            continue
        title = w["all"] if group == NATIONAL else b.group_label("", group)
        header = [w["question"], *map(str, waves), w["change_mean"].format(w0=waves[-2])]
        blocks.append(Table(w["trends_group"].format(g=title), header, rows, sheet="Tendenser"))
    blocks += largest_changes(b)
    return Section("tendenser", w["trends"], blocks, sheet="Tendenser")


def _changes(b: ContentBuilder, waves: list[int]) -> dict[tuple[str, str], dict[str, Any]]:
    """The tested change in mean from the previous wave to the last, per question and group, for the groups
    and questions the report shows."""
    trend_table, change_table, _ = _names(b)
    table = b.t.get(change_table)
    if table is None:
        return {}
    shown = published_trends(b.t.get(trend_table), b.t.threshold)  # type: ignore[arg-type]
    rows = visible_changes(shown, table, waves)
    return {(r["question"], r["group"]): r for r in rows.iter_rows(named=True)}


def visible_changes(shown: pl.DataFrame, changes: pl.DataFrame, waves: list[int]) -> pl.DataFrame:
    """The tested changes from the wave before the last of ``waves`` to the last, of the questions and groups
    whose trend rows (``shown``: :func:`published_trends`) are shown in both — a change next to a hidden
    figure would give it away. The report's trend table and the staff pages' trends show these."""
    visible = shown.filter(pl.col("year").is_in(waves[-2:])).group_by("question", "group").len()
    both = visible.filter(pl.col("len") == 2).select("question", "group")
    return changes.filter((pl.col("year_before") == waves[-2]) & (pl.col("year_after") == waves[-1])).join(
        both, on=["question", "group"], how="semi"
    )


def largest_changes(
    b: ContentBuilder, shown_at_most: int = CHANGES_SHOWN, conclusion: bool = False
) -> list[Sentence]:
    """ "The largest changes since <previous wave>": everyone's questions by the size of the change in mean,
    from the earlier mean to the last, with the test; ``conclusion``: the largest alone, as one sentence for
    the main conclusions."""
    trend_table, change_table, group = _names(b)
    raw = b.t.get(trend_table)
    if raw is None or "year" not in raw.columns:
        return []
    shown = published_trends(raw, b.t.threshold).filter(pl.col("group") == group)
    waves = _waves(shown) if shown.height else []
    if len(waves) < 2:
        return []
    w = b.w
    means = {(r["question"], int(r["year"])): r for r in shown.iter_rows(named=True)}
    changes = [c for (q, g), c in _changes(b, waves).items() if g == group and c["change"] is not None]
    changes.sort(key=lambda c: (-abs(c["change"]), c["question"]))
    found = [Sentence((w["changes_intro"].format(w0=waves[-2]),))] if changes and not conclusion else []
    for c in changes[: 1 if conclusion else shown_at_most]:
        before, after = means[(c["question"], waves[-2])], means[(c["question"], waves[-1])]
        significant = c["p_value"] is not None and c["p_value"] < SIGNIFICANT
        p: list[Figure | str] = []
        if c["p_value"] is not None:
            flag = w["change_sig"] if significant else w["change_not_sig"]
            p = [flag, b.fig(change_table, c, "p_value", "p")]
        opening = (w["change"] if conclusion else w["change_line"]).format(
            w0=waves[-2], q=b.heading(c["question"])
        )
        found.append(
            Sentence(
                (
                    opening,
                    b.fig(trend_table, before, "mean"),
                    w["to"],
                    b.fig(trend_table, after, "mean"),
                    *p,
                    ")." if p else ".",
                )
            )
        )
    return found
