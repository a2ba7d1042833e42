"""Staff passwords as argon2id hashes (argon2-cffi), with OWASP's minimum parameters.

19 MiB, two passes, one lane: about 20–40 ms a check on this class of machine, one core. One lane on purpose:
the sign-in runs checks one at a time in a worker thread, so a flood of wrong passwords holds at most one
core and never the event loop that serves citizens.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from borgerblik.core.errors import BorgerblikError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 12
USER_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
DUMMY_HASH = HASHER.hash("ingen bruger har denne adgangskode")
"""Checked against when the user does not exist, so the answer takes as long and says nothing more."""


class PasswordRefused(BorgerblikError, ValueError):
    """A user name or password the rules refuse; the message says which rule."""


def check_new_credentials(username: str, password: str | None) -> None:
    if not USER_NAME.match(username):
        raise PasswordRefused(
            f"brugernavnet {username!r} må kun have bogstaver a–z, tal og . _ @ - (højst 64 tegn)"
        )
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(f"adgangskoden skal have mindst {MIN_PASSWORD_LENGTH} tegn")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password: str, stored: str | None) -> bool:
    """True if ``password`` matches; a missing or unreadable hash is checked against a dummy and fails."""
    try:
        return HASHER.verify(stored or DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
