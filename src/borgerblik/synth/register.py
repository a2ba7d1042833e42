"""The synthetic national register extract (shared contract 1), calibrated to the KL 2024 seed.

Everything is drawn with numpy/polars column operations: the whole 198,877-row extract takes well
under the 5 s the benchmark allows. The same seed always gives the same frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from borgerblik.synth.contacts import contact_columns
from borgerblik.synth.cpr import substitute_cpr
from borgerblik.synth.municipalities import MUNICIPALITIES

#: The KL 2024 period (4th quarter 2023) and the survey close date (the duration reference date).
PERIOD_START = date(2023, 10, 1)
PERIOD_END = date(2023, 12, 31)
SURVEY_CLOSE = date(2024, 4, 7)

REGISTER_COLUMNS: tuple[str, ...] = (
    "cpr",
    "kommune",
    "maalgruppe",
    "ydelse_start",
    "ydelse_slut",
    "samtaler",
    "digital_post_fritaget",
    "telefon",
    "email",
)

QUALIFYING_CONVERSATIONS: tuple[str, ...] = ("jobsamtale", "opfølgningssamtale", "fællessamtale med a-kasse")
OTHER_CONVERSATION = "rådighedssamtale"

#: Population rules an ineligible row breaks; ineligible row i (counted from the first one, which
#: follows the eligible rows) breaks INELIGIBLE_RULES[i % 4] and only that rule.
INELIGIBLE_RULES: tuple[str, ...] = ("alder", "samtale", "periode", "maalgruppe")
UNKNOWN_TARGET_GROUPS: tuple[str, ...] = ("6.0", "7.1")


@dataclass(frozen=True)
class LabProfile:
    """How citizens in one LAB target group look in the register (assumed from Danish benefit statistics)."""

    share: float
    women: float
    age_mean: float
    age_sd: float
    age_min: int
    age_max: int
    #: median time on the benefit at the period end, in days, and its log-normal spread
    duration_median: float
    duration_spread: float
    #: share whose benefit ended during the quarter
    ended: float


LAB_PROFILES: dict[str, LabProfile] = {
    "6.1": LabProfile(0.25, 0.48, 42.0, 12.0, 18, 66, 120, 0.9, 0.40),
    "6.2": LabProfile(0.07, 0.42, 44.0, 9.0, 30, 66, 400, 1.0, 0.25),
    "6.3": LabProfile(0.12, 0.48, 45.0, 9.0, 30, 66, 1200, 0.9, 0.10),
    "6.4": LabProfile(0.06, 0.45, 23.0, 3.2, 16, 29, 300, 1.0, 0.30),
    "6.5": LabProfile(0.06, 0.47, 23.0, 3.5, 16, 29, 600, 0.9, 0.15),
    "6.6": LabProfile(0.29, 0.60, 46.5, 11.0, 18, 66, 110, 0.9, 0.40),
    "6.7": LabProfile(0.06, 0.62, 47.0, 9.0, 20, 66, 450, 0.6, 0.20),
    "6.8": LabProfile(0.05, 0.55, 43.0, 10.0, 20, 66, 900, 0.7, 0.10),
    "6.9": LabProfile(0.04, 0.55, 51.0, 8.0, 25, 66, 500, 1.0, 0.15),
}
LAB_CODES: tuple[str, ...] = tuple(LAB_PROFILES)
#: How strongly a municipality's target-group mix may differ from the national one (Dirichlet concentration).
MIX_CONCENTRATION = 400.0


def generate_register(seed: int = 2024, ineligible: int = 0) -> pl.DataFrame:
    """The national register extract: exactly 198,877 eligible citizens in the 44 KL municipalities.

    ``ineligible`` appends that many rows after the eligible ones, each breaking one population
    rule (see ``INELIGIBLE_RULES``), so the population rules can be tested against known exclusions.
    """
    if ineligible < 0:
        raise ValueError(f"ineligible skal være 0 eller flere, fik {ineligible}")
    rng = np.random.default_rng(seed)
    people = _eligible_people(rng)
    if ineligible:
        people = pl.concat([people, _ineligible_people(ineligible, rng)])
    cpr = substitute_cpr(people["foedselsdato"].to_numpy(), (people["koen"] == "mand").to_numpy(), rng)
    contacts = contact_columns((people["koen"] == "mand").to_numpy(), rng)
    frame = pl.concat([people.with_columns(cpr=cpr), contacts], how="horizontal")
    return frame.with_columns(
        pl.col("ydelse_start").dt.strftime("%Y-%m-%d"),
        pl.col("ydelse_slut").dt.strftime("%Y-%m-%d").fill_null(""),
    ).select(REGISTER_COLUMNS)


def _eligible_people(rng: np.random.Generator) -> pl.DataFrame:
    national = np.array([profile.share for profile in LAB_PROFILES.values()])
    kommune_parts, code_parts = [], []
    for item in MUNICIPALITIES:
        mix = rng.dirichlet(national * MIX_CONCENTRATION)
        counts = rng.multinomial(item.population, mix)
        codes = np.repeat(np.array(LAB_CODES), counts)
        kommune_parts.append(np.full(item.population, item.name))
        code_parts.append(codes[rng.permutation(codes.size)])
    codes = np.concatenate(code_parts)
    people = _people_for_codes(codes, rng)
    return people.with_columns(kommune=pl.Series(np.concatenate(kommune_parts)))


def _people_for_codes(codes: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """Gender, birth date, benefit dates and conversations for citizens of the given LAB codes."""
    size = codes.size
    index = _index(codes)
    women, age_mean, age_sd, age_min, age_max, median, spread, ended = (
        np.array([getattr(LAB_PROFILES[c], field) for c in LAB_CODES], dtype=float)[index]
        for field in (
            "women",
            "age_mean",
            "age_sd",
            "age_min",
            "age_max",
            "duration_median",
            "duration_spread",
            "ended",
        )
    )
    male = rng.random(size) >= women
    age = np.clip(np.round(rng.normal(age_mean, age_sd)), age_min, age_max).astype(np.int64)
    births = _birth_dates(age, rng)
    end = np.datetime64(PERIOD_END, "D")
    days_on_benefit = np.minimum(np.round(rng.lognormal(np.log(median), spread)), 15 * 365).astype(np.int64)
    sixteenth = births + np.timedelta64(16 * 366, "D")
    start = np.maximum(end - days_on_benefit.astype("timedelta64[D]"), sixteenth)
    start = np.minimum(start, end)
    has_ended = rng.random(size) < ended
    first_day = np.maximum(start, np.datetime64(PERIOD_START, "D"))
    span = (end - first_day).astype(np.int64) + 1
    stop = first_day + (rng.random(size) * span).astype(np.int64).astype("timedelta64[D]")
    return pl.DataFrame(
        {
            "maalgruppe": codes,
            "koen": np.where(male, "mand", "kvinde"),
            "foedselsdato": births,
            "ydelse_start": start,
            "ydelse_slut": pl.Series(stop).to_numpy(),
            "samtaler": _conversations(codes, rng),
        }
    ).with_columns(
        pl.when(pl.Series(has_ended)).then(pl.col("ydelse_slut")).otherwise(None).alias("ydelse_slut")
    )


def _index(codes: np.ndarray) -> np.ndarray:
    """Position of each code in LAB_CODES (which is sorted, so a binary search finds it)."""
    return np.searchsorted(np.array(LAB_CODES), codes)


def _birth_dates(age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A birth date giving exactly ``age`` on the period's last day (31 December: age = 2023 − birth year)."""
    year_start = (np.asarray(PERIOD_END.year - age) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    next_year = (np.asarray(PERIOD_END.year - age + 1) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    length = (next_year - year_start).astype(np.int64)
    return year_start + (rng.random(age.size) * length).astype(np.int64).astype("timedelta64[D]")


def _conversations(codes: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """Conversation types in the quarter: at least one qualifying type, in a fixed order."""
    size = codes.size
    dagpenge = codes == "6.1"
    sick = codes == "6.6"
    job = np.where(sick, rng.random(size) < 0.10, rng.random(size) < 0.90)
    follow_up = np.where(sick | (codes == "6.7"), rng.random(size) < 0.95, rng.random(size) < 0.20)
    joint = dagpenge & (rng.random(size) < 0.35)
    none = ~(job | follow_up | joint)
    job |= none & ~sick
    follow_up |= none & sick
    availability = dagpenge & (rng.random(size) < 0.10)
    frame = pl.DataFrame({"a": job, "b": follow_up, "c": joint, "d": availability})
    names = (*QUALIFYING_CONVERSATIONS, OTHER_CONVERSATION)
    return frame.select(
        pl.concat_str(
            [pl.when(pl.col(col)).then(pl.lit(name)) for col, name in zip("abcd", names, strict=True)],
            separator=";",
            ignore_nulls=True,
        ).alias("samtaler")
    ).to_series()


def _ineligible_people(count: int, rng: np.random.Generator) -> pl.DataFrame:
    """Citizens who each break exactly one population rule, cycling through ``INELIGIBLE_RULES``."""
    codes = np.array(LAB_CODES)[rng.integers(0, len(LAB_CODES), count)]
    adult = np.isin(codes, ["6.4", "6.5"], invert=True)
    codes = np.where(adult, codes, "6.1")
    people = _people_for_codes(codes, rng)
    rule = np.arange(count) % len(INELIGIBLE_RULES)
    too_old = rng.random(count) < 0.5
    wrong_age = np.where(too_old, rng.integers(67, 71, count), 15)
    births = _birth_dates(wrong_age, rng)
    before_period = np.datetime64(PERIOD_START, "D") - rng.integers(1, 120, count).astype("timedelta64[D]")
    after_period = np.datetime64(PERIOD_END, "D") + rng.integers(1, 60, count).astype("timedelta64[D]")
    unknown = np.array(UNKNOWN_TARGET_GROUPS)[rng.integers(0, len(UNKNOWN_TARGET_GROUPS), count)]
    ends_before = rng.random(count) < 0.5
    rules = pl.Series(np.array(INELIGIBLE_RULES)[rule])
    return people.with_columns(
        foedselsdato=pl.when(rules == "alder").then(pl.Series(births)).otherwise(pl.col("foedselsdato")),
        samtaler=pl.when(rules == "samtale").then(pl.lit(OTHER_CONVERSATION)).otherwise(pl.col("samtaler")),
        maalgruppe=pl.when(rules == "maalgruppe").then(pl.Series(unknown)).otherwise(pl.col("maalgruppe")),
        ydelse_start=pl.when(rules == "alder")
        .then(pl.max_horizontal(pl.col("ydelse_start"), pl.lit(PERIOD_START) - pl.duration(days=30)))
        .when((rules == "periode") & ~pl.Series(ends_before))
        .then(pl.Series(after_period))
        .when((rules == "periode") & pl.Series(ends_before))
        .then(pl.min_horizontal(pl.col("ydelse_start"), pl.Series(before_period) - pl.duration(days=30)))
        .otherwise(pl.col("ydelse_start")),
        ydelse_slut=pl.when((rules == "periode") & pl.Series(ends_before))
        .then(pl.Series(before_period))
        .when(rules == "periode")
        .then(None)
        .otherwise(pl.col("ydelse_slut")),
        kommune=pl.Series(
            np.array([m.name for m in MUNICIPALITIES])[rng.integers(0, len(MUNICIPALITIES), count)]
        ),
    )
