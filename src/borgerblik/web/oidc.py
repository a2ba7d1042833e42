"""Staff sign-in through the municipality's own identity provider (OpenID Connect, authorization code + PKCE).

The flow keeps no server state, like the password sign-in: ``GET /login/oidc`` makes a state, a nonce and a
PKCE verifier, keeps them in a short-lived signed cookie and sends the browser to the provider; the provider
sends it back to ``GET /login/oidc/svar`` with a code, which the server exchanges (server to server, with the
client secret and the verifier) for an ID token. The token's signature is checked against the provider's JWKS
(asymmetric algorithms only — never ``none``, never a shared secret), and its issuer, audience, expiry and
nonce against this flow. Then the provider's ``sub`` must belong to an active account that an administrator
linked to it (``borgerblik staff add … --oidc-subject``): the provider says who the person is, Borgerblik's
own account says what they may do. An unknown subject is refused and counted as a failed sign-in.

Authlib builds the authorization request and the PKCE challenge; joserfc (Authlib's JOSE library) checks the
token. The provider's discovery document and keys are fetched in a worker thread (never in the citizens' event
loop) and cached; an unknown key id fetches the keys once more, so the provider can rotate them.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from borgerblik.core.errors import BorgerblikError
from borgerblik.storage.staff import (
    ADDRESS_LIMIT,
    recent_failures,
    record_login_failure,
    record_login_success,
    staff_account_by_oidc,
)

if TYPE_CHECKING:
    from borgerblik.web.auth import Auth

FLOW_SECONDS = 600
"""How long the browser may take at the provider before the flow's cookie expires."""
CACHE_SECONDS = 3600
HTTP_TIMEOUT = 10
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
CALLBACK_PATH = "/login/oidc/svar"
VARIABLES = {
    "issuer": "BORGERBLIK_OIDC_ISSUER",
    "client_id": "BORGERBLIK_OIDC_CLIENT_ID",
    "client_secret": "BORGERBLIK_OIDC_CLIENT_SECRET",
    "name": "BORGERBLIK_OIDC_NAME",
    "redirect_uri": "BORGERBLIK_OIDC_REDIRECT_URI",
}


class OidcConfigError(BorgerblikError, ValueError):
    """The identity provider is configured only in part, or over plain http to another machine."""


class ProviderError(BorgerblikError, RuntimeError):
    """The provider did not answer, or answered something that is not a valid sign-in."""


@dataclass(frozen=True)
class OidcSettings:
    """One municipality's provider: its issuer URL and the client Borgerblik is registered as there."""

    issuer: str
    client_id: str
    client_secret: str
    name: str = "kommunens login"
    """What the login page's button says after "Log ind med"."""
    redirect_uri: str | None = None
    """Where the provider sends the browser back; default: this server's own ``/login/oidc/svar``."""

    def __post_init__(self) -> None:
        parsed = urllib.parse.urlsplit(self.issuer)
        loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
        if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
            raise OidcConfigError(
                f"{VARIABLES['issuer']}: forventede en https-adresse, fik {self.issuer!r} "
                "(http kun på denne maskine, til test)"
            )
        if not self.client_id or not self.client_secret:
            raise OidcConfigError(
                f"{VARIABLES['client_id']} og {VARIABLES['client_secret']} skal sættes sammen med "
                f"{VARIABLES['issuer']}"
            )

    @classmethod
    def from_env(cls, environ: Any = None) -> OidcSettings | None:
        """The settings from ``BORGERBLIK_OIDC_*``; None when no issuer is set (password sign-in only)."""
        env = os.environ if environ is None else environ
        values = {key: env.get(variable, "").strip() for key, variable in VARIABLES.items()}
        if not values["issuer"]:
            return None
        return cls(
            values["issuer"].rstrip("/"),
            values["client_id"],
            values["client_secret"],
            values["name"] or "kommunens login",
            values["redirect_uri"] or None,
        )


def _get_json(url: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as answer:  # noqa: S310 - https or loopback
            data = json.loads(answer.read(1_000_001))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ProviderError(f"{url}: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise ProviderError(f"{url}: forventede et JSON-objekt")
    return data


def _post_form(url: str, fields: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(  # noqa: S310 - the discovered token endpoint
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            **headers,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as answer:  # noqa: S310
            data = json.loads(answer.read(1_000_001))
    except urllib.error.HTTPError as exc:
        raise ProviderError(f"token-endepunktet svarede {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ProviderError(f"token-endepunktet: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise ProviderError("token-endepunktet: forventede et JSON-objekt")
    return data


class OidcLogin:
    """The two routes of the flow, over :class:`~borgerblik.web.auth.Auth`'s sessions and refusals."""

    def __init__(self, auth: Auth, settings: OidcSettings, secret_key: str) -> None:
        self.auth = auth
        self.settings = settings
        self.flows = URLSafeTimedSerializer(secret_key, salt="borgerblik.staff.oidc")
        self.cookie = auth.cookie + "-oidc"
        self._discovery: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, KeySet] | None = None

    # The provider's documents ------------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        """The provider's ``/.well-known/openid-configuration``, checked to be the configured issuer's."""
        if self._discovery is None or time.monotonic() - self._discovery[0] > CACHE_SECONDS:
            found = _get_json(self.settings.issuer + "/.well-known/openid-configuration")
            if str(found.get("issuer", "")).rstrip("/") != self.settings.issuer:
                raise ProviderError("opdagelsesdokumentet er en anden udsteders")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(found.get(key), str):
                    raise ProviderError(f"opdagelsesdokumentet mangler {key}")
            self._discovery = (time.monotonic(), found)
        return self._discovery[1]

    def keys(self, *, fresh: bool = False) -> KeySet:
        if fresh or self._keys is None or time.monotonic() - self._keys[0] > CACHE_SECONDS:
            try:
                keys = KeySet.import_key_set(_get_json(self.discovery()["jwks_uri"]))  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise ProviderError(f"nøglesættet kan ikke læses ({type(exc).__name__})") from None
            self._keys = (time.monotonic(), keys)
        return self._keys[1]

    def redirect_uri(self, request: Request) -> str:
        return self.settings.redirect_uri or str(request.url_for("oidc_callback"))

    # The flow ------------------------------------------------------------------------------------------

    async def start(self, request: Request) -> Response:
        """``GET /login/oidc``: off to the provider, with state, nonce and PKCE in a signed cookie."""
        from borgerblik.storage.staff import active_account_count

        if await self.auth.call(active_account_count, self.auth.db) == 0:
            return await self.auth.refuse_anonymous(request)
        try:
            found = await self.auth.call(self.discovery)
        except ProviderError:
            return self.unavailable(request)
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        target = prepare_grant_uri(
            found["authorization_endpoint"],
            self.settings.client_id,
            "code",
            redirect_uri=self.redirect_uri(request),
            scope="openid",
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
        )
        flow = {"s": state, "n": nonce, "v": verifier, "next": request.query_params.get("next", "")[:500]}
        response = RedirectResponse(target, 303)
        response.set_cookie(
            self.cookie,
            self.flows.dumps(flow),
            max_age=FLOW_SECONDS,
            path="/",
            secure=self.auth.secure,
            httponly=True,
            samesite="lax",  # sent on the provider's top-level redirect back here; strict would not be
        )
        return response

    async def callback(self, request: Request) -> Response:
        """``GET /login/oidc/svar``: the code for an ID token, the token checked, the account signed in."""
        try:
            flow = self.flows.loads(request.cookies.get(self.cookie, ""), max_age=FLOW_SECONDS)
            state, nonce, verifier = str(flow["s"]), str(flow["n"]), str(flow["v"])
        except (BadSignature, KeyError, TypeError):
            return self.failed(request, 400, "Log ind igen: login-forløbet er udløbet eller ukendt.")
        given = request.query_params.get("state", "")
        if not hmac.compare_digest(given.encode(), state.encode()):
            return self.failed(request, 400, "Log ind igen: svaret hører ikke til dette login-forløb.")
        if request.query_params.get("error") or not request.query_params.get("code"):
            return self.failed(request, 401, "Kommunens login gav ingen adgang. Prøv igen.")
        address = request.client.host if request.client else "ukendt"
        if await self.auth.call(recent_failures, self.auth.db, address) >= ADDRESS_LIMIT:
            return self.failed(request, 429, "For mange mislykkede forsøg. Vent 15 minutter.")
        code = request.query_params["code"][:2000]
        try:
            claims = await self.auth.call(
                self.verified_claims, code, verifier, nonce, self.redirect_uri(request)
            )
        except ProviderError:
            await self.auth.call(record_login_failure, self.auth.db, address, None)
            return self.failed(request, 401, "Kommunens login kunne ikke bekræftes. Prøv igen.")
        record = await self.auth.call(
            staff_account_by_oidc, self.auth.db, self.settings.issuer, claims["sub"]
        )
        if record is None or not record.active:
            await self.auth.call(record_login_failure, self.auth.db, address, record.id if record else None)
            return self.failed(
                request,
                403,
                "Du er logget ind hos kommunen, men har ingen aktiv konto i Borgerblik. "
                "Bed en administrator om at oprette den.",
            )
        await self.auth.call(record_login_success, self.auth.db, record.id)
        response = await self.auth.start_session(
            record, str(flow.get("next", "")), f"OIDC, adresse {address}"
        )
        response.delete_cookie(self.cookie, path="/", secure=self.auth.secure, httponly=True)
        return response

    def verified_claims(self, code: str, verifier: str, nonce: str, redirect_uri: str) -> dict[str, Any]:
        """Exchange the code and check the ID token (in a worker thread); ProviderError if anything is off."""
        found = self.discovery()
        fields = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        methods = found.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        headers = {}
        if "client_secret_basic" in methods:
            quote = urllib.parse.quote  # RFC 6749 §2.3.1: form-encode both parts before Basic
            pair = f"{quote(self.settings.client_id)}:{quote(self.settings.client_secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            fields |= {"client_id": self.settings.client_id, "client_secret": self.settings.client_secret}
        answer = _post_form(found["token_endpoint"], fields, headers)
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise ProviderError("svaret har intet id_token")
        try:
            try:
                token = jwt.decode(id_token, self.keys(), algorithms=ALGORITHMS)
            except JoseError:  # perhaps a new key: fetch the key set once more
                token = jwt.decode(id_token, self.keys(fresh=True), algorithms=ALGORITHMS)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.settings.issuer},
                aud={"essential": True, "value": self.settings.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError, TypeError) as exc:
            raise ProviderError(f"ID-tokenet afvist ({type(exc).__name__})") from None
        claims = token.claims
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.settings.client_id:
            raise ProviderError("ID-tokenet er udstedt til en anden klient (azp)")
        if not isinstance(claims["sub"], str) or not 1 <= len(claims["sub"]) <= 255:
            raise ProviderError("ID-tokenets sub er ugyldigt")
        return claims

    # Pages ---------------------------------------------------------------------------------------------

    def failed(self, request: Request, status: int, body: str) -> Response:
        response = self.auth.refuse(request, status, "Log ind mislykkedes", body)
        response.delete_cookie(self.cookie, path="/", secure=self.auth.secure, httponly=True)
        return response

    def unavailable(self, request: Request) -> Response:
        return self.auth.refuse(
            request,
            502,
            "Kommunens login svarer ikke",
            "Prøv igen om lidt, eller log ind med brugernavn og adgangskode.",
        )

    def routes(self) -> list[Route]:
        return [
            Route("/login/oidc", self.start, methods=["GET"]),
            Route(CALLBACK_PATH, self.callback, methods=["GET"], name="oidc_callback"),
        ]
