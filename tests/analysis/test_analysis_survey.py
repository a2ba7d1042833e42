"""The complete analysis: every table keeps a small municipality hidden, together with a complement."""

from __future__ import annotations

import polars as pl

from borgerblik.analysis import prepare_analysis_frame
from borgerblik.analysis.survey import AnalysisOptions, analyze_survey
from borgerblik.core import load_template


def test_a_tiny_municipality_is_hidden_in_every_table_with_a_complement(kl_survey):
    survey = kl_survey(400, ("Albertslund", "Ballerup"))
    places = ["Læsø"] * 3 + ["Fanø"] * 30 + survey["kommune"].to_list()[33:]
    frame = prepare_analysis_frame(survey.with_columns(pl.Series("kommune", places)))
    instrument = load_template("kl-2024")
    tables = analyze_survey(
        frame, instrument.scale_items(), instrument.overall_question, options=AnalysisOptions(bootstrap=20)
    )
    summary = tables["drivers_summary"]
    hidden = summary.filter(pl.col("r_squared").is_null())["kommune"].sort().to_list()
    assert hidden == ["Fanø", "Læsø"]
    assert set(tables["drivers"]["kommune"]) == {"alle", "Albertslund", "Ballerup"}
    benchmark = tables["benchmark"].filter(pl.col("question") == "samlet_tilfredshed")
    assert benchmark.filter(pl.col("rank").is_null())["kommune"].sort().to_list() == ["Fanø", "Læsø"]
    assert not set(tables["differences"]["kommune"]) & {"Fanø", "Læsø"}
    totals = tables["breakdowns"].filter(
        (pl.col("by") == "alle") & (pl.col("question") == "samlet_tilfredshed")
    )
    assert totals.filter(pl.col("suppressed"))["kommune"].sort().to_list() == ["Fanø", "Læsø"]
    significance = tables["significance"]
    controls = dict(significance.select("by", "controls").unique().iter_rows())
    assert controls["aldersgruppe"] == "koen, varighed_kontrol" and controls["tilknytning"] == "koen"
    assert set(significance["by"]) == {"aldersgruppe", "koen", "tilknytning", "maalgruppe_kl2024"}
