"""Bulk loading of population members: validate every row first, then insert in chunks with Core executemany.

Validation happens before the first insert so a bad register extract is rejected as a whole, with the row and
field named, instead of leaving half a population behind.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, insert, select

from borgerblik.storage.bulk import bulk_insert
from borgerblik.storage.errors import InvalidRowError
from borgerblik.storage.schema import GENDERS, Identity, Member, Municipality

CPR_PATTERN = re.compile(r"^\d{6}-\d{4}$")
YES = {"ja", "yes", "true", "1"}
NO = {"nej", "no", "false", "0", ""}


def new_member_id() -> str:
    """A random pseudonym (64 bits); deliberately unrelated to CPR or to the order of the register."""
    return secrets.token_hex(8)


def _text(row: Mapping[str, Any], index: int, name: str, *, required: bool, max_length: int) -> str | None:
    value = row.get(name)
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


@lru_cache(maxsize=65_536)
def _iso_date(text: str) -> date | None:
    """Registers repeat a few thousand distinct dates across 200,000 rows, so parsing is cached."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _date(row: Mapping[str, Any], index: int, name: str) -> date | None:
    value = row.get(name)
    if value is None or value == "":
        return None
    if type(value) is str and (parsed := _iso_date(value)) is not None:
        return parsed
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise InvalidRowError(index, name, "en dato ÅÅÅÅ-MM-DD", value)


def _flag(row: Mapping[str, Any], index: int, name: str) -> bool:
    value = row.get(name)
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


def _age(row: Mapping[str, Any], index: int) -> int | None:
    value = row.get("age")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130:
        raise InvalidRowError(index, "age", "en alder i hele år (0–130)", value)
    return value


def _samtaler(row: Mapping[str, Any], index: int) -> str | None:
    value = row.get("samtaler")
    if isinstance(value, list | tuple):
        value = ";".join(str(item) for item in value)
    return _text({"samtaler": value}, index, "samtaler", required=False, max_length=500)


def member_and_identity(row: Mapping[str, Any], index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split one register row into its stratum part and its identity part, validating both."""
    cpr = _text(row, index, "cpr", required=True, max_length=11)
    if not CPR_PATTERN.match(cpr or ""):
        raise InvalidRowError(index, "cpr", "DDMMÅÅ-SSSS", cpr)
    gender = _text(row, index, "gender", required=True, max_length=8)
    if gender not in GENDERS:
        raise InvalidRowError(
            index, "gender", "mand eller kvinde", gender, "Køn udledes af CPR-nummerets sidste ciffer."
        )
    member = {
        "kommune": _text(row, index, "kommune", required=True, max_length=100),
        "maalgruppe": _text(row, index, "maalgruppe", required=True, max_length=8),
        "gender": gender,
        "birth_date": _date(row, index, "birth_date"),
        "age": _age(row, index),
        "age_group": _text(row, index, "age_group", required=False, max_length=16),
        "ydelse_start": _date(row, index, "ydelse_start"),
        "ydelse_slut": _date(row, index, "ydelse_slut"),
        "samtaler": _samtaler(row, index),
    }
    identity = {
        "cpr": cpr,
        "phone": _text(row, index, "telefon", required=False, max_length=20),
        "email": _text(row, index, "email", required=False, max_length=254),
        "digital_post_exempt": _flag(row, index, "digital_post_fritaget"),
    }
    return member, identity


def validate_rows(rows: Iterable[Mapping[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every row validated, rows numbered from 1; a CPR number twice in the batch is an error, not a merge."""
    parsed: list[tuple[dict[str, Any], dict[str, Any]]] = []
    first_row_of: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        member, identity = member_and_identity(row, index)
        earlier = first_row_of.setdefault(identity["cpr"], index)
        if earlier != index:
            hint = f"Samme CPR-nummer som række {earlier}; udtrækket har dubletter."
            raise InvalidRowError(index, "cpr", "et CPR-nummer der ikke er set før", identity["cpr"], hint)
        parsed.append((member, identity))
    return parsed


def municipality_ids(connection: Connection, names: set[str]) -> dict[str, int]:
    """Ids of the named municipalities, creating the ones not seen before."""
    known = dict(connection.execute(select(Municipality.name, Municipality.id)).all())
    missing = sorted(names - known.keys())
    if missing:
        connection.execute(insert(Municipality), [{"name": name} for name in missing])
        known = dict(connection.execute(select(Municipality.name, Municipality.id)).all())
    return {name: known[name] for name in names}


def insert_members(
    connection: Connection, survey_id: int, batch_id: int, parsed: list[tuple[dict[str, Any], dict[str, Any]]]
) -> list[str]:
    """Insert validated rows; returns the new pseudonymous member ids in input order."""
    kommuner = municipality_ids(connection, {member["kommune"] for member, _ in parsed})
    ids = [new_member_id() for _ in parsed]
    members = []
    identities = []
    for member_id, (member, identity) in zip(ids, parsed, strict=True):
        stratum = dict(member)
        stratum["municipality_id"] = kommuner[stratum.pop("kommune")]
        members.append({"id": member_id, "survey_id": survey_id, "import_batch_id": batch_id, **stratum})
        identities.append({"member_id": member_id, "survey_id": survey_id, **identity})
    # In key order the primary-key B-trees grow at their right edge instead of splitting pages at random.
    members.sort(key=itemgetter("id"))
    identities.sort(key=itemgetter("member_id"))
    bulk_insert(connection, Member.__table__, members)
    bulk_insert(connection, Identity.__table__, identities)
    return ids
