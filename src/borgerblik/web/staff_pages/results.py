"""Results pages: a question's distribution nationally and per municipality, its breakdowns, and the
municipality benchmark — the rows of the analysis job, which are ``borgerblik analyze --survey``'s own — and
the priority map (key drivers: importance against score, the report's own chart).

A municipal analyst sees the national figure and their own municipality only: asking for another by URL (or
through ``/api/``) is a 403, and the benchmark shows them no other municipality's row.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from borgerblik.core.errors import BorgerblikError
from borgerblik.reporting import charts
from borgerblik.reporting.model import Figure
from borgerblik.storage import Database
from borgerblik.storage.jobs import job, latest_done_job_id, queue_job
from borgerblik.web import lookup
from borgerblik.web.api import problem, reply
from borgerblik.web.auth import Auth, StaffUser
from borgerblik.web.staff_pages.exports import EXPORTERS

ANALYSTS = ("administrator", "analyst", "municipal_analyst")
RUNNERS = ("administrator", "analyst")
NATIONAL = "alle"


class Forbidden(BorgerblikError, PermissionError):
    """The user's role may not see the municipality asked for."""


NO_ACCESS = "Du kan se landstallet og din egen kommune."


def check_place(user: StaffUser, kommune: str) -> None:
    """Forbidden unless the user may see ``kommune``: the nation, and (municipal analyst) their own only."""
    if user.role == "municipal_analyst" and kommune not in (NATIONAL, user.municipality):
        raise Forbidden(kommune)


def own_places(user: StaffUser, places: list[str]) -> list[str]:
    """The municipalities of ``places`` the user may choose between."""
    if user.role == "municipal_analyst":
        return [p for p in places if p == user.municipality]
    return places


def asked_place(request: Request) -> str:
    """The municipality the URL asks for (``?kommune=``), the nation by default."""
    return request.query_params.get("kommune", NATIONAL)[:100]


def visible_rows(rows: list[dict[str, Any]], user: StaffUser, kommune: str) -> list[dict[str, Any]]:
    """The rows of ``kommune`` (or national) the user may see; Forbidden for another municipality."""
    check_place(user, kommune)
    return [row for row in rows if row["kommune"] == kommune]


def benchmark_rows(rows: list[dict[str, Any]], user: StaffUser) -> list[dict[str, Any]]:
    if user.role == "municipal_analyst":
        return [row for row in rows if row["kommune"] == user.municipality]
    return rows


class AnalysisIndex:
    """A finished analysis job's result, decoded once and indexed by question and municipality.

    A national analysis keeps some 40.000 breakdown rows; reading and filtering them on every request cost
    over half a second a page (benchmarks/bench_staff_results.py). A finished job's result never changes,
    so each process keeps the last few by job id.
    """

    def __init__(self, job: Any) -> None:
        self.job = job
        result = job.result
        self.questions = result["questions"]
        self.texts = {q["id"]: q["text"] for q in self.questions}
        tables = result["tables"]
        self.breakdowns: dict[tuple[str, str], list[dict[str, Any]]] = {}
        places: dict[str, set[str]] = {}
        for row in tables["breakdowns"]:
            self.breakdowns.setdefault((row["question"], row["kommune"]), []).append(row)
            places.setdefault(row["question"], set()).add(row["kommune"])
        self.municipalities = {q: sorted(found - {NATIONAL}) for q, found in places.items()}
        self.benchmark: dict[str, list[dict[str, Any]]] = {}
        for row in tables["benchmark"]:
            self.benchmark.setdefault(row["question"], []).append(row)
        self.drivers = tables.get("drivers") or []
        # None in a job from before the results pages showed them: the pages then ask for a new analysis
        self.trends: dict[str, Any] | None = result.get("trends")
        self.open_answers: dict[str, Any] | None = result.get("open_answers")


class IndexCache:
    """The newest :class:`AnalysisIndex` objects of this process, by job id (a handful: they are large)."""

    def __init__(self, size: int = 3) -> None:
        self.size = size
        self.found: dict[int, AnalysisIndex] = {}

    def get(self, db: Database, job_id: int) -> AnalysisIndex | None:
        found = self.found.get(job_id)
        if found is None:
            record = job(db, job_id)
            if record is None or record.result is None:
                return None
            found = AnalysisIndex(record)
            while len(self.found) >= self.size:
                self.found.pop(next(iter(self.found)))
            self.found[job_id] = found
        return found


def question_view(
    index: AnalysisIndex, question: str, user: StaffUser, kommune: str
) -> dict[str, Any] | None:
    """Everything the question's page (and its API twin) shows, or None for an unknown question."""
    if question not in index.texts:
        return None
    check_place(user, kommune)
    shown = index.breakdowns.get((question, kommune), [])
    benchmark = benchmark_rows(index.benchmark.get(question, []), user)
    municipalities = own_places(user, index.municipalities.get(question, []))
    return {
        "question": question,
        "text": index.texts[question],
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


def priority_view(index: AnalysisIndex, user: StaffUser, kommune: str) -> dict[str, Any]:
    """The priority map of ``kommune`` (or national): rows, the chart (the report's own SVG, marked safe to
    print) and the places the user may choose."""
    drivers = index.drivers
    rows = visible_rows(drivers, user, kommune)
    texts = index.texts
    numbers = {q["id"]: i for i, q in enumerate(index.questions, start=1)}
    rows = sorted(rows, key=lambda r: (QUADRANT_ORDER.index(r["quadrant"]), r["rank"]))
    places = own_places(user, sorted({r["kommune"] for r in drivers} - {NATIONAL}))
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
        "chart": Markup(chart),
        "places": places,
        "quadrants": QUADRANTS,
    }


class Analyses:
    """The latest finished analysis of the URL's survey, through one :class:`IndexCache` for every results
    page of the process (question, priority map, trends, open answers)."""

    def __init__(self, db: Database, auth: Auth) -> None:
        self.db, self.auth = db, auth
        self.cache = IndexCache()

    async def latest(self, request: Request) -> tuple[Any, AnalysisIndex | None, bool] | Response:
        """(survey, its newest analysis or None, whether a newer one is waiting), or the 404 to return."""
        auth, db = self.auth, self.db
        survey = await auth.call(lookup.survey_or_none, db, request.path_params["survey_id"])
        if survey is None:
            return auth.refuse(request, 404, "Findes ikke", "Der er ingen undersøgelse med det nummer.")
        job_id, waiting = await auth.call(latest_done_job_id, db, survey.id, "analysis")
        found = await auth.call(self.cache.get, db, job_id) if job_id is not None else None
        return survey, found, waiting

    async def shown(self, request: Request) -> tuple[Any, AnalysisIndex] | Response:
        """(survey, its newest analysis) for a page that shows one: without an analysis the page sends back to
        the results (the API answers 409)."""
        loaded = await self.latest(request)
        if isinstance(loaded, Response):
            return loaded
        survey, found, _ = loaded
        if found is None:
            if request.url.path.startswith("/api/"):
                return problem(409, "Ingen analyse", "Kør analysen først.")
            return RedirectResponse(f"/resultater/{survey.id}", 303)
        return survey, found


View = Callable[[AnalysisIndex, StaffUser, str], "dict[str, Any] | None"]


def analysis_page(
    auth: Auth, analyses: Analyses, page: Any, view_of: View, template: str, **values: Any
) -> Any:
    """The endpoint of a results page and its ``/api/`` twin: ``view_of(analysis, user, kommune)`` for the
    URL's ``?kommune=`` (Forbidden → 403), as ``template`` with ``values`` or as JSON. A view of None is an
    analysis from before the job kept what the page shows: the page says so, the API answers 409."""

    async def endpoint(request: Request) -> Response:
        shown = await analyses.shown(request)
        if isinstance(shown, Response):
            return shown
        survey, found = shown
        try:
            view = view_of(found, request.state.staff, asked_place(request))
        except Forbidden:
            return auth.refuse(request, 403, "Ingen adgang", NO_ACCESS)
        if request.url.path.startswith("/api/"):
            if view is None:
                return problem(409, "Kør analysen igen", "Analysen er kørt, før den holdt disse tal.")
            return reply({**view, "analysis_job": found.job.id})
        return page(request, template, survey=survey, view=view, **values)

    return endpoint


def results_routes(db: Database, auth: Auth, page: Any, analyses: Analyses) -> list[BaseRoute]:
    survey_or_none = partial(lookup.survey_or_none, db)
    latest = analyses.latest

    async def overview(request: Request) -> Response:
        loaded = await latest(request)
        if isinstance(loaded, Response):
            return loaded
        survey, found, waiting = loaded
        return page(
            request,
            "staff/results.html",
            survey=survey,
            analysis=found.job if found is not None else None,
            waiting=waiting,
            can_run=request.state.staff.role in RUNNERS,
            can_export=request.state.staff.role in EXPORTERS,
        )

    async def question(request: Request) -> Response:
        shown = await analyses.shown(request)
        if isinstance(shown, Response):
            return shown
        survey, found = shown
        try:
            view = question_view(
                found, request.path_params["question"], request.state.staff, asked_place(request)
            )
        except Forbidden:
            return auth.refuse(request, 403, "Ingen adgang", NO_ACCESS)
        if view is None:
            return auth.refuse(request, 404, "Findes ikke", "Undersøgelsen har ikke det spørgsmål.")
        if request.url.path.startswith("/api/"):
            return reply({**view, "analysis_job": found.job.id})
        return page(request, "staff/result_question.html", survey=survey, view=view)

    async def run(request: Request) -> Response:
        survey = await auth.call(survey_or_none, request.path_params["survey_id"])
        if survey is None:
            return auth.refuse(request, 404, "Findes ikke", "Der er ingen undersøgelse med det nummer.")
        user = request.state.staff.username
        job_id = await auth.call(lambda: queue_job(db, "analysis", user, survey_id=survey.id))
        return RedirectResponse(f"/koersler/{job_id}", 303)

    return [
        auth.route("/api/surveys/{survey_id:int}/results/{question}", question, roles=ANALYSTS),
        auth.route("/resultater/{survey_id:int}", overview, roles=ANALYSTS),
        auth.route("/resultater/{survey_id:int}/analyse", run, roles=RUNNERS, methods=["POST"]),
        auth.route(
            "/resultater/{survey_id:int}/prioritetskort",
            analysis_page(auth, analyses, page, priority_view, "staff/priority.html"),
            roles=ANALYSTS,
        ),
        auth.route("/resultater/{survey_id:int}/{question}", question, roles=ANALYSTS),
    ]
