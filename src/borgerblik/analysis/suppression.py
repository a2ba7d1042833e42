"""Small-group suppression: a figure built on fewer valid answers than the threshold is not published.

Primary suppression hides every cell with ``n_valid`` below the survey's threshold (default 5).
Complementary suppression then makes sure no hidden cell can be recovered by subtraction: a published
total minus the published parts of a line (the age groups of a question, or the municipalities of an age
group) gives only the *sum* of the hidden parts, so every line with a hidden cell must have at least two.
Lines are checked in every dimension of the table and the rule is repeated until nothing changes; the
cell added is the smallest visible one of the line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import polars as pl

from borgerblik.analysis.answers import require_columns

DEFAULT_THRESHOLD = 5
PRIMARY_NOTE = "Færre end {threshold} svar — vises ikke"
SECONDARY_NOTE = "Skjult, så en lille gruppe ikke kan regnes ud"
TOTAL = "alle"


def hidden_rows(counts: np.ndarray, threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """Which rows of one line to hide, when the line's total is published elsewhere.

    ``counts`` is rows × measures (e.g. n_high and n_low of a comparison): a row is hidden when any measure
    is below the threshold, and then, for every measure with exactly one hidden row, the smallest visible row
    is hidden too — repeated until each measure has none or at least two hidden rows.
    """
    counts = np.asarray(counts).reshape(len(counts), -1)
    hidden = ((counts > 0) & (counts < threshold)).any(axis=1)
    changed = True
    while changed:
        changed = False
        for measure in counts.T:
            if np.count_nonzero(hidden & (measure > 0)) != 1:
                continue
            visible = np.flatnonzero(~hidden & (measure > 0))
            if visible.size:
                hidden[visible[np.argmin(measure[visible])]] = True  # first of equals
                changed = True
    return hidden


def suppress_small_groups(
    table: pl.DataFrame,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    fixed: Sequence[str] = ("question", "by"),
    varying: Sequence[str] = ("group",),
    count: str = "n_valid",
    values: Sequence[str] | None = None,
) -> pl.DataFrame:
    """``table`` with small cells and their complements blanked, plus ``suppressed`` and ``suppression_note``.

    A line is the set of rows that share the ``fixed`` columns and all but one of the ``varying``
    columns; rows whose varying value is ``"alle"`` are the line's total and are never chosen as a
    complement. ``values`` are the columns blanked (default: every numeric column except the keys),
    ``count`` included.
    """
    keys = [*fixed, *varying]
    require_columns(table, [*keys, count], "tabel til diskretionering")
    if values is None:
        values = [c for c, t in table.schema.items() if c not in keys and t.is_numeric()]
    n = table.get_column(count).fill_null(0).to_list()
    cells = table.select(keys).rows()
    hidden = [0 < v < threshold for v in n]
    secondary = [False] * len(n)

    lines: dict[tuple, list[int]] = defaultdict(list)
    for row, cell in enumerate(cells):
        for position, column in enumerate(varying):
            if cell[len(fixed) + position] == TOTAL:
                continue
            line_key = (column, *(v for k, v in enumerate(cell) if k != len(fixed) + position))
            lines[line_key].append(row)

    changed = True
    while changed:
        changed = False
        for members in lines.values():
            if sum(hidden[r] for r in members) != 1:
                continue
            visible = [r for r in members if not hidden[r] and n[r] > 0]
            if not visible:
                continue
            chosen = min(visible, key=lambda r: (n[r], r))
            hidden[chosen] = secondary[chosen] = True
            changed = True

    notes = [
        (SECONDARY_NOTE if secondary[r] else PRIMARY_NOTE.format(threshold=threshold)) if hidden[r] else None
        for r in range(len(n))
    ]
    mask = pl.Series("suppressed", hidden, dtype=pl.Boolean)
    return table.with_columns(
        *[pl.when(mask).then(None).otherwise(pl.col(c)).alias(c) for c in {*values, count}],
        mask,
        pl.Series("suppression_note", notes, dtype=pl.Utf8),
    )
