"""Proportional allocation with largest-remainder rounding, fixed allocation, and the KL size rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from borgerblik.sampling import AllocationError, SizeRule, allocate_fixed, allocate_proportional
from borgerblik.synth import MUNICIPALITIES


def test_exact_quotas_need_no_rounding() -> None:
    assert allocate_proportional([10, 20, 30, 40], 10).tolist() == [1, 2, 3, 4]


def test_leftover_units_go_to_the_largest_remainders() -> None:
    # quotas 2.571, 1.714, 0.714 → floors 2, 1, 0; two leftovers to the remainders .714 (tie → larger first)
    assert allocate_proportional([18, 12, 5], 5).tolist() == [2, 2, 1]
    # quotas 2.5, 1.5, 1.0: one leftover, remainders tie → the larger stratum gets it
    assert allocate_proportional([5, 3, 2], 5).tolist() == [3, 1, 1]
    # full tie → stratum order
    assert allocate_proportional([1, 1, 1], 2).tolist() == [1, 1, 0]


def test_whole_population_when_n_reaches_it_and_nothing_for_zero() -> None:
    assert allocate_proportional([3, 0, 4], 100).tolist() == [3, 0, 4]
    assert allocate_proportional([3, 0, 4], 0).tolist() == [0, 0, 0]
    assert allocate_proportional([], 5).tolist() == []


def test_negative_input_is_refused() -> None:
    with pytest.raises(AllocationError):
        allocate_proportional([3, 4], -1)
    with pytest.raises(AllocationError):
        allocate_proportional([3, -4], 1)


@given(st.lists(st.integers(0, 5_000), max_size=60), st.integers(0, 100_000))
def test_sizes_sum_exactly_and_stay_within_one_of_the_quota(populations: list[int], n: int) -> None:
    sizes = allocate_proportional(populations, n)
    counts = np.asarray(populations, dtype=np.int64)
    total = int(counts.sum())
    assert int(sizes.sum()) == min(n, total)
    assert (sizes >= 0).all()
    assert (sizes <= counts).all()
    if total and n < total:
        quotas = counts * n / total
        assert (np.abs(sizes - quotas) < 1).all()


def test_fixed_number_per_group_takes_small_groups_whole() -> None:
    assert allocate_fixed([100, 35, 20], 40).tolist() == [40, 35, 20]
    assert allocate_fixed([100, 35, 20], [50, 30, 30]).tolist() == [50, 30, 20]


@given(st.lists(st.integers(0, 500), max_size=30), st.integers(0, 80))
def test_fixed_allocation_never_exceeds_a_group(populations: list[int], per_group: int) -> None:
    sizes = allocate_fixed(populations, per_group)
    assert sizes.tolist() == [min(p, per_group) for p in populations]


def test_kl_size_rule_ends_match_the_seed() -> None:
    rule = SizeRule()
    assert rule.size(1_499) == 1_499  # whole population under 1,500
    assert rule.size(1_500) == 1_500
    assert rule.size(1_518) == 1_507  # the seed's smallest sample
    assert rule.size(40_728) == 2_619  # the seed's largest sample
    assert rule.size(5_000) == 2_287  # 2619 − 1119·exp(−3500/2880) = 2287.1


def test_kl_size_rule_on_the_44_municipalities_gives_the_seed_total_within_one_percent() -> None:
    rule = SizeRule()
    sizes = [rule.size(m.population) for m in MUNICIPALITIES]
    assert sum(m.population for m in MUNICIPALITIES) == 198_877
    assert sum(sizes) == 86_956
    assert abs(sum(sizes) - 86_965) / 86_965 < 0.01
    assert (min(sizes), max(sizes)) == (1_507, 2_619)
