"""Breakdowns and the analysis frame: the KL rules with exact numbers."""

from __future__ import annotations

import polars as pl
import pytest

from borgerblik.analysis import breakdowns, prepare_analysis_frame, published_breakdowns
from borgerblik.weighting import fixed_weights

# DOMAIN.md § Weighting: the KL worked example for overall satisfaction (5 = Meget tilfreds).
KL_COUNTS = {5: 9_769, 4: 10_247, 3: 5_388, 2: 2_375, 1: 2_795}
KL_WEIGHT_SUMS = {5: 20_409, 4: 23_183, 3: 12_672, 2: 5_773, 1: 7_063}


def kl_example() -> pl.DataFrame:
    rows = [
        {"samlet": float(code), "vaegt": KL_WEIGHT_SUMS[code] / count}
        for code, count in KL_COUNTS.items()
        for _ in range(count)
    ]
    dont_know = [{"samlet": 9.0, "vaegt": 1.0}] * 1_337
    return pl.DataFrame(rows + dont_know)


def test_weighted_shares_reproduce_the_kl_worked_example():
    frame = kl_example().with_row_index("respondent_id").with_columns(pl.col("respondent_id").cast(pl.Utf8))
    design = fixed_weights(frame["respondent_id"].to_numpy().astype(str), frame["vaegt"].to_numpy())
    table = breakdowns(frame, ["samlet"], design=design)
    row = table.row(0, named=True)
    assert (row["kommune"], row["by"], row["group"]) == ("alle", "alle", "alle")
    assert (row["n_valid"], row["n_dont_know"]) == (30_574, 1_337)
    assert row["weighted_n"] == pytest.approx(69_100)
    shares = [round(100 * row[f"share_{c}"], 1) for c in (5, 4, 3, 2, 1)]
    assert shares == [29.5, 33.5, 18.3, 8.4, 10.2]
    assert row["pct_positive"] == pytest.approx(43_592 / 69_100)
    assert row["mean"] == pytest.approx((5 * 20_409 + 4 * 23_183 + 3 * 12_672 + 2 * 5_773 + 7_063) / 69_100)


def respondents() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "cpr": ["010190-1235", "020285-2222", "150370-3331", "311299-4448", "100605-4443", "120160-1112"],
            "kommune": ["Albertslund", "Albertslund", "Albertslund", "Ballerup", "Ballerup", "Ballerup"],
            "maalgruppe": ["6.3", "6.1", "6.6", "6.2", "6.5", "6.7"],
            "ydelse_start": [
                "2024-01-01",
                "2023-06-01",
                "2022-10-01",
                "2020-01-01",
                "2023-11-01",
                "2021-05-05",
            ],
            "status": [1, 1, 1, 1, 2, None],
            "telefon": ["12345678"] * 6,
            "samlet": [2, 5, 4, 9, 1, 4],
        }
    )


def test_the_analysis_frame_derives_the_kl_breakdown_variables_and_drops_personal_data():
    frame = prepare_analysis_frame(respondents())
    assert "cpr" not in frame.columns and "telefon" not in frame.columns
    assert frame["koen"].to_list() == ["mand", "kvinde", "mand", "kvinde", "mand", "kvinde"]
    assert frame["aldersgruppe"].to_list() == ["30-49", "30-49", "50-66", "16-29", "16-29", "50-66"]
    assert frame["tilknytning"].to_list() == [
        "aktuelt forløb",
        "aktuelt forløb",
        "aktuelt forløb",
        "aktuelt forløb",
        "afsluttet forløb",
        None,
    ]
    assert frame["varighed"].to_list() == ["under 26 uger", "26-52 uger", "1-2 år", "over 2 år", None, None]
    assert frame["varighed_uger"][0] == pytest.approx(97 / 7)
    assert frame["varighed_kontrol"].to_list()[4] == "afsluttet forløb"
    assert frame["maalgruppe_kl2024"].to_list() == [
        "aktivitetsparate",
        "dagpenge",
        "sygedagpenge",
        "job_udd_parate",
        "aktivitetsparate",
        "jobafklaring",
    ]


def test_breakdowns_by_each_variable_nationally_and_per_municipality():
    table = breakdowns(prepare_analysis_frame(respondents()), ["samlet"])
    national_gender = table.filter((pl.col("kommune") == "alle") & (pl.col("by") == "koen"))
    assert national_gender.select("group", "n_valid", "n_dont_know", "mean").rows() == [
        ("kvinde", 2, 1, 4.5),
        ("mand", 3, 0, pytest.approx(7 / 3)),
    ]
    duration = table.filter((pl.col("kommune") == "alle") & (pl.col("by") == "varighed"))
    assert duration.select("group", "n_valid", "n_dont_know").rows() == [
        ("under 26 uger", 1, 0),
        ("26-52 uger", 1, 0),
        ("1-2 år", 1, 0),
        ("over 2 år", 0, 1),
    ]
    ballerup = table.filter((pl.col("kommune") == "Ballerup") & (pl.col("by") == "alle")).row(0, named=True)
    assert (ballerup["n_valid"], ballerup["mean"], ballerup["pct_positive"]) == (2, 2.5, 0.5)
    assert table["by"].unique(maintain_order=True).to_list() == [
        "alle",
        "aldersgruppe",
        "koen",
        "varighed",
        "tilknytning",
        "maalgruppe_kl2024",
    ]


def test_published_breakdowns_hide_groups_under_the_threshold():
    table = breakdowns(prepare_analysis_frame(respondents()), ["samlet"])
    published = published_breakdowns(table)
    national = published.filter((pl.col("kommune") == "alle") & (pl.col("by") == "alle")).row(0, named=True)
    assert national["n_valid"] == 5 and not national["suppressed"]
    assert published.filter(pl.col("by") == "koen")["mean"].null_count() == 6
