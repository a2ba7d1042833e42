"""The limit on token probing at the citizen's link: too many unknown links from one address → 429.

Counted in the database (:mod:`borgerblik.storage.link_probes`), so every worker and every server on one
PostgreSQL database sees the same count and no process holds state; a signed cookie would not do, since a
prober simply drops it. An IPv6 address counts by its /64, the block one subscriber gets, so rotating
addresses within it does not reset the count.

- Every response under ``/s/<token>`` that is a 404 ("Linket virker ikke") adds one probe, *after* the page
  has been sent, so a guessed link answers as fast as a real one.
- A page view or an opt-out (anything but a page save) from an address over the limit is refused before the
  token is looked up.
- A page save is run first and checked only when it did not save: a stored save needs the page's nonce,
  which only someone who opened the real page has, so the common save pays no extra statement. Anything else
  from an address over the limit — unknown link, stale or refused page — is replaced by the 429 page; none of
  those wrote anything.

Behind a reverse proxy every request has the proxy's address: run uvicorn with ``--proxy-headers`` and
``--forwarded-allow-ips`` naming the proxy (``serve`` trusts ``X-Forwarded-For`` from loopback, uvicorn's
default), or one prober would lock every citizen out.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from anyio import CapacityLimiter, to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from borgerblik.storage import Database
from borgerblik.storage.link_probes import PROBE_LIMIT, PROBE_WINDOW, recent_link_probes, record_link_probe
from borgerblik.web.faults import DATABASE_FAULTS
from borgerblik.web.i18n import Translator, choose_language
from borgerblik.web.rendering import message_page

log = logging.getLogger("borgerblik.web")
CITIZEN_LINK = re.compile(r"^/s/[^/]+(/.*)?$")
PAGE_SAVE = re.compile(r"^/s/[^/]+/side/[^/]+$")
NONCE_HEADER = b"x-borgerblik-nonce"


def probe_address(host: str | None) -> str:
    """The address a probe counts against: IPv4 as it is, IPv6 as its /64, anything else as given."""
    if not host:
        return "ukendt"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _saved(start: Message) -> bool:
    """A page save that stored the page: 303 with the next nonce, or 303 to the thank-you page."""
    if start["status"] != 303:
        return False
    headers = dict(start.get("headers", ()))
    return NONCE_HEADER in headers or b"/tak" in headers.get(b"location", b"")


class LinkProbeLimit:
    """ASGI middleware over the citizen routes ``/s/…``; other paths pass untouched."""

    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db
        self.threads = CapacityLimiter(4)

    async def _call(self, function: Callable[..., Any], *args: Any) -> Any:
        return await to_thread.run_sync(partial(function, *args), limiter=self.threads)

    async def _over_limit(self, address: str) -> bool:
        try:
            return await self._call(recent_link_probes, self.db, address) >= PROBE_LIMIT
        except DATABASE_FAULTS:  # the page itself will say the database is away; the limit fails open
            return False

    async def _record(self, address: str) -> None:
        try:
            await self._call(record_link_probe, self.db, address)
        except DATABASE_FAULTS as exc:
            log.warning("link-forsøg ikke talt: %s", type(exc).__name__)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        t = Translator(choose_language(Request(scope).query_params.get("lang")))
        response = message_page(t, "too_many_links_heading", "too_many_links_body", 429)
        response.headers["Retry-After"] = str(int(PROBE_WINDOW.total_seconds()))
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not CITIZEN_LINK.match(path):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = probe_address(client[0] if client else None)
        if not (scope["method"] == "POST" and PAGE_SAVE.match(path)):
            if await self._over_limit(address):
                await self._refuse(scope, receive, send)
                return
            status: list[int] = []

            async def watch(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status.append(message["status"])
                await send(message)

            await self.app(scope, receive, watch)
            if status == [404]:
                await self._record(address)
            return
        await self._save(scope, receive, send, address)

    async def _save(self, scope: Scope, receive: Receive, send: Send, address: str) -> None:
        """A page save: pass a stored save straight through; hold anything else until the limit is asked."""
        held: list[Message] = []
        passing = False

        async def hold(message: Message) -> None:
            nonlocal passing
            if message["type"] == "http.response.start":
                passing = _saved(message)
            if passing:
                await send(message)
            else:
                held.append(message)

        await self.app(scope, receive, hold)
        if passing:
            return
        if await self._over_limit(address):
            await self._refuse(scope, receive, send)
            return
        for message in held:
            await send(message)
        if held and held[0]["status"] == 404:
            await self._record(address)
