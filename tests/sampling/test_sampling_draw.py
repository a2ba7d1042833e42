"""The seeded stratified draw: exact allocation per stratum, reproducible; census and fixed-per-group."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borgerblik.sampling import (
    DesignError,
    SampleDesign,
    draw_sample,
    load_design,
    reachability,
    reachability_totals,
)


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    size = 12_000
    return pl.DataFrame(
        {
            "borger_id": np.arange(1, size + 1),
            "kommune": rng.choice(["Assens", "Brøndby", "Lemvig"], size, p=[0.6, 0.3, 0.1]),
            "koen": rng.choice(["mand", "kvinde"], size),
            "aldersgruppe": rng.choice(["16-29", "30-49", "50-66"], size),
            "maalgruppe": rng.choice(["6.1", "6.3", "6.6"], size),
        }
    )


def test_kl_design_sizes_each_municipality_by_the_rule_and_hits_it_exactly(frame: pl.DataFrame) -> None:
    sample = draw_sample(frame, load_design("kl2024"), seed=2024)
    totals = dict(sample.group_totals().select("kommune", "stikproeve").iter_rows())
    populations = dict(frame.group_by("kommune").len().iter_rows())
    assert populations == {"Assens": 7_219, "Brøndby": 3_606, "Lemvig": 1_175}
    # 2619 − 1119·exp(−5719/2880) = 2465.39; 2619 − 1119·exp(−2106/2880) = 2080.42; Lemvig under 1,500: whole
    assert totals == {"Assens": 2_465, "Brøndby": 2_080, "Lemvig": 1_175}
    assert sample.size == 2_465 + 2_080 + 1_175
    counted = sample.frame.group_by("kommune").len()
    assert dict(counted.iter_rows()) == totals


def test_every_stratum_is_within_one_person_of_proportional(frame: pl.DataFrame) -> None:
    sample = draw_sample(frame, load_design("kl2024"), seed=2024)
    report = sample.report()
    assert report.height == 3 * 2 * 3 * 3
    assert report["afvigelse"].abs().max() < 1
    drawn = sample.frame.group_by(["kommune", "koen", "aldersgruppe", "maalgruppe"]).len("n")
    joined = report.join(drawn, on=["kommune", "koen", "aldersgruppe", "maalgruppe"], how="left")
    assert (joined["n"].fill_null(0) == joined["stikproeve"]).all()
    lemvig = report.filter(pl.col("kommune") == "Lemvig")
    assert (lemvig["andel_population"] == lemvig["andel_stikproeve"]).all()


def test_same_seed_same_sample_other_seed_other_sample(frame: pl.DataFrame) -> None:
    design = load_design("kl2024")
    first = draw_sample(frame, design, seed=7)
    again = draw_sample(frame, design, seed=7)
    other = draw_sample(frame, design, seed=8)
    assert first.frame["borger_id"].to_list() == again.frame["borger_id"].to_list()
    assert first.frame["borger_id"].to_list() != other.frame["borger_id"].to_list()
    assert first.allocation.equals(other.allocation)


def test_sample_keeps_the_frames_columns_and_row_order(frame: pl.DataFrame) -> None:
    sample = draw_sample(frame, load_design("kl2024"), seed=1)
    assert sample.frame.columns == frame.columns
    ids = sample.frame["borger_id"].to_list()
    assert ids == sorted(ids)


def test_census_takes_everybody(frame: pl.DataFrame) -> None:
    sample = draw_sample(frame, load_design("census"), seed=1)
    assert sample.frame.equals(frame)


def test_fixed_number_per_subgroup_as_vive(frame: pl.DataFrame) -> None:
    design = SampleDesign(within=None, strata=("maalgruppe",), mode="fixed_per_group", per_group=40,
                          per_group_sizes={"6.3": 50})
    sample = draw_sample(frame, design, seed=3)
    assert dict(sample.frame.group_by("maalgruppe").len().sort("maalgruppe").iter_rows()) == {
        "6.1": 40, "6.3": 50, "6.6": 40,
    }
    small = draw_sample(frame.head(60), design, seed=3)
    assert small.size == small.allocation["stikproeve"].sum()
    assert (small.allocation["stikproeve"] <= small.allocation["population"]).all()


def test_explicit_sizes_per_group(frame: pl.DataFrame) -> None:
    sizes = {"Assens": 100, "Brøndby": 10, "Lemvig": 5000}
    design = SampleDesign(within="kommune", strata=("koen",), sizes=sizes)
    sample = draw_sample(frame, design, seed=3)
    assert dict(sample.group_totals().select("kommune", "stikproeve").iter_rows()) == {
        "Assens": 100, "Brøndby": 10, "Lemvig": 1_175,
    }
    with pytest.raises(DesignError, match="mangler for kommune Lemvig"):
        partial = SampleDesign(within="kommune", strata=(), sizes={"Assens": 1, "Brøndby": 1})
        draw_sample(frame, partial, seed=1)


def test_missing_columns_are_named(frame: pl.DataFrame) -> None:
    with pytest.raises(DesignError, match="mangler kolonnen ydelse"):
        draw_sample(frame, SampleDesign(strata=("ydelse",)), seed=1)
    with pytest.raises(DesignError, match="ukendt stikprøvetype"):
        SampleDesign(mode="kvote")  # type: ignore[arg-type]


def test_reachability_per_citizen_and_the_kl_totals() -> None:
    sample = pl.DataFrame({"borger_id": [1, 2, 3, 4, 5]})
    identities = pl.DataFrame(
        {
            "borger_id": [1, 2, 3, 4, 5, 6],
            "cpr": ["x"] * 6,
            "digital_post_fritaget": [False, False, True, True, False, True],
            "telefon": ["22345678", None, "22345678", None, None, None],
            "email": [None, "a@b.dk", None, "c@d.dk", None, None],
        }
    )
    channels = reachability(sample, identities)
    assert channels.columns == ["borger_id", "digital_post", "sms", "email", "kategori", "ingen_kanal"]
    assert channels["kategori"].to_list() == [
        "digital_post_og_sms", "kun_digital_post", "kun_sms", "hverken", "kun_digital_post",
    ]
    assert channels["ingen_kanal"].to_list() == [False, False, False, False, False]
    totals = reachability_totals(channels)
    assert totals.select("kategori", "antal").rows() == [
        ("digital_post_og_sms", 1), ("kun_digital_post", 2), ("kun_sms", 1), ("hverken", 1),
    ]
    assert totals["andel"].to_list() == [0.2, 0.4, 0.2, 0.2]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("ABC"), st.sampled_from("xy"), st.sampled_from("123")), max_size=200),
    st.dictionaries(st.sampled_from("ABC"), st.integers(0, 80), min_size=3, max_size=3),
    st.integers(0, 2**32 - 1),
)
def test_any_frame_gets_exactly_min_n_per_group_and_proportional_strata(
    rows: list[tuple[str, str, str]], sizes: dict[str, int], seed: int
) -> None:
    frame = pl.DataFrame(rows, schema={"g": pl.String, "s": pl.String, "t": pl.String}, orient="row")
    sample = draw_sample(frame, SampleDesign(within="g", strata=("s", "t"), sizes=sizes), seed)
    population = dict(frame.group_by("g").len().iter_rows())
    drawn = dict(sample.frame.group_by("g").len().iter_rows())
    assert {g: drawn.get(g, 0) for g in population} == {g: min(sizes[g], n) for g, n in population.items()}
    report = sample.report()
    assert (report["afvigelse"].abs() < 1).all()
    assert (report["stikproeve"] <= report["population"]).all()
    again = draw_sample(frame, SampleDesign(within="g", strata=("s", "t"), sizes=sizes), seed)
    assert sample.frame.equals(again.frame)
