"""The survey's own facts for the method, non-response and response-curve sections, as tables beside the
analysis tables (so a report's every figure still names a table row): read from the stored survey."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

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
        "nonresponse": _nonresponse(stored, weighting),
        "response_curve": _curve(events.sessions, events.kommune_of, start, sample),
    }


def _nonresponse(stored: StoredSurvey, weighting: Weighting | None) -> pl.DataFrame:
    resp = stored.respondents
    if weighting is not None:
        resp = resp.with_columns(pl.col(ID_COLUMN).cast(pl.Utf8)).join(
            weighting.weights.with_columns(pl.col(ID_COLUMN).cast(pl.Utf8)), on=ID_COLUMN, how="left"
        )
    else:
        resp = resp.with_columns(pl.lit(1.0).alias("weight"))
    rows = []
    for by in (b for b in NONRESPONSE_BY if b in stored.sample.columns and b in resp.columns):
        s = (
            stored.sample.group_by(by)
            .len("n")
            .with_columns((pl.col("n") / pl.col("n").sum()).alias("share_sample"))
        )
        r = (
            resp.group_by(by)
            .agg(pl.len().alias("r"), pl.col("weight").sum().alias("w"))
            .with_columns(
                (pl.col("r") / pl.col("r").sum()).alias("share_respondents"),
                (pl.col("w") / pl.col("w").sum()).alias("share_weighted"),
            )
        )
        joined = s.join(r, on=by, how="left").sort(by)
        for row in joined.iter_rows(named=True):
            if row[by] is None:
                continue
            rows.append(
                {
                    "kommune": NATIONAL,
                    "by": by,
                    "group": str(row[by]),
                    "share_sample": row["share_sample"],
                    "share_respondents": row["share_respondents"] or 0.0,
                    "share_weighted": row["share_weighted"] or 0.0,
                }
            )
    schema = {
        "kommune": pl.Utf8,
        "by": pl.Utf8,
        "group": pl.Utf8,
        "share_sample": pl.Float64,
        "share_respondents": pl.Float64,
        "share_weighted": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


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
