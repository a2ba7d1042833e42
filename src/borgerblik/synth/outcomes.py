"""Who answers, who opts out, and when: the KL 2024 seed's response pattern.

Response propensities are logistic in age, gender and target group (women, the old and
sygedagpenge answer more; aktivitetsparate and under-30s less — the seed's non-response analysis),
with a per-municipality intercept solved so each municipality's expected response rate is its
calibrated rate (32–46 %, lower in large municipalities). Opt-out is likelier for men, the young and
dagpenge (the seed's "Ratio ml. besvarelse og aktivt fravalg"); partial answers make up 2,021 of
33,758 responses. Citizens without a phone miss the SMS reminders, and those exempt from Digital
Post miss the letter, so both answer less; those with neither channel only via the hotline.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from borgerblik.core.phone import national_digits
from borgerblik.sampling import reachability
from borgerblik.synth.municipalities import MUNICIPALITIES

COMPLETE, PARTIAL, OPTED_OUT, NO_RESPONSE = "complete", "partial", "opted_out", "no_response"
OUTCOMES: tuple[str, ...] = (COMPLETE, PARTIAL, OPTED_OUT, NO_RESPONSE)

#: Invitation day of each wave; the 2024 fieldwork ended on the seed's close date, 7 April 2024.
INVITATION_DAY = {2022: date(2022, 3, 21), 2023: date(2023, 3, 20), 2024: date(2024, 3, 18)}
REMINDER_DAYS: tuple[int, ...] = (7, 14)
FIELDWORK_DAYS = 21

#: Response-rate level of each wave relative to 2024 (the 2023 pilot had 43,2 %, 2024 38,8 %).
WAVE_RESPONSE_FACTOR = {2022: 0.41 / 0.388, 2023: 0.432 / 0.388, 2024: 1.0}
#: Share of the sample opting out. Only 2024 had an opt-out link; before, only a call to the hotline.
OPT_OUT_SHARE = {2022: 0.010, 2023: 0.010, 2024: 4_195 / 86_965}
PARTIAL_SHARE = 2_021 / 33_758

RESPONSE_AGE_SLOPE = 0.047  # per year of age
RESPONSE_WOMEN = 0.22
RESPONSE_GROUP = {
    "dagpenge": 0.0,
    "sygedagpenge": 0.35,
    "job_udd_parate": -0.10,
    "aktivitetsparate": -0.45,
    "jobafklaring": 0.10,
}
#: Odds factors for citizens reachable through one channel only (or none: hotline only).
RESPONSE_REACH = {"digital_post_og_sms": 1.0, "kun_sms": 0.75, "kun_digital_post": 0.6, "hverken": 0.05}
#: A usable mobile number in the extract: 8 digits, optionally after +45 (shared contract 1).
ROW = "_row"

OPT_OUT_MEN = 0.30
OPT_OUT_AGE = {"16-29": 0.40, "30-49": 0.10, "50-66": 0.0}
OPT_OUT_GROUP = {
    "dagpenge": 0.60,
    "sygedagpenge": 0.0,
    "job_udd_parate": 0.0,
    "aktivitetsparate": -0.35,
    "jobafklaring": 0.0,
}
PARTIAL_YOUNG, PARTIAL_MEN = 0.35, 0.20

#: Which mailing prompted an answer (invitation, 1st, 2nd reminder) — the curve jumps after each.
ANSWER_TRIGGER = (0.45, 0.30, 0.25)
OPT_OUT_TRIGGER = (0.65, 0.22, 0.13)
MEAN_DELAY_DAYS = 1.2

RESPONSE_RATE = {m.name: m.response_rate for m in MUNICIPALITIES}


def reach(frame: pl.DataFrame) -> pl.Series:
    """The sampling stage's KL channel category per citizen, from the extract's contact columns.

    digital_post_og_sms, kun_digital_post (no usable phone), kun_sms (exempt from Digital Post) or hverken.
    """
    # The one phone rule (core.phone), once per distinct number: 12345678 is no SMS recipient here either.
    numbers = {raw: national_digits(raw) for raw in frame["telefon"].drop_nulls().unique().to_list()}
    identities = frame.select(
        pl.int_range(pl.len()).alias(ROW),
        (pl.col("digital_post_fritaget").fill_null("nej").str.to_lowercase() == "ja").alias(
            "digital_post_fritaget"
        ),
        pl.col("telefon").replace_strict(numbers, default=None, return_dtype=pl.String),
        pl.when(pl.col("email") != "").then(pl.col("email")).alias("email"),
    )
    return reachability(identities, identities, ROW)["kategori"].alias("kontakt")


def draw_outcomes(
    strata: pl.DataFrame, reachability: pl.Series, wave: int, rng: np.random.Generator
) -> np.ndarray:
    """An outcome per citizen (needs kommune, koen, alder, aldersgruppe, maalgruppe_kl2024)."""
    size = strata.height
    women = (strata["koen"] == "kvinde").to_numpy()
    young = (strata["aldersgruppe"] == "16-29").to_numpy()
    group = strata["maalgruppe_kl2024"]
    response_x = (
        RESPONSE_AGE_SLOPE * (strata["alder"].to_numpy() - 42.0)
        + RESPONSE_WOMEN * women
        + group.replace_strict(RESPONSE_GROUP, default=0.0, return_dtype=pl.Float64).to_numpy()
        + np.log(reachability.replace_strict(RESPONSE_REACH, return_dtype=pl.Float64).to_numpy())
    )
    kommune = strata["kommune"].to_numpy()
    target = np.array([RESPONSE_RATE.get(k, 0.388) for k in kommune]) * WAVE_RESPONSE_FACTOR[wave]
    _, municipality_index = np.unique(kommune, return_inverse=True)
    p_response = _calibrated(response_x, municipality_index, target)
    responded = rng.random(size) < p_response

    opt_x = (
        OPT_OUT_MEN * ~women
        + strata["aldersgruppe"].replace_strict(OPT_OUT_AGE, default=0.0, return_dtype=pl.Float64).to_numpy()
        + group.replace_strict(OPT_OUT_GROUP, default=0.0, return_dtype=pl.Float64).to_numpy()
    )
    others = ~responded
    opt_target = min(OPT_OUT_SHARE[wave] * size / max(int(others.sum()), 1), 1.0)
    p_opt = _calibrated(
        opt_x[others], np.zeros(int(others.sum()), dtype=np.int64), np.full(int(others.sum()), opt_target)
    )
    opted = np.zeros(size, dtype=bool)
    opted[others] = rng.random(int(others.sum())) < p_opt

    partial_x = PARTIAL_YOUNG * young + PARTIAL_MEN * ~women
    p_partial = _calibrated(
        partial_x[responded],
        np.zeros(int(responded.sum()), dtype=np.int64),
        np.full(int(responded.sum()), PARTIAL_SHARE),
    )
    partial = np.zeros(size, dtype=bool)
    partial[responded] = rng.random(int(responded.sum())) < p_partial

    outcome = np.full(size, NO_RESPONSE, dtype=object)
    outcome[opted] = OPTED_OUT
    outcome[responded] = COMPLETE
    outcome[partial] = PARTIAL
    return outcome.astype(str)


def _calibrated(x: np.ndarray, group: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Probabilities sigmoid(a_g + x) with each group's intercept a_g set so its mean hits its target.

    Bisection on all groups at once: the mean is monotone in the intercept.
    """
    groups = int(group.max()) + 1 if group.size else 0
    counts = np.bincount(group, minlength=groups)
    wanted = np.bincount(group, weights=target, minlength=groups) / np.maximum(counts, 1)
    low, high = np.full(groups, -15.0), np.full(groups, 15.0)
    for _ in range(60):
        middle = (low + high) / 2
        mean = np.bincount(group, weights=_sigmoid(middle[group] + x), minlength=groups) / np.maximum(
            counts, 1
        )
        too_high = mean > wanted
        high = np.where(too_high, middle, high)
        low = np.where(too_high, low, middle)
    return _sigmoid((low + high)[group] / 2 + x)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def draw_days(outcome: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fieldwork day (0–20) of each answer or opt-out; −1 for citizens who did neither."""
    size = outcome.size
    answered = (outcome == COMPLETE) | (outcome == PARTIAL)
    opted = outcome == OPTED_OUT
    mailing = np.array((0, *REMINDER_DAYS))
    trigger = np.where(
        answered,
        mailing[_choice(ANSWER_TRIGGER, size, rng)],
        mailing[_choice(OPT_OUT_TRIGGER, size, rng)],
    )
    delay = np.minimum(np.floor(rng.exponential(MEAN_DELAY_DAYS, size)), 6).astype(np.int64)
    day = np.minimum(trigger + delay, FIELDWORK_DAYS - 1)
    return np.where(answered | opted, day, -1)


def _choice(shares: tuple[float, ...], size: int, rng: np.random.Generator) -> np.ndarray:
    return np.searchsorted(np.cumsum(shares), rng.random(size) * sum(shares))
