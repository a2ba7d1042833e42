"""An independent reference for the design-based tests on fixed weights: statsmodels' sandwich.

For R's ``svydesign(ids=~1, weights=~w)`` (one stratum, with replacement) the ``svyglm`` covariance is the
HC0 sandwich of weighted least squares times N/(N − 1), N the rows of the whole design (answers outside the
domain included, as R's subset keeps them), and its p-values are t with n_used − p degrees of freedom —
because the regression's influence values sum to zero. That is computed here by statsmodels, not by us.
"""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from scipy import stats


def svyglm_fixed(
    y: np.ndarray, x: np.ndarray, w: np.ndarray, design_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, t statistics and p-values of svyglm(y ~ x) with fixed weights, x without intercept."""
    exog = sm.add_constant(np.asarray(x, dtype=float), has_constant="add")
    fit = sm.WLS(y, exog, weights=w).fit(cov_type="HC0")
    se = np.sqrt(np.diag(fit.cov_params())) * np.sqrt(design_rows / (design_rows - 1))
    statistic = fit.params / se
    df = len(y) - exog.shape[1]
    return fit.params, statistic, 2 * stats.t.sf(np.abs(statistic), df)
