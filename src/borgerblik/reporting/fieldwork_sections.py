"""The report's sections built from the survey's own facts (:mod:`borgerblik.reporting.facts`): non-response,
the response curve and the fieldwork funnel, and the method section — for the whole country and, with the
municipality's own figures, in each municipal report.

Kept apart from :mod:`borgerblik.reporting.content` (the analysis tables' sections) so each stays readable;
the functions take the content builder, whose ``fig`` gives every number its table row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from borgerblik.reporting import charts
from borgerblik.reporting.model import Block, Chart, Figure, Part, Section, Sentence, Table
from borgerblik.reporting.texts import CHANNELS, FUNNEL_STEPS, METHOD_SENTENCES, RULES

if TYPE_CHECKING:
    from borgerblik.reporting.content import ContentBuilder

NATIONAL = "alle"
FUNNEL = "fieldwork_funnel"


def nonresponse(b: ContentBuilder) -> Section | None:
    """Sample vs respondents vs weighted by group, for the report's place; hidden groups left out and said."""
    table = b.t.get("nonresponse")
    if table is None:
        return None
    w = b.w
    rows = table.filter(pl.col("kommune") == b.place)
    if not rows.height:
        return None
    hidden = "suppressed" in rows.columns and rows["suppressed"].any()
    if "suppressed" in rows.columns:
        rows = rows.filter(~pl.col("suppressed"))
    body = [
        [
            f"{b.by_label(r['by'])}: {b.group_label(r['by'], r['group'])}",
            b.fig("nonresponse", r, "share_sample"),
            b.fig("nonresponse", r, "share_respondents"),
            b.fig("nonresponse", r, "share_weighted"),
        ]
        for r in rows.iter_rows(named=True)
    ]
    place = b.municipality or w["all"]
    blocks: list[Block] = [Sentence((w["nonresponse_intro"],))]
    if hidden:
        blocks.append(Sentence((w["nonresponse_hidden"].format(t=b.t.threshold),)))
    blocks.append(
        Table(
            f"{w['nonresponse']}: {place}",
            [w["group"], w["sample"], w["respondents"], w["weighted"]],
            body,
            sheet="Bortfald",
        )
    )
    return Section("bortfald", w["nonresponse"], blocks, sheet="Bortfald")


def curve(b: ContentBuilder) -> Section | None:
    """The cumulative response rate with the reminders marked, then the fieldwork funnel."""
    w = b.w
    blocks: list[Block] = []
    table = b.t.get("response_curve")
    rows = table.filter(pl.col("kommune") == b.place).sort("day") if table is not None else None
    if rows is not None and rows.height:
        points = [
            (int(r["day"]), b.fig("response_curve", r, "response_rate")) for r in rows.iter_rows(named=True)
        ]
        t = Table(
            f"{w['curve']}: {b.municipality or w['all']}",
            [w["day"], w["response_rate"]],
            [[str(d), f] for d, f in points],
            sheet="Svarprocent",
        )
        days = ", ".join(str(d) for d in b.t.reminders)
        alt = f"{w['response_rate']} {points[-1][1].text}"
        if days:
            alt += f"; {w['reminder']}: {days}"
        cid = b.chart_id()
        svg = charts.response_curve(cid, t.caption, alt, points, b.t.reminders, w["reminder"], w["day"])
        blocks.append(Sentence((w["curve_intro"],)))
        intro = Sentence((w["curve_reminders"].format(days=days),)) if days else None
        blocks.append(Chart(cid, t.caption, alt, svg, t, native="line", intro=intro))
    found = funnel(b)
    if found is not None:
        found.intro = Sentence((w["funnel_intro"],))
        blocks.append(found)
    if not blocks:
        return None
    return Section("svarprocent", w["curve"], blocks, sheet="Svarprocent")


def funnel(b: ContentBuilder) -> Chart | None:
    table = b.t.get("fieldwork_funnel")
    if table is None:
        return None
    rows = table.filter(pl.col("kommune") == b.place)
    if not rows.height:
        return None
    w, names = b.w, FUNNEL_STEPS[b.lang]
    steps = [
        (names.get(r["step"], r["step"]), b.fig(FUNNEL, r, "count", "count"), b.fig(FUNNEL, r, "share"))
        for r in rows.iter_rows(named=True)
    ]
    caption = f"{w['funnel']}: {b.municipality or w['all']}"
    t = Table(
        caption,
        [w["step"], w["count"], w["of_invited"]],
        [[label, count, share] for label, count, share in steps],
        sheet="Svarprocent",
    )
    alt = "; ".join(f"{label} {count.text} ({share.text})" for label, count, share in steps)
    cid = b.chart_id()
    return Chart(cid, caption, alt, charts.funnel(cid, caption, alt, steps), t, native="bar")


def method(b: ContentBuilder) -> Section:
    """Generated from the survey's facts: register and the count excluded by each population rule, sample,
    send-outs by channel with their dates, response and opt-out (the municipality's own where it has them),
    weighting, design effect, effective n, collapsed cells, the suppression rule and the tests used."""
    w = b.w
    blocks: list[Block] = []
    facts = b.t.get("method")
    templates = METHOD_SENTENCES[b.lang]
    if facts is not None:
        shown = facts.filter(
            pl.col("kommune").is_in([b.place, NATIONAL]) if "kommune" in facts.columns else pl.lit(True)
        )
        excluded = shown.filter(pl.col("key") == "excluded")
        for r in shown.iter_rows(named=True):
            if r["key"] == "excluded":
                continue
            if r["key"] == "population" and excluded.height:
                blocks.append(_exclusions(b, excluded))
            if r["key"] not in templates:
                continue
            if (
                r["key"] != "population"
                and r.get("kommune") == NATIONAL
                and b.municipality
                and _has_local(facts, r["key"], b.place)
            ):
                continue
            blocks.append(_sentence(b, templates[r["key"]], r))
            if r["key"] == "invitation_day":
                sent = _send_outs(b)
                if sent is not None:
                    blocks.append(sent)
    threshold = Figure(float(b.t.threshold), b.num.integer(b.t.threshold), "count", "method:threshold")
    blocks.append(Sentence((w["suppression"], threshold, w["suppression_2"])))
    sig = b.t.get("significance")
    if sig is not None:
        tests = sorted(
            set(sig["test"].drop_nulls().to_list()) | set(sig["controlled_test"].drop_nulls().to_list())
        )
        blocks.append(Sentence((w["tests"] + "; ".join(tests) + ".",)))
    return Section("metode", w["method"], blocks, sheet="Metode")


def _sentence(b: ContentBuilder, template: str, r: dict[str, Any]) -> Sentence:
    """A method sentence: ``{}`` slots take the row's value and value2 as figures, ``{label}`` and
    ``{days}`` the two halves of its label."""
    label, _, days = (r["label"] or "").partition("|")
    pieces = template.format("\0", "\0", label=label, days=days).split("\0")
    values = [
        b.fig("method", r, c, kind=k)
        for c, k in zip(("value", "value2"), (r["kind"] or "").split(","), strict=False)
        if r[c] is not None
    ]
    parts: list[Part] = []
    for piece, value in zip(pieces, [*values, None, None], strict=False):
        parts.append(piece)
        if value is not None:
            parts.append(value)
    return Sentence(tuple(p for p in parts if p != ""))


def _exclusions(b: ContentBuilder, rows: pl.DataFrame) -> Table:
    """How the register became the population: the count each rule excluded, in the rules' order."""
    w, names = b.w, RULES[b.lang]
    body: list[list[Any]] = []
    for r in rows.iter_rows(named=True):
        rule, _, description = (r["label"] or "").partition("|")
        body.append([names.get(rule, rule), description, b.fig("method", r, "value", "count")])
    return Table(w["exclusions_table"], [w["rule"], w["condition"], w["excluded"]], body, sheet="Metode")


def _send_outs(b: ContentBuilder) -> Table | None:
    """When the invitation and each reminder went out by each channel (the whole survey's schedule)."""
    waves = b.t.get("channel_waves")
    if waves is None:
        return None
    w, channels = b.w, CHANNELS[b.lang]
    body: list[list[Any]] = []
    for r in waves.iter_rows(named=True):
        name = w["invitation"] if r["wave"] == 0 else w["nth_reminder"].format(n=r["wave"])
        first, last = r["first_sent"], r["last_sent"]
        if first is None:
            when = w["not_sent"]
        elif first == last:
            when = f"{first:%d.%m.%Y}"
        else:
            when = f"{first:%d.%m.%Y}–{last:%d.%m.%Y}"
        body.append(
            [
                name,
                channels.get(r["channel"], r["channel"]),
                when,
                b.fig("channel_waves", r, "messages", "count"),
            ]
        )
    return Table(
        w["waves_table"], [w["send_out"], w["channel"], w["sent"], w["messages"]], body, sheet="Metode"
    )


def _has_local(method: pl.DataFrame, key: str, place: str) -> bool:
    return method.filter((pl.col("key") == key) & (pl.col("kommune") == place)).height > 0
