"""Who may use the staff pages (the interviewer screen, the fieldwork monitor), and the check at their door.

Staff are listed in a file of ``user:pbkdf2_sha256$iterations$salt$hash`` lines (``borgerblik staff add``
writes them; the hash is PBKDF2-HMAC-SHA256 from the standard library, 600,000 iterations as OWASP advises).
The pages ask for them by HTTP Basic authentication, so the server must sit behind the organisation's TLS.
A successful check is remembered in the process by a digest of the credentials, so an interviewer's every
click does not cost a key derivation; nothing else is kept, and every worker checks on its own.
Citizens' links never pass this door: a citizen has no account, the link is the credential.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from borgerblik.web.i18n import Translator, choose_language
from borgerblik.web.rendering import message_page

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000
USER_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
STAFF_FILE_VARIABLE = "BORGERBLIK_STAFF_FILE"
"""Where ``uvicorn --factory borgerblik.web:app_from_env`` finds the staff file (``serve --staff-file``)."""


class StaffFileError(ValueError):
    """The staff file cannot be used; the message names the file and the line."""


def hash_password(password: str, *, iterations: int = ITERATIONS) -> str:
    """A salted PBKDF2-HMAC-SHA256 hash in the file's form ``pbkdf2_sha256$iterations$salt$hash``."""
    salt = secrets.token_bytes(16)
    derived = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return "$".join((ALGORITHM, str(iterations), _b64(salt), _b64(derived)))


def verify_password(password: str, stored: str) -> bool:
    algorithm, iterations, salt, expected = stored.split("$")
    if algorithm != ALGORITHM:
        return False
    derived = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), _unb64(salt), int(iterations))
    return hmac.compare_digest(derived, _unb64(expected))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class StaffUsers:
    """The staff who may sign in: user name → stored hash."""

    hashes: Mapping[str, str]
    _verified: set[bytes] = field(default_factory=set, repr=False)

    @classmethod
    def read(cls, path: Path) -> StaffUsers:
        hashes: dict[str, str] = {}
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise StaffFileError(f"{path}: kan ikke læses ({exc.strerror})") from exc
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            user, _, stored = line.strip().partition(":")
            parts = stored.split("$")
            well_formed = len(parts) == 4 and parts[0] == ALGORITHM and parts[1].isdigit()
            if not USER_NAME.match(user) or not well_formed:
                raise StaffFileError(
                    f"{path}, linje {number}: forventede 'bruger:{ALGORITHM}$iterationer$salt$hash', "
                    f"fik {line[:40]!r}. Tip: skriv linjen med borgerblik staff add"
                )
            if user in hashes:
                raise StaffFileError(f"{path}, linje {number}: brugeren {user!r} står der allerede")
            hashes[user] = stored
        if not hashes:
            raise StaffFileError(f"{path}: ingen brugere; tilføj en med borgerblik staff add")
        return cls(hashes)

    def check(self, user: str, password: str) -> bool:
        stored = self.hashes.get(user)
        if stored is None:
            return False
        digest = hashlib.sha256(f"{user}\0{password}\0{stored}".encode()).digest()
        if digest in self._verified:
            return True
        if not verify_password(password, stored):
            return False
        self._verified.add(digest)
        return True


def add_staff_user(path: Path, user: str, password: str) -> None:
    """Add the user to the staff file (created if missing), or give an existing user a new password."""
    if not USER_NAME.match(user):
        raise StaffFileError(
            f"brugernavnet {user!r} må kun have bogstaver a–z, tal og . _ @ - (højst 64 tegn)"
        )
    if len(password) < 12:
        raise StaffFileError("adgangskoden skal have mindst 12 tegn")
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [line for line in lines if line.partition(":")[0].strip() != user]
    kept.append(f"{user}:{hash_password(password)}")
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text("\n".join(kept) + "\n", encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)


class RequireStaff:
    """ASGI wrapper: the wrapped pages answer only to a signed-in staff member (HTTP Basic)."""

    def __init__(self, app: ASGIApp, staff: StaffUsers) -> None:
        self.app, self.staff = app, staff

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._signed_in(Request(scope)):
            await self.app(scope, receive, send)
            return
        t = Translator(choose_language(Request(scope).query_params.get("lang")))
        response = message_page(t, "staff_login_heading", "staff_login_body", 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="Borgerblik", charset="UTF-8"'
        await response(scope, receive, send)

    def _signed_in(self, request: Request) -> bool:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return self.staff.check(user, password)
