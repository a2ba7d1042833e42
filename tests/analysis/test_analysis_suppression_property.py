"""Property: whatever the counts, no line of a published table has exactly one hidden cell."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from borgerblik.analysis import suppress_small_groups

counts = st.lists(
    st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=5), min_size=2, max_size=6
)


@settings(max_examples=150, deadline=None)
@given(counts.filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_no_line_of_a_published_table_has_a_single_hidden_cell(rows):
    cells = [
        {"question": "q", "by": "alder", "kommune": f"k{i}", "group": f"g{j}", "n_valid": n, "mean": 3.0}
        for i, row in enumerate(rows)
        for j, n in enumerate(row)
    ]
    published = suppress_small_groups(pl.DataFrame(cells), varying=("kommune", "group"))
    truth = pl.DataFrame(cells).select("kommune", "group", pl.col("n_valid").alias("n"))
    lines = published.select("kommune", "group", "suppressed").join(truth, on=["kommune", "group"])
    for column in ("kommune", "group"):
        per_line = lines.group_by(column).agg(
            pl.col("suppressed").sum().alias("hidden"),
            pl.col("n").filter(~pl.col("suppressed")).sum().alias("shown"),
        )
        # a single hidden cell is only possible when everything else in its line is empty: then the line's
        # total is that cell and just as small, so it is hidden too
        assert per_line.filter((pl.col("hidden") == 1) & (pl.col("shown") > 0)).height == 0
    small = published.filter(pl.Series([0 < c["n_valid"] < 5 for c in cells]))
    assert small["suppressed"].all()
