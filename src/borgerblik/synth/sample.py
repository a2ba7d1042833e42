"""The strata and the KL sample of a synthetic register, through the registers and sampling stages.

Gender, age and age group come from the CPR number exactly as the registers stage derives them, and the
sample is the sampling stage's draw under its ``kl2024`` design (one size per municipality by the KL size
rule, proportional over gender × age group × target group), so ``borgerblik synth fieldwork`` can start
from a whole register and still simulate the sample the real pipeline would draw.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from borgerblik.core import load_groupings
from borgerblik.registers import load_population_rules
from borgerblik.registers.cpr import age_expr, age_group_expr, with_cpr_columns
from borgerblik.sampling import draw_sample, load_design

GROUPING = "kl2024"
DESIGN = "kl2024"
POPULATION_RULES = "kl2024"


def with_strata(register: pl.DataFrame) -> pl.DataFrame:
    """Add gender, age at the population rules' age date, age group and KL group: the weighting strata."""
    born = with_cpr_columns(register.select("cpr"), "cpr").select("foedselsdato", "koen")
    age_at = load_population_rules(POPULATION_RULES).age_at
    scheme = load_groupings()[GROUPING]
    groups = {code: scheme.group_of(code) for code in register["maalgruppe"].unique().to_list()}
    return (
        pl.concat([register, born], how="horizontal")
        .with_columns(alder=age_expr(pl.col("foedselsdato"), age_at))
        .with_columns(
            aldersgruppe=age_group_expr(pl.col("alder")),
            maalgruppe_kl2024=pl.col("maalgruppe").replace_strict(groups, return_dtype=pl.Utf8),
        )
        .drop("foedselsdato")
    )


def proportional_sample(register: pl.DataFrame, seed: int, fraction: float | None = None) -> pl.DataFrame:
    """Register rows drawn by the sampling stage's KL design, or ``fraction`` of every municipality.

    Small municipalities get relatively larger samples under the KL size rule, so weighting matters.
    """
    if fraction is not None and not 0 < fraction <= 1:
        raise ValueError(f"stikprøveandelen skal være over 0 og højst 1, fik {fraction}")
    design = load_design(DESIGN)
    frame = with_strata(register)
    if fraction is not None:
        populations = frame.group_by(design.within).len().iter_rows()
        design = replace(design, sizes={name: round(size * fraction) for name, size in populations})
    return draw_sample(frame, design, seed).frame.select(register.columns)
