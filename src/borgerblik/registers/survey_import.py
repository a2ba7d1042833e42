"""Importing a checked register extract into a survey: the population goes through the storage gateway.

Only the survey's population is stored (weighting reads it as the population per stratum); the exclusions
and rejects are reported, not stored. Re-importing is idempotent: citizens whose CPR is already in the
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
    return SurveyImport(survey, population, fresh.height, rows.height - fresh.height)

