"""Jinja2 set-up for the questionnaire: autoescaping always on, so HTML a citizen typed is shown as text."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from borgerblik.web.i18n import LANGUAGES, Translator
from borgerblik.web.security import SECURITY_HEADERS

__all__ = ["SECURITY_HEADERS", "environment", "message_page", "render"]


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("borgerblik.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(
    template: str,
    t: Translator,
    *,
    status_code: int = 200,
    languages: dict[str, str] | None = None,
    **values: object,
) -> HTMLResponse:
    html = environment().get_template(template).render(t=t, languages=languages or {}, **values)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def message_page(t: Translator, heading_key: str, body_key: str, status_code: int) -> HTMLResponse:
    return render(
        "message.html",
        t,
        status_code=status_code,
        heading=t(heading_key),
        body=t(body_key),
        languages=LANGUAGES,
    )
