"""Drawing a survey's sample from its stored population and recording it through the storage gateway.

The design is the survey's ``sample_design`` setting (default ``kl2024``). A survey is sampled once: the
draw is stored with its seed, so the same seed reproduces it, and a second draw is refused rather than
mixed into the first. :func:`survey_channels` reads the gateway's contact flags, never the numbers or
addresses themselves.
"""

from __future__ import annotations

import polars as pl

from borgerblik.sampling.design import DesignError, SampleDesign, load_design
from borgerblik.sampling.draw import Sample, design_keys, draw_sample
from borgerblik.sampling.reachability import reachability
from borgerblik.storage import Database, SurveyRecord

DEFAULT_DESIGN_NAME = "kl2024"
STORED_NAMES = {"member_id": "borger_id", "gender": "koen", "age_group": "aldersgruppe", "age": "alder"}


class AlreadySampledError(DesignError):
    """The survey already has a stored sample."""


def design_of(survey: SurveyRecord) -> SampleDesign:
    return load_design(str(survey.settings.get("sample_design", DEFAULT_DESIGN_NAME)))


def population_frame(database: Database, survey_id: int) -> pl.DataFrame:
    """The stored population under the register stage's column names, in CPR order.

    Member ids are random, so ordering by them would make the draw depend on the import; CPR order makes
    the same population and seed give the same sample in any database. The CPR is used for sorting only.
    """
    keys = database.identity_keys(survey_id).rename({"cpr": "_cpr"})
    members = database.members_frame(survey_id).join(keys, on="member_id", how="left")
    return members.sort("_cpr", "member_id").drop("_cpr").rename(STORED_NAMES)


def sample_survey(
    database: Database, survey: SurveyRecord, seed: int, design: SampleDesign | None = None
) -> Sample:
    """Draw the survey's sample with ``seed`` and store it (member → stratum label, and the seed)."""
    frame = population_frame(database, survey.id)
    if frame.height == 0:
        raise DesignError(
            f"undersøgelse {survey.id} ({survey.name}) har ingen population endnu. "
            "Tip: indlæs registerudtrækket med `borgerblik register import FIL --survey ...`"
        )
    sampled = int(frame["sampled"].sum())
    if sampled:
        raise AlreadySampledError(
            f"undersøgelse {survey.id} ({survey.name}) har allerede en stikprøve på {sampled} borgere"
        )
    chosen = design or design_of(survey)
    sample = draw_sample(frame.drop("sampled", "stratum"), chosen, seed)
    keys = design_keys(chosen)
    parts = [pl.col(k).cast(pl.String).fill_null("") for k in keys]
    label = pl.concat_str(parts, separator=" × ") if keys else pl.lit("alle")
    labels = sample.frame.select("borger_id", label.alias("stratum"))
    database.save_sample(survey.id, dict(labels.iter_rows()), seed)
    return sample


def survey_channels(database: Database, survey_id: int, sample: pl.DataFrame) -> pl.DataFrame:
    """Reachability per sampled member (see :func:`reachability`), from the gateway's contact flags."""
    flags = database.contact_flags(survey_id).rename({"member_id": "borger_id"})
    return reachability(sample, flags)
