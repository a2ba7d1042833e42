"""Allocating a sample size over strata.

Proportional allocation gives stratum *h* the quota n·N_h/N; Hamilton's largest-remainder rounding gives each
stratum the floor of its quota and hands the leftover units to the largest remainders, so the sizes sum to n
exactly and every stratum is within one person of its quota. Integer arithmetic keeps the remainders exact,
so ties are real ties and are broken by the larger stratum, then by stratum order — the same input always
gives the same allocation. Because a quota never exceeds its stratum, neither does its ceiling.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from borgerblik.core.errors import BorgerblikError


class AllocationError(BorgerblikError, ValueError):
    """Sizes that cannot be allocated (negative n or populations)."""


def _as_counts(populations: Sequence[int] | np.ndarray) -> np.ndarray:
    counts = np.asarray(populations, dtype=np.int64)
    if counts.ndim != 1:
        raise AllocationError("stratapopulationerne skal være en liste af tal")
    if (counts < 0).any():
        raise AllocationError(f"en stratumpopulation er negativ: {counts.min()}")
    return counts


def allocate_proportional(populations: Sequence[int] | np.ndarray, n: int) -> np.ndarray:
    """Sizes per stratum summing to min(n, total), each the floor or ceiling of its proportional quota."""
    counts = _as_counts(populations)
    if n < 0:
        raise AllocationError(f"stikprøvestørrelsen skal være mindst 0, fik {n}")
    total = int(counts.sum())
    if n >= total:
        return counts.copy()
    numerators = counts * np.int64(n)
    sizes = numerators // total
    remainders = numerators % total
    leftover = n - int(sizes.sum())
    if leftover:
        order = np.lexsort((np.arange(counts.size), -counts, -remainders))
        sizes[order[:leftover]] += 1
    return sizes


def allocate_fixed(
    populations: Sequence[int] | np.ndarray, per_stratum: Sequence[int] | np.ndarray | int
) -> np.ndarray:
    """A fixed number per stratum (VIVE: 30–50 interviews per subgroup), the whole stratum if smaller."""
    counts = _as_counts(populations)
    wanted = np.broadcast_to(np.asarray(per_stratum, dtype=np.int64), counts.shape)
    if (wanted < 0).any():
        raise AllocationError(f"et fast antal pr. gruppe er negativt: {wanted.min()}")
    return np.minimum(counts, wanted)
