"""Importing a checked register extract into a survey: the population goes through the storage gateway.

Only the survey's population is stored (weighting reads it as the population per stratum); the rejects are
reported, not stored, and the count excluded by each population rule is kept in the survey's settings
(``population_exclusions``, one entry per extract file by its sha256) for the report's method section.
Re-importing is idempotent: citizens whose CPR is already in the
survey are counted as already imported and not added again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from borgerblik.registers.population import (
    Population,
    PopulationRules,
    apply_population_rules,
    load_population_rules,
)
from borgerblik.registers.validation import RegisterCheck
from borgerblik.storage import Database, SurveyRecord

DEFAULT_RULES_NAME = "kl2024"
EXCLUSIONS_SETTING = "population_exclusions"
"""Setting: extract sha256 → {register, exclusions: [{rule, description, excluded}]}; a re-import of the same
file replaces its entry, so counts are never doubled."""


@dataclass(frozen=True)
class SurveyImport:
    survey: SurveyRecord
    population: Population
    added: int
    already_imported: int


def find_survey(database: Database, reference: str) -> SurveyRecord:
    """A survey by id (digits) or by name; NotFoundError names what was looked for."""
    text = reference.strip()
    if text.isdigit():
        return database.survey(int(text))
    return database.survey_by_name(text)


def rules_for(survey: SurveyRecord) -> PopulationRules:
    """The survey's named rules (setting ``population_rules``, default kl2024) over the survey's own period.

    A survey round stores its period; when it differs from the rules' period, the survey's wins and ages
    are taken at its end, so one rule set serves every round.
    """
    rules = load_population_rules(str(survey.settings.get("population_rules", DEFAULT_RULES_NAME)))
    if survey.period_start is None or survey.period_end is None:
        return rules
    if (survey.period_start, survey.period_end) == (rules.period_start, rules.period_end):
        return rules
    end = survey.period_end
    return replace(rules, period_start=survey.period_start, period_end=end, age_at=end)


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def member_rows(check: RegisterCheck, population: Population) -> pl.DataFrame:
    """The population joined back to its identities, in the gateway's row layout."""
    births = check.members.select("borger_id", "foedselsdato")
    return (
        population.frame.join(births, on="borger_id", how="left")
        .join(check.identities, on="borger_id", how="left")
        .select(
            "cpr",
            "kommune",
            "maalgruppe",
            pl.col("koen").alias("gender"),
            pl.col("foedselsdato").alias("birth_date"),
            pl.col("alder").alias("age"),
            pl.col("aldersgruppe").alias("age_group"),
            "ydelse_start",
            "ydelse_slut",
            "samtaler",
            "digital_post_fritaget",
            "telefon",
            "email",
        )
    )


def import_register(database: Database, survey: SurveyRecord, check: RegisterCheck) -> SurveyImport:
    """Apply the survey's population rules and store the members not already in it."""
    population = apply_population_rules(check.members, rules_for(survey))
    rows = member_rows(check, population)
    known = set(database.identity_keys(survey.id)["cpr"])
    fresh = rows.filter(~pl.col("cpr").is_in(list(known))) if known else rows
    if fresh.height:
        digest = _file_digest(check.source)
        database.add_members(survey.id, fresh.iter_rows(named=True), source=str(check.source), sha256=digest)
        _record_exclusions(database, survey.id, digest or str(check.source), population)
    return SurveyImport(survey, population, fresh.height, rows.height - fresh.height)


def _record_exclusions(database: Database, survey_id: int, key: str, population: Population) -> None:
    """Keep the counts excluded per rule (after the members are stored, so a failed import leaves none)."""
    known = dict(database.survey(survey_id).settings.get(EXCLUSIONS_SETTING) or {})
    known[key] = {
        "register": population.register_count,
        "exclusions": [
            {"rule": e.rule, "description": e.description, "excluded": e.excluded}
            for e in population.exclusions
        ],
    }
    database.update_survey_settings(survey_id, {EXCLUSIONS_SETTING: known})
