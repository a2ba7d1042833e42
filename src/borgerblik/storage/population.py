"""Bulk loading of population members: validate every row first, then insert them in bulk.

Validation happens before the first insert so a bad register extract is rejected as a whole, with the row and
field named, instead of leaving half a population behind. Most register fields repeat a handful of values
(municipality, target group, dates), so each field's verdict is remembered per distinct value — a national
register of 200,000 rows is checked in well under a second.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, insert, select

from borgerblik.storage.bulk import bulk_insert_rows
from borgerblik.storage.errors import InvalidRowError
from borgerblik.storage.schema import GENDERS, Identity, Member, Municipality

CPR_PATTERN = re.compile(r"^\d{6}-\d{4}$")
YES = {"ja", "yes", "true", "1"}
NO = {"nej", "no", "false", "0", ""}
MEMBER_COLUMNS = (
    "id",
    "survey_id",
    "municipality_id",
    "import_batch_id",
    "maalgruppe",
    "gender",
    "birth_date",
    "age",
    "age_group",
    "ydelse_start",
    "ydelse_slut",
    "samtaler",
)
IDENTITY_COLUMNS = ("member_id", "survey_id", "cpr", "phone", "email", "digital_post_exempt")

Parser = Callable[[Any, int, str], Any]


def new_member_id() -> str:
    """A random pseudonym (64 bits); deliberately unrelated to CPR or to the order of the register."""
    return secrets.token_hex(8)


def _text_parser(*, required: bool, max_length: int) -> Parser:
    def parse(value: Any, index: int, name: str) -> str | None:
        if type(value) is str:
            value = value.strip()
            if value and len(value) <= max_length and "\x00" not in value:
                return value
        if value is None or value == "":
            if required:
                raise InvalidRowError(index, name, "en ikke-tom tekst", value)
            return None
        if not isinstance(value, str):
            raise InvalidRowError(index, name, "tekst", value)
        if "\x00" in value:
            raise InvalidRowError(index, name, "tekst uden nul-tegn (\\x00)", value)
        raise InvalidRowError(index, name, f"højst {max_length} tegn", value)

    return parse


def _parse_date(value: Any, index: int, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidRowError(index, name, "en dato ÅÅÅÅ-MM-DD", value)


def _parse_flag(value: Any, index: int, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise InvalidRowError(index, name, "ja eller nej", value)


def _parse_age(value: Any, index: int, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130:
        raise InvalidRowError(index, name, "en alder i hele år (0–130)", value)
    return value


def _parse_gender(value: Any, index: int, name: str) -> str:
    if value in GENDERS:
        return value
    hint = "Køn udledes af CPR-nummerets sidste ciffer."
    raise InvalidRowError(index, name, "mand eller kvinde", value, hint)


_optional_samtaler = _text_parser(required=False, max_length=500)


def _parse_samtaler(value: Any, index: int, name: str) -> str | None:
    if isinstance(value, list | tuple):
        value = ";".join(str(item) for item in value)
    return _optional_samtaler(value, index, name)


_optional_phone = _text_parser(required=False, max_length=20)
_optional_email = _text_parser(required=False, max_length=254)


def _parse_cpr(value: Any, index: int) -> str:
    if type(value) is str and len(value) == 11 and CPR_PATTERN.match(value):
        return value
    raise InvalidRowError(index, "cpr", "DDMMÅÅ-SSSS", value)


class _Remembered:
    """One field's parser with its verdicts remembered per (type, value); only valid values are remembered."""

    __slots__ = ("memo", "name", "parse")

    def __init__(self, name: str, parse: Parser) -> None:
        self.name, self.parse, self.memo = name, parse, {}

    def __call__(self, value: Any, index: int) -> Any:
        try:
            key = (value.__class__, value)
            return self.memo[key]
        except KeyError:
            parsed = self.memo[key] = self.parse(value, index, self.name)
            return parsed
        except TypeError:  # unhashable, e.g. samtaler given as a list
            return self.parse(value, index, self.name)


@dataclass
class ValidatedRows:
    """A register batch that passed every check: strata and identities as tuples, in input order."""

    strata: list[tuple[Any, ...]] = field(default_factory=list)  # kommune, then MEMBER_COLUMNS[4:]
    identities: list[tuple[str, str | None, str | None, bool]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.strata)

    @property
    def cprs(self) -> list[str]:
        return [identity[0] for identity in self.identities]

    def chunks(self, size: int) -> list[ValidatedRows]:
        """The batch in pieces of ``size`` rows, in order, for commits short enough not to hold the lock."""
        return [
            ValidatedRows(self.strata[start : start + size], self.identities[start : start + size])
            for start in range(0, len(self), size)
        ]


def validate_rows(rows: Iterable[Mapping[str, Any]]) -> ValidatedRows:
    """Every row validated, rows numbered from 1; a CPR number twice in the batch is an error, not a merge."""
    kommune = _Remembered("kommune", _text_parser(required=True, max_length=100))
    maalgruppe = _Remembered("maalgruppe", _text_parser(required=True, max_length=8))
    gender = _Remembered("gender", _parse_gender)
    age = _Remembered("age", _parse_age)
    age_group = _Remembered("age_group", _text_parser(required=False, max_length=16))
    birth_date = _Remembered("birth_date", _parse_date)
    ydelse_start = _Remembered("ydelse_start", _parse_date)
    ydelse_slut = _Remembered("ydelse_slut", _parse_date)
    samtaler = _Remembered("samtaler", _parse_samtaler)
    exempt = _Remembered("digital_post_fritaget", _parse_flag)
    validated = ValidatedRows()
    first_row_of: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        get = row.get
        cpr = _parse_cpr(get("cpr"), index)
        validated.strata.append(
            (
                kommune(get("kommune"), index),
                maalgruppe(get("maalgruppe"), index),
                gender(get("gender"), index),
                birth_date(get("birth_date"), index),
                age(get("age"), index),
                age_group(get("age_group"), index),
                ydelse_start(get("ydelse_start"), index),
                ydelse_slut(get("ydelse_slut"), index),
                samtaler(get("samtaler"), index),
            )
        )
        validated.identities.append(
            (
                cpr,
                _optional_phone(get("telefon"), index, "telefon"),
                _optional_email(get("email"), index, "email"),
                exempt(get("digital_post_fritaget"), index),
            )
        )
        earlier = first_row_of.setdefault(cpr, index)
        if earlier != index:
            hint = f"Samme CPR-nummer som række {earlier}; udtrækket har dubletter."
            raise InvalidRowError(index, "cpr", "et CPR-nummer der ikke er set før", cpr, hint)
    return validated


def municipality_ids(connection: Connection, names: set[str]) -> dict[str, int]:
    """Ids of the named municipalities, creating the ones not seen before."""
    known = dict(connection.execute(select(Municipality.name, Municipality.id)).all())
    missing = sorted(names - known.keys())
    if missing:
        connection.execute(insert(Municipality), [{"name": name} for name in missing])
        known = dict(connection.execute(select(Municipality.name, Municipality.id)).all())
    return {name: known[name] for name in names}


def insert_members(
    connection: Connection, survey_id: int, batch_id: int | None, rows: ValidatedRows
) -> list[str]:
    """Insert validated rows; returns the new pseudonymous member ids in input order."""
    kommuner = municipality_ids(connection, {stratum[0] for stratum in rows.strata})
    ids = [new_member_id() for _ in range(len(rows))]
    members = [
        (member_id, survey_id, kommuner[stratum[0]], batch_id, *stratum[1:])
        for member_id, stratum in zip(ids, rows.strata, strict=True)
    ]
    identities = [
        (member_id, survey_id, *identity) for member_id, identity in zip(ids, rows.identities, strict=True)
    ]
    # In key order the primary-key B-trees grow at their right edge instead of splitting pages at random.
    first = itemgetter(0)
    members.sort(key=first)
    identities.sort(key=first)
    bulk_insert_rows(connection, Member.__table__, MEMBER_COLUMNS, members)
    bulk_insert_rows(connection, Identity.__table__, IDENTITY_COLUMNS, identities)
    return ids
