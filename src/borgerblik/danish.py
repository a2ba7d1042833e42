"""Danish number formats (3,87 · 30.574 · 77,2 %), via Babel: one place for every stage, page and report."""

from __future__ import annotations

from babel.numbers import format_decimal

LOCALE = "da_DK"


def decimal(value: float, digits: int = 2) -> str:
    """4.03 → '4,03'; 1084.7 with one digit → '1.084,7'."""
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0", locale=LOCALE)


def integer(value: float) -> str:
    """30574 → '30.574'."""
    return format_decimal(value, format="#,##0", locale=LOCALE)


def percent(value: float, digits: int = 1) -> str:
    """77.2 (already in percent) → '77,2 %'."""
    return f"{decimal(value, digits)} %"


def share(fraction: float, digits: int = 1) -> str:
    """0.772 (a fraction) → '77,2 %'."""
    return percent(fraction * 100, digits)
