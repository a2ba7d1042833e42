"""What the analysis job keeps beside the analysis tables for the results pages: the report's trends and the
coded open answers' themes and quotes.

Both come from the report's own functions on the same stored data (``borgerblik report --survey``:
:mod:`borgerblik.reporting.from_database`, :mod:`~borgerblik.reporting.trends_section`,
:mod:`~borgerblik.reporting.open_section`), with the report's suppression applied here, in the job: the
result holds only figures a report may print, shaped as rows a page lists without the statistics stack (a web
worker never imports it to show them). Runs in the worker (:func:`borgerblik.web.worker._analysis`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from borgerblik.core.groupings import load_groupings

if TYPE_CHECKING:
    from borgerblik.storage import Database
    from borgerblik.surveys import StoredSurvey
    from borgerblik.weighting import Weighting

NATIONAL = "alle"
TREND_COLUMNS = ("group", "question", "year", "n_valid", "mean", "pct_positive")
CHANGE_COLUMNS = (
    "group",
    "question",
    "year_before",
    "year_after",
    "change",
    "test",
    "p_value",
    "flag",
    "controlled_difference",
    "controlled_p_value",
    "survives_controls",
)
THEME_COLUMNS = ("code", "label", "answers", "with_code", "share")
SENTIMENT_COLUMNS = ("code", "label", "answers", "share_positiv", "share_neutral", "share_negativ")


def _plain(row: Mapping[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    """The row's ``columns`` as JSON values: a NaN (no test possible) is stored as null, as JSON has none."""
    found = {}
    for column in columns:
        value = row.get(column)
        found[column] = None if isinstance(value, float) and not math.isfinite(value) else value
    return found


def trend_rows(tables: Mapping[str, pl.DataFrame], threshold: int) -> dict[str, Any]:
    """The trends of the report for the nation (everyone and each target group) and for each municipality
    (its own line, suppressed across municipalities as the report does): ``waves`` per place (only places
    with two waves or more shown), the shown ``rows`` and the tested ``changes`` from the wave before the last
    to the last that the report prints beside them, each with whether it is significant by the report's rule.
Empty when there are no earlier waves."""
    from borgerblik.analysis.trends import AVERAGE_LABEL
    from borgerblik.reporting.trends_section import (
        MUNICIPAL_CHANGES,
        MUNICIPAL_TRENDS,
        SIGNIFICANT,
        published_trends,
        visible_changes,
    )

    labels = {g.name: g.label for s in load_groupings().values() for g in s.groups}
    waves: dict[str, list[int]] = {}
    rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for trend_name, change_name, national in (
        ("trends", "trend_changes", True),
        (MUNICIPAL_TRENDS, MUNICIPAL_CHANGES, False),
    ):
        raw = tables.get(trend_name)
        if raw is None or "year" not in raw.columns:
            continue
        shown = published_trends(raw.with_row_index("_row"), threshold)
        tested = tables.get(change_name)
        places = [NATIONAL] if national else sorted(shown["group"].unique().to_list())
        for place in places:
            part = shown if national else shown.filter(pl.col("group") == place)
            years = sorted(int(y) for y in part["year"].unique().to_list())
            if len(years) < 2:
                continue
            waves[place] = years
            rows += [
                {
                    "place": place,
                    "average": r["question"] == AVERAGE_LABEL,
                    "label": labels.get(r["group"], r["group"]),
                    **_plain(r, TREND_COLUMNS),
                }
                for r in part.iter_rows(named=True)
            ]
            if tested is None:
                continue
            found = visible_changes(shown, tested, years)
            if not national:
                found = found.filter(pl.col("group") == place)
            for r in found.iter_rows(named=True):
                change = _plain(r, CHANGE_COLUMNS)
                p_value = change["p_value"]
                # the report's own rule, so the page needs neither the level nor the statistics stack
                change["significant"] = None if p_value is None else p_value < SIGNIFICANT
                changes.append({"place": place, **change})
    return {"waves": waves, "rows": rows, "changes": changes}


def open_answer_rows(
    db: Database, stored: StoredSurvey, weighting: Weighting, threshold: int
) -> dict[str, Any]:
    """The coded open questions (``questions``) and, per place (``alle`` and each municipality), each coded
    question's sentiment groups with their themes' shares and the report's quotes beside them — one quote
    picker per place, in the report's order, so no quote shows twice on a page and none comes from a
    suppressed group — the groups too small to show, and the themes' shares positive / neutral / negative."""
    from borgerblik.reporting.from_database import open_answers_of
    from borgerblik.reporting.open_section import (
        ALL_CODES,
        QuotePicker,
        place_accounts,
        place_sentiments,
        question_themes,
    )
    from borgerblik.reporting.texts import SENTIMENT

    tables = open_answers_of(db, stored, weighting, threshold, coded_only=True)
    accounts = tables.get("open_answers_accounts")
    if accounts is None or not accounts.height:
        return {"questions": [], "places": {}}
    quotes, sentiment = tables.get("open_answers_quotes"), tables.get("open_answers_sentiment")
    coded = set(accounts["question"].to_list())
    order = [q.id for q in stored.instrument.questions() if q.id in coded]
    texts = {q: stored.instrument.question(q).text("da") for q in order}
    names = SENTIMENT["da"]
    places: dict[str, list[dict[str, Any]]] = {}
    for place in [NATIONAL, *sorted(set(accounts["kommune"].to_list()) - {NATIONAL})]:
        shown, picker = place_accounts(accounts, place), QuotePicker()
        present = set(shown["question"].to_list())
        listed = []
        for question in order:
            groups = question_themes(shown, quotes, question, place, picker) if question in present else []
            judged = place_sentiments(sentiment, question, place) if sentiment is not None else []
            hidden = accounts.filter(
                (pl.col("kommune") == place) & (pl.col("question") == question) & pl.col("suppressed")
            )
            listed.append(
                {
                    "question": question,
                    "text": texts[question],
                    "groups": [
                        {
                            "group": g.group,
                            "name": names.get(g.group, g.group),
                            "answers": g.themes[0]["answers"],
                            "themes": [
                                {**_plain(t, THEME_COLUMNS), "quotes": list(q)}
                                for t, q in zip(g.themes, g.quotes, strict=True)
                            ],
                        }
                        for g in groups
                    ],
                    "hidden_groups": [names.get(g, g) for g in sorted(set(hidden["group"].to_list()))],
                    "sentiment": [
                        {**_plain(r, SENTIMENT_COLUMNS), "whole": r["code"] == ALL_CODES} for r in judged
                    ],
                }
            )
        places[place] = listed
    return {"questions": order, "places": places}
