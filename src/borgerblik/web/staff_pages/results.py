"""Results pages: a question's distribution nationally and per municipality, its breakdowns, and the
municipality benchmark — the rows of the analysis job, which are ``borgerblik analyze --survey``'s own — and
the priority map (key drivers: importance against score, the report's own chart).

A municipal analyst sees the national figure and their own municipality only: asking for another by URL (or
through ``/api/``) is a 403, and the benchmark shows them no other municipality's row.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from borgerblik.core.errors import BorgerblikError
from borgerblik.reporting import charts
from borgerblik.reporting.model import Figure
from borgerblik.storage import Database, StorageError
from borgerblik.storage.jobs import latest_done_job, queue_job
from borgerblik.web.api import problem, reply
from borgerblik.web.auth import Auth, StaffUser

ANALYSTS = ("administrator", "analyst", "municipal_analyst")
RUNNERS = ("administrator", "analyst")
NATIONAL = "alle"
LARGEST_ID = 2**63 - 1


class Forbidden(BorgerblikError, PermissionError):
    """The user's role may not see the municipality asked for."""


def visible_rows(rows: list[dict[str, Any]], user: StaffUser, kommune: str) -> list[dict[str, Any]]:
    """The rows of ``kommune`` (or national) the user may see; Forbidden for another municipality."""
    if user.role == "municipal_analyst" and kommune not in (NATIONAL, user.municipality):
        raise Forbidden(kommune)
    return [row for row in rows if row["kommune"] == kommune]


def benchmark_rows(rows: list[dict[str, Any]], user: StaffUser) -> list[dict[str, Any]]:
    if user.role == "municipal_analyst":
        return [row for row in rows if row["kommune"] == user.municipality]
    return rows


def question_view(
    result: dict[str, Any], question: str, user: StaffUser, kommune: str
) -> dict[str, Any] | None:
    """Everything the question's page (and its API twin) shows, or None for an unknown question."""
    texts = {q["id"]: q["text"] for q in result["questions"]}
    if question not in texts:
        return None
    tables = result["tables"]
    breakdowns = [row for row in tables["breakdowns"] if row["question"] == question]
    shown = visible_rows(breakdowns, user, kommune)
    benchmark = benchmark_rows([row for row in tables["benchmark"] if row["question"] == question], user)
    municipalities = sorted({row["kommune"] for row in breakdowns} - {NATIONAL})
    if user.role == "municipal_analyst":
        municipalities = [m for m in municipalities if m == user.municipality]
    return {
        "question": question,
        "text": texts[question],
        "kommune": kommune,
        "total": next((row for row in shown if row["by"] == NATIONAL), None),
        "breakdowns": [row for row in shown if row["by"] != NATIONAL],
        "benchmark": benchmark,
        "municipalities": municipalities,
    }


QUADRANTS = {
    "styrke": "Styrke",
    "udfordring": "Udfordring",
    "svaghed": "Svaghed",
    "mulighed": "Mulighed",
}
"""DOMAIN.md's names, in the order the page lists them: challenges (act here first) before the rest."""
QUADRANT_ORDER = ("udfordring", "svaghed", "styrke", "mulighed")


def priority_view(result: dict[str, Any], user: StaffUser, kommune: str) -> dict[str, Any]:
    """The priority map of ``kommune`` (or national): rows, the chart and the places the user may choose."""
    drivers = result["tables"].get("drivers") or []
    rows = visible_rows(drivers, user, kommune)
    texts = {q["id"]: q["text"] for q in result["questions"]}
    numbers = {q["id"]: i for i, q in enumerate(result["questions"], start=1)}
    rows = sorted(rows, key=lambda r: (QUADRANT_ORDER.index(r["quadrant"]), r["rank"]))
    places = sorted({r["kommune"] for r in drivers} - {NATIONAL})
    if user.role == "municipal_analyst":
        places = [p for p in places if p == user.municipality]
    points = [
        charts.Point(
            numbers.get(r["predictor"], 0),
            Figure(
                r["rescaled_weight"], f"{r['rescaled_weight']:.1f}".replace(".", ","), "weight", "drivers"
            ),
            Figure(r["mean"], f"{r['mean']:.2f}".replace(".", ","), "mean", "drivers"),
        )
        for r in rows
    ]
    alt = "; ".join(
        f"{p.number} {texts.get(r['predictor'], r['predictor'])}: {QUADRANTS[r['quadrant']]}"
        for p, r in zip(points, rows, strict=True)
    )
    names = {**QUADRANTS, "x_axis": "Betydning for samlet tilfredshed (%)", "y_axis": "Gennemsnit (1–5)"}
    chart = charts.priority_map("prioritetskort", "Prioritetskort", alt, points, names) if points else ""
    return {
        "kommune": kommune,
        "rows": [
            {**r, "number": numbers.get(r["predictor"], 0), "text": texts.get(r["predictor"], "")}
            for r in rows
        ],
        "chart": chart,
        "places": places,
        "quadrants": QUADRANTS,
    }


def results_routes(db: Database, auth: Auth, page: Any) -> list[BaseRoute]:
    def survey_or_none(survey_id: int) -> Any:
        if survey_id > LARGEST_ID:
            return None
        try:
            return db.survey(survey_id)
        except StorageError:
            return None

    async def latest(request: Request) -> tuple[Any, Any, bool] | Response:
        survey = await auth.call(survey_or_none, request.path_params["survey_id"])
        if survey is None:
            return auth.refuse(request, 404, "Findes ikke", "Der er ingen undersøgelse med det nummer.")
        found, waiting = await auth.call(latest_done_job, db, survey.id, "analysis")
        return survey, found, waiting

    async def overview(request: Request) -> Response:
        loaded = await latest(request)
        if isinstance(loaded, Response):
            return loaded
        survey, found, waiting = loaded
        return page(
            request,
            "staff/results.html",
            survey=survey,
            analysis=found,
            waiting=waiting,
            can_run=request.state.staff.role in RUNNERS,
        )

    async def question(request: Request) -> Response:
        loaded = await latest(request)
        if isinstance(loaded, Response):
            return loaded
        survey, found, _ = loaded
        if found is None:
            return RedirectResponse(f"/resultater/{survey.id}", 303)
        user: StaffUser = request.state.staff
        kommune = request.query_params.get("kommune", NATIONAL)[:100]
        try:
            view = question_view(found.result, request.path_params["question"], user, kommune)
        except Forbidden:
            return auth.refuse(request, 403, "Ingen adgang", "Du kan se landstallet og din egen kommune.")
        if view is None:
            return auth.refuse(request, 404, "Findes ikke", "Undersøgelsen har ikke det spørgsmål.")
        return page(request, "staff/result_question.html", survey=survey, view=view)

    async def priority(request: Request) -> Response:
        loaded = await latest(request)
        if isinstance(loaded, Response):
            return loaded
        survey, found, _ = loaded
        if found is None:
            return RedirectResponse(f"/resultater/{survey.id}", 303)
        kommune = request.query_params.get("kommune", NATIONAL)[:100]
        try:
            view = priority_view(found.result, request.state.staff, kommune)
        except Forbidden:
            return auth.refuse(request, 403, "Ingen adgang", "Du kan se landstallet og din egen kommune.")
        return page(request, "staff/priority.html", survey=survey, view=view, chart=Markup(view["chart"]))

    async def run(request: Request) -> Response:
        survey = await auth.call(survey_or_none, request.path_params["survey_id"])
        if survey is None:
            return auth.refuse(request, 404, "Findes ikke", "Der er ingen undersøgelse med det nummer.")
        user = request.state.staff.username
        job_id = await auth.call(lambda: queue_job(db, "analysis", user, survey_id=survey.id))
        return RedirectResponse(f"/koersler/{job_id}", 303)

    async def question_json(request: Request) -> Response:
        loaded = await latest(request)
        if isinstance(loaded, Response):
            return loaded
        _survey, found, _ = loaded
        if found is None:
            return problem(409, "Ingen analyse", "Kør analysen først.")
        kommune = request.query_params.get("kommune", NATIONAL)[:100]
        try:
            view = question_view(found.result, request.path_params["question"], request.state.staff, kommune)
        except Forbidden:
            return problem(403, "Ingen adgang", "Du kan se landstallet og din egen kommune.")
        if view is None:
            return problem(404, "Findes ikke", "Undersøgelsen har ikke det spørgsmål.")
        return reply({**view, "analysis_job": found.id})

    return [
        auth.route("/api/surveys/{survey_id:int}/results/{question}", question_json, roles=ANALYSTS),
        auth.route("/resultater/{survey_id:int}", overview, roles=ANALYSTS),
        auth.route("/resultater/{survey_id:int}/analyse", run, roles=RUNNERS, methods=["POST"]),
        auth.route("/resultater/{survey_id:int}/prioritetskort", priority, roles=ANALYSTS),
        auth.route("/resultater/{survey_id:int}/{question}", question, roles=ANALYSTS),
    ]
