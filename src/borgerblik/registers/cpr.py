"""CPR numbers: birth date, century, gender and age — one row at a time and vectorised over a register.

The century is not in the number itself: the 7th digit (first digit of the serial number) together with the
two-digit year gives it, following the CPR office's table. Substitute numbers ("erstatningspersonnumre") add
60 to the day, so a day of 61–91 is a valid day 1–31. Gender is the parity of the last digit (odd = man).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import polars as pl

CPR_PATTERN = re.compile(r"^(\d{2})(\d{2})(\d{2})-?(\d{4})$")
SUBSTITUTE_DAY_OFFSET = 60


class CprError(ValueError):
    """A CPR number that cannot be a person: wrong shape or an impossible birth date."""

    def __init__(self, value: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.value = value
        self.reason = reason


@dataclass(frozen=True)
class Cpr:
    """What a CPR number says about its holder."""

    normalised: str
    birth_date: date
    gender: str
    substitute: bool

    def age_at(self, reference: date) -> int:
        return age_at(self.birth_date, reference)


def century(year_two_digits: int, seventh_digit: int) -> int:
    """The century (1800, 1900 or 2000) of a birth year from the CPR office's table."""
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if year_two_digits <= 36 else 1900
    return 2000 if year_two_digits <= 57 else 1800


def age_at(birth: date, reference: date) -> int:
    """Completed years at the reference date (a birthday counts from the day itself)."""
    had_birthday = (reference.month, reference.day) >= (birth.month, birth.day)
    return reference.year - birth.year - (0 if had_birthday else 1)


def gender_from_serial(last_digit: int) -> str:
    return "mand" if last_digit % 2 == 1 else "kvinde"


def parse_cpr(value: str) -> Cpr:
    """Parse DDMMYY-SSSS (dash optional); raise CprError with reason ``ugyldigt-cpr`` or ``umulig-dato``."""
    text = value.strip()
    match = CPR_PATTERN.match(text)
    if match is None:
        raise CprError(value, "ugyldigt-cpr", f"CPR-nummeret {mask_cpr(text)!r} har ikke formen DDMMÅÅ-SSSS")
    dd, mm, yy, serial = match.groups()
    day = int(dd)
    substitute = day > SUBSTITUTE_DAY_OFFSET
    if substitute:
        day -= SUBSTITUTE_DAY_OFFSET
    year = century(int(yy), int(serial[0])) + int(yy)
    try:
        birth = date(year, int(mm), day)
    except ValueError:
        raise CprError(
            value, "umulig-dato", f"CPR-nummeret {mask_cpr(text)!r} har en fødselsdato, der ikke findes"
        ) from None
    return Cpr(f"{dd}{mm}{yy}-{serial}", birth, gender_from_serial(int(serial[3])), substitute)


def mask_cpr(value: str) -> str:
    """Keep the birth-date part and hide the serial number: ``010203-****``."""
    text = value.strip()
    if len(text) <= 6:
        return text
    return text[:6] + "-****"


def mask_cpr_expr(column: pl.Expr) -> pl.Expr:
    """Vectorised :func:`mask_cpr`."""
    text = column.str.strip_chars()
    return pl.when(text.str.len_chars() <= 6).then(text).otherwise(text.str.slice(0, 6) + "-****")


def cpr_columns(column: pl.Expr) -> dict[str, pl.Expr]:
    """Vectorised parse: expressions for normalised CPR, birth date, gender, substitute flag and shape check.

    ``cpr_form_ok`` is false when the text is not DDMMYY[-]SSSS; ``foedselsdato`` is null when the shape is
    right but the date does not exist (the ``umulig-dato`` case).
    """
    text = column.str.strip_chars()
    parts = text.str.extract_groups(r"^(\d{2})(\d{2})(\d{2})-?(\d{4})$")
    dd = parts.struct.field("1")
    mm = parts.struct.field("2")
    yy = parts.struct.field("3")
    serial = parts.struct.field("4")
    day = dd.cast(pl.Int32)
    real_day = pl.when(day > SUBSTITUTE_DAY_OFFSET).then(day - SUBSTITUTE_DAY_OFFSET).otherwise(day)
    yy_int = yy.cast(pl.Int32)
    seventh = serial.str.slice(0, 1).cast(pl.Int32)
    century_expr = (
        pl.when(seventh <= 3)
        .then(1900)
        .when(seventh.is_in([4, 9]))
        .then(pl.when(yy_int <= 36).then(2000).otherwise(1900))
        .otherwise(pl.when(yy_int <= 57).then(2000).otherwise(1800))
    )
    year = century_expr + yy_int
    iso = pl.concat_str(
        [
            year.cast(pl.String).str.zfill(4),
            mm,
            real_day.cast(pl.String).str.zfill(2),
        ],
        separator="-",
    )
    last = serial.str.slice(3, 1).cast(pl.Int32)
    return {
        "cpr_form_ok": dd.is_not_null(),
        "cpr_normaliseret": pl.concat_str([dd, mm, yy, pl.lit("-"), serial]),
        "foedselsdato": iso.str.to_date("%Y-%m-%d", strict=False),
        "koen": pl.when(last.is_null()).then(None).when(last % 2 == 1).then(pl.lit("mand")).otherwise(
            pl.lit("kvinde")
        ),
        "erstatningsnummer": day > SUBSTITUTE_DAY_OFFSET,
    }


def age_expr(birth: pl.Expr, reference: date) -> pl.Expr:
    """Vectorised :func:`age_at`."""
    before_birthday = (birth.dt.month() > reference.month) | (
        (birth.dt.month() == reference.month) & (birth.dt.day() > reference.day)
    )
    return (pl.lit(reference.year) - birth.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int32)


AGE_GROUPS: tuple[tuple[str, int, int], ...] = (("16-29", 16, 29), ("30-49", 30, 49), ("50-66", 50, 66))


def age_group(age: int) -> str | None:
    """The reporting age group ("16-29", "30-49", "50-66"); None outside the working age."""
    return next((label for label, low, high in AGE_GROUPS if low <= age <= high), None)


def age_group_expr(age: pl.Expr) -> pl.Expr:
    """Vectorised :func:`age_group`."""
    (first, low, high), *rest = AGE_GROUPS
    chain = pl.when(age.is_between(low, high)).then(pl.lit(first))
    for label, low_, high_ in rest:
        chain = chain.when(age.is_between(low_, high_)).then(pl.lit(label))
    return chain.otherwise(pl.lit(None, dtype=pl.String))
