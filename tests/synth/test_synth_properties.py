"""Properties of the building blocks: any birth date and gender round-trip through a substitute CPR."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from borgerblik.synth import kl_sample_size
from borgerblik.synth.cpr import cpr_birth_and_gender, substitute_cpr
from borgerblik.synth.sample import largest_remainder

births = st.lists(
    st.tuples(st.dates(min_value=date(1900, 1, 1), max_value=date(2036, 12, 31)), st.booleans()),
    min_size=1,
    max_size=50,
)


@settings(max_examples=60, deadline=None)
@given(people=births, seed=st.integers(0, 2**32 - 1))
def test_substitute_cpr_round_trips_birth_date_and_gender(people, seed):
    dates = np.array([d for d, _ in people], dtype="datetime64[D]")
    male = np.array([m for _, m in people])
    cpr = substitute_cpr(dates, male, np.random.default_rng(seed))
    assert cpr.n_unique() == len(people)
    assert cpr.str.slice(0, 2).cast(pl.Int32).is_between(61, 91).all()
    parsed = cpr_birth_and_gender(cpr)
    assert parsed["foedselsdato"].to_list() == [d for d, _ in people]
    assert parsed["koen"].to_list() == ["mand" if m else "kvinde" for _, m in people]


@settings(max_examples=100, deadline=None)
@given(shares=st.lists(st.integers(1, 5_000), min_size=1, max_size=40), total=st.integers(0, 3_000))
def test_largest_remainder_sums_exactly_and_stays_within_one_of_proportional(shares, total):
    counts = largest_remainder(np.array(shares, dtype=float), total)
    assert counts.sum() == total
    exact = np.array(shares) / sum(shares) * total
    assert np.all(np.abs(counts - exact) < 1)


@given(population=st.integers(0, 200_000))
def test_kl_sample_size_is_the_whole_population_below_1500_and_at_most_2619(population):
    size = kl_sample_size(population)
    assert size <= population
    assert size == population if population < 1_500 else 1_500 <= size <= 2_619
    assert kl_sample_size(population + 1) >= size
