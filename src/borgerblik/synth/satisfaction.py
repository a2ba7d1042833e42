"""How satisfied the synthetic citizens are: one latent variable per person, read off by every item.

Each citizen has a latent satisfaction L = group effects + municipality effect + course effect + wave
shift + ε, ε ~ N(0, 1); the course effect makes long courses slightly less and ended ones slightly more
satisfying, so the duration and attachment breakdowns are not flat. The overall question cuts L at
fixed cutpoints; every other item cuts a noisy copy of L (loading λ, item shift δ), so items correlate
with the overall answer in proportion to λ and a key-driver analysis finds structure. The cutpoints
were solved once so the national population (the default register, wave 2024) answers
29,5 / 33,5 / 18,3 / 8,4 / 10,2 % from "meget tilfreds" down, the seed's weighted distribution; the
item shifts so the population's item means are plausible (velforberedt 3,87 as in the seed). Response
depends only on the weighting strata and the municipality, so post-stratified estimates recover these
population figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from borgerblik.synth.municipalities import MUNICIPALITIES
from borgerblik.synth.register import SURVEY_CLOSE

#: The seed's weighted overall distribution, "meget tilfreds" (5) first.
SEED_OVERALL_SHARES: tuple[float, ...] = (0.295, 0.335, 0.183, 0.084, 0.102)

#: Upper bounds of answers 1, 2, 3 and 4 on the latent scale (solved on the national register, wave 2024,
#: course effects included: the expected population shares are exactly the seed's).
CUTPOINTS = np.array([-1.4073, -1.0177, -0.4420, 0.4546])

#: Men, the young and aktivitetsparate are less satisfied (seed, "Vægtning").
GENDER_EFFECT = {"mand": -0.10, "kvinde": 0.0}
AGE_GROUP_EFFECT = {"16-29": -0.22, "30-49": 0.0, "50-66": 0.14}
GROUP_EFFECT = {
    "dagpenge": 0.0,
    "sygedagpenge": 0.08,
    "job_udd_parate": -0.06,
    "aktivitetsparate": -0.26,
    "jobafklaring": 0.02,
}
#: Small plausible changes between yearly waves, so trends exist.
WAVE_SHIFT = {2022: -0.05, 2023: -0.025, 2024: 0.0}
MUNICIPALITY_EFFECT = {m.name: m.satisfaction_effect for m in MUNICIPALITIES}

#: KL's duration groups: weeks on the latest benefit at the survey close, < 26, 26–52, 52–104, ≥ 104.
DURATION_WEEKS = (26, 52, 104)
#: Latent shift per duration group while the course lasts: the longer, the slightly less satisfied
#: (assumed; the seed shows this breakdown only as charts without figures).
DURATION_EFFECT = (0.06, 0.02, -0.03, -0.08)
#: Latent shift once the course has ended (status 2): slightly more satisfied (assumed, as above).
ENDED_EFFECT = 0.10
#: National mean of the course shifts (default register, status as simulated), subtracted so the
#: population's mean latent satisfaction, and with it every item mean, stays where it was calibrated.
COURSE_EFFECT_CENTRE = 0.0300


@dataclass(frozen=True)
class ItemModel:
    """How one closed item reads the latent satisfaction."""

    loading: float
    shift: float
    #: share answering "ved ikke/ikke relevant" (the seed's counts over those asked)
    dont_know: float


ITEM_MODELS: dict[str, ItemModel] = {
    "tillid": ItemModel(0.80, 0.30, 0.039),
    "udgangspunkt": ItemModel(0.85, 0.05, 0.036),
    "inddragelse": ItemModel(0.80, 0.00, 0.078),
    "klart_maal": ItemModel(0.70, -0.10, 0.077),
    "aktiviteter_mening": ItemModel(0.70, -0.15, 0.209),
    "samarbejde": ItemModel(0.60, -0.30, 0.130),
    "formaal_klart": ItemModel(0.60, 0.30, 0.039),
    "velforberedt": ItemModel(0.60, 0.17, 0.040),
    "formidling_regler": ItemModel(0.55, 0.05, 0.066),
    "plan_maal": ItemModel(0.60, -0.10, 0.060),
    "plan_aftaler": ItemModel(0.55, 0.00, 0.055),
    "plan_naeste_skridt": ItemModel(0.60, -0.15, 0.065),
    "jobmuligheder": ItemModel(0.50, -0.75, 0.230),
    "taettere_job": ItemModel(0.75, -0.45, 0.131),
    "tilbagevenden_job": ItemModel(0.70, -0.35, 0.380),
    "styrket_tro": ItemModel(0.75, -0.40, 0.230),
}
#: "Ved ikke" share of the overall question: 1,337 of the 31,911 who answered it.
OVERALL_DONT_KNOW = 0.042
#: Fallback for items of other instruments (e.g. local questions).
DEFAULT_ITEM = ItemModel(0.6, 0.0, 0.04)


def mean_latent(strata: pl.DataFrame, wave: int) -> np.ndarray:
    """Expected latent satisfaction per citizen: the part the weighting strata and municipality explain."""
    if wave not in WAVE_SHIFT:
        raise ValueError(f"bølgen skal være en af {sorted(WAVE_SHIFT)}, fik {wave}")
    effects = strata.select(
        pl.col("koen").replace_strict(GENDER_EFFECT, default=0.0, return_dtype=pl.Float64)
        + pl.col("aldersgruppe").replace_strict(AGE_GROUP_EFFECT, default=0.0, return_dtype=pl.Float64)
        + pl.col("maalgruppe_kl2024").replace_strict(GROUP_EFFECT, default=0.0, return_dtype=pl.Float64)
        + pl.col("kommune").replace_strict(MUNICIPALITY_EFFECT, default=0.0, return_dtype=pl.Float64)
    ).to_series()
    return effects.to_numpy() + WAVE_SHIFT[wave]


def course_effect(strata: pl.DataFrame, ended: np.ndarray) -> np.ndarray:
    """Latent shift from the course: its duration while it lasts, a small lift once it has ended.

    Duration is counted as KL counts it, from the benefit start to the survey close (7 April 2024).
    """
    weeks = (
        strata.select((pl.lit(SURVEY_CLOSE) - pl.col("ydelse_start").str.to_date("%Y-%m-%d")).dt.total_days())
        .to_series()
        .to_numpy()
        / 7
    )
    duration = np.array(DURATION_EFFECT)[np.searchsorted(DURATION_WEEKS, weeks, side="right")]
    return np.where(ended, ENDED_EFFECT, duration) - COURSE_EFFECT_CENTRE


def to_scale(latent: np.ndarray) -> np.ndarray:
    """Answers 1–5 from latent values, by the fixed cutpoints."""
    return (np.searchsorted(CUTPOINTS, latent) + 1).astype(np.int8)


def item_latent(latent: np.ndarray, item: ItemModel, rng: np.random.Generator) -> np.ndarray:
    """A noisy reading of the latent satisfaction: correlation with it grows with the loading."""
    noise = rng.standard_normal(latent.size)
    return item.shift + item.loading * latent + np.sqrt(1 - item.loading**2) * noise
