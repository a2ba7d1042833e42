"""Open-answer themes and quotes on the results pages: per coded open question and sentiment group (satisfied,
"hverken eller", less satisfied) the analysts' themes with their weighted shares, the anonymised quotes beside
each, and the themes' shares positive / neutral / negative — what the analysis job keeps from the report's
own functions (:func:`borgerblik.web.analysis_extras.open_answer_rows`): small groups suppressed, no quote
from a suppressed group, no quote twice on a page, each quote redacted once more.

The coding itself is done on the coders' pages (:mod:`borgerblik.web.staff_pages.coding`); a question shows
here once it is coded and the analysis has run since. A municipal analyst sees the nation and their own
municipality only: another by URL (or through ``/api/``) is a 403.
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


def themes_view(index: AnalysisIndex, user: StaffUser, kommune: str) -> dict[str, Any] | None:
    """The coded open questions of ``kommune`` (or the nation) for the page and its API twin; None when the
    analysis was run before the job kept them. Forbidden for a municipality the user may not see."""
    check_place(user, kommune)
    found = index.open_answers
    if found is None:
        return None
    places = found["places"]
    return {
        "kommune": kommune,
        "coded": found["questions"],
        "questions": places.get(kommune, []),
        "places": own_places(user, sorted(set(places) - {NATIONAL})),
    }


def theme_routes(auth: Auth, page: Any, analyses: Analyses) -> list[BaseRoute]:
    themes = analysis_page(auth, analyses, page, themes_view, "staff/themes.html", fig=Numbers("da").figure)
    return [
        auth.route("/api/surveys/{survey_id:int}/open-answers", themes, roles=ANALYSTS),
        auth.route("/resultater/{survey_id:int}/aabne-svar", themes, roles=ANALYSTS),
    ]
