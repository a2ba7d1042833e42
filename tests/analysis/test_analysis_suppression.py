"""Small groups are hidden, and no published figure lets anyone subtract their way back to them."""

from __future__ import annotations

import numpy as np
import polars as pl

from borgerblik.analysis.suppression import suppress_small_groups

AGES = ["16-29", "30-49", "50-66"]
KOMMUNER = ["Albertslund", "Ballerup", "Dragør", "Herlev"]
COUNTS = {  # kommune → valid answers per age group; Dragør's young (3) is below the threshold
    "Albertslund": [40, 55, 61],
    "Ballerup": [22, 80, 47],
    "Dragør": [3, 18, 25],
    "Herlev": [12, 30, 9],
}


def cube() -> pl.DataFrame:
    """Question × kommune × age group with both margins, n and sum of scores (mean = sum / n)."""
    rng = np.random.default_rng(5)
    rows = []
    for kommune, counts in COUNTS.items():
        for age, n in zip(AGES, counts, strict=True):
            rows.append(
                {
                    "question": "samlet",
                    "by": "alder",
                    "kommune": kommune,
                    "group": age,
                    "n_valid": n,
                    "sum": float(rng.integers(n, 5 * n + 1)),
                }
            )
    frame = pl.DataFrame(rows)
    margins = [
        frame.group_by("question", "by", "kommune").agg(
            pl.lit("alle").alias("group"), pl.sum("n_valid", "sum")
        ),
        frame.group_by("question", "by", "group").agg(
            pl.lit("alle").alias("kommune"), pl.sum("n_valid", "sum")
        ),
        frame.group_by("question", "by").agg(
            pl.lit("alle").alias("kommune"), pl.lit("alle").alias("group"), pl.sum("n_valid", "sum")
        ),
    ]
    full = pl.concat([frame, *[m.select(frame.columns) for m in margins]])
    return full.with_columns((pl.col("sum") / pl.col("n_valid")).alias("mean")).sort("kommune", "group")


def recoverable(published: pl.DataFrame, truth: pl.DataFrame) -> list[tuple[str, str]]:
    """Hidden inner cells whose count is pinned down by the published margins (solved as a linear system)."""
    inner = truth.filter((pl.col("kommune") != "alle") & (pl.col("group") != "alle"))
    shown = {(r["kommune"], r["group"]): r["n_valid"] for r in published.iter_rows(named=True)}
    hidden = [(k, g) for k, g in inner.select("kommune", "group").rows() if shown[(k, g)] is None]
    equations = []
    for kommune in KOMMUNER:
        if shown[(kommune, "alle")] is not None:
            equations.append([1.0 if k == kommune else 0.0 for k, _ in hidden])
    for age in AGES:
        if shown[("alle", age)] is not None:
            equations.append([1.0 if g == age else 0.0 for _, g in hidden])
    if not equations:
        return []
    system = np.array(equations)
    found = []
    for j, cell in enumerate(hidden):
        target = np.eye(len(hidden))[j]
        solution, *_ = np.linalg.lstsq(system.T, target, rcond=None)
        if np.allclose(system.T @ solution, target):
            found.append(cell)
    return found


def test_a_group_under_five_answers_is_hidden_with_a_note():
    table = suppress_small_groups(cube(), fixed=("question", "by"), varying=("kommune", "group"))
    young = table.filter((pl.col("kommune") == "Dragør") & (pl.col("group") == "16-29")).row(0, named=True)
    assert young["suppressed"] and young["mean"] is None and young["n_valid"] is None and young["sum"] is None
    assert young["suppression_note"] == "Færre end 5 svar — vises ikke"


def test_no_hidden_cell_can_be_recovered_from_the_published_margins():
    truth = cube()
    published = suppress_small_groups(truth, fixed=("question", "by"), varying=("kommune", "group"))
    assert published["suppressed"].sum() >= 4  # Dragør 16-29 plus complements in its row and column
    assert recoverable(published, truth) == []
    national = published.filter((pl.col("kommune") == "alle") & (pl.col("group") == "alle"))
    assert not national["suppressed"][0]


def test_every_line_with_a_hidden_cell_has_at_least_two():
    published = suppress_small_groups(cube(), fixed=("question", "by"), varying=("kommune", "group"))
    inner = published.filter((pl.col("kommune") != "alle") & (pl.col("group") != "alle"))
    for column in ("kommune", "group"):
        hidden_per_line = inner.group_by(column).agg(pl.col("suppressed").sum())["suppressed"].to_list()
        assert all(h != 1 for h in hidden_per_line)
    notes = inner.filter(pl.col("suppressed")).select("kommune", "group", "suppression_note").rows()
    assert ("Dragør", "16-29", "Færre end 5 svar — vises ikke") in notes
    assert all(
        note == "Skjult, så en lille gruppe ikke kan regnes ud"
        for k, g, note in notes
        if k != "Dragør" or g != "16-29"
    )


def test_one_dimension_complement_is_the_smallest_visible_sibling():
    table = pl.DataFrame(
        {
            "question": ["samlet"] * 4,
            "by": ["alder"] * 4,
            "group": ["alle", "16-29", "30-49", "50-66"],
            "n_valid": [46, 3, 18, 25],
            "mean": [3.9, 2.0, 4.1, 4.0],
        }
    )
    published = suppress_small_groups(table)
    assert published["suppressed"].to_list() == [False, True, True, False]
    assert published["mean"].to_list() == [3.9, None, None, 4.0]
    assert published["n_valid"].to_list() == [46, None, None, 25]


def test_nothing_is_hidden_when_every_group_is_large_enough():
    truth = cube().with_columns(pl.col("n_valid") + 10)
    published = suppress_small_groups(truth, fixed=("question", "by"), varying=("kommune", "group"))
    assert published["suppressed"].sum() == 0
    assert published["n_valid"].to_list() == truth["n_valid"].to_list()
