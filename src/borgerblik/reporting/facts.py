"""The survey's own facts for the method, non-response, response-curve and funnel sections, as tables beside
the analysis tables (so a report's every figure still names a table row): read from the stored survey through
the storage gateway.

- ``method``: population, the count excluded by each population rule (kept at the register import), sample,
  response and opt-out per municipality, weighting, design effect, effective n, collapsed cells;
- ``channel_waves``: when the invitation and each reminder went out by each channel, and how many messages;
- ``nonresponse``: sample, respondents and weighted respondents by gender, age and target group — nationally
  and per municipality, a group with fewer respondents than the threshold hidden with the next smallest of its
  line (the shares add up to 100 %, so one hidden share would follow from the others);
- ``response_curve``: the cumulative response rate by fieldwork day;
- ``fieldwork_funnel``: invited → reachable → opened → started → complete, nationally and per municipality.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

from borgerblik.analysis.suppression import hidden_rows
from borgerblik.fieldwork.monitor import StatusRow, fieldwork_status
from borgerblik.registers.survey_import import EXCLUSIONS_SETTING
from borgerblik.storage import Database
from borgerblik.surveys import StoredSurvey
from borgerblik.weighting import Weighting
from borgerblik.weighting.tables import ID_COLUMN

NATIONAL = "alle"
NONRESPONSE_BY = ("koen", "aldersgruppe", "maalgruppe_kl2024")
METHOD_SCHEMA = {
    "kommune": pl.Utf8,
    "key": pl.Utf8,
    "label": pl.Utf8,
    "value": pl.Float64,
    "value2": pl.Float64,
    "kind": pl.Utf8,
}


def survey_facts(db: Database, stored: StoredSurvey, weighting: Weighting | None) -> dict[str, pl.DataFrame]:
    """method, nonresponse and response_curve tables of a stored survey."""
    sample = stored.sample
    threshold = int(stored.record.settings.get("suppression_threshold", 5))
    events = db.fieldwork_events(stored.record.id)
    start = events.invitation_time
    reminder_days = sorted({(t - start).days for t in events.reminder_times}) if start else []
    rows: list[dict[str, object]] = [
        {"kommune": NATIONAL, "key": "suppression_threshold", "label": str(threshold)},
        {"kommune": NATIONAL, "key": "reminder_days", "label": ";".join(map(str, reminder_days))},
        *_exclusions(stored.record.settings),
        {"kommune": NATIONAL, "key": "population", "value": float(stored.population.height), "kind": "count"},
        {"kommune": NATIONAL, "key": "sample", "value": float(sample.height), "kind": "count"},
    ]
    if start is not None:
        days = ", ".join(str(d) for d in reminder_days) or "–"
        rows.append({"kommune": NATIONAL, "key": "invitation_day", "label": f"{start:%d.%m.%Y}|{days}"})
    groups = [
        (NATIONAL, sample),
        *sorted(((str(k[0]), p) for k, p in sample.group_by("kommune")), key=lambda x: x[0]),
    ]
    for place, part in groups:
        n = part.height
        responded = part.filter(pl.col("outcome").is_in(["partial", "complete"])).height
        opted = part.filter(pl.col("outcome") == "opted_out").height
        if n:
            rows.append(
                {
                    "kommune": place,
                    "key": "responded",
                    "value": float(responded),
                    "value2": responded / n,
                    "kind": "count,share",
                }
            )
            rows.append({"kommune": place, "key": "opt_out_rate", "value": opted / n, "kind": "share"})
    if weighting is not None:
        w = np.asarray(weighting.design.weights, dtype=float)
        deff = len(w) * float((w**2).sum()) / float(w.sum()) ** 2
        rows += [
            {
                "kommune": NATIONAL,
                "key": "weighting",
                "label": f"{weighting.method} på {', '.join(weighting.strata)}",
            },
            {"kommune": NATIONAL, "key": "design_effect", "value": deff, "kind": "mean"},
            {"kommune": NATIONAL, "key": "effective_n", "value": len(w) / deff, "kind": "count"},
            {
                "kommune": NATIONAL,
                "key": "collapsed_cells",
                "value": float(len(weighting.collapsed)),
                "kind": "count",
            },
        ]
    method = pl.DataFrame([{k: r.get(k) for k in METHOD_SCHEMA} for r in rows], schema=METHOD_SCHEMA)
    return {
        "method": method,
        "channel_waves": channel_waves(db.message_waves(stored.record.id)),
        "nonresponse": _nonresponse(stored, weighting, threshold),
        "response_curve": _curve(events.sessions, events.kommune_of, start, sample),
        "fieldwork_funnel": _funnel(db, stored.record.id),
    }


def _exclusions(settings: dict) -> list[dict[str, object]]:
    """The register count and the count excluded by each rule, summed over the survey's extract files."""
    imports = list((settings.get(EXCLUSIONS_SETTING) or {}).values())
    if not imports:
        return []
    rows: list[dict[str, object]] = [
        {
            "kommune": NATIONAL,
            "key": "register",
            "value": float(sum(int(i["register"]) for i in imports)),
            "kind": "count",
        }
    ]
    totals: dict[str, list] = {}
    for entry in imports:
        for e in entry["exclusions"]:
            totals.setdefault(e["rule"], [e["description"], 0])[1] += int(e["excluded"])
    for rule, (description, excluded) in totals.items():
        rows.append(
            {
                "kommune": NATIONAL,
                "key": "excluded",
                "label": f"{rule}|{description}",
                "value": float(excluded),
                "kind": "count",
            }
        )
    return rows


WAVES_SCHEMA = {
    "wave": pl.Int64,
    "kind": pl.Utf8,
    "channel": pl.Utf8,
    "messages": pl.Float64,
    "first_sent": pl.Date,
    "last_sent": pl.Date,
}


def channel_waves(messages: pl.DataFrame) -> pl.DataFrame:
    """One row per wave (0 the invitation, 1, 2, … the reminders in order) and channel: messages and the
    days (Danish time) the first and the last went out; a wave not yet sent has no dates."""
    if not messages.height:
        return pl.DataFrame(schema=WAVES_SCHEMA)
    local = messages.with_columns(
        pl.col(c).dt.convert_time_zone("Europe/Copenhagen").dt.date().alias(c)
        for c in ("queued_at", "first_sent", "last_sent")
    )
    # a wave is queued in one go; its messages share the queueing day
    order = (
        local.filter(pl.col("kind") == "reminder")
        .select("queued_at")
        .unique()
        .sort("queued_at")
        .with_row_index("wave", offset=1)
    )
    waves = local.join(order, on="queued_at", how="left").with_columns(
        pl.when(pl.col("kind") == "invitation").then(0).otherwise(pl.col("wave")).cast(pl.Int64).alias("wave")
    )
    return (
        waves.group_by("wave", "kind", "channel")
        .agg(
            pl.col("messages").sum().cast(pl.Float64),
            pl.col("first_sent").min(),
            pl.col("last_sent").max(),
        )
        .sort("wave", "channel")
        .select(list(WAVES_SCHEMA))
    )


FUNNEL_STEPS = ("invited", "reachable", "opened", "started", "complete")


def _funnel(db: Database, survey_id: int) -> pl.DataFrame:
    """The fieldwork funnel as the monitor counts it (:mod:`borgerblik.fieldwork.monitor`): invited, reachable
    by at least one channel, opened the link, answered at least one question (partial or complete), complete.
    Once identities are purged reachability is unknown and that step is left out."""
    schema = {"kommune": pl.Utf8, "step": pl.Utf8, "count": pl.Float64, "share": pl.Float64}
    status = fieldwork_status(db, survey_id)
    if not status.overall.invited:
        return pl.DataFrame(schema=schema)
    purged = status.overall.no_channel == status.overall.invited
    rows = []
    for place, row in [(NATIONAL, status.overall), *((r.kommune, r) for r in status.municipalities)]:
        for step, count in _steps(row):
            if step == "reachable" and purged:
                continue
            rows.append({"kommune": place, "step": step, "count": float(count), "share": count / row.invited})
    return pl.DataFrame(rows, schema=schema)


def _steps(row: StatusRow) -> list[tuple[str, int]]:
    return [
        ("invited", row.invited),
        ("reachable", row.invited - row.no_channel),
        ("opened", row.opened),
        ("started", row.partial + row.complete),
        ("complete", row.complete),
    ]


NONRESPONSE_SCHEMA = {
    "kommune": pl.Utf8,
    "by": pl.Utf8,
    "group": pl.Utf8,
    "share_sample": pl.Float64,
    "share_respondents": pl.Float64,
    "share_weighted": pl.Float64,
    "suppressed": pl.Boolean,
}


def _nonresponse(stored: StoredSurvey, weighting: Weighting | None, threshold: int) -> pl.DataFrame:
    resp = stored.respondents
    if weighting is not None:
        resp = resp.with_columns(pl.col(ID_COLUMN).cast(pl.Utf8)).join(
            weighting.weights.with_columns(pl.col(ID_COLUMN).cast(pl.Utf8)), on=ID_COLUMN, how="left"
        )
    else:
        resp = resp.with_columns(pl.lit(1.0).alias("weight"))
    sample = stored.sample
    places = [(NATIONAL, sample, resp)]
    if "kommune" in sample.columns and "kommune" in resp.columns:
        for name in sorted(sample["kommune"].drop_nulls().unique().to_list()):
            places.append(
                (str(name), sample.filter(pl.col("kommune") == name), resp.filter(pl.col("kommune") == name))
            )
    rows = []
    for place, s_part, r_part in places:
        for by in (b for b in NONRESPONSE_BY if b in sample.columns and b in resp.columns):
            rows += _nonresponse_line(place, by, s_part, r_part, threshold)
    return pl.DataFrame(rows, schema=NONRESPONSE_SCHEMA)


def _nonresponse_line(
    place: str, by: str, sample: pl.DataFrame, resp: pl.DataFrame, threshold: int
) -> list[dict[str, object]]:
    """One breakdown of one place; a group under the threshold of respondents is hidden with the next
    smallest."""
    s = sample.group_by(by).len("n").with_columns((pl.col("n") / pl.col("n").sum()).alias("share_sample"))
    r = (
        resp.group_by(by)
        .agg(pl.len().alias("r"), pl.col("weight").sum().alias("w"))
        .with_columns(
            (pl.col("r") / pl.col("r").sum()).alias("share_respondents"),
            (pl.col("w") / pl.col("w").sum()).alias("share_weighted"),
        )
    )
    joined = s.join(r, on=by, how="left").filter(pl.col(by).is_not_null()).sort(by)
    if not joined.height:
        return []
    counts = joined["r"].fill_null(0).to_numpy()
    # a group with respondents under the threshold, or sampled but with none (its share would be a 0 %)
    hidden = hidden_rows(np.where(counts == 0, 1, counts), threshold)
    rows = []
    for row, hide in zip(joined.iter_rows(named=True), hidden, strict=True):
        rows.append(
            {
                "kommune": place,
                "by": by,
                "group": str(row[by]),
                "share_sample": None if hide else row["share_sample"],
                "share_respondents": None if hide else row["share_respondents"] or 0.0,
                "share_weighted": None if hide else row["share_weighted"] or 0.0,
                "suppressed": bool(hide),
            }
        )
    return rows


def _curve(
    sessions: list, kommune_of: dict[int, str], start: datetime | None, sample: pl.DataFrame
) -> pl.DataFrame:
    """Cumulative share of the sample answering by each fieldwork day, nationally and per municipality."""
    schema = {"kommune": pl.Utf8, "day": pl.Int64, "response_rate": pl.Float64}
    if start is None:
        return pl.DataFrame(schema=schema)
    answered = [
        (kommune_of.get(s.invitation_id), (s.at - start).days)
        for s in sessions
        if s.outcome in ("partial", "complete") and s.at is not None
    ]
    if not answered:
        return pl.DataFrame(schema=schema)
    last = max(d for _, d in answered)
    sizes = {NATIONAL: sample.height, **dict(sample.group_by("kommune").len().iter_rows())}
    rows = []
    for place, size in sizes.items():
        days = sorted(d for k, d in answered if place == NATIONAL or k == place)
        for day in range(last + 1):
            count = int(np.searchsorted(days, day, side="right"))
            rows.append({"kommune": str(place), "day": day, "response_rate": count / size if size else 0.0})
    return pl.DataFrame(rows, schema=schema)
