"""Storage: the schema, its migrations and the :class:`Database` gateway every write goes through.

SQLite (WAL) by default, PostgreSQL when ``BORGERBLIK_DATABASE_URL`` says so. The statistics stages read
polars tables from the gateway's ``*_frame`` methods, which never carry CPR numbers or contact data.
"""

from borgerblik.storage.database import Database, new_case_code, new_token
from borgerblik.storage.engine import DEFAULT_URL, URL_VARIABLE, database_url, make_engine
from borgerblik.storage.errors import InvalidRowError, NotFoundError, StorageError
from borgerblik.storage.migrate import current_revision, downgrade, head_revision, upgrade
from borgerblik.storage.records import ClaimedMessage, Contact, InvitationRecord, SessionRecord, SurveyRecord
from borgerblik.storage.schema import (
    GENDERS,
    INVITATION_STATES,
    MESSAGE_STATUSES,
    MODES,
    SESSION_STATES,
    Base,
)

__all__ = [
    "DEFAULT_URL",
    "GENDERS",
    "INVITATION_STATES",
    "MESSAGE_STATUSES",
    "MODES",
    "SESSION_STATES",
    "URL_VARIABLE",
    "Base",
    "ClaimedMessage",
    "Contact",
    "Database",
    "InvalidRowError",
    "InvitationRecord",
    "NotFoundError",
    "SessionRecord",
    "StorageError",
    "SurveyRecord",
    "current_revision",
    "database_url",
    "downgrade",
    "head_revision",
    "make_engine",
    "new_case_code",
    "new_token",
    "upgrade",
]
