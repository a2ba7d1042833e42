"""Survey rounds: created from a shipped template, and read back as the tables the statistics work on.

A survey freezes a copy of its instrument, its period and close date, and the names of the configuration
its stages read from ``settings`` (population rules, sample design, grouping scheme, suppression threshold).
The defaults are those of the seed behind each template; every one can be overridden per survey.

:func:`stored_survey` is where storage feeds the statistics: respondents and population as analysis
frames (no CPR, no contact data), so the command line, the demo and the web app weight and analyse the
same tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from borgerblik.analysis import prepare_analysis_frame
from borgerblik.core import Instrument, dump_instrument, load_template, parse_instrument
from borgerblik.sampling.draw import design_keys
from borgerblik.sampling.survey_sample import design_of
from borgerblik.storage import Database, SurveyRecord
from borgerblik.storage.outcomes import RESPONDED
from borgerblik.weighting import DrawnStrata, Weighting, WeightingInputError, poststratify
from borgerblik.weighting.tables import ID_COLUMN

MEMBER_FIELDS = {
    "member_id": ID_COLUMN,
    "kommune": "kommune",
    "maalgruppe": "maalgruppe",
    "gender": "koen",
    "age": "alder",
    "age_group": "aldersgruppe",
    "ydelse_start": "ydelse_start",
    "ydelse_slut": "ydelse_slut",
}

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


@dataclass(frozen=True)
class StoredSurvey:
    """A stored survey as analysis frames: the respondents, the sample with each outcome, the population."""

    record: SurveyRecord
    instrument: Instrument
    respondents: pl.DataFrame
    #: every sampled member with ``outcome``: complete, partial, blank, opted_out or no_response
    #: (:mod:`borgerblik.storage.outcomes`, the one definition)
    sample: pl.DataFrame
    population: pl.DataFrame

    def population_counts(self, cells: Sequence[str]) -> pl.DataFrame:
        return self.population.group_by(list(cells)).len("count")

    def poststratify(self, cells: Sequence[str]) -> Weighting:
        """KL's weighting: population count / answers per cell of ``cells``."""
        return poststratify(self.respondents, self.population_counts(cells), list(cells))


def stored_survey(db: Database, survey_id: int, schemes: Sequence[str] = ("kl2024",)) -> StoredSurvey:
    """Respondents (partial and complete, with their register fields — never the opted-out or blank) and
    the population of a survey."""
    record = db.survey(survey_id)
    instrument = parse_instrument(record.instrument_yaml, f"undersøgelse {record.id}")
    stored = db.members_frame(record.id)
    members = stored.select(pl.col(source).alias(target) for source, target in MEMBER_FIELDS.items())
    sample = stored.filter(pl.col("sampled")).select(
        *(pl.col(source).alias(target) for source, target in MEMBER_FIELDS.items()), "outcome"
    )
    respondent_ids = stored.filter(pl.col("outcome").is_in(RESPONDED))["member_id"]
    answers = db.responses_frame(record.id, wide=True)
    answered = answers.filter(pl.col("member_id").is_in(respondent_ids.implode()))
    answered = answered.drop("invitation_id", "response_state")
    respondents = members.join(
        answered.rename({"member_id": ID_COLUMN}), on=ID_COLUMN, how="inner", maintain_order="right"
    )
    unasked = [q for q in instrument.scale_items() if q not in respondents.columns]
    respondents = respondents.with_columns(pl.lit(None, dtype=pl.Int16).alias(q) for q in unasked)
    close = {"close_date": record.reference_date} if record.reference_date else {}
    return StoredSurvey(
        record,
        instrument,
        prepare_analysis_frame(respondents, schemes=schemes, **close),
        prepare_analysis_frame(sample, schemes=schemes),
        prepare_analysis_frame(members, schemes=schemes),
    )


SAMPLE_NAMES = {"gender": "koen", "age_group": "aldersgruppe", "age": "alder"}
"""The stored members' columns under the names the sample designs use."""


def drawn_strata(db: Database, record: SurveyRecord) -> DrawnStrata | None:
    """The strata of the sample as drawn: each sampled member's stored stratum, each stratum's population.

    The population per stratum is counted with the survey's sample design (the same labels the draw
    stored); a stored label the design does not give back means the design changed after the draw, and then
    the drawn design cannot be stated — an error rather than a silently wrong fpc.
    """
    members = db.members_frame(record.id).unique("member_id", keep="first").rename(SAMPLE_NAMES)
    if not members.get_column("sampled").fill_null(False).any():
        return None
    keys = design_keys(design_of(record))
    parts = [pl.col(k).cast(pl.String).fill_null("") for k in keys]
    label = pl.concat_str(parts, separator=" × ") if keys else pl.lit("alle")
    labelled = members.with_columns(label.alias("_label"))
    sampled = labelled.filter(pl.col("sampled").fill_null(False))
    unsampled = labelled.filter(~pl.col("sampled").fill_null(False))
    changed = sampled.filter(pl.col("_label") != pl.col("stratum"))
    if changed.height and unsampled.height:
        raise WeightingInputError(
            f"undersøgelse {record.id}", None, "stratum", f"stikprøvestratum '{changed['_label'][0]}'",
            f"'{changed['stratum'][0]}'", "stikprøvedesignet er ændret efter udtrækningen",
        )
    # the drawn members count in their stored stratum; the others in the one the design gives them
    population = pl.concat(
        [sampled.select(pl.col("stratum").alias("_label")), unsampled.select("_label")]
    ).group_by("_label").len("count")
    return DrawnStrata(
        of_respondent=dict(zip(sampled["member_id"].to_list(), sampled["stratum"].to_list(), strict=True)),
        population=dict(zip(population["_label"].to_list(), population["count"].to_list(), strict=True)),
    )
