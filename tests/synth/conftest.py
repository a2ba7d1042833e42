"""One national register and one KL-sized sample for the whole synth test session (they take ~1 s)."""

from __future__ import annotations

import polars as pl
import pytest

from borgerblik.synth import generate_register, proportional_sample


@pytest.fixture(scope="session")
def register() -> pl.DataFrame:
    return generate_register(seed=2024)


@pytest.fixture(scope="session")
def sample(register: pl.DataFrame) -> pl.DataFrame:
    return proportional_sample(register, seed=7)
