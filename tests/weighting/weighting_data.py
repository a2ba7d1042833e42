"""Synthetic respondents and population cells for the weighting tests, generated with numpy.

The cells (kommune × køn × alder × målgruppe) include empty ones (population but no respondents) and
tiny ones (a single respondent), the cases where R's lonely-PSU rule and our collapse rule matter.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import polars as pl

from borgerblik.weighting import poststratify
from borgerblik.weighting.collapse import collapse_cells

STRATA = ["kommune", "koen", "alder", "maalgruppe"]
QUESTIONS = ["tillid", "taettere_job", "samlet_tilfredshed"]
BY = ["alder", "status"]
LEVELS = {
    "kommune": ["Albertslund", "Brøndby", "Høje-Taastrup"],
    "koen": ["kvinde", "mand"],
    "alder": ["16-29", "30-49", "50-66"],
    "maalgruppe": ["aktivitetsparate", "dagpenge", "sygedagpenge"],
}


def generate(seed: int = 7, scale: float = 1.0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(responses, population): respondent_id, strata, status, answers; and strata with ``count``."""
    rng = np.random.default_rng(seed)
    cells = list(itertools.product(*(LEVELS[c] for c in STRATA)))
    population = rng.integers(20, 400, size=len(cells)) * scale
    population = np.maximum(population.astype(int), 2)
    rates = rng.uniform(0.05, 0.35, size=len(cells))
    respondents = rng.binomial(population, rates)
    respondents[[3, 17, 40]] = 0
    respondents[[5, 22, 51]] = 1
    rows = []
    for cell, count in zip(cells, respondents, strict=True):
        rows += [cell] * int(count)
    frame = pl.DataFrame(rows, schema=STRATA, orient="row")
    n = frame.height
    base = rng.normal(0, 1, n) + np.where(frame["alder"].to_numpy() == "50-66", 0.6, 0.0)
    answers = {}
    for j, question in enumerate(QUESTIONS):
        latent = base + rng.normal(0, 1, n) + 0.3 * j
        code = np.clip(np.round(3 + latent), 1, 5).astype(int).astype(str).astype(object)
        code[rng.random(n) < 0.06] = "9"
        code[rng.random(n) < 0.04] = ""
        if question == "taettere_job":
            code[frame["maalgruppe"].to_numpy() == "sygedagpenge"] = ""
        answers[question] = code
    status = np.where(rng.random(n) < 0.7, "igangværende", "afsluttet")
    responses = frame.with_columns(
        pl.Series("respondent_id", [f"R{i:05d}" for i in range(n)]),
        pl.Series("status", status),
        *(pl.Series(q, list(v), dtype=pl.Utf8) for q, v in answers.items()),
    ).select(["respondent_id", *STRATA, "status", *QUESTIONS])
    pop = pl.DataFrame(cells, schema=STRATA, orient="row").with_columns(pl.Series("count", population))
    return responses, pop


def write_r_inputs(directory: str | Path, seed: int = 7) -> None:
    """Inputs of r/survey_goldens.R: responses with cell, N, post-stratum, fixed weight, N_kommune.

    Post-strata are the cells after our collapse rule (R has none), so R sees the same groups we weight by.
    """
    responses, population = generate(seed)
    cells = population.sort(STRATA)
    weighting = poststratify(responses, population, STRATA)
    codes = weighting.design.strata
    groups, _ = collapse_cells(
        [tuple(r) for r in cells.select(STRATA).iter_rows()],
        np.bincount(codes, minlength=cells.height),
        cells["count"].to_numpy(),
    )
    rng = np.random.default_rng(seed + 1)
    responses = responses.with_columns(
        pl.Series("cell", [f"c{c:03d}" for c in codes]),
        pl.Series("N", weighting.design.population_sizes[codes].astype(int)),
        pl.Series("poststratum", [f"p{p:03d}" for p in groups[codes]]),
        pl.Series("fixed_weight", np.round(rng.gamma(4.0, 1.5, responses.height), 6)),
    ).join(
        population.group_by("kommune").agg(pl.col("count").sum().alias("N_kommune")),
        on="kommune", how="left", maintain_order="left",
    )
    totals = (
        pl.DataFrame({"poststratum": [f"p{g:03d}" for g in groups], "Freq": cells["count"].to_numpy()})
        .group_by("poststratum").agg(pl.col("Freq").sum()).sort("poststratum")
    )
    directory = Path(directory)
    responses.write_csv(directory / "responses.csv")
    population.write_csv(directory / "population.csv")
    totals.write_csv(directory / "poststrata.csv")
