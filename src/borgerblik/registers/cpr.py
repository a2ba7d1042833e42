"""CPR numbers: birth date, century, gender and age — one row at a time and vectorised over a register.

The century is not in the number itself: the 7th digit (first digit of the serial number) together with the
two-digit year gives it, following the CPR office's table. Substitute numbers ("erstatningspersonnumre") add
60 to the day, so a day of 61–91 is a valid day 1–31. Gender is the parity of the last digit (odd = man).
Nine digits without a dash are taken as a number whose leading zero a spreadsheet dropped (102031234).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import polars as pl

from borgerblik.core.errors import BorgerblikError

CPR_PATTERN = re.compile(r"^(\d{2})(\d{2})(\d{2})-?(\d{4})$")
#: Nine digits without a dash: a CPR number whose leading zero (days 01–09) a spreadsheet dropped.
EXCEL_STRIPPED = re.compile(r"^\d{9}$")
SUBSTITUTE_DAY_OFFSET = 60


class CprError(BorgerblikError, ValueError):
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
    if EXCEL_STRIPPED.match(text):
        text = "0" + text
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


def valid_date_expr(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Whether year-month-day exists (Gregorian leap years), computed without building a date."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    return month.is_between(1, 12) & day.is_between(1, days)


def with_cpr_columns(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Vectorised parse of ``column``: adds normalised CPR, birth date, gender, substitute and shape flags.

    ``cpr_form_ok`` is false when the text is not DDMMYY[-]SSSS; ``foedselsdato`` is null when the shape is
    right but the date does not exist (the ``umulig-dato`` case).
    """
    stripped = pl.col(column).str.strip_chars()
    text = pl.when(stripped.str.contains(EXCEL_STRIPPED.pattern)).then("0" + stripped).otherwise(stripped)
    form_ok = text.str.contains(r"^\d{6}-?\d{4}$").fill_null(False)
    staged = frame.with_columns(
        cpr_form_ok=form_ok,
        _d10=pl.when(form_ok).then(text.str.replace("-", "", literal=True)),
    )
    digits = pl.col("_d10")
    staged = staged.with_columns(
        _dd=digits.str.slice(0, 2).cast(pl.Int32),
        _mm=digits.str.slice(2, 2).cast(pl.Int32),
        _yy=digits.str.slice(4, 2).cast(pl.Int32),
        _s7=digits.str.slice(6, 1).cast(pl.Int32),
        _last=digits.str.slice(9, 1).cast(pl.Int32),
    )
    dd, mm, yy, seventh, last = (pl.col(c) for c in ("_dd", "_mm", "_yy", "_s7", "_last"))
    century_expr = (
        pl.when(seventh <= 3)
        .then(1900)
        .when(seventh.is_in([4, 9]))
        .then(pl.when(yy <= 36).then(2000).otherwise(1900))
        .otherwise(pl.when(yy <= 57).then(2000).otherwise(1800))
    )
    staged = staged.with_columns(
        _year=century_expr + yy,
        _day=pl.when(dd > SUBSTITUTE_DAY_OFFSET).then(dd - SUBSTITUTE_DAY_OFFSET).otherwise(dd),
    )
    year, day = pl.col("_year"), pl.col("_day")
    valid = valid_date_expr(year, mm, day)
    return staged.with_columns(
        cpr_normaliseret=digits.str.slice(0, 6) + "-" + digits.str.slice(6, 4),
        foedselsdato=pl.when(valid).then(
            pl.date(pl.when(valid).then(year).otherwise(2000), pl.when(valid).then(mm).otherwise(1),
                    pl.when(valid).then(day).otherwise(1))
        ),
        koen=pl.when(last.is_null()).then(None).when(last % 2 == 1).then(pl.lit("mand")).otherwise(
            pl.lit("kvinde")
        ),
        erstatningsnummer=dd > SUBSTITUTE_DAY_OFFSET,
    ).drop("_d10", "_dd", "_mm", "_yy", "_s7", "_last", "_year", "_day")


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
