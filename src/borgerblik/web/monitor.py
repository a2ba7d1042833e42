"""The fieldwork monitor as an analyst page: counts per municipality and the response curve, no answers.

The page is :func:`borgerblik.fieldwork.monitor_html` served as it is, apart from how it refreshes: the
``Refresh`` response header (the HTTP form of ``<meta http-equiv="refresh">``, no JavaScript) instead of the
meta tag, and a link that turns it off and on. A page that reloads itself under the reader's eyes fails WCAG
2.2.1 unless the reader can stop it, and axe-core flags every meta refresh shorter than 20 hours whatever the
page offers; the header with a visible off switch meets the criterion and keeps the page axe-clean.
"""

from __future__ import annotations

import base64
import hashlib
import re

from markupsafe import escape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from borgerblik.storage import Database
from borgerblik.storage.errors import NotFoundError
from borgerblik.web.i18n import Translator
from borgerblik.web.lookup import LARGEST_ID
from borgerblik.web.rendering import SECURITY_HEADERS, message_page

REFRESH_SECONDS = 30
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _style_hash(html: str) -> str:
    """The CSP source that allows exactly the page's own inline style sheet and nothing else."""
    found = _STYLE.search(html)
    digest = hashlib.sha256((found.group(1) if found else "").encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _refresh_switch(path: str, refreshing: bool) -> str:
    if refreshing:
        return (
            f"<p>Siden opdaterer sig selv hvert {REFRESH_SECONDS}. sekund. "
            f'<a href="{escape(path)}?opdater=nej">Stop automatisk opdatering</a></p>'
        )
    return (
        f"<p>Automatisk opdatering er slået fra. "
        f'<a href="{escape(path)}">Opdater automatisk hvert {REFRESH_SECONDS}. sekund</a></p>'
    )


def _monitor_html(db: Database, survey_id: int) -> str:
    """The monitor page, in a thread; :mod:`borgerblik.fieldwork` (letters, PDF) is imported on first use, in
    that thread, so it neither slows every web worker's start nor stalls the event loop (issue 18)."""
    from borgerblik.fieldwork import fieldwork_status, monitor_html

    return monitor_html(fieldwork_status(db, survey_id), refresh=0)


def monitor_routes(db: Database) -> list[Route]:
    """``/analytiker/feltarbejde/<survey_id>``: the live fieldwork status of one survey."""

    async def monitor(request: Request) -> Response:
        survey_id = request.path_params["survey_id"]
        refreshing = request.query_params.get("opdater") != "nej"
        try:
            if survey_id > LARGEST_ID:
                raise NotFoundError(str(survey_id))
            html = await run_in_threadpool(_monitor_html, db, survey_id)
        except NotFoundError:
            return message_page(Translator("da"), "not_found_heading", "not_found_body", 404)
        html = html.replace("</h1>", "</h1>\n" + _refresh_switch(request.url.path, refreshing), 1)
        headers = {
            **SECURITY_HEADERS,
            "Content-Security-Policy": (
                f"default-src 'none'; style-src {_style_hash(html)}; form-action 'self'; "
                "frame-ancestors 'none'; base-uri 'none'"
            ),
        }
        if refreshing:
            headers["Refresh"] = str(REFRESH_SECONDS)
        return HTMLResponse(html, headers=headers)

    return [Route("/feltarbejde/{survey_id:int}", monitor, methods=["GET"])]
