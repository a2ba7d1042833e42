"""Questions on another scale than 1–5, each by its own measure (:mod:`borgerblik.reporting.measures`).

- A 0–10 question: a 100 % bar of the answers grouped 0–6 / 7–8 / 9–10 (own municipality and the country),
  its mean on 0–10 and "% positive" = 9–10, and a table of all eleven points. Why grouped: Danish municipal
  reports show a question as one stacked bar (KL, Rambøll, VIVE); eleven segments cannot be told apart, and
  0–6 / 7–8 / 9–10 is the grouping readers know from "anbefale"-questions (NPS) — its top group is exactly the
  share positive printed beside it. The net score (9–10 minus 0–6) is not shown: no KL or VIVE report uses it.
- A yes/no question: a bar of the share answering ja with its 95 % interval; no mean (its codes are names).

Kept apart from :mod:`borgerblik.reporting.content` (the 1–5 sections); the functions take the content
builder, whose ``fig`` gives every number its table row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from borgerblik.core.model import ScaleKind
from borgerblik.reporting import charts
from borgerblik.reporting.measures import (
    DISTRIBUTION,
    GROUPS,
    distribution_row,
    group_label,
    groups_of,
)
from borgerblik.reporting.model import Block, Chart, Section, Sentence, Table

if TYPE_CHECKING:
    from borgerblik.reporting.content import ContentBuilder

NATIONAL = "alle"


def _kinds(b: ContentBuilder) -> set[ScaleKind]:
    return {b.measure(q).kind for q in b.questions}


def guide(b: ContentBuilder) -> list[Sentence]:
    """How to read the other scales, for the scales the report has."""
    kinds = _kinds(b)
    found = []
    if ScaleKind.ZERO_TEN in kinds:
        found.append(Sentence((b.w["guide_zero_ten"],)))
    if ScaleKind.YESNO in kinds:
        found.append(Sentence((b.w["guide_yes_no"],)))
    return found


def conclusions(b: ContentBuilder) -> list[Sentence]:
    """The main conclusions of the other scales, each on its own measure: one question of a kind gets its
    sentence, several get the highest and the lowest (a 0–10 mean is never set against a 1–5 one)."""
    w, found = b.w, []
    for kind in (ScaleKind.ZERO_TEN, ScaleKind.YESNO):
        rows = [
            (q, r)
            for q in b.questions
            if b.measure(q).kind is kind and (r := b._row("breakdowns", q)) is not None
        ]
        if not rows:
            continue
        m = b.measure(rows[0][0])
        if len(rows) == 1:
            q, r = rows[0]
            found.append(_one(b, q, r))
            continue
        best = max(rows, key=lambda qr: qr[1][m.column])
        worst = min(rows, key=lambda qr: qr[1][m.column])
        prefix = "zero_ten" if kind is ScaleKind.ZERO_TEN else "yes_no"
        for template, (q, r) in ((f"{prefix}_highest", best), (f"{prefix}_lowest", worst)):
            found.append(
                Sentence((w[template].format(q=b.heading(q)), b.fig("breakdowns", r, m.column), "."))
            )
    return found


def _one(b: ContentBuilder, question: str, r: dict[str, Any]) -> Sentence:
    w = b.w
    if b.measure(question).has_mean:
        high = group_label(groups_of(b.instrument.scale_of(question))["high"])
        return Sentence(
            (
                w["zero_ten_one"].format(q=b.heading(question)),
                b.fig("breakdowns", r, "mean"),
                w["zero_ten_one_2"],
                b.fig("breakdowns", r, "pct_positive"),
                w["zero_ten_one_3"].format(g=high),
            )
        )
    return Sentence(
        (
            b.fig("breakdowns", r, "pct_positive"),
            w["yes_no_one"].format(q=b.heading(question)),
            b.fig("breakdowns", r, "pct_positive_ci_low"),
            "–",
            b.fig("breakdowns", r, "pct_positive_ci_high"),
            ").",
        )
    )


def question_section(b: ContentBuilder, number: int, question: str) -> Section:
    """A 0–10 or yes/no question: its chart and table, the "ved ikke" note, the municipality beside the
    nation, and the breakdowns with 95 % intervals on the question's own measure."""
    q = b.instrument.question(question)
    text = q.text(b.lang) if b.lang in q.wording.present else q.text()
    sheet = f"{number:02d} {b.heading(question)}"[:31]
    section = Section(f"q-{question}", f"{number}. {b.heading(question)}", [Sentence((text,))], sheet=sheet)
    places = [(b.municipality, b._row("breakdowns", question))] if b.municipality else []
    places.append((b.w["all"], b._row("breakdowns", question, NATIONAL)))
    places = [(name, r) for name, r in places if r is not None]
    if b.measure(question).has_mean:
        section.blocks += _zero_ten(b, question, places, sheet)
    else:
        section.blocks.append(_yes_no(b, question, places, sheet))
    note = b.w["dont_know_note" if b.measure(question).has_mean else "dont_know_note_share"].split("{n}")
    section.blocks.append(Sentence((note[0], b.fig("breakdowns", places[0][1], "n_dont_know"), note[1])))
    if b.municipality:
        section.blocks += b._versus_nation(question)
    breakdown = b._breakdown_chart(question, sheet)
    if breakdown is not None:
        section.blocks.append(breakdown)
    return section


def _zero_ten(
    b: ContentBuilder, question: str, places: list[tuple[str, dict[str, Any]]], sheet: str
) -> list[Block]:
    """The grouped bar with mean and % 9–10 and, below it, the share at each of the eleven points."""
    w = b.w
    scale = b.instrument.scale_of(question)
    groups = groups_of(scale)
    names = [group_label(groups[g]) for g in GROUPS]
    shown = [
        (name, r, distribution_row(b.t.get(DISTRIBUTION), question, _place(b, name))) for name, r in places
    ]
    blocks: list[Block] = []
    with_shares = [(name, r, d) for name, r, d in shown if d is not None]
    header = [w["group"], *names, w["mean"], f"{w['positive']} ({names[-1]})", w["n"], w["dont_know"]]
    rows: list[list[Any]] = []
    bars = []
    for name, r, d in shown:
        shares = [b.fig(DISTRIBUTION, d, f"share_{g}") for g in GROUPS] if d is not None else ["–"] * 3
        if d is not None:
            bars.append(charts.Bar(name, shares))  # type: ignore[arg-type]
        rows.append(
            [
                name,
                *shares,
                b.fig("breakdowns", r, "mean"),
                b.fig("breakdowns", r, "pct_positive"),
                b.fig("breakdowns", r, "n_valid"),
                b.fig("breakdowns", r, "n_dont_know"),
            ]
        )
    table = Table(f"{w['distribution']}: {b.heading(question)}", header, rows, sheet=sheet)
    if bars:
        alt = "; ".join(
            f"{bar.label}: " + ", ".join(f"{c} {f.text}" for c, f in zip(names, bar.shares, strict=True))
            for bar in bars
        )
        cid = b.chart_id()
        svg = charts.stacked_bars(cid, table.caption, alt, bars, names, charts.GROUPED)
        blocks.append(Chart(cid, table.caption, alt, svg, table))
    else:  # an analysis folder without the distribution table: the figures the breakdowns have
        blocks += [table, Sentence((w["no_distribution"],))]
    if with_shares:
        points = []
        for code, text in scale.option_texts():
            if code not in scale.values:
                continue
            label = text.get(b.lang)
            points.append([label, *(b.fig(DISTRIBUTION, d, f"share_{code}") for _, _, d in with_shares)])
        blocks.append(
            Table(
                w["points"].format(q=b.heading(question)),
                [w["answer"], *(name for name, _, _ in with_shares)],
                points,  # in the questionnaire's order
                sheet=sheet,
            )
        )
    return blocks


def _place(b: ContentBuilder, name: str) -> str:
    return b.municipality if b.municipality and name == b.municipality else NATIONAL


def _yes_no(b: ContentBuilder, question: str, places: list[tuple[str, dict[str, Any]]], sheet: str) -> Chart:
    """The share answering ja with its interval, the municipality above the country."""
    w = b.w
    marks = [
        charts.Interval(
            name,
            b.fig("breakdowns", r, "pct_positive"),
            b.fig("breakdowns", r, "pct_positive_ci_low"),
            b.fig("breakdowns", r, "pct_positive_ci_high"),
            highlight=bool(b.municipality) and name == b.municipality,
        )
        for name, r in places
    ]
    table = Table(
        f"{w['share_yes']}: {b.heading(question)}",
        [w["group"], w["share_yes"], w["ci_low"], w["ci_high"], w["n"], w["dont_know"]],
        [
            [
                name,
                mark.mean,
                mark.low,
                mark.high,
                b.fig("breakdowns", r, "n_valid"),
                b.fig("breakdowns", r, "n_dont_know"),
            ]
            for mark, (name, r) in zip(marks, places, strict=True)
        ],
        sheet=sheet,
    )
    alt = "; ".join(f"{mark.label}: {mark.mean.text} ({mark.low.text}–{mark.high.text})" for mark in marks)  # type: ignore[union-attr]
    cid = b.chart_id()
    m = b.measure(question)
    svg = charts.intervals(cid, table.caption, alt, marks, m.lo, m.hi, ticks=m.ticks(), bars=True)
    return Chart(cid, table.caption, alt, svg, table)
