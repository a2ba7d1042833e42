"""Staff accounts, and the counters behind the sign-in's lock-out and rate limit.

Everything the sign-in needs to remember lives here, in the database, so any worker process can check any
request: the app itself keeps nothing between requests. Passwords arrive already hashed (the web layer owns
the hashing); this module never sees one in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.orm import Session

from borgerblik.storage.database import Database
from borgerblik.storage.errors import NotFoundError, StorageError
from borgerblik.storage.population import municipality_ids
from borgerblik.storage.schema import ROLES, LoginFailure, Municipality, StaffAccount
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


def add_staff_account(
    db: Database, username: str, password_hash: str | None, role: str, municipality: str | None = None
) -> StaffRecord:
    """A new account; a municipal analyst needs their municipality, no other role has one."""
    if role not in ROLES:
        raise StorageError(f"rollen {role!r} findes ikke; vælg en af {', '.join(ROLES)}")
    if (role == "municipal_analyst") != bool(municipality):
        raise StorageError("en kommuneanalytiker skal have en kommune (--kommune), og kun den rolle har en")
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
