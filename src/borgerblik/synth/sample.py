"""A simple proportional sample of the synthetic register, so the fieldwork can be simulated alone.

The sampling stage draws the real KL sample; this one exists so ``borgerblik synth fieldwork`` can
start from a whole register. Per municipality it takes ``kl_sample_size`` citizens (or a fixed
fraction), spread over the gender × age group × target group strata in proportion, largest
remainders first, at random within each stratum.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from borgerblik.core import load_groupings
from borgerblik.synth.cpr import cpr_birth_and_gender
from borgerblik.synth.municipalities import kl_sample_size
from borgerblik.synth.register import PERIOD_END

AGE_GROUPS: tuple[tuple[str, int, int], ...] = (("16-29", 16, 29), ("30-49", 30, 49), ("50-66", 50, 66))
GROUPING = "kl2024"


def with_strata(register: pl.DataFrame) -> pl.DataFrame:
    """Add gender, age at the period end, age group and KL group: the strata the sample and weights use."""
    born = cpr_birth_and_gender(register["cpr"])
    end = PERIOD_END
    age = (
        pl.lit(end.year)
        - pl.col("foedselsdato").dt.year()
        - (
            (pl.col("foedselsdato").dt.month() * 100 + pl.col("foedselsdato").dt.day())
            > end.month * 100 + end.day
        ).cast(pl.Int32)
    )
    scheme = load_groupings()[GROUPING]
    codes = register["maalgruppe"].unique().to_list()
    groups = {code: scheme.group_of(code) for code in codes}
    age_group = pl.lit(None, dtype=pl.Utf8)
    for label, low, high in reversed(AGE_GROUPS):
        age_group = pl.when(pl.col("alder").is_between(low, high)).then(pl.lit(label)).otherwise(age_group)
    return (
        register.with_columns(born)
        .with_columns(alder=age.cast(pl.Int32))
        .with_columns(
            aldersgruppe=age_group,
            maalgruppe_kl2024=pl.col("maalgruppe").replace_strict(groups, return_dtype=pl.Utf8),
        )
        .drop("foedselsdato")
    )


def largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers proportional to ``shares`` that sum exactly to ``total`` (Hamilton's method)."""
    exact = shares / shares.sum() * total
    whole = np.floor(exact).astype(np.int64)
    short = total - int(whole.sum())
    whole[np.argsort(-(exact - whole), kind="stable")[:short]] += 1
    return whole


def proportional_sample(register: pl.DataFrame, seed: int, fraction: float | None = None) -> pl.DataFrame:
    """Register rows drawn per municipality by the KL size rule (or ``fraction``), proportional per stratum.

    Small municipalities get relatively larger samples, as in KL's design, so weighting matters.
    """
    if fraction is not None and not 0 < fraction <= 1:
        raise ValueError(f"stikprøveandelen skal være over 0 og højst 1, fik {fraction}")
    rng = np.random.default_rng(seed)
    frame = with_strata(register).with_row_index("_row")
    strata = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]
    counts = frame.group_by(strata).len().sort(strata)
    wanted = []
    for (_kommune,), part in counts.group_by(["kommune"], maintain_order=True):
        size = int(part["len"].sum())
        n = round(size * fraction) if fraction is not None else kl_sample_size(size)
        wanted.append(part.with_columns(take=pl.Series(largest_remainder(part["len"].to_numpy(), n))))
    allocation = pl.concat(wanted).drop("len")
    drawn = (
        frame.with_columns(_key=pl.Series(rng.random(frame.height)))
        .with_columns(_rank=pl.col("_key").rank("ordinal").over(strata))
        .join(allocation, on=strata)
        .filter(pl.col("_rank") <= pl.col("take"))
        .sort("_row")
    )
    return drawn.select(register.columns)
