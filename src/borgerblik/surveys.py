"""Creating a survey round from a shipped template, with the defaults of the survey the template comes from.

A survey freezes a copy of its instrument, its period and close date, and the names of the configuration
its stages read from ``settings`` (population rules, sample design, grouping scheme, suppression threshold).
The defaults are those of the seed behind each template; every one can be overridden per survey.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from borgerblik.core import dump_instrument, load_template
from borgerblik.storage import Database

#: Per template: the period (register quarter), the close date (duration reference) and the settings.
TEMPLATE_DEFAULTS: dict[str, dict[str, Any]] = {
    "kl-2024": {
        "period_start": date(2023, 10, 1),
        "period_end": date(2023, 12, 31),
        "reference_date": date(2024, 4, 7),
        "settings": {
            "population_rules": "kl2024",
            "sample_design": "kl2024",
            "grouping": "kl2024",
            "suppression_threshold": 5,
        },
    },
    "rodovre-2023": {
        "settings": {
            "population_rules": "kl2024",
            "sample_design": "census",
            "grouping": "rodovre",
            "suppression_threshold": 5,
        },
    },
    "vive-kbh-2020": {
        "settings": {
            "population_rules": "kl2024",
            "sample_design": "vive-kbh-2020",
            "grouping": "kbh",
            "suppression_threshold": 5,
        },
    },
}


def create_survey_from_template(
    db: Database,
    name: str,
    template: str,
    *,
    period_start: date | None = None,
    period_end: date | None = None,
    reference_date: date | None = None,
    settings: Mapping[str, Any] | None = None,
) -> int:
    """Store a new survey round with a frozen copy of ``template``; returns its id."""
    instrument = load_template(template)
    defaults = TEMPLATE_DEFAULTS.get(template, {})
    return db.create_survey(
        name,
        template,
        dump_instrument(instrument),
        period_start=period_start or defaults.get("period_start"),
        period_end=period_end or defaults.get("period_end"),
        reference_date=reference_date or defaults.get("reference_date"),
        settings={**defaults.get("settings", {}), **(settings or {})},
    )
