"""Errors the gateway raises for bad input, each naming what was expected, what came and a hint."""

from __future__ import annotations

from borgerblik.core.errors import BorgerblikError, phrase


class StorageError(BorgerblikError, ValueError):
    """Input the database cannot accept; the message is meant for the person who supplied it."""


class NotFoundError(StorageError):
    """A survey, invitation or message that does not exist."""


HIDDEN_FIELDS = frozenset({"cpr", "telefon", "email"})


class InvalidRowError(StorageError):
    """One row of a bulk write is malformed; nothing of the batch was written.

    Values of identity fields are never echoed, since error messages end up in logs.
    """

    def __init__(self, row: int, field: str, expected: str, got: object, hint: str = "") -> None:
        self.row, self.field, self.expected, self.got, self.hint = row, field, expected, got, hint
        shown = "(skjult)" if field in HIDDEN_FIELDS else repr(got)
        super().__init__(phrase(f"række {row}, felt '{field}'", expected, shown, hint))
