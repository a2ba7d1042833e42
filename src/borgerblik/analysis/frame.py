"""The analysis frame: one row per respondent with the background variables every breakdown needs.

Answers arrive with register fields (from the sample or the database). Here they get the reporting variables
of the KL report: age group, gender, attachment (still in a course or ended — the status answer), duration of
the latest benefit up to the survey's close date (current courses only) and the target group of each grouping
scheme. CPR numbers and contact data are dropped here, so nothing after this point can leak them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from borgerblik.analysis.answers import AnalysisInputError
from borgerblik.core.groupings import load_groupings
from borgerblik.registers import CprError, age_group, parse_cpr

KL2024_CLOSE_DATE = date(2024, 4, 7)
KL2024_PERIOD_END = date(2023, 12, 31)
PERSONAL_COLUMNS = ("cpr", "telefon", "email", "navn", "adresse")
CURRENT = "aktuelt forløb"
ENDED = "afsluttet forløb"
DURATION_GROUPS = ("under 26 uger", "26-52 uger", "1-2 år", "over 2 år")
"""Weeks from the latest benefit's start to the close date: < 26, 26 to < 52, 52 to < 104, 104 and more."""


def group_column(scheme: str) -> str:
    """Name of the target-group column of a grouping scheme (as the sample carries it)."""
    return f"maalgruppe_{scheme}"


def prepare_analysis_frame(
    responses: pl.DataFrame,
    *,
    close_date: date = KL2024_CLOSE_DATE,
    age_reference: date = KL2024_PERIOD_END,
    schemes: Sequence[str] = ("kl2024",),
) -> pl.DataFrame:
    """Responses with aldersgruppe, koen, tilknytning, varighed (uger, gruppe, kontrol) and target groups.

    Derived only where the source column exists and the variable does not: an ``aldersgruppe`` already present
    is kept. ``varighed_kontrol`` is the duration group with ended courses as their own level, so the VIVE
    controls keep every respondent.
    """
    frame = responses
    if "cpr" in frame.columns and ("koen" not in frame.columns or "alder" not in frame.columns):
        frame = _with_cpr_facts(frame, age_reference)
    frame = frame.drop([c for c in PERSONAL_COLUMNS if c in frame.columns])
    if "aldersgruppe" not in frame.columns and "alder" in frame.columns:
        ages = frame.get_column("alder").cast(pl.Int64, strict=False).to_list()
        frame = frame.with_columns(
            pl.Series("aldersgruppe", [None if a is None else age_group(a) for a in ages], dtype=pl.Utf8)
        )
    if "status" in frame.columns and "tilknytning" not in frame.columns:
        status = pl.col("status").cast(pl.Utf8).str.strip_chars()
        frame = frame.with_columns(
            tilknytning=pl.when(status == "1").then(pl.lit(CURRENT)).when(status == "2").then(pl.lit(ENDED))
        )
    if "ydelse_start" in frame.columns and "tilknytning" in frame.columns:
        frame = frame.with_columns(_duration(pl.col("ydelse_start"), close_date))
    for scheme in schemes:
        frame = _with_target_group(frame, scheme)
    return frame


def _with_cpr_facts(frame: pl.DataFrame, age_reference: date) -> pl.DataFrame:
    """Gender and age read from the CPR number (the register's source for both), before it is dropped."""
    genders, ages = [], []
    for row, value in enumerate(frame.get_column("cpr").cast(pl.Utf8).to_list()):
        try:
            cpr = parse_cpr(value or "")
        except CprError as error:
            raise AnalysisInputError(f"kolonne 'cpr', linje {row + 2}: {error}") from None
        genders.append(cpr.gender)
        ages.append(cpr.age_at(age_reference))
    derived = []
    if "koen" not in frame.columns:
        derived.append(pl.Series("koen", genders, dtype=pl.Utf8))
    if "alder" not in frame.columns:
        derived.append(pl.Series("alder", ages, dtype=pl.Int64))
    return frame.with_columns(derived)


def _duration(start: pl.Expr, close_date: date) -> list[pl.Expr]:
    begun = start.cast(pl.Utf8).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    weeks = pl.when(pl.col("tilknytning") == CURRENT).then((pl.lit(close_date) - begun).dt.total_days() / 7.0)
    group = (
        pl.when(weeks < 26)
        .then(pl.lit(DURATION_GROUPS[0]))
        .when(weeks < 52)
        .then(pl.lit(DURATION_GROUPS[1]))
        .when(weeks < 104)
        .then(pl.lit(DURATION_GROUPS[2]))
        .when(weeks >= 104)
        .then(pl.lit(DURATION_GROUPS[3]))
    )
    control = pl.when(pl.col("tilknytning") == ENDED).then(pl.lit(ENDED)).otherwise(group)
    return [weeks.alias("varighed_uger"), group.alias("varighed"), control.alias("varighed_kontrol")]


def _with_target_group(frame: pl.DataFrame, scheme_name: str) -> pl.DataFrame:
    column = group_column(scheme_name)
    if column in frame.columns or "maalgruppe" not in frame.columns:
        return frame
    schemes = load_groupings()
    if scheme_name not in schemes:
        raise AnalysisInputError(f"ukendt gruppering '{scheme_name}' (kendte: {', '.join(schemes)})")
    scheme = schemes[scheme_name]
    ydelse = "ydelse" if "ydelse" in frame.columns else None
    pairs = frame.select("maalgruppe", *([ydelse] if ydelse else [])).unique().rows()
    mapping = {pair: scheme.group_of(pair[0], pair[1] if ydelse else None) for pair in pairs}
    keys = frame.select("maalgruppe", *([ydelse] if ydelse else [])).rows()
    return frame.with_columns(pl.Series(column, [mapping[key] for key in keys], dtype=pl.Utf8))
