"""The staff side of the app: sign-in, the landing page, the audit log, and the interviewer screen and the
fieldwork monitor behind their roles.

Every route here is a :class:`~borgerblik.web.auth.StaffRoute`; :func:`staff_routes` is all ``create_app``
mounts, so the staff side grows here without touching the citizens' save path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from borgerblik.storage import Database
from borgerblik.storage.audit import audit_entries
from borgerblik.web.api import api_routes
from borgerblik.web.auth import ALL_ROLES, ROLE_NAMES, Auth
from borgerblik.web.i18n import Translator
from borgerblik.web.interviewer import interviewer_routes
from borgerblik.web.monitor import monitor_routes
from borgerblik.web.rendering import render
from borgerblik.web.staff_pages.coding import coding_routes
from borgerblik.web.staff_pages.exports import export_routes
from borgerblik.web.staff_pages.fieldwork import fieldwork_routes
from borgerblik.web.staff_pages.local_questions import local_question_routes
from borgerblik.web.staff_pages.reports import report_routes
from borgerblik.web.staff_pages.results import Analyses, results_routes
from borgerblik.web.staff_pages.surveys import survey_routes
from borgerblik.web.staff_pages.themes import theme_routes
from borgerblik.web.staff_pages.trends import trend_routes

if TYPE_CHECKING:
    from borgerblik.web.app import Questionnaires

INTERVIEW_ROLES = ("administrator", "interviewer")
MONITOR_ROLES = ("administrator", "analyst")
"""The monitor counts every municipality's fieldwork, so a municipal analyst (one municipality) stays out."""
ADMIN = ("administrator",)


def staff_page(request: Request, template: str, *, status_code: int = 200, **values: Any) -> Response:
    """A staff template with the signed-in user (name, role, the CSRF token of their forms)."""
    user = request.state.staff
    return render(
        template,
        Translator("da"),
        status_code=status_code,
        user=user,
        role_name=ROLE_NAMES[user.role],
        **values,
    )


def _guarded(auth: Auth, routes: list[Route], roles: tuple[str, ...]) -> list[BaseRoute]:
    return [
        auth.route(
            route.path, route.endpoint, roles=roles, methods=sorted((route.methods or set()) - {"HEAD"})
        )
        for route in routes
    ]


def staff_routes(
    db: Database, handlers: Questionnaires, auth: Auth, *, interviewer: bool = True, analyst: bool = True
) -> list[BaseRoute]:
    async def home(request: Request) -> Response:
        surveys = await auth.call(db.surveys)
        role = request.state.staff.role
        return staff_page(
            request,
            "staff/home.html",
            surveys=surveys,
            can_monitor=analyst and role in MONITOR_ROLES,
            can_interview=interviewer and role in INTERVIEW_ROLES,
            is_admin=role == "administrator",
            can_see_results=role != "interviewer",
        )

    async def audit(request: Request) -> Response:
        return staff_page(request, "staff/audit.html", entries=await auth.call(audit_entries, db))

    analyses = Analyses(db, auth)  # one cache of decoded analyses for every results page
    routes: list[BaseRoute] = [
        *auth.routes(),
        auth.route("/", home, roles=ALL_ROLES),
        auth.route("/admin/audit", audit, roles=ADMIN),
        *survey_routes(db, auth, staff_page),
        *fieldwork_routes(db, auth, staff_page),
        *local_question_routes(db, auth, staff_page, handlers),
        *report_routes(db, auth, staff_page),
        *export_routes(db, auth, staff_page),
        *trend_routes(auth, staff_page, analyses),
        *theme_routes(auth, staff_page, analyses),
        *results_routes(db, auth, staff_page, analyses),  # after them: its /resultater/{id}/{question}
        *coding_routes(db, auth, staff_page),
        *api_routes(db, auth),
    ]
    if interviewer:
        routes.append(
            Mount("/interviewer", routes=_guarded(auth, interviewer_routes(handlers), INTERVIEW_ROLES))
        )
    if analyst:
        routes.append(Mount("/analytiker", routes=_guarded(auth, monitor_routes(db), MONITOR_ROLES)))
    return routes
