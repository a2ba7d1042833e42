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
    for column in ("kommune", "group"):
        line_counts = published.group_by(column).agg(pl.col("suppressed").sum())["suppressed"].to_list()
        assert 1 not in line_counts
    small = published.filter(pl.Series([0 < c["n_valid"] < 5 for c in cells]))
    assert small["suppressed"].all()
