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
    order = sorted(range(count), key=lambda i: cells[i])
    position = np.empty(count, dtype=np.int64)
    position[order] = np.arange(count)
    width = len(cells[0]) if count else 0
    value_rank = []
    for column in range(width):
        values = sorted({cell[column] for cell in cells})
        value_rank.append({v: r for r, v in enumerate(values)})
    group = np.arange(count)
    members: dict[int, list[int]] = {i: [i] for i in range(count)}
    group_resp = {i: int(respondents[i]) for i in range(count)}
    merges: list[CellCollapse] = []

    def neighbour(g: int) -> int | None:
        inside = set(members[g])
        for column in range(width - 1, -1, -1):
            best: tuple[int, int, int] | None = None
            for i in members[g]:
                for j in range(count):
                    if j in inside or group_resp[int(group[j])] == 0:
                        continue
                    if all(cells[j][k] == cells[i][k] for k in range(width) if k != column):
                        ranks = value_rank[column]
                        distance = abs(ranks[cells[j][column]] - ranks[cells[i][column]])
                        key = (distance, int(position[j]), j)
                        if best is None or key < best:
                            best = key
            if best is not None:
                return best[2]
        best_key: tuple[int, int, int] | None = None
        for i in members[g]:
            for j in range(count):
                if j in inside or group_resp[int(group[j])] == 0:
                    continue
                prefix = next((k for k in range(width) if cells[j][k] != cells[i][k]), width)
                key = (-prefix, abs(int(position[j]) - int(position[i])), j)
                if best_key is None or key < best_key:
                    best_key = key
        return None if best_key is None else best_key[2]

    def merge(g: int, reason: str) -> bool:
        target_cell = neighbour(g)
        if target_cell is None:
            return False
        target = int(group[target_cell])
        first = min(members[g], key=lambda i: position[i])
        merges.append(
            CellCollapse(
                cell=tuple(cells[first]),
                into=tuple(cells[target_cell]),
                respondents=group_resp[g],
                population=int(sum(int(population[i]) for i in members[g])),
                reason=reason,
            )
        )
        for i in members.pop(g):
            group[i] = target
            members[target].append(i)
        group_resp[target] += group_resp.pop(g)
        return True

    for i in order:
        g = int(group[i])
        if group_resp.get(g) == 0 and len(members) > 1:
            merge(g, "ingen respondenter")
    if min_cell > 0:
        while len(members) > 1:
            small = [g for g in members if group_resp[g] < min_cell]
            if not small:
                break
            g = min(small, key=lambda h: (group_resp[h], min(position[i] for i in members[h])))
            if not merge(g, f"færre end {min_cell} respondenter"):
                break
    labels = np.unique(group, return_inverse=True)[1]
    return labels.astype(np.int64), merges
