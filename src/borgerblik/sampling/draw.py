"""Drawing a stratified random sample with a fixed seed, and the report that shows it is proportional.

Within each stratum the sample is a simple random sample without replacement, drawn stratum by stratum in
key order with ``numpy.random.default_rng(seed)``. The same frame in the same row order with the same seed
therefore gives the same sample, on any machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from borgerblik.sampling.allocation import allocate_fixed, allocate_proportional
from borgerblik.sampling.design import DesignError, SampleDesign

ALL = "alle"
STRATUM = "_stratum"


@dataclass(frozen=True)
class Sample:
    """The drawn rows (same columns as the frame) and the allocation per stratum."""

    frame: pl.DataFrame
    allocation: pl.DataFrame
    design: SampleDesign
    seed: int

    @property
    def size(self) -> int:
        return self.frame.height

    @property
    def keys(self) -> list[str]:
        return design_keys(self.design)

    def report(self) -> pl.DataFrame:
        """Population vs sample share per stratum within its group, with the proportional quota."""
        within = self.design.within

        def share(column: str) -> pl.Expr:
            total = pl.col(column).sum()
            return pl.col(column) / (total.over(within) if within else total)

        return self.allocation.select(
            *self.keys,
            "population",
            share("population").alias("andel_population"),
            "kvote",
            "stikproeve",
            share("stikproeve").alias("andel_stikproeve"),
            (pl.col("stikproeve") - pl.col("kvote")).alias("afvigelse"),
        )

    def group_totals(self) -> pl.DataFrame:
        """Population and sample per `within` group (one row, ``alle``, when the design has none)."""
        if not self.design.within:
            return pl.DataFrame(
                {
                    "gruppe": [ALL],
                    "population": [int(self.allocation["population"].sum())],
                    "stikproeve": [int(self.allocation["stikproeve"].sum())],
                }
            )
        return (
            self.allocation.group_by(self.design.within)
            .agg(pl.col("population").sum(), pl.col("stikproeve").sum())
            .sort(self.design.within)
        )


def design_keys(design: SampleDesign) -> list[str]:
    return ([design.within] if design.within else []) + list(design.strata)


def _strata_with_rows(frame: pl.DataFrame, keys: Sequence[str]) -> tuple[pl.DataFrame, np.ndarray]:
    """The strata in key order with their population, and all row numbers grouped stratum by stratum.

    Within a stratum the rows keep the frame's order, so the draw depends only on the frame and the seed.
    """
    if not keys:
        table = pl.DataFrame({"population": [frame.height]}, schema={"population": pl.Int64})
        return table, np.arange(frame.height, dtype=np.int64)
    grouped = (
        frame.select(keys)
        .with_row_index(STRATUM)
        .group_by(list(keys))
        .agg(pl.col(STRATUM), pl.len().cast(pl.Int64).alias("population"))
        .sort(list(keys), nulls_last=True)
    )
    rows = grouped[STRATUM].explode().to_numpy().astype(np.int64)
    return grouped.drop(STRATUM), rows


def _stratum_label(row: dict[str, object], strata: Sequence[str]) -> str:
    return " × ".join("" if row[column] is None else str(row[column]) for column in strata)


def _allocate(strata: pl.DataFrame, design: SampleDesign) -> tuple[np.ndarray, np.ndarray]:
    """Sample size and exact proportional quota per stratum."""
    population = strata["population"].to_numpy().astype(np.int64)
    if design.mode == "census":
        return population.copy(), population.astype(float)
    if design.mode == "fixed_per_group":
        wanted = [
            design.per_group_sizes.get(_stratum_label(row, design.strata), design.per_group)
            for row in strata.iter_rows(named=True)
        ]
        sizes = allocate_fixed(population, np.asarray(wanted, dtype=np.int64))
        return sizes, sizes.astype(float)
    sizes = np.zeros_like(population)
    quotas = np.zeros(population.size, dtype=float)
    groups = strata[design.within].to_list() if design.within else [ALL] * strata.height
    labels = np.asarray(["" if g is None else str(g) for g in groups], dtype=object)
    index = np.arange(strata.height)
    names = list(dict.fromkeys(labels.tolist()))
    missing = [g for g in names if design.sizes is not None and g not in design.sizes]
    if missing:
        raise DesignError(
            f"stikprøvestørrelse mangler for {design.within or 'gruppen'} "
            + ", ".join(g or repr(g) for g in missing)
        )
    for name in names:
        members = index[labels == name]
        total = int(population[members].sum())
        n = design.sizes[name] if design.sizes is not None else design.size_rule.size(total)
        n = min(int(n), total)
        sizes[members] = allocate_proportional(population[members], n)
        quotas[members] = population[members] * n / total if total else 0.0
    return sizes, quotas


def draw_sample(frame: pl.DataFrame, design: SampleDesign, seed: int) -> Sample:
    """Draw ``design`` from ``frame`` with ``seed``; the sample keeps the frame's row order and columns."""
    keys = design_keys(design)
    absent = [column for column in keys if column not in frame.columns]
    if absent:
        raise DesignError(
            f"rammen mangler kolonnen {', '.join(absent)}; kolonner i rammen: {', '.join(frame.columns)}"
        )
    strata, rows = _strata_with_rows(frame, keys)
    sizes, quotas = _allocate(strata, design)
    rng = np.random.default_rng(seed)
    chosen = np.zeros(frame.height, dtype=bool)
    ends = np.cumsum(strata["population"].to_numpy())
    starts = ends - strata["population"].to_numpy()
    for stratum in np.flatnonzero(sizes):
        members = rows[starts[stratum] : ends[stratum]]
        wanted = int(sizes[stratum])
        if wanted >= members.size:
            chosen[members] = True
        else:
            chosen[members[rng.choice(members.size, wanted, replace=False)]] = True
    allocation = strata.with_columns(kvote=pl.Series(quotas), stikproeve=pl.Series(sizes, dtype=pl.Int64))
    return Sample(frame.filter(pl.Series(chosen)), allocation, design, seed)
