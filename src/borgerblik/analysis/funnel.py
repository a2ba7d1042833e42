"""Funnel plots: each municipality's adjusted score against its number of respondents, with control limits.

Around the national figure θ the limits at n respondents are θ ± z·σ/√n, z = 1,96 (95 %) and 3,09 (99,8 %),
σ the national spread (weighted standard deviation) of the answers after case-mix adjustment — Spiegelhalter's
funnel for a mean. A municipality outside the 99,8 % limits is out of line with the country beyond what chance
gives 1 in 500 times; with no true differences about 5 % of municipalities fall outside 95 % by chance.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from borgerblik.analysis.breakdowns import MUNICIPALITY
from borgerblik.weighting.estimates import Z_95

Z_998 = 3.090232306167813
"""Two-sided 99,8 % normal quantile."""


def control_limit(spread: float, n: np.ndarray | float, z: float) -> np.ndarray:
    """Half-width of the funnel at ``n`` respondents: z·σ/√n."""
    return z * spread / np.sqrt(np.asarray(n, dtype=float))


def funnel_curves(national: float, spread: float, largest: int, *, points: int = 60) -> pl.DataFrame:
    """The four limit lines on a grid of n (1 … largest, denser at small n), for drawing the funnel."""
    n = np.unique(np.round(np.geomspace(1, max(largest, 2), points)).astype(int))
    return pl.DataFrame(
        {
            "n": n,
            "lower_998": national - control_limit(spread, n, Z_998),
            "lower_95": national - control_limit(spread, n, Z_95),
            "upper_95": national + control_limit(spread, n, Z_95),
            "upper_998": national + control_limit(spread, n, Z_998),
        }
    )


def funnel_points(scores: pl.DataFrame) -> pl.DataFrame:
    """The municipalities as points (n, adjusted) with whether each is outside, shown ones only."""
    return scores.filter(pl.col("adjusted").is_not_null()).select(
        MUNICIPALITY, "n", "adjusted", "national", "outside_95", "outside_998"
    )


def outside_statement(scores: pl.DataFrame) -> str:
    """The municipalities outside the limits, named, in Danish."""
    shown = scores.filter(pl.col("adjusted").is_not_null())
    above = shown.filter(pl.col("outside_998") & (pl.col("adjusted") > pl.col("national")))
    below = shown.filter(pl.col("outside_998") & (pl.col("adjusted") < pl.col("national")))
    outer = shown.filter(pl.col("outside_95") & ~pl.col("outside_998"))
    parts = []
    if above.height:
        parts.append("over landsniveau (99,8 %): " + ", ".join(above[MUNICIPALITY].sort()))
    if below.height:
        parts.append("under landsniveau (99,8 %): " + ", ".join(below[MUNICIPALITY].sort()))
    if outer.height:
        parts.append("kun uden for 95 %-grænsen: " + ", ".join(outer[MUNICIPALITY].sort()))
    if not parts:
        return (
            f"Alle {shown.height} kommuner ligger inden for kontrolgrænserne efter justering for "
            "borgersammensætning."
        )
    return "Uden for kontrolgrænserne efter justering for borgersammensætning — " + "; ".join(parts) + "."
