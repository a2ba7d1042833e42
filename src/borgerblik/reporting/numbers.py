"""How a report writes a figure: Danish (3,87 · 30.574 · 38,8 %) or English, via Babel, and which kind of
figure an analysis-table column holds — one rule for the HTML, the PDF and the Excel display formats."""

from __future__ import annotations

import math

from babel.numbers import format_decimal

LOCALES = {"da": "da_DK", "en": "en_GB"}
SHARE_PREFIXES = ("pct_", "share", "national_pct", "response_rate", "opt_out_rate")
COUNT_COLUMNS = frozenset(
    {
        "n_valid",
        "answers",
        "with_code",
        "theme",
        "n_dont_know",
        "rank",
        "n_municipalities",
        "n_high",
        "n_low",
        "n_group",
        "n_rest",
        "n",
        "n_included",
        "n_excluded",
        "sample",
        "responded",
        "opted_out",
        "population",
        "invited",
        "count",
        "messages",
    }
)


def kind_of(column: str) -> str:
    """'share' (a fraction shown in percent), 'count', 'weight' (percent of R², already ×100) or 'mean'."""
    if column.startswith(SHARE_PREFIXES):
        return "share"
    if column in COUNT_COLUMNS:
        return "count"
    if column.startswith("rescaled"):
        return "weight"
    return "mean"


class Numbers:
    """Formats for one report language."""

    def __init__(self, language: str = "da") -> None:
        self.locale = LOCALES[language]

    def decimal(self, value: float, digits: int = 2) -> str:
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        # Estimates summed in another order (parallel group sums) differ in the last bits; a figure exactly
        # half-way (33,25 %) must print the same every run, so the noise goes before the rounding for print.
        value = round(value, 9)
        if round(value, digits) == 0:
            value = 0.0  # -0,004 prints as 0,00, never as -0,00
        return format_decimal(value, format=pattern, locale=self.locale)

    def integer(self, value: float) -> str:
        return format_decimal(round(value), format="#,##0", locale=self.locale)

    def share(self, fraction: float, digits: int = 1) -> str:
        return f"{self.decimal(fraction * 100, digits)} %"

    def figure(self, column: str, value: float) -> str:
        """A table value as the report prints it, by the kind of its column."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        kind = kind_of(column)
        if kind == "share":
            return self.share(value)
        if kind == "count":
            return self.integer(value)
        if kind == "weight":
            return f"{self.decimal(value, 1)} %"
        return self.decimal(value, 2)


EXCEL_FORMATS = {"share": "0.0 %", "count": "#,##0", "weight": '0.0" %"', "mean": "0.00"}
"""Excel number formats by kind; Excel shows them with the reader's separators (3,87 in a Danish Excel)."""
