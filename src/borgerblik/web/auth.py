"""Staff sign-in: accounts in the database, argon2 off the event loop, signed session cookies, CSRF, roles.

Stateless on purpose, so any worker can answer any request: the session is a cookie signed with the server's
secret (itsdangerous, timestamped, 8 hours), holding the account id, the account's session epoch and the
session's CSRF token. Each staff request reads the account (in a thread) and accepts the cookie only while the
account is active and its epoch unchanged, so logout, a password reset or a disabled account ends every
session at once. Failed sign-ins are counted in the database per account (lock-out) and per address (rate
limit), and refused before any hashing once over the limit. Password checks run one at a time in a worker
thread: a flood of wrong passwords queues there and never stalls the citizens' event loop.

Every staff route is a :class:`StaffRoute` made by :meth:`Auth.route`, which names the roles that may use it;
a test walks the app's routes and holds each to that.

Scripts call ``/api/`` with ``Authorization: Bearer <token>`` instead of a cookie: the token is looked up by
its SHA-256 (:func:`hash_api_token`), acts with the token's own role and municipality, and needs no CSRF token
(a browser never sends it on its own, so a cross-site request cannot carry it). A wrong token counts as a
failed sign-in from the address, so guessing is rate-limited like passwords. Sign-in through the
municipality's OpenID Connect provider is :mod:`borgerblik.web.oidc`; it ends in :meth:`Auth.start_session`
like the password form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import parse_qs, quote

from anyio import CapacityLimiter, to_thread
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from borgerblik.storage import Database
from borgerblik.storage.audit import record_audit
from borgerblik.storage.staff import (
    ADDRESS_LIMIT,
    StaffRecord,
    active_account_count,
    end_sessions,
    recent_failures,
    record_login_failure,
    record_login_success,
    staff_account,
    staff_account_by_id,
    token_account,
    token_scope_allowed,
)
from borgerblik.storage.times import utcnow
from borgerblik.web.forms import MAX_FORM_BYTES, FormTooLarge, FormUnreadable
from borgerblik.web.i18n import Translator
from borgerblik.web.oidc import OidcLogin, OidcSettings
from borgerblik.web.passwords import verify_password
from borgerblik.web.rendering import render

SESSION_SECONDS = 8 * 3600
LOGIN_FORM_SECONDS = 3600
ALL_ROLES = ("administrator", "analyst", "municipal_analyst", "interviewer")
ROLE_NAMES = {
    "administrator": "Administrator",
    "analyst": "Tværkommunal analytiker",
    "municipal_analyst": "Kommuneanalytiker",
    "interviewer": "Interviewer/hotline",
}
CSRF_HEADER = "X-CSRF-Token"
"""Where a JSON client (``/api/``) sends the session's CSRF token, which ``GET /api/session`` hands out."""
SECRET_VARIABLE = "BORGERBLIK_SECRET_KEY"
"""The key that signs staff sessions; every worker must share it (``serve`` makes one per run if unset)."""

API_TOKEN_PREFIX = "bbk_"
"""Every API token starts so, which lets secret scanners and people recognise one."""

Endpoint = Callable[[Request], Awaitable[Response]]


def new_api_token() -> tuple[str, str, str]:
    """A fresh token (256 random bits), the hash stored for it, and the prefix a list shows of it."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_api_token(token), token[:12]


def hash_api_token(token: str) -> str:
    """SHA-256 is enough for a random 256-bit secret (no salt or slow hash needed: nothing to brute-force),
    and it lets the server find the token by an index."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StaffUser:
    """The signed-in staff member, as every staff handler finds it in ``request.state.staff``."""

    id: int
    username: str
    role: str
    municipality: str | None
    csrf: str
    token: int | None = None
    """The API token's id when the request came with ``Authorization: Bearer`` (no cookie, no CSRF)."""


class StaffRoute(Route):
    """A route only the named roles may use; ``handler`` is the endpoint behind the role check."""

    def __init__(
        self,
        path: str,
        endpoint: Endpoint,
        *,
        roles: Collection[str],
        handler: Endpoint | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.roles = frozenset(roles)
        self.handler = handler or endpoint


def home_of(role: str) -> str:
    return "/interviewer/" if role == "interviewer" else "/"


def _safe_next(target: str | None, role: str) -> str:
    """Only a path on this site; anything else (``//evil``, ``https://…``) goes to the role's home."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return home_of(role)


async def read_form(request: Request, *, files: bool = False) -> dict[str, list[str]]:
    """A staff form, size-capped; the body stays cached on the request so the handler can read it again.

    Only a form that asks for a file (``files=True``, the register upload) may send one, and its size is not
    capped here; anywhere else a file is a 400, not a crash.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES and not files:
        raise FormTooLarge(declared)
    if _multipart(request):
        form = await request.form(max_files=1 if files else 0, max_fields=200, max_part_size=MAX_FORM_BYTES)
        return {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in form}
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge(str(len(body)))
    request._body = bytes(body)  # Starlette's own cache: stream() and body() replay it to the handler
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormUnreadable(str(exc)) from None


def _multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


def first(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[0]


class Auth:
    """Sign-in, sign-out and the check at every staff route's door, over the accounts in ``db``."""

    def __init__(
        self,
        db: Database,
        secret_key: str,
        *,
        secure_cookies: bool = True,
        oidc: OidcSettings | None = None,
    ) -> None:
        """``oidc`` is the municipality's identity provider; without it, ``BORGERBLIK_OIDC_*`` (if set)."""
        if len(secret_key) < 32:
            raise ValueError(f"{SECRET_VARIABLE}: nøglen skal have mindst 32 tegn")
        self.db = db
        self.sessions = URLSafeTimedSerializer(secret_key, salt="borgerblik.staff.session")
        self.login_forms = URLSafeTimedSerializer(secret_key, salt="borgerblik.staff.login")
        self.secure = secure_cookies
        self.cookie = "__Host-borgerblik" if secure_cookies else "borgerblik"
        self.hashing = CapacityLimiter(1)
        self.threads = CapacityLimiter(4)
        settings = oidc or OidcSettings.from_env()
        self.oidc = OidcLogin(self, settings, secret_key) if settings is not None else None

    async def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Database work of the sign-in, in a thread: the event loop belongs to the citizens."""
        return await to_thread.run_sync(partial(function, *args), limiter=self.threads)

    # The session ------------------------------------------------------------------------------------------

    async def current(self, request: Request) -> StaffUser | None:
        cookie = request.cookies.get(self.cookie)
        if not cookie:
            return None
        try:
            data = self.sessions.loads(cookie, max_age=SESSION_SECONDS)
            account_id, epoch, csrf = int(data["a"]), int(data["e"]), str(data["c"])
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        record: StaffRecord | None = await self.call(staff_account_by_id, self.db, account_id)
        if record is None or not record.active or record.session_epoch != epoch:
            return None
        return StaffUser(record.id, record.username, record.role, record.municipality, csrf)

    async def bearer(self, request: Request) -> StaffUser | Response:
        """The user an ``Authorization: Bearer`` token stands for, or the refusal (401, 429)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        address = request.client.host if request.client else "ukendt"
        challenge = {"WWW-Authenticate": 'Bearer realm="borgerblik"'}
        if scheme.lower() != "bearer" or not token.strip():
            return JSONResponse(
                {"error": "Log ind", "detail": "Send Authorization: Bearer <token>."}, 401, headers=challenge
            )
        if await self.call(recent_failures, self.db, address) >= ADDRESS_LIMIT:
            return JSONResponse(
                {"error": "For mange forsøg", "detail": "For mange ugyldige tokens. Vent 15 minutter."}, 429
            )
        found = await self.call(token_account, self.db, hash_api_token(token.strip()[:200]))
        if found is not None:
            record, account = found
            if account.active and token_scope_allowed(account, record.role, record.municipality):
                return StaffUser(
                    account.id, account.username, record.role, record.municipality, "", record.id
                )
        await self.call(record_login_failure, self.db, address, None)
        return JSONResponse(
            {"error": "Ugyldigt token", "detail": "Tokenet findes ikke, er udløbet eller trukket tilbage."},
            401,
            headers={"WWW-Authenticate": 'Bearer realm="borgerblik", error="invalid_token"'},
        )

    def _set_session(self, response: Response, record: StaffRecord) -> None:
        value = self.sessions.dumps(
            {"a": record.id, "e": record.session_epoch, "c": secrets.token_urlsafe(24)}
        )
        response.set_cookie(
            self.cookie,
            value,
            max_age=SESSION_SECONDS,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    # The door ---------------------------------------------------------------------------------------------

    def route(
        self,
        path: str,
        endpoint: Endpoint,
        *,
        roles: Collection[str],
        methods: Collection[str] = ("GET",),
        files: bool = False,
    ) -> StaffRoute:
        unknown = set(roles) - set(ALL_ROLES)
        if unknown:
            raise ValueError(f"ukendte roller: {sorted(unknown)}")

        async def guarded(request: Request) -> Response:
            api = request.url.path.startswith("/api/")
            if api and "authorization" in request.headers:
                found = await self.bearer(request)
                if isinstance(found, Response):
                    return found
                user: StaffUser | None = found
            else:
                user = await self.current(request)
            if user is None:
                return await self.refuse_anonymous(request)
            if user.role not in roles:
                return self.refuse(
                    request, 403, "Ingen adgang", "Din rolle giver ikke adgang til denne side."
                )
            if request.method not in ("GET", "HEAD") and user.token is None:
                if api:  # JSON: the token travels in a header
                    token = request.headers.get(CSRF_HEADER, "")
                else:
                    token = first(await read_form(request, files=files), "csrf")
                if not hmac.compare_digest(token.encode(), user.csrf.encode()):
                    return self.refuse(
                        request,
                        403,
                        "Formularen er udløbet",
                        "Siden blev sendt uden et gyldigt sikkerhedsfelt. "
                        "Gå tilbage, genindlæs siden og prøv igen.",
                    )
            request.state.staff = user
            return await endpoint(request)

        return StaffRoute(path, guarded, roles=roles, handler=endpoint, methods=list(methods))

    async def refuse_anonymous(self, request: Request) -> Response:
        if await self.call(active_account_count, self.db) == 0:
            return self.refuse(
                request,
                503,
                "Ingen personalekonti",
                "Personalesiderne er lukkede, indtil en administrator er oprettet med borgerblik staff add.",
            )
        if request.url.path.startswith("/api/") or request.method not in ("GET", "HEAD"):
            return self.refuse(request, 401, "Log ind", "Log ind for at bruge personalesiderne.")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", 303)

    def refuse(self, request: Request, status: int, heading: str, body: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": heading, "detail": body}, status_code=status)
        return render(
            "staff/message.html", Translator("da"), status_code=status, heading=heading, body=body, user=None
        )

    # Sign-in and sign-out ---------------------------------------------------------------------------------

    def login_page(
        self, request: Request, *, status: int = 200, error: str | None = None, username: str = ""
    ) -> Response:
        nonce = secrets.token_urlsafe(24)
        response = render(
            "staff/login.html",
            Translator("da"),
            status_code=status,
            error=error,
            username=username,
            next=request.query_params.get("next", "")[:500],  # checked again when used
            csrf=self.login_forms.dumps(nonce),
            oidc_name=self.oidc.settings.name if self.oidc else None,
            user=None,
        )
        response.set_cookie(
            self.cookie + "-login",
            nonce,
            max_age=LOGIN_FORM_SECONDS,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )
        return response

    async def show_login(self, request: Request) -> Response:
        if await self.call(active_account_count, self.db) == 0:
            return await self.refuse_anonymous(request)
        return self.login_page(request)

    def _login_form_valid(self, request: Request, fields: dict[str, list[str]]) -> bool:
        try:
            nonce = self.login_forms.loads(first(fields, "csrf"), max_age=LOGIN_FORM_SECONDS)
        except BadSignature:
            return False
        cookie = request.cookies.get(self.cookie + "-login", "")
        return isinstance(nonce, str) and hmac.compare_digest(nonce.encode(), cookie.encode())

    async def login(self, request: Request) -> Response:
        fields = await read_form(request)
        username, password = first(fields, "username").strip()[:64], first(fields, "password")[:1024]
        if not self._login_form_valid(request, fields):
            return self.login_page(
                request, status=403, error="Formularen var udløbet. Prøv igen.", username=username
            )
        address = request.client.host if request.client else "ukendt"
        too_many = (
            "For mange mislykkede forsøg. Vent 15 minutter, eller bed en administrator om en ny adgangskode."
        )
        if await self.call(recent_failures, self.db, address) >= ADDRESS_LIMIT:
            return self.login_page(request, status=429, error=too_many, username=username)
        record: StaffRecord | None = await self.call(staff_account, self.db, username)
        if record is not None and record.locked(utcnow()):
            return self.login_page(request, status=429, error=too_many, username=username)
        stored = record.password_hash if record is not None else None
        matches = await to_thread.run_sync(verify_password, password, stored, limiter=self.hashing)
        if record is None or not matches or not record.active:
            await self.call(record_login_failure, self.db, address, record.id if record else None)
            return self.login_page(
                request, status=401, error="Forkert brugernavn eller adgangskode.", username=username
            )
        await self.call(record_login_success, self.db, record.id)
        return await self.start_session(record, first(fields, "next"), f"adresse {address}")

    async def start_session(self, record: StaffRecord, target: str | None, detail: str) -> Response:
        """Signed in: the audit entry, and a new session cookie with a new CSRF token whatever cookie the
        browser came with — so a session planted before the sign-in (fixation) is never the one used after."""
        await self.call(record_audit, self.db, record.username, "sign_in", detail)
        response = RedirectResponse(_safe_next(target, record.role), 303)
        self._set_session(response, record)
        response.delete_cookie(self.cookie + "-login", path="/", secure=self.secure, httponly=True)
        return response

    async def logout(self, request: Request) -> Response:
        user: StaffUser = request.state.staff
        await self.call(end_sessions, self.db, user.id)
        await self.call(record_audit, self.db, user.username, "sign_out", None)
        response = RedirectResponse("/login", 303)
        response.delete_cookie(self.cookie, path="/", secure=self.secure, httponly=True)
        return response

    def routes(self) -> list[Route]:
        return [
            Route("/login", self.show_login, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            *(self.oidc.routes() if self.oidc else []),
            self.route("/logout", self.logout, roles=ALL_ROLES, methods=["POST"]),
        ]
