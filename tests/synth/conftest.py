"""One national register, one KL-sized sample and its 2024 fieldwork for the synth test session (~5 s)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

from borgerblik.core import Instrument, load_template
from borgerblik.synth import (
    Fieldwork,
    generate_register,
    proportional_sample,
    simulate_fieldwork,
    with_strata,
)

STRATA = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]


@pytest.fixture(scope="session")
def register() -> pl.DataFrame:
    return generate_register(seed=2024)


@pytest.fixture(scope="session")
def sample(register: pl.DataFrame) -> pl.DataFrame:
    return proportional_sample(register, seed=7)


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return load_template("kl-2024")


@pytest.fixture(scope="session")
def fieldwork(sample: pl.DataFrame, instrument: Instrument) -> Fieldwork:
    return simulate_fieldwork(sample, instrument, seed=11, wave=2024)


@pytest.fixture(scope="session")
def weighted(register: pl.DataFrame) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """Complete answers with the KL weight (population count / complete answers in the stratum).

    Written out here rather than taken from the weighting stage, so it is an independent reference.
    """
    population = with_strata(register).group_by(STRATA).len("population")

    def weigh(persons: pl.DataFrame) -> pl.DataFrame:
        complete = persons.filter(pl.col("outcome") == "complete")
        answers = complete.group_by(STRATA).len("answers")
        return (
            complete.join(answers, on=STRATA)
            .join(population, on=STRATA)
            .with_columns(weight=pl.col("population") / pl.col("answers"))
        )

    return weigh
