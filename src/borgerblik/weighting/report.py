"""The weights report: how much the weights cost in precision and what was done to the cells.

Kish's design effect due to weighting, 1 + CV² = n·Σw²/(Σw)², tells how many respondents the weights
are "worth" (n / deff); with min/max weight and the list of collapsed cells it is what a method section
needs to say about the weighting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from borgerblik.danish import decimal, integer
from borgerblik.weighting.collapse import CellCollapse
from borgerblik.weighting.design import Weighting

METHOD_NAMES = {
    "poststratify": "efterstratificering",
    "rake": "raking",
    "fixed": "faste vægte",
}


@dataclass(frozen=True)
class WeightsReport:
    method: str
    respondents: int
    population_total: float
    weight_sum: float
    min_weight: float
    max_weight: float
    design_effect: float
    effective_sample_size: float
    collapsed: tuple[CellCollapse, ...]
    iterations: int | None
    trimmed: int
    sampling: str = ""

    def lines(self) -> list[str]:
        """The report in Danish, numbers in Danish format."""

        def num(value: float, digits: int = 2) -> str:
            return decimal(value, digits)

        out = [
            f"Metode: {METHOD_NAMES.get(self.method, self.method)}",
            *([f"Stikprøvedesign: {self.sampling}"] if self.sampling else []),
            f"Respondenter: {integer(self.respondents)}",
            f"Sum af vægte: {num(self.weight_sum, 1)} (population {num(self.population_total, 0)})",
            f"Mindste vægt: {num(self.min_weight)}; største vægt: {num(self.max_weight)}",
            f"Designeffekt af vægtningen (1 + CV²): {num(self.design_effect, 3)}",
            f"Effektiv stikprøvestørrelse: {num(self.effective_sample_size, 1)}",
        ]
        if self.iterations is not None:
            out.append(f"Raking konvergerede efter {self.iterations} iterationer")
        if self.trimmed:
            out.append(f"Trimmede vægte: {self.trimmed}")
        out.append(f"Sammenlagte celler: {len(self.collapsed)}")
        for merge in self.collapsed:
            citizens = integer(merge.population)
            out.append(
                f"  {' × '.join(merge.cell)} → {' × '.join(merge.into)} "
                f"({merge.reason}; {merge.respondents} svar, {citizens} borgere)"
            )
        return out


def weights_report(weighting: Weighting) -> WeightsReport:
    w = weighting.design.weights
    total = float(w.sum())
    deff = float(len(w) * np.sum(w * w) / total**2)
    return WeightsReport(
        method=weighting.method,
        respondents=len(w),
        population_total=weighting.population_total,
        weight_sum=total,
        min_weight=float(w.min()),
        max_weight=float(w.max()),
        design_effect=deff,
        effective_sample_size=float(total**2 / np.sum(w * w)),
        collapsed=weighting.collapsed,
        iterations=weighting.iterations,
        trimmed=weighting.trimmed,
        sampling=weighting.sampling,
    )
