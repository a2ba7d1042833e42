"""``domain_contrast_variances`` (the case-mix scores' variances without a rows × municipalities matrix)
equals the general ``DesignVariance.variances`` on the matrix it stands for, on every kind of design:
post-strata nested in the domains (the fast path), raked (the general path) and domains the post-strata cross
(the general path again)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from weighting_data import STRATA

from borgerblik.weighting import fixed_weights, poststratify, rake
from borgerblik.weighting.inference import (
    DesignVariance,
    _domains_through_calibration,
    domain_contrast_variances,
)

R_DIR = Path(__file__).parent / "r"


def _designs() -> tuple[pl.DataFrame, dict[str, object]]:
    responses = pl.read_csv(R_DIR / "responses.csv", infer_schema=False)
    population = pl.read_csv(R_DIR / "population.csv", infer_schema=False)
    ids = responses["respondent_id"].to_numpy()
    return responses, {
        "poststratify": poststratify(responses, population, STRATA),
        "poststratify_srs": poststratify(responses, population, STRATA, design="srs"),
        "rake": rake(responses, population, STRATA, design_strata=["kommune"]),
        "fixed": fixed_weights(ids, responses["fixed_weight"].cast(pl.Float64).to_numpy()),
    }


@pytest.mark.parametrize("method", ["poststratify", "poststratify_srs", "rake", "fixed"])
@pytest.mark.parametrize("column", ["kommune", "status"])
def test_the_shortcut_equals_the_matrix_it_stands_for(method: str, column: str) -> None:
    responses, designs = _designs()
    variance = DesignVariance(designs[method])  # type: ignore[arg-type]
    names, domain = np.unique(responses[column].to_numpy().astype(str), return_inverse=True)
    rng = np.random.default_rng(5)
    rows, k, p = len(domain), len(names), 4
    a = rng.normal(size=rows) * (rng.random(rows) < 0.8)
    b = rng.normal(size=(rows, p))
    m = rng.normal(size=(k, p))
    z = np.where(domain[:, None] == np.arange(k)[None, :], a[:, None], 0.0) - b @ m.T
    expected = variance.variances(z)
    np.testing.assert_allclose(domain_contrast_variances(variance, a, domain, k, b, m), expected, rtol=1e-10)
    # the shortcut is taken exactly where the post-strata lie within the domains
    shortcut = _domains_through_calibration(variance, domain, a, k) is not None
    assert shortcut == (method != "rake" and (column == "kommune" or method == "fixed"))
