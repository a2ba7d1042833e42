"""Collapsing weighting cells that have no (or too few) respondents into a neighbouring cell.

A population cell without complete answers cannot carry its own weight, and dropping it would make the
weights sum to less than the population. The rule, applied in this order and reported cell by cell:

1. Cells are ordered by their strata values, column by column in the order the strata were given.
2. A cell needing a neighbour looks first for cells that differ from it in the *last* strata column only
   (e.g. another target group in the same municipality, gender and age group), then in the column before
   it, and so on; among those it takes the nearest value in that column's sorted order (the lower one on a
   tie) whose group has respondents.
3. Without any such cell, it takes the nearest cell (in the overall order) sharing the longest prefix of
   strata values, i.e. the same municipality before anything else.
4. Empty cells are handled first; with ``min_cell`` > 0, cells with fewer respondents follow, smallest
   first, until every group has at least ``min_cell`` respondents (or only one group is left).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CellCollapse:
    """One cell merged into a neighbour, reported in the weights report."""

    cell: tuple[str, ...]
    into: tuple[str, ...]
    respondents: int
    population: int
    reason: str


def collapse_cells(
    cells: Sequence[tuple[str, ...]],
    respondents: np.ndarray,
    population: np.ndarray,
    min_cell: int = 0,
) -> tuple[np.ndarray, list[CellCollapse]]:
    """Group label per cell (0..G-1, in cell order) and the merges made; see the module docstring."""
    count = len(cells)
    if count == 0:
        return np.zeros(0, dtype=np.int64), []
    width = len(cells[0])
    ranks = np.empty((count, width), dtype=np.int64)
    for column in range(width):
        values = sorted({cell[column] for cell in cells})
        lookup = {v: r for r, v in enumerate(values)}
        ranks[:, column] = [lookup[cell[column]] for cell in cells]
    position = np.empty(count, dtype=np.int64)
    position[np.lexsort(ranks.T[::-1])] = np.arange(count)
    group = np.arange(count)
    group_resp = np.asarray(respondents, dtype=np.int64).copy()
    group_pop = np.asarray(population, dtype=np.int64).copy()
    alive = np.ones(count, dtype=bool)
    merges: list[CellCollapse] = []

    def neighbour(g: int) -> int | None:
        members = np.flatnonzero(group == g)
        eligible = (group != g) & (group_resp[group] > 0)
        if not eligible.any():
            return None
        for column in range(width - 1, -1, -1):
            others = [k for k in range(width) if k != column]
            best_key, best = None, None
            for i in members:
                same = (ranks[:, others] == ranks[i, others]).all(axis=1) & eligible
                if not same.any():
                    continue
                key = np.abs(ranks[:, column] - ranks[i, column]) * count + position
                j = int(np.flatnonzero(same)[np.argmin(key[same])])
                if best_key is None or key[j] < best_key:
                    best_key, best = int(key[j]), j
            if best is not None:
                return best
        best_key, best = None, None
        for i in members:
            prefix = np.cumprod(ranks == ranks[i], axis=1).sum(axis=1)
            key = ((width - prefix) * count + np.abs(position - position[i])) * count + np.arange(count)
            j = int(np.flatnonzero(eligible)[np.argmin(key[eligible])])
            if best_key is None or key[j] < best_key:
                best_key, best = int(key[j]), j
        return best

    def merge(g: int, reason: str) -> bool:
        target_cell = neighbour(g)
        if target_cell is None:
            return False
        target = int(group[target_cell])
        members = np.flatnonzero(group == g)
        first = int(members[np.argmin(position[members])])
        merges.append(
            CellCollapse(
                cell=tuple(cells[first]), into=tuple(cells[target_cell]), respondents=int(group_resp[g]),
                population=int(group_pop[g]), reason=reason,
            )
        )
        group[members] = target
        group_resp[target] += group_resp[g]
        group_pop[target] += group_pop[g]
        alive[g] = False
        return True

    for i in np.argsort(position):
        g = int(group[i])
        if group_resp[g] == 0 and alive.sum() > 1:
            merge(g, "ingen respondenter")
    if min_cell > 0:
        while alive.sum() > 1:
            small = np.flatnonzero(alive & (group_resp < min_cell))
            if small.size == 0:
                break
            first_position = np.array([position[group == h].min() for h in small])
            g = int(small[np.lexsort((first_position, group_resp[small]))[0]])
            if not merge(g, f"færre end {min_cell} respondenter"):
                break
    labels = np.unique(group, return_inverse=True)[1]
    return labels.astype(np.int64), merges
