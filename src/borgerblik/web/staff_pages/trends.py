"""Trends on the results pages: per question the figure of this survey against the earlier waves (the stored
surveys of the same template from earlier years), with the tested change since the wave before — the rows the
analysis job keeps from the report's own functions (:func:`borgerblik.web.analysis_extras.trend_rows`), so the
page prints the numbers of ``borgerblik report --survey``'s trend table, with its suppression.

The nation's page shows everyone and each target group; a municipality's page its own line. A municipal
analyst sees the nation and their own municipality only: another by URL (or through ``/api/``) is a 403.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute

from borgerblik.reporting.numbers import Numbers
from borgerblik.web.auth import Auth, StaffUser
from borgerblik.web.staff_pages.results import (
    ANALYSTS,
    NATIONAL,
    Analyses,
    AnalysisIndex,
    analysis_page,
    check_place,
    own_places,
)

AVERAGE_TEXT = "Gennemsnit af alle spørgsmål"


def trends_view(index: AnalysisIndex, user: StaffUser, kommune: str) -> dict[str, Any] | None:
    """The trend tables of ``kommune`` (or the nation) for the page and its API twin; None when the analysis
    was run before the job kept trends. Forbidden for a municipality the user may not see."""
    check_place(user, kommune)
    trends = index.trends
    if trends is None:
        return None
    waves = trends["waves"].get(kommune, [])
    rows = [r for r in trends["rows"] if r["place"] == kommune]
    changes = {(c["group"], c["question"]): c for c in trends["changes"] if c["place"] == kommune}
    order = {q["id"]: i for i, q in enumerate(index.questions)}
    everyone = {NATIONAL, kommune}
    groups = []
    for group in sorted({r["group"] for r in rows}, key=lambda g: (g not in everyone, g)):
        mine = [r for r in rows if r["group"] == group]
        by_question: dict[str, dict[int, dict[str, Any]]] = {}
        for r in mine:
            by_question.setdefault(r["question"], {})[r["year"]] = r
        averages = {r["question"] for r in mine if r["average"]}
        questions = sorted(by_question, key=lambda q: (q in averages, order.get(q, len(order)), q))
        groups.append(
            {
                "group": group,
                "label": "Alle" if group == NATIONAL else kommune if group == kommune else mine[0]["label"],
                "questions": [
                    {
                        "question": q,
                        "text": AVERAGE_TEXT if q in averages else index.texts.get(q, q),
                        "average": q in averages,
                        "waves": [by_question[q].get(year) for year in waves],
                        "change": changes.get((group, q)),
                    }
                    for q in questions
                ],
            }
        )
    places = own_places(user, sorted(set(trends["waves"]) - {NATIONAL}))
    return {"kommune": kommune, "waves": waves, "groups": groups, "places": places}


def trend_routes(auth: Auth, page: Any, analyses: Analyses) -> list[BaseRoute]:
    numbers = Numbers("da")
    trends = analysis_page(
        auth,
        analyses,
        page,
        trends_view,
        "staff/trends.html",
        fig=numbers.figure,
        p_value=lambda value: numbers.decimal(value, 3),
    )
    return [
        auth.route("/api/surveys/{survey_id:int}/trends", trends, roles=ANALYSTS),
        auth.route("/resultater/{survey_id:int}/tendenser", trends, roles=ANALYSTS),
    ]
