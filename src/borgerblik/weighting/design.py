"""The survey design behind every weight and standard error.

The sampling design is stated as R users know it (``design``):

- ``stratified`` (default): a stratified simple random sample without replacement, strata = ``design_strata``
  (default: the weighting cells), fpc = the stratum's population count —
  R's ``svydesign(ids=~1, strata=~h, fpc=~N_h)``;
- ``stratified-nofpc``: the same strata and design weights N_h/n_h, drawn with replacement (no fpc) —
  ``svydesign(ids=~1, strata=~h, weights=~w)``;
- ``srs``: one simple random sample with replacement, no strata, no fpc — R's default ``svydesign(ids=~1)``.

Raking on sampling strata that are the full cross of the raking margins is refused: the design weights would
already hit every cell total and the raking would change nothing (it would silently be post-stratification).

The design weight N_h/n_h is then calibrated: post-stratified to cell totals (the KL rule: population count /
complete answers, with empty cells collapsed into a neighbour) or raked to marginal totals. The design
keeps what R's ``svyrecvar`` needs to linearise calibrated estimates: post-strata labels with the weights
before and after, and for raking each margin's labels with its weights from the last sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from borgerblik.weighting.collapse import CellCollapse, collapse_cells
from borgerblik.weighting.errors import RakingError, WeightingInputError
from borgerblik.weighting.tables import (
    COUNT_COLUMN,
    ID_COLUMN,
    Table,
    as_table,
    check_strata_known,
    check_unique_ids,
    population_counts,
    require_columns,
    stratum_keys,
)

DESIGNS = ("stratified", "stratified-nofpc", "srs")
LONELY_PSU = "adjust"
"""A sampling stratum with one respondent is centred at the overall mean (R's survey.lonely.psu="adjust")."""


@dataclass(frozen=True)
class PostStrata:
    """Post-stratification step: R's ``postStratify`` index with its ``weights``/``oldweights``."""

    labels: np.ndarray
    weights: np.ndarray
    old_weights: np.ndarray


@dataclass(frozen=True)
class Raking:
    """Raking step: per margin the category labels and the weights after that margin in the last sweep."""

    names: tuple[str, ...]
    labels: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class DrawnStrata:
    """The strata of the sample actually drawn: each respondent's stratum label and each stratum's population.

    A stored survey knows both, so its design is the one that produced the respondents, whatever cells the
    weighting uses afterwards (sampling strata need not nest in the weighting cells).
    """

    of_respondent: dict[str, str]
    population: dict[str, int]


@dataclass(frozen=True)
class SurveyDesign:
    """Respondents, their final weights and the stratified, calibrated design that produced them."""

    ids: np.ndarray
    weights: np.ndarray
    strata: np.ndarray
    population_sizes: np.ndarray
    calibrations: tuple[PostStrata | Raking, ...] = ()
    lonely_psu: str = LONELY_PSU

    @property
    def stratum_sizes(self) -> np.ndarray:
        return np.bincount(self.strata, minlength=len(self.population_sizes))

    def weights_frame(self) -> pl.DataFrame:
        return pl.DataFrame({ID_COLUMN: self.ids, "weight": self.weights})


@dataclass(frozen=True)
class Weighting:
    """A weighted design together with what the weights report needs to say about how it was made."""

    design: SurveyDesign
    method: str
    strata: tuple[str, ...]
    collapsed: tuple[CellCollapse, ...] = ()
    iterations: int | None = None
    trimmed: int = 0
    population_total: float = field(default=float("nan"))
    cells: pl.DataFrame | None = None
    """Post-stratification cells: strata columns, ``count``, ``respondents`` and ``poststratum``."""
    sampling: str = ""
    """The sampling design in words and in R, for the weights report."""

    @property
    def weights(self) -> pl.DataFrame:
        return self.design.weights_frame()


def _cells(
    responses: Table, population: Table, strata: Sequence[str], id_column: str
) -> tuple[np.ndarray, pl.DataFrame, np.ndarray]:
    require_columns(responses, [id_column, *strata], "svarfil")
    ids = check_unique_ids(responses, id_column)
    keys = stratum_keys(responses, strata)
    cells = population_counts(population, strata)
    check_strata_known(responses, keys, population, cells)
    cells = cells.sort(list(strata)).with_row_index("_cell")
    joined = keys.join(cells, on=list(strata), how="left", maintain_order="left")
    codes = joined.get_column("_cell").to_numpy()
    return ids, cells, codes.astype(np.int64)


@dataclass(frozen=True)
class _Frame:
    """Respondents placed in the population cells, and the sampling design built on them."""

    design: SurveyDesign
    cells: pl.DataFrame
    cell_of_row: np.ndarray
    sampling: str = ""


def _frame(
    responses: pl.DataFrame | Table,
    population: pl.DataFrame | Table,
    strata: Sequence[str],
    design_strata: Sequence[str] | None,
    id_column: str,
    design: str = "stratified",
    drawn: DrawnStrata | None = None,
) -> _Frame:
    responses = as_table(responses, "responses")
    population = as_table(population, "population")
    if design not in DESIGNS:
        raise WeightingInputError(
            population.name, None, None, f"--design {' / '.join(DESIGNS)}", design,
            "srs = R's svydesign(ids=~1); stratified med eller uden fpc",
        )
    ids, cells, codes = _cells(responses, population, strata, id_column)
    counts = cells.get_column(COUNT_COLUMN).to_numpy().astype(float)
    if design == "srs":
        if design_strata:
            raise WeightingInputError(
                population.name, None, None, "ingen --design-strata ved --design srs",
                ", ".join(design_strata), "srs har ingen strata; brug --design stratified",
            )
        n = len(ids)
        sampled = SurveyDesign(
            ids=ids, weights=np.full(n, counts.sum() / max(n, 1)), strata=np.zeros(n, dtype=np.int64),
            population_sizes=np.array([np.inf]),
        )
        return _Frame(design=sampled, cells=cells, cell_of_row=codes, sampling=SRS_WORDS)
    if drawn is not None:
        return _drawn_frame(ids, cells, codes, drawn, design, responses.name)
    sampling = list(strata) if design_strata is None else list(design_strata)
    for column in sampling:
        if column not in strata:
            raise WeightingInputError(
                population.name, 1, column, f"en af vægtningsvariablene {', '.join(strata)}",
                f"designstratum '{column}'", "designstrata skal være en del af --strata",
            )
    sampling_strata = cells.select(sampling).unique().sort(sampling).with_row_index("_h")
    stratum_of_cell = (
        cells.select(sampling).join(sampling_strata, on=sampling, how="left", maintain_order="left")
        .get_column("_h").to_numpy().astype(np.int64)
    )
    sizes = np.bincount(stratum_of_cell, weights=counts)
    strata_codes = stratum_of_cell[codes]
    n_h = np.bincount(strata_codes, minlength=len(sizes))
    over = np.flatnonzero(n_h > sizes)
    if over.size:
        first_cell = int(np.flatnonzero(stratum_of_cell == over[0])[0])
        described = ", ".join(f"{c}={cells[first_cell, c]}" for c in sampling)
        raise WeightingInputError(
            population.name, None, COUNT_COLUMN, f"mindst {int(n_h[over[0]])} borgere i {described}",
            f"{int(sizes[over[0]])}", "der er flere besvarelser end borgere i populationen",
        )
    weights = sizes[strata_codes] / n_h[strata_codes]
    fpc = sizes if design == "stratified" else np.full(len(sizes), np.inf)
    sampled = SurveyDesign(ids=ids, weights=weights, strata=strata_codes, population_sizes=fpc)
    return _Frame(
        design=sampled, cells=cells, cell_of_row=codes,
        sampling=_stratified_words(" × ".join(sampling), len(sizes), design),
    )


SRS_WORDS = "simpel tilfældig udvælgelse med tilbagelægning, uden fpc (R: svydesign(ids=~1))"


def _stratified_words(strata: str, count: int, design: str) -> str:
    if design == "stratified":
        return (f"stratificeret uden tilbagelægning efter {strata} ({count} strata, fpc = stratets "
                "population; R: svydesign(ids=~1, strata=~h, fpc=~N_h))")
    return (f"stratificeret med tilbagelægning efter {strata} ({count} strata, uden fpc; "
            "R: svydesign(ids=~1, strata=~h, weights=~w))")


def _drawn_frame(
    ids: np.ndarray, cells: pl.DataFrame, codes: np.ndarray, drawn: DrawnStrata, design: str, name: str
) -> _Frame:
    """The design of the drawn sample: its strata and their population counts."""
    labels = sorted(drawn.population)
    number = {label: h for h, label in enumerate(labels)}
    strata_codes = np.empty(len(ids), dtype=np.int64)
    for row, rid in enumerate(ids.tolist()):
        label = drawn.of_respondent.get(str(rid))
        if label not in number:
            raise WeightingInputError(
                name, row + 2, ID_COLUMN, "en respondent fra den udtrukne stikprøve", f"'{rid}'",
                "respondenten har intet stikprøvestratum",
            )
        strata_codes[row] = number[label]
    sizes = np.array([float(drawn.population[label]) for label in labels])
    n_h = np.bincount(strata_codes, minlength=len(sizes))
    over = np.flatnonzero(n_h > sizes)
    if over.size:
        raise WeightingInputError(
            name, None, None, f"højst {int(sizes[over[0]])} besvarelser i stratum '{labels[over[0]]}'",
            f"{int(n_h[over[0]])}",
        )
    weights = sizes[strata_codes] / n_h[strata_codes]
    fpc = sizes if design == "stratified" else np.full(len(sizes), np.inf)
    sampled = SurveyDesign(ids=ids, weights=weights, strata=strata_codes, population_sizes=fpc)
    words = _stratified_words("den udtrukne stikprøves strata", len(sizes), design)
    return _Frame(design=sampled, cells=cells, cell_of_row=codes, sampling=words)


def stratified_design(
    responses: pl.DataFrame | Table,
    population: pl.DataFrame | Table,
    strata: Sequence[str],
    *,
    design_strata: Sequence[str] | None = None,
    id_column: str = ID_COLUMN,
    design: str = "stratified",
) -> SurveyDesign:
    """Design weights N_h/n_h, stratified by ``design_strata`` (default: the cells of ``strata``)."""
    return _frame(responses, population, strata, design_strata, id_column, design).design


def poststratify(
    responses: pl.DataFrame | Table,
    population: pl.DataFrame | Table,
    strata: Sequence[str],
    *,
    min_cell: int = 0,
    design_strata: Sequence[str] | None = None,
    id_column: str = ID_COLUMN,
    design: str = "stratified",
    drawn: DrawnStrata | None = None,
) -> Weighting:
    """KL's weight, population count / complete answers per cell, as a post-stratified design.

    R: ``postStratify(svydesign(ids=~1, strata=~h, fpc=~N_h), ~cell, totals)`` where h are the cells
    themselves unless ``design_strata`` names coarser sampling strata (e.g. the municipality);
    ``design="srs"`` is ``postStratify(svydesign(ids=~1), ...)``.
    """
    frame = _frame(responses, population, strata, design_strata, id_column, design, drawn)
    design, cells = frame.design, frame.cells
    counts = cells.get_column(COUNT_COLUMN).to_numpy().astype(float)
    per_cell = np.bincount(frame.cell_of_row, minlength=len(counts))
    cell_values = [tuple(str(v) for v in row) for row in cells.select(list(strata)).iter_rows()]
    groups, merges = collapse_cells(cell_values, per_cell, counts, min_cell=min_cell)
    labels = groups[frame.cell_of_row]
    totals = np.bincount(groups, weights=counts)
    before = np.bincount(labels, weights=design.weights, minlength=len(totals))
    if np.any(before <= 0):
        raise WeightingInputError(
            as_table(responses, "responses").name, None, None, "mindst én besvarelse", "ingen besvarelser"
        )
    weights = design.weights * (totals / before)[labels]
    calibrated = replace(
        design,
        weights=weights,
        calibrations=(
            *design.calibrations,
            PostStrata(labels=labels, weights=weights, old_weights=design.weights),
        ),
    )
    return Weighting(
        design=calibrated, method="poststratify", strata=tuple(strata), collapsed=tuple(merges),
        population_total=float(counts.sum()), sampling=frame.sampling,
        cells=cells.drop("_cell").with_columns(
            pl.Series("respondents", per_cell), pl.Series("poststratum", groups)
        ),
    )


def rake(
    responses: pl.DataFrame | Table,
    population: pl.DataFrame | Table,
    margins: Sequence[str],
    *,
    max_iterations: int = 100,
    tolerance: float = 1e-10,
    design_strata: Sequence[str] | None = None,
    id_column: str = ID_COLUMN,
    design: str = "stratified",
    drawn: DrawnStrata | None = None,
) -> Weighting:
    """Iterative proportional fitting of the design weights to each margin's population total (R: rake).

    The population file holds the full cross of ``margins``; cells without respondents simply contribute
    nothing to the start weights, and raking spreads their population over the margins. Converged means
    every margin category's weight sum is within ``tolerance`` (relative) of its population total;
    otherwise RakingError names the worst margin.

    Sampling strata equal to the full cross of the margins (the default of ``design="stratified"`` without
    ``design_strata``) are refused: the raking would have nothing left to do.
    """
    table = as_table(responses, "responses")
    if drawn is None and design != "srs" and (design_strata is None or set(design_strata) == set(margins)):
        raise WeightingInputError(
            as_table(population, "population").name, None, None,
            "stikprøvestrata grovere end raking-cellerne (fx --design-strata kommune) eller --design srs",
            "stikprøvestrata = hele krydset af " + ", ".join(margins),
            "så rammer designvægtene allerede hver celle, og raking ændrer intet (= efterstratificering)",
        )
    frame = _frame(table, population, margins, design_strata, id_column, design, drawn)
    design, cells = frame.design, frame.cells
    counts = cells.get_column(COUNT_COLUMN).to_numpy().astype(float)
    labels: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    categories: list[list[str]] = []
    for margin in margins:
        values, per_cell = np.unique(cells.get_column(margin).to_numpy().astype(str), return_inverse=True)
        labels.append(per_cell[frame.cell_of_row])
        targets.append(np.bincount(per_cell, weights=counts, minlength=len(values)))
        categories.append(values.tolist())
        missing = np.flatnonzero(np.bincount(labels[-1], minlength=len(values)) == 0)
        if missing.size:
            raise WeightingInputError(
                table.name, None, margin, f"besvarelser i kategorien '{values[missing[0]]}'", "ingen",
                "en margin kan kun rakes, når hver kategori har respondenter",
            )
    weights = design.weights.copy()
    after: list[np.ndarray] = []
    for iteration in range(1, max_iterations + 1):
        after = []
        for label, target in zip(labels, targets, strict=True):
            weights = weights * (target / np.bincount(label, weights=weights, minlength=len(target)))[label]
            after.append(weights)
        worst = _worst_margin(weights, labels, targets)
        if worst[0] <= tolerance:
            raking = Raking(names=tuple(margins), labels=tuple(labels), weights=tuple(after))
            calibrated = replace(design, weights=weights, calibrations=(*design.calibrations, raking))
            return Weighting(
                design=calibrated, method="rake", strata=tuple(margins), iterations=iteration,
                population_total=float(counts.sum()), sampling=frame.sampling,
            )
    _, m, j, achieved = _worst_margin(weights, labels, targets)
    raise RakingError(max_iterations, margins[m], categories[m][j], float(targets[m][j]), achieved)


def _worst_margin(
    weights: np.ndarray, labels: list[np.ndarray], targets: list[np.ndarray]
) -> tuple[float, int, int, float]:
    worst = (-1.0, 0, 0, 0.0)
    for m, (label, target) in enumerate(zip(labels, targets, strict=True)):
        sums = np.bincount(label, weights=weights, minlength=len(target))
        gaps = np.abs(sums - target) / target
        j = int(np.argmax(gaps))
        if gaps[j] > worst[0]:
            worst = (float(gaps[j]), m, j, float(sums[j]))
    return worst


def fixed_weights(ids: np.ndarray, weights: np.ndarray) -> Weighting:
    """Weights from a file, used as given: one stratum, no fpc, no calibration (R: svydesign(weights=~w))."""
    design = SurveyDesign(
        ids=ids, weights=np.asarray(weights, dtype=float), strata=np.zeros(len(ids), dtype=np.int64),
        population_sizes=np.array([np.inf]),
    )
    return Weighting(
        design=design, method="fixed", strata=(), population_total=float(np.sum(weights)),
        sampling="faste vægte, med tilbagelægning, uden fpc (R: svydesign(ids=~1, weights=~w))",
    )


def trim_weights(weighting: Weighting, *, lower: float = -np.inf, upper: float = np.inf) -> Weighting:
    """R's ``trimWeights``: clamp to [lower, upper] and share what was cut equally among the untrimmed.

    The total is kept; the calibration stays in the design for the standard errors, as in R.
    """
    w = weighting.design.weights
    outside = (w < lower) | (w > upper)
    if not outside.any():
        return weighting
    new = np.clip(w, lower, upper)
    new[~outside] += (w - new).sum() / np.count_nonzero(~outside)
    return replace(weighting, design=replace(weighting.design, weights=new), trimmed=int(outside.sum()))
