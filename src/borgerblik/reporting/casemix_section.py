"""The fair comparison: Spiegelhalter's funnel of the municipalities' case-mix adjusted scores on the overall
question (the analysis's ``casemix`` and ``funnel`` tables) — each municipality's adjusted score against its
number of respondents, the 95 % and 99,8 % control limits around the national figure; the municipalities
outside are named, and in a municipal report the own municipality is highlighted.

A municipality the analysis hid (no adjusted score) or without published figures is left out of the chart,
the table and the sentence alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from borgerblik.reporting import charts
from borgerblik.reporting.model import Chart, Section, Sentence, Table

if TYPE_CHECKING:
    from borgerblik.reporting.content import ContentBuilder

CASEMIX, FUNNEL = "casemix", "funnel"
LIMITS = ("lower_998", "lower_95", "upper_95", "upper_998")


def fair_comparison(b: ContentBuilder) -> Section | None:
    scores, curves = b.t.get(CASEMIX), b.t.get(FUNNEL)
    if scores is None or curves is None:
        return None
    question, w = b.overall, b.w
    shown = set(b.t.municipalities(question))
    rows = scores.filter(
        (pl.col("question") == question) & pl.col("adjusted").is_not_null() & pl.col("kommune").is_in(shown)
    ).sort("adjusted", descending=True)
    lines = curves.filter(pl.col("question") == question).sort("n")
    if rows.height < 2 or not lines.height:
        return None
    kind = b.measure(question).figure_kind
    items = list(rows.iter_rows(named=True))
    points = [
        charts.FunnelPoint(
            r["kommune"],
            b.fig(CASEMIX, r, "n", "count"),
            b.fig(CASEMIX, r, "adjusted", kind),
            bool(r["outside_95"]),
            bool(r["outside_998"]),
            r["kommune"] == b.municipality,
        )
        for r in items
    ]
    limits = [(int(r["n"]), *(float(r[c]) for c in LIMITS)) for r in lines.iter_rows(named=True)]
    national = float(items[0]["national"])
    caption = w["funnel_plot"].format(q=b.heading(question))
    table = Table(
        caption,
        [
            w["municipality"],
            w["n"],
            w["observed"],
            w["expected"],
            w["adjusted"],
            w["ci_low"],
            w["ci_high"],
            w["rank_raw"],
            w["rank_adjusted"],
            w["outside"],
        ],
        [
            [
                r["kommune"],
                p.n,
                b.fig(CASEMIX, r, "observed", kind),
                b.fig(CASEMIX, r, "expected", kind),
                p.adjusted,
                b.fig(CASEMIX, r, "ci_low", kind),
                b.fig(CASEMIX, r, "ci_high", kind),
                b.fig(CASEMIX, r, "rank_raw", "count"),
                b.fig(CASEMIX, r, "rank_adjusted", "count"),
                w["outside_998"] if p.outside_998 else w["outside_95"] if p.outside_95 else "",
            ]
            for r, p in zip(items, points, strict=True)
        ],
        highlight={i for i, p in enumerate(points) if p.highlight},
        sheet="Lige vilkår",
    )
    alt = "; ".join(f"{p.label}: {p.adjusted.text} ({p.n.text} {w['answers_unit']})" for p in points)
    cid = b.chart_id()
    svg = charts.funnel_plot(
        cid, caption, alt, points, limits, national, (w["n_axis"], w["adjusted_axis"]), kind == "share"
    )
    intro = Sentence((w["funnel_plot_intro"].format(q=b.heading(question)),))
    chart = Chart(cid, caption, alt, svg, table, intro=intro)
    return Section("lige-vilkaar", w["fair"], [chart, _outside(b, items)], sheet="Lige vilkår")


def _outside(b: ContentBuilder, items: list[dict[str, Any]]) -> Sentence:
    """The municipalities outside the limits, named (above / below the country), in the report's language."""
    w = b.w
    above = [r["kommune"] for r in items if r["outside_998"] and r["adjusted"] > r["national"]]
    below = [r["kommune"] for r in items if r["outside_998"] and r["adjusted"] < r["national"]]
    outer = [r["kommune"] for r in items if r["outside_95"] and not r["outside_998"]]
    parts = [
        w[key] + ", ".join(sorted(names))
        for key, names in (("above_998", above), ("below_998", below), ("only_95", outer))
        if names
    ]
    if not parts:
        return Sentence((w["all_inside"],))
    return Sentence((w["outside_intro"] + "; ".join(parts) + ".",))
