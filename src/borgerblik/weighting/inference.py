"""Design-based tests and regression: R's ``svyrecvar`` on any influence values, ``svyttest`` and ``svyglm``.

The estimate table linearises its domain means cell by cell (linearisation.py); a test or a regression needs
the same variance of other linear statistics. Every statistic here is written as influence values z (one row
per respondent of the whole design, zero outside the domain, as R's ``subset`` leaves them), then projected on
the calibration exactly as ``svyrecvar`` does and summed over the sampling strata with their fpc. So a
municipality-versus-rest test uses the very variance the intervals beside it use.

- A contrast of two domain means (``svyby`` + ``svycontrast``): z = z_A − z_B with
  z_D = w·1[D]·(y − ȳ_D)/Ŵ_D.
- ``svyglm(y ~ x)`` (gaussian): β from weighted least squares, z = w·e·x'(X'WX)⁻¹, covariance = V(z).
  ``svyttest(y ~ group)`` is the same regression on one indicator.
- Degrees of freedom as R: ``degf`` = respondents in the domain − sampling strata among them; the regression
  has ``degf + 1 − p`` and its p-values come from that t distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse, stats

from borgerblik.weighting.design import PostStrata, Raking, SurveyDesign, Weighting
from borgerblik.weighting.linearisation import RAKING_SWEEPS

DESIGN_T_TEST = "designbaseret t-test (Taylor-linearisering, som R's svyttest)"
DESIGN_REGRESSION = "designbaseret regression med kontrol (som R's svyglm)"


def _indicator(labels: np.ndarray) -> sparse.csr_matrix:
    """Groups × rows 0/1 matrix, so group sums of many columns are one sparse product."""
    labels = np.asarray(labels, dtype=np.int64)
    groups = int(labels.max()) + 1 if labels.size else 0
    return sparse.csr_matrix(
        (np.ones(labels.size), (labels, np.arange(labels.size))), shape=(groups, labels.size)
    )


@dataclass(frozen=True)
class _PostStep:
    group: sparse.csr_matrix
    labels: np.ndarray
    psw: np.ndarray
    ratio: np.ndarray  # oldw / psw
    norm: np.ndarray  # Σ oldw per post-stratum


@dataclass(frozen=True)
class _RakeStep:
    groups: tuple[sparse.csr_matrix, ...]
    labels: tuple[np.ndarray, ...]
    psw: tuple[np.ndarray, ...]
    counts: tuple[np.ndarray, ...]


class DesignVariance:
    """The variance of linear statistics under one design, prepared once and applied to many z."""

    def __init__(self, design: SurveyDesign | Weighting) -> None:
        if isinstance(design, Weighting):
            design = design.design
        self.design = design
        self.steps: list[_PostStep | _RakeStep] = []
        for cal in design.calibrations:
            if isinstance(cal, PostStrata):
                psw = cal.weights.astype(float).copy()
                old = cal.old_weights.astype(float)
                psw[(psw == 0) & (old == 0)] = 1.0
                self.steps.append(
                    _PostStep(
                        group=_indicator(cal.labels),
                        labels=cal.labels,
                        psw=psw,
                        ratio=old / psw,
                        norm=np.bincount(cal.labels, weights=old),
                    )
                )
            elif isinstance(cal, Raking):
                self.steps.append(
                    _RakeStep(
                        groups=tuple(_indicator(lab) for lab in cal.labels),
                        labels=cal.labels,
                        psw=tuple(np.asarray(w, dtype=float) for w in cal.weights),
                        counts=tuple(np.bincount(lab).astype(float) for lab in cal.labels),
                    )
                )
        strata = design.strata
        self.stratum = _indicator(strata)
        n_h = np.bincount(strata, minlength=len(design.population_sizes)).astype(float)
        big_n = design.population_sizes.astype(float)
        finite = np.isfinite(big_n)
        f = np.where(finite, (big_n - n_h) / np.where(finite, big_n, 1.0), 1.0)
        scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)
        scale = np.where(f < 1e-7, 0.0, scale)
        self.row_scale = scale[strata]
        self.centre = np.where(n_h > 1, scale / np.maximum(n_h, 1), 0.0)[: self.stratum.shape[0]]
        """Lonely strata (one respondent, R's lonely.psu="adjust") are not centred."""

    def project(self, z: np.ndarray) -> np.ndarray:
        """svyrecvar's calibration step: residuals of z after each post-stratification and raking."""
        x = np.array(z, dtype=float, copy=True)
        for step in self.steps:
            if isinstance(step, _PostStep):
                means = (step.group @ (x * step.ratio[:, None])) / step.norm[:, None]
                x -= means[step.labels] * step.psw[:, None]
            else:
                for _ in range(RAKING_SWEEPS):
                    for group, labels, psw, count in zip(
                        step.groups, step.labels, step.psw, step.counts, strict=True
                    ):
                        means = (group @ (x / psw[:, None])) / count[:, None]
                        x -= means[labels] * psw[:, None]
        return x

    def covariance(self, z: np.ndarray) -> np.ndarray:
        """Covariance matrix (k × k) of the totals of the k columns of z (rows = the design's rows)."""
        z = np.asarray(z, dtype=float)
        x = self.project(z.reshape(len(z), -1))
        sums = self.stratum @ x
        return (x * self.row_scale[:, None]).T @ x - (sums * self.centre[:, None]).T @ sums

    def variances(self, z: np.ndarray) -> np.ndarray:
        """The diagonal only, for many contrasts at once."""
        x = self.project(np.asarray(z, dtype=float).reshape(len(z), -1))
        sums = self.stratum @ x
        return self.row_scale @ (x * x) - self.centre @ (sums * sums)

    def degrees_of_freedom(self, used: np.ndarray) -> int:
        """R's ``degf``: respondents with weight in the domain minus the sampling strata they fall in."""
        used = np.asarray(used, dtype=bool)
        return int(used.sum()) - int(np.unique(self.design.strata[used]).size)


@dataclass(frozen=True)
class Regression:
    """``svyglm`` coefficients with their design-based covariance, t statistics, p-values and df."""

    coefficients: np.ndarray
    covariance: np.ndarray
    df: int

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.covariance))

    @property
    def statistic(self) -> np.ndarray:
        return self.coefficients / self.se

    @property
    def p_value(self) -> np.ndarray:
        return 2.0 * stats.t.sf(np.abs(self.statistic), max(self.df, 1))


def design_regression(
    variance: DesignVariance,
    y: np.ndarray,
    x: np.ndarray,
    used: np.ndarray,
    *,
    coefficient: int | None = None,
) -> Regression:
    """Weighted least squares of y on x (with its own intercept column) over the ``used`` rows of the design.

    ``y`` and ``x`` are over all rows of the design; rows outside ``used`` contribute nothing but remain in
    the variance (R's subset), which is what makes a domain's standard error right. With ``coefficient``
    only that coefficient's variance is computed (the others' are NaN): a test needs one, at 1/p the cost.
    """
    used = np.asarray(used, dtype=bool)
    rows = np.flatnonzero(used)
    xu, yu = np.asarray(x, dtype=float)[rows], np.asarray(y, dtype=float)[rows]
    weighted = xu * variance.design.weights[rows, None]
    inverse = np.linalg.inv(xu.T @ weighted)
    beta = inverse @ (weighted.T @ yu)
    df = variance.degrees_of_freedom(used) + 1 - x.shape[1]
    scores = weighted * (yu - xu @ beta)[:, None]
    if coefficient is not None:
        z = np.zeros(len(used))
        z[rows] = scores @ inverse[:, coefficient]
        covariance = np.full((x.shape[1], x.shape[1]), np.nan)
        covariance[coefficient, coefficient] = variance.variances(z)[0]
        return Regression(coefficients=beta, covariance=covariance, df=df)
    z = np.zeros((len(used), x.shape[1]))
    z[rows] = scores @ inverse
    return Regression(coefficients=beta, covariance=variance.covariance(z), df=df)


def domain_mean_influence(y: np.ndarray, w: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Means of y in each domain (columns of the boolean ``members``, rows × k) and their influence values."""
    members = np.asarray(members, dtype=float).reshape(len(y), -1)
    y0 = np.where(np.isnan(y), 0.0, y)
    totals = w @ members
    with np.errstate(invalid="ignore", divide="ignore"):
        means = ((w * y0) @ members) / totals
        z = members * (w[:, None] * (y0[:, None] - means[None, :])) / totals[None, :]
    return means, np.nan_to_num(z)


def t_p_value(statistic: np.ndarray | float, df: int) -> np.ndarray:
    """Two-sided p-value in a t distribution with the design's degrees of freedom."""
    return 2.0 * stats.t.sf(np.abs(statistic), max(df, 1))


def domain_contrast_variances(
    variance: DesignVariance, a: np.ndarray, domain: np.ndarray, k: int, b: np.ndarray, m: np.ndarray
) -> np.ndarray:
    """``variance.variances(Z)`` for the k columns Z[:, j] = a·1[domain == j] − b @ m[j], without forming Z.

    The case-mix scores' influence values have this shape: a part living in one municipality's rows (``a``,
    rows × 1, ``domain`` the row's municipality or −1) and a model part shared by all (``b``, rows × p, with a
    municipality's own mix ``m``, k × p). When every calibration is a post-stratification whose post-strata
    each lie within one domain (KL's cells lie within a municipality), the projection keeps a's part within
    its domain, and the variances follow from a handful of sums over the rows (squares expanded): O(rows · p)
    instead of O(rows · k). Otherwise (raking, or post-strata across domains) Z is formed and the general
    path taken; both give the same figures.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float).reshape(len(a), -1)
    m = np.asarray(m, dtype=float).reshape(k, -1)
    place = np.asarray(domain, dtype=np.int64)
    place = _domains_through_calibration(variance, place, a, k)
    if place is None:
        z = np.where(np.asarray(domain)[:, None] == np.arange(k)[None, :], a[:, None], 0.0) - b @ m.T
        return variance.variances(z)
    projected = variance.project(np.column_stack([a, b]))
    pa, pb = projected[:, 0], projected[:, 1:]
    inside = place >= 0
    at = np.where(inside, place, 0)
    r = variance.row_scale
    squares = np.bincount(at, weights=np.where(inside, r * pa * pa, 0.0), minlength=k)
    cross = np.zeros((k, pb.shape[1]))
    np.add.at(cross, at[inside], (r * pa)[inside, None] * pb[inside])
    gram = (pb * r[:, None]).T @ pb
    strata = variance.design.strata
    count = variance.stratum.shape[0]
    s = np.bincount(strata[inside] * k + place[inside], weights=pa[inside], minlength=count * k).reshape(
        count, k
    )
    t = variance.stratum @ pb
    c = variance.centre
    strata_squares = c @ (s * s)
    strata_cross = (s * c[:, None]).T @ t  # k × p
    strata_gram = (t * c[:, None]).T @ t
    row_part = squares - 2.0 * np.einsum("kp,kp->k", cross, m) + np.einsum("kp,pq,kq->k", m, gram, m)
    strata_part = (
        strata_squares
        - 2.0 * np.einsum("kp,kp->k", strata_cross, m)
        + np.einsum("kp,pq,kq->k", m, strata_gram, m)
    )
    return row_part - strata_part


def _domains_through_calibration(
    variance: DesignVariance, place: np.ndarray, a: np.ndarray, k: int
) -> np.ndarray | None:
    """Every design row's domain when each post-stratum lies within one domain (rows outside the frame take
    their post-stratum's), or None when the projection could carry a domain's values into another."""
    if any(not isinstance(step, _PostStep) for step in variance.steps):
        return None
    if not variance.steps:
        return place
    result = place
    for step in variance.steps:
        known = place >= 0
        groups = int(step.labels.max()) + 1 if step.labels.size else 0
        low = np.full(groups, k, dtype=np.int64)
        high = np.full(groups, -1, dtype=np.int64)
        np.minimum.at(low, step.labels[known], place[known])
        np.maximum.at(high, step.labels[known], place[known])
        if np.any((high >= 0) & (low != high)):
            return None
        cell = np.where(high >= 0, high, -1)[step.labels]
        if np.any((result >= 0) & (cell != result)) or np.any((cell < 0) & (a != 0)):
            return None
        result = np.where(result >= 0, result, cell)
    return result
