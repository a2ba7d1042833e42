"""When the database fails under a request: a clear 503 page that says the page was not saved, never a 500.

A SQLite file made read-only or a full disk (``attempt to write a readonly database``, ``database or disk is
full``), a PostgreSQL connection dropped under a request (an administrator's ``pg_terminate_backend``, a
restart, a network cut), a pool with no free connection: each of these is a fault of the moment, not of the
request. The save path writes one transaction, so a fault leaves nothing half-written — the transaction is
rolled back, or never committed — and the citizen may simply send the page again. The page says so, in the
citizen's language, with ``Retry-After``; the API answers the same as JSON.

On PostgreSQL a dropped connection usually means the server dropped all of them (a restart), and the app's
pool skips the pre-ping, so each pooled connection would fail one more request in turn; the pool is therefore
replaced at the first sign of a disconnect, and the next request opens a fresh connection.
"""

from __future__ import annotations

import logging
import sqlite3

import psycopg
from sqlalchemy import exc as sqlalchemy_errors
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from borgerblik.storage import Database
from borgerblik.web.i18n import Translator, choose_language
from borgerblik.web.rendering import message_page

log = logging.getLogger("borgerblik.web")
RETRY_AFTER_SECONDS = 30
DATABASE_FAULTS: tuple[type[Exception], ...] = (
    sqlite3.OperationalError,
    psycopg.OperationalError,
    sqlalchemy_errors.OperationalError,
    sqlalchemy_errors.TimeoutError,  # the pool had no connection to give within its timeout
)
"""What the database raises when it cannot do its part now (as opposed to a bug: an IntegrityError, say)."""


def _disconnected(exc: BaseException) -> bool:
    """A PostgreSQL error that means the connection is gone (no SQL state, class 08 or 57P: shutdown)."""
    original = getattr(exc, "orig", exc)
    if not isinstance(original, psycopg.OperationalError):
        return False
    state = getattr(original, "sqlstate", None)
    return state is None or state.startswith(("08", "57P"))


def database_fault_handler(db: Database):  # noqa: ANN201 - a Starlette exception handler
    """The exception handler for :data:`DATABASE_FAULTS` on the app over ``db``."""

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        log.error(
            "databasefejl ved %s %s: %s: %s",
            request.method,
            request.url.path.split("/s/")[0] or "/",  # never the citizen's token
            type(exc).__name__,
            str(getattr(exc, "orig", exc)).splitlines()[0][:200] if str(exc) else "",
        )
        if db.dialect == "postgresql" and _disconnected(exc):
            db.engine.dispose()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"error": "Databasen svarer ikke", "detail": "Intet er ændret. Prøv igen om lidt."},
                status_code=503,
                headers={"Cache-Control": "no-store", **headers},
            )
        t = Translator(choose_language(request.query_params.get("lang")))
        response = message_page(t, "database_unavailable_heading", "database_unavailable_body", 503)
        response.headers.update(headers)
        return response

    return database_unavailable
