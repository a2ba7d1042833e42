"""The documented rule for weighting cells without (or with too few) respondents (weighting/collapse.py):
nearest value in the last strata column first, then the column before it; ties go to the lower value;
every merge is reported, and no population is dropped."""

from __future__ import annotations

import numpy as np

from borgerblik.weighting import collapse_cells

CELLS = [
    ("A", "16-29", "dagpenge"), ("A", "16-29", "sygedagpenge"),
    ("A", "30-49", "dagpenge"), ("A", "30-49", "sygedagpenge"),
    ("A", "50-66", "dagpenge"), ("A", "50-66", "sygedagpenge"),
]
POPULATION = np.array([100, 50, 120, 60, 80, 40])


def test_an_empty_cell_joins_its_neighbour_in_the_last_column() -> None:
    groups, merges = collapse_cells(CELLS, np.array([5, 3, 6, 0, 4, 2]), POPULATION)
    assert groups.tolist() == [0, 1, 2, 2, 3, 4]
    assert [(m.cell, m.into, m.reason, m.population) for m in merges] == [
        (("A", "30-49", "sygedagpenge"), ("A", "30-49", "dagpenge"), "ingen respondenter", 60)
    ]


def test_without_a_neighbour_in_the_last_column_the_nearest_age_group_wins_lower_on_ties() -> None:
    groups, merges = collapse_cells(CELLS, np.array([5, 3, 0, 0, 4, 2]), POPULATION)
    assert [(m.cell, m.into) for m in merges] == [
        (("A", "30-49", "dagpenge"), ("A", "16-29", "dagpenge")),
        (("A", "30-49", "sygedagpenge"), ("A", "30-49", "dagpenge")),
    ]
    assert groups.tolist() == [0, 1, 0, 0, 2, 3]


def test_min_cell_merges_small_cells_smallest_first_until_all_are_large_enough() -> None:
    groups, merges = collapse_cells(CELLS, np.array([5, 3, 6, 1, 4, 2]), POPULATION, min_cell=4)
    assert [(m.cell, m.into, m.respondents, m.reason) for m in merges] == [
        (("A", "30-49", "sygedagpenge"), ("A", "30-49", "dagpenge"), 1, "færre end 4 respondenter"),
        (("A", "50-66", "sygedagpenge"), ("A", "50-66", "dagpenge"), 2, "færre end 4 respondenter"),
        (("A", "16-29", "sygedagpenge"), ("A", "16-29", "dagpenge"), 3, "færre end 4 respondenter"),
    ]
    assert groups.tolist() == [0, 0, 1, 1, 2, 2]


def test_min_cell_off_keeps_tiny_cells() -> None:
    groups, merges = collapse_cells(CELLS, np.array([5, 1, 6, 1, 4, 1]), POPULATION)
    assert merges == [] and groups.tolist() == [0, 1, 2, 3, 4, 5]
