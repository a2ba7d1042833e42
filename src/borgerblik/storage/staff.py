"""Staff accounts, their API tokens and OpenID Connect subjects, and the counters behind the sign-in's
lock-out and rate limit.

Everything the sign-in needs to remember lives here, in the database, so any worker process can check any
request: the app itself keeps nothing between requests. Passwords and API tokens arrive already hashed (the
web layer owns the hashing); this module never sees one in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from borgerblik.storage.database import Database
from borgerblik.storage.errors import NotFoundError, StorageError
from borgerblik.storage.population import municipality_ids
from borgerblik.storage.schema import ROLES, LoginFailure, Municipality, StaffAccount, StaffToken
from borgerblik.storage.times import as_utc, utcnow

LOCK_AFTER = 5
"""Wrong passwords in a row before an account is locked."""
LOCK_FOR = timedelta(minutes=15)
ADDRESS_LIMIT = 20
"""Failed sign-ins from one address within :data:`ADDRESS_WINDOW` before it must wait."""
ADDRESS_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class StaffRecord:
    id: int
    username: str
    role: str
    municipality_id: int | None
    municipality: str | None
    active: bool
    failed_logins: int
    locked_until: datetime | None
    session_epoch: int
    password_hash: str | None
    oidc_issuer: str | None = None
    oidc_subject: str | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def _query() -> Select:
    return select(StaffAccount, Municipality.name.label("municipality_name")).outerjoin(
        Municipality, Municipality.id == StaffAccount.municipality_id
    )


def _record(row: object) -> StaffRecord:
    account, municipality = row[0], row[1]
    return StaffRecord(
        account.id,
        account.username,
        account.role,
        account.municipality_id,
        municipality,
        account.active,
        account.failed_logins,
        as_utc(account.locked_until),
        account.session_epoch,
        account.password_hash,
        account.oidc_issuer,
        account.oidc_subject,
    )


def _select(db: Database, *conditions: object) -> list[StaffRecord]:
    with Session(db.engine) as session:
        rows = session.execute(_query().where(*conditions).order_by(StaffAccount.username)).all()
        return [_record(row) for row in rows]


def staff_accounts(db: Database) -> list[StaffRecord]:
    return _select(db)


def staff_account(db: Database, username: str) -> StaffRecord | None:
    found = _select(db, StaffAccount.username == username)
    return found[0] if found else None


def staff_account_by_id(db: Database, account_id: int) -> StaffRecord | None:
    found = _select(db, StaffAccount.id == account_id)
    return found[0] if found else None


def active_account_count(db: Database) -> int:
    with db.reading() as connection:
        return connection.execute(
            select(func.count()).select_from(StaffAccount).where(StaffAccount.active.is_(True))
        ).scalar_one()


def staff_account_by_oidc(db: Database, issuer: str, subject: str) -> StaffRecord | None:
    """The account the identity provider's ``sub`` belongs to, if an administrator linked one."""
    found = _select(db, StaffAccount.oidc_issuer == issuer, StaffAccount.oidc_subject == subject)
    return found[0] if found else None


def _check_scope(role: str, municipality: str | None) -> None:
    if role not in ROLES:
        raise StorageError(f"rollen {role!r} findes ikke; vælg en af {', '.join(ROLES)}")
    if (role == "municipal_analyst") != bool(municipality):
        raise StorageError("en kommuneanalytiker skal have en kommune (--kommune), og kun den rolle har en")


def add_staff_account(
    db: Database,
    username: str,
    password_hash: str | None,
    role: str,
    municipality: str | None = None,
    *,
    oidc: tuple[str, str] | None = None,
) -> StaffRecord:
    """A new account; a municipal analyst needs their municipality, no other role has one. ``oidc`` is the
    (issuer, subject) it signs in as at the municipality's identity provider; such an account needs no
    password (``password_hash`` None: the password form never lets it in)."""
    _check_scope(role, municipality)
    if password_hash is None and oidc is None:
        raise StorageError("en konto uden adgangskode skal logge ind via kommunens login (--oidc-subject)")
    if oidc is not None and staff_account_by_oidc(db, *oidc) is not None:
        raise StorageError(f"OIDC-subjektet {oidc[1]!r} hører allerede til en anden konto")
    if staff_account(db, username) is not None:
        raise StorageError(f"brugeren {username!r} findes allerede; brug borgerblik staff reset")
    now = utcnow()
    with db.writing() as connection:
        municipality_id = municipality_ids(connection, {municipality})[municipality] if municipality else None
        connection.execute(
            insert(StaffAccount).values(
                username=username,
                password_hash=password_hash,
                role=role,
                municipality_id=municipality_id,
                active=True,
                failed_logins=0,
                session_epoch=0,
                oidc_issuer=oidc[0] if oidc else None,
                oidc_subject=oidc[1] if oidc else None,
                created_at=now,
                updated_at=now,
            )
        )
    return staff_account(db, username)  # type: ignore[return-value]


def _change(db: Database, username: str, **values: object) -> StaffRecord:
    with db.writing() as connection:
        changed = connection.execute(
            update(StaffAccount)
            .where(StaffAccount.username == username)
            .values(session_epoch=StaffAccount.session_epoch + 1, updated_at=utcnow(), **values)
        ).rowcount
    if not changed:
        raise NotFoundError(f"brugeren {username!r} findes ikke; se borgerblik staff list")
    return staff_account(db, username)  # type: ignore[return-value]


def set_staff_password(db: Database, username: str, password_hash: str) -> StaffRecord:
    """A new password: the lock-out lifts, the account is active again and every old session ends."""
    return _change(db, username, password_hash=password_hash, failed_logins=0, locked_until=None, active=True)


def disable_staff_account(db: Database, username: str) -> StaffRecord:
    """The account can no longer sign in, and its open sessions end now."""
    return _change(db, username, active=False)


def end_sessions(db: Database, account_id: int) -> None:
    """Log out: every cookie signed for the account so far stops working."""
    with db.writing() as connection:
        connection.execute(
            update(StaffAccount)
            .where(StaffAccount.id == account_id)
            .values(session_epoch=StaffAccount.session_epoch + 1)
        )


def recent_failures(db: Database, address: str) -> int:
    """Failed sign-ins from ``address`` within the window."""
    since = utcnow() - ADDRESS_WINDOW
    with db.reading() as connection:
        return connection.execute(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.address == address, LoginFailure.occurred_at > since)
        ).scalar_one()


def record_login_failure(db: Database, address: str, account_id: int | None) -> None:
    """Count the failure against the address and, if the user exists, the account (locked at the limit)."""
    now = utcnow()
    with db.writing() as connection:
        connection.execute(insert(LoginFailure).values(address=address[:64], occurred_at=now))
        connection.execute(delete(LoginFailure).where(LoginFailure.occurred_at < now - 2 * ADDRESS_WINDOW))
        if account_id is None:
            return
        failed = connection.execute(
            update(StaffAccount)
            .where(StaffAccount.id == account_id)
            .values(failed_logins=StaffAccount.failed_logins + 1)
            .returning(StaffAccount.failed_logins)
        ).scalar_one()
        if failed >= LOCK_AFTER:
            connection.execute(
                update(StaffAccount)
                .where(StaffAccount.id == account_id)
                .values(locked_until=now + LOCK_FOR, failed_logins=0)
            )


def record_login_success(db: Database, account_id: int) -> None:
    with db.writing() as connection:
        connection.execute(
            update(StaffAccount)
            .where(StaffAccount.id == account_id)
            .values(failed_logins=0, locked_until=None)
        )


# API tokens ------------------------------------------------------------------------------------------------

TOKEN_TOUCH = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per token: a script's every call must not be a write."""


@dataclass(frozen=True)
class TokenRecord:
    id: int
    account_id: int
    username: str
    name: str
    prefix: str
    role: str
    municipality: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def _token_query() -> Select:
    return (
        select(StaffToken, StaffAccount.username, Municipality.name)
        .join(StaffAccount, StaffAccount.id == StaffToken.account_id)
        .outerjoin(Municipality, Municipality.id == StaffToken.municipality_id)
    )


def _token(row: object) -> TokenRecord:
    token, username, municipality = row[0], row[1], row[2]
    return TokenRecord(
        token.id,
        token.account_id,
        username,
        token.name,
        token.prefix,
        token.role,
        municipality,
        as_utc(token.created_at),  # type: ignore[arg-type]
        as_utc(token.expires_at),
        as_utc(token.last_used_at),
        as_utc(token.revoked_at),
    )


def token_scope_allowed(account: StaffRecord, role: str, municipality: str | None) -> bool:
    """A token acts with the account's own role and municipality, or — for an administrator — with any
    narrower one: never with more than the account has now."""
    if account.role == "administrator":
        return True
    return role == account.role and municipality == account.municipality


def add_staff_token(
    db: Database,
    username: str,
    name: str,
    token_hash: str,
    prefix: str,
    *,
    role: str | None = None,
    municipality: str | None = None,
    expires_at: datetime | None = None,
) -> TokenRecord:
    """Store a new token's hash for ``username``; its role defaults to the account's (and municipality)."""
    account = staff_account(db, username)
    if account is None:
        raise NotFoundError(f"brugeren {username!r} findes ikke; se borgerblik staff list")
    if not account.active:
        raise StorageError(f"brugeren {username!r} er lukket; åbn den med borgerblik staff reset først")
    role = role or account.role
    if role == account.role and municipality is None:
        municipality = account.municipality
    _check_scope(role, municipality)
    if not token_scope_allowed(account, role, municipality):
        raise StorageError(
            f"et token kan ikke have mere adgang end kontoen: {username} er {account.role}"
            + (f" for {account.municipality}" if account.municipality else "")
        )
    if not 1 <= len(name) <= 100:
        raise StorageError("tokenets navn skal have 1–100 tegn (fx 'nattekørsel')")
    with db.writing() as connection:
        municipality_id = municipality_ids(connection, {municipality})[municipality] if municipality else None
        token_id = connection.execute(
            insert(StaffToken)
            .values(
                account_id=account.id,
                name=name,
                token_hash=token_hash,
                prefix=prefix,
                role=role,
                municipality_id=municipality_id,
                created_at=utcnow(),
                expires_at=expires_at,
            )
            .returning(StaffToken.id)
        ).scalar_one()
    return staff_tokens(db, token_id=token_id)[0]


def staff_tokens(
    db: Database, *, username: str | None = None, token_id: int | None = None
) -> list[TokenRecord]:
    """Every token (revoked ones too, so the list shows what was), oldest first."""
    query = _token_query().order_by(StaffToken.id)
    if username is not None:
        query = query.where(StaffAccount.username == username)
    if token_id is not None:
        query = query.where(StaffToken.id == token_id)
    with Session(db.engine) as session:
        return [_token(row) for row in session.execute(query).all()]


def revoke_staff_token(db: Database, token_id: int) -> TokenRecord:
    """The token stops working at once, on every worker; it stays listed as revoked."""
    with db.writing() as connection:
        changed = connection.execute(
            update(StaffToken)
            .where(StaffToken.id == token_id, StaffToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
    found = staff_tokens(db, token_id=token_id)
    if not found:
        raise NotFoundError(f"tokenet {token_id} findes ikke; se borgerblik staff token list")
    if not changed:
        raise StorageError(f"tokenet {token_id} er allerede trukket tilbage")
    return found[0]


def token_account(db: Database, token_hash: str) -> tuple[TokenRecord, StaffRecord] | None:
    """The usable token with this hash and its account, or None (unknown, revoked, expired)."""
    now = utcnow()
    with Session(db.engine) as session:
        row = session.execute(_token_query().where(StaffToken.token_hash == token_hash)).first()
    if row is None:
        return None
    token = _token(row)
    account = staff_account_by_id(db, token.account_id)
    if not token.usable(now) or account is None:
        return None
    if token.last_used_at is None or token.last_used_at < now - TOKEN_TOUCH:
        with db.writing() as connection:
            connection.execute(
                update(StaffToken)
                .where(
                    StaffToken.id == token.id,
                    or_(StaffToken.last_used_at.is_(None), StaffToken.last_used_at < now - TOKEN_TOUCH),
                )
                .values(last_used_at=now)
            )
    return token, account
