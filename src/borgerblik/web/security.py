"""The security headers on every response the app sends: pages, redirects, the API, static files, error pages.

One ASGI wrapper outside Starlette's whole middleware stack (:class:`SecuredStarlette`), so even the 500 page
that ``ServerErrorMiddleware`` writes, a 404 from the router and a file from ``/static`` carry them — a
header set per template would miss those. A response that brings a header of its own keeps it: the
fieldwork monitor's stricter policy (``default-src 'none'`` and the hash of its one style sheet) is not
widened. No page uses inline script or style, so the policy needs no ``'unsafe-inline'`` (a test walks every
template and every route).

HSTS goes only on a response sent over TLS (the ASGI scope's scheme is ``https``: ``serve --certfile``, or a
trusted proxy's ``X-Forwarded-Proto`` as uvicorn's proxy headers apply it): over plain http a browser ignores
it, and sending it from a loopback test server would teach a developer's browser to refuse http there.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Referrer-Policy": "no-referrer",  # the citizen's token is in the URL
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
}
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
"""One year: what the HSTS preload list asks for; staff cookies are Secure anyway."""
STATIC_CACHE = "public, max-age=3600"
"""The style sheet is the same for everyone and holds nothing personal, so it may be cached for an hour."""


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` (and HSTS over TLS) to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.plain = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
        self.static = [
            (name, STATIC_CACHE.encode() if name == b"cache-control" else value) for name, value in self.plain
        ]
        self.tls = [(b"strict-transport-security", STRICT_TRANSPORT_SECURITY.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.static if scope.get("path", "").startswith("/static/") else self.plain
        if scope.get("scheme") == "https":
            wanted = wanted + self.tls

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in wanted if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecuredStarlette(Starlette):
    """Starlette with :class:`SecurityHeaders` outside its whole middleware stack, error pages included."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())
