"""Which file header holds which register field.

Danish exports spell headers every way: "Målgruppe", "MAALGRUPPE", "maal gruppe", "Telefonnr.". Headers are
compared after folding case, æ/ø/å to ae/oe/aa and punctuation to underscores, against a list of accepted
aliases per field. A mapping file (YAML, ``field: header``) names any other header explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from borgerblik.core.errors import BorgerblikError, InstrumentError
from borgerblik.core.parse_context import describe
from borgerblik.core.yaml_source import read_yaml_file
from borgerblik.danish import integer

REQUIRED_FIELDS: tuple[str, ...] = ("cpr", "kommune", "maalgruppe", "ydelse_start")
OPTIONAL_FIELDS: tuple[str, ...] = ("ydelse_slut", "samtaler", "digital_post_fritaget", "telefon", "email")
FIELDS: tuple[str, ...] = REQUIRED_FIELDS + OPTIONAL_FIELDS

DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    "cpr": ("cpr", "cpr_nr", "cprnr", "cpr_nummer", "cprnummer", "personnummer"),
    "kommune": ("kommune", "kommunenavn", "bopaelskommune", "jobcenter"),
    "maalgruppe": (
        "maalgruppe", "lab_maalgruppe", "maalgruppekode", "maalgruppe_kode", "ydelse", "ydelsesgruppe"
    ),
    "ydelse_start": ("ydelse_start", "ydelse_startdato", "startdato", "start_dato", "forloeb_start"),
    "ydelse_slut": ("ydelse_slut", "ydelse_slutdato", "slutdato", "slut_dato", "forloeb_slut"),
    "samtaler": ("samtaler", "samtaletyper", "samtaletype"),
    "digital_post_fritaget": (
        "digital_post_fritaget",
        "fritaget_digital_post",
        "fritaget_for_digital_post",
        "digitalpost_fritaget",
    ),
    "telefon": ("telefon", "telefonnummer", "telefonnr", "tlf", "tlf_nr", "mobil", "mobilnummer", "mobilnr"),
    "email": ("email", "e_mail", "mail", "emailadresse", "e_mailadresse"),
}


class MappingError(BorgerblikError, ValueError):
    """The file's headers cannot be mapped onto the register fields."""


def fold_header(header: str) -> str:
    """Case- and spelling-insensitive key: ``"Målgruppe "`` and ``"MAALGRUPPE"`` both give ``maalgruppe``."""
    text = header.replace("\ufeff", "").strip().lower()
    text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = re.sub(r"[^a-z0-9]+", "_", text)
    return text.strip("_")


@dataclass(frozen=True)
class ColumnMapping:
    """Register field → the header in the file that holds it."""

    columns: dict[str, str]

    def source_of(self, field: str) -> str | None:
        return self.columns.get(field)


def load_mapping(path: Path) -> dict[str, str]:
    """Read a mapping file: a YAML mapping from register field to the file's header.

    Read as defensively as an instrument (:func:`borgerblik.core.yaml_source.read_yaml_file`): aliases,
    deep nesting, bytes that are not UTF-8 and oversized files are a message with the line, not a crash.
    """
    try:
        source = read_yaml_file(path)
    except OSError as exc:
        raise MappingError(f"{path}: kan ikke læse kolonne-mappingen ({exc.strerror or exc})") from None
    except InstrumentError as exc:
        raise MappingError("kan ikke læse kolonne-mappingen: " + "; ".join(map(str, exc.problems))) from None
    data = source.data
    if not isinstance(data, dict):
        raise MappingError(
            f"{path}: forventede en YAML-mapping som 'cpr: CPR-nummer', fik {type(data).__name__}"
        )
    unknown = sorted(str(key) for key in data if key not in FIELDS)
    if unknown:
        raise MappingError(
            f"{path}: ukendte registerfelter {', '.join(unknown)}; forventede nogle af {', '.join(FIELDS)}"
        )
    for key, value in data.items():
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise MappingError(
                where=f"{path}, linje {source.line((key,))}, felt '{key}'",
                expected="en kolonneoverskrift (tekst)",
                got=describe(value),
                hint="fx 'cpr: Personnummer'",
            )
    return {str(key): str(value) for key, value in data.items()}


def header_list(headers: Sequence[str], shown: int = 20) -> str:
    """The first headers, for a message: a 10.000-column file is not repeated in full on the screen."""
    text = ", ".join(headers[:shown])
    return text if len(headers) <= shown else f"{text} … ({integer(len(headers))} i alt)"


def resolve_columns(
    headers: Sequence[str], explicit: Mapping[str, str] | None = None, *, source: str = "filen"
) -> ColumnMapping:
    """Match the file's headers to the fields; explicit entries win over the default aliases.

    Raises MappingError naming the missing required fields and the headers that were found.
    """
    folded = {fold_header(header): header for header in headers}
    columns: dict[str, str] = {}
    for field, header in (explicit or {}).items():
        key = fold_header(header)
        if key not in folded:
            raise MappingError(
                f"{source}: mappingen peger {field} på kolonnen {header!r}, som ikke findes; "
                f"kolonner i filen: {header_list(headers)}"
            )
        columns[field] = folded[key]
    taken = set(columns.values())
    for field in FIELDS:
        if field in columns:
            continue
        for alias in DEFAULT_ALIASES[field]:
            header = folded.get(alias)
            if header is not None and header not in taken:
                columns[field] = header
                taken.add(header)
                break
    missing = [field for field in REQUIRED_FIELDS if field not in columns]
    if missing:
        raise MappingError(
            f"{source}: mangler kolonnen {', '.join(missing)}; kolonner i filen: {header_list(headers)}. "
            "Tip: angiv en mapping med --mapping M.yaml (fx 'cpr: Personnummer')"
        )
    return ColumnMapping(columns)
