"""The command-line contract of `borgerblik drivers` and `borgerblik analyze`."""

from __future__ import annotations

import polars as pl
import pytest
from typer.testing import CliRunner

from borgerblik.analysis import relative_weights
from borgerblik.cli import app
from borgerblik.core import load_template

runner = CliRunner()


@pytest.fixture()
def data_csv(tmp_path, driver_frame):
    path = tmp_path / "svar.csv"
    driver_frame.write_csv(path)
    return path


def test_drivers_writes_the_contract_columns_and_prints_r2(data_csv, tmp_path, driver_frame):
    out = tmp_path / "dr.csv"
    result = runner.invoke(
        app,
        [
            "drivers",
            "--data",
            str(data_csv),
            "--outcome",
            "samlet",
            "--predictors",
            "q1,q2,q3,q4",
            "--bootstrap",
            "100",
            "--seed",
            "3",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    assert table.columns[:3] == ["predictor", "raw_weight", "rescaled_weight"]
    assert {"mean", "quadrant"} <= set(table.columns)
    expected = relative_weights(driver_frame, "samlet", ["q1", "q2", "q3", "q4"], bootstrap=0)
    assert table.sort("predictor")["raw_weight"].to_list() == pytest.approx(
        expected.table["raw_weight"].to_list()
    )
    r2 = f"{expected.r_squared:.3f}".replace(".", ",")
    assert f"R² = {r2}" in result.output


def test_drivers_names_a_constant_predictor_and_exits_2(tmp_path):
    path = tmp_path / "svar.csv"
    pl.DataFrame({"y": [1, 2, 3, 4, 5, 2], "a": [1, 3, 2, 5, 4, 1], "fast": [4, 4, 4, 4, 4, 4]}).write_csv(
        path
    )
    result = runner.invoke(app, ["drivers", "--data", str(path), "--outcome", "y", "--predictors", "a,fast"])
    assert result.exit_code == 2
    assert "kolonne 'fast' er konstant" in result.output
    assert "Traceback" not in result.output


def test_drivers_names_a_non_numeric_outcome_with_file_and_line(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_text("y,a\n1,2\nmeget tilfreds,3\n", encoding="utf-8")
    result = runner.invoke(app, ["drivers", "--data", str(path), "--outcome", "y", "--predictors", "a"])
    assert result.exit_code == 2
    assert (
        "svar.csv: kolonne 'y', linje 3: forventede et svar 1–5, 9 eller tomt, fik 'meget tilfreds'"
        in " ".join(result.output.split())
    )


def test_drivers_on_a_missing_file_or_column(tmp_path, data_csv):
    missing = runner.invoke(
        app, ["drivers", "--data", str(tmp_path / "nej.csv"), "--outcome", "y", "--predictors", "a"]
    )
    assert missing.exit_code == 2 and "findes ikke" in missing.output
    column = runner.invoke(
        app, ["drivers", "--data", str(data_csv), "--outcome", "samlet", "--predictors", "q1,q9"]
    )
    assert column.exit_code == 2 and "q9" in column.output


def test_analyze_writes_every_table_as_parquet_and_csv_with_an_index(tmp_path, kl_survey):
    responses = tmp_path / "svar.csv"
    survey = kl_survey().drop("koen", "alder")
    cprs = [f"{61 + i % 28:02d}0{1 + i % 9}{70 + i % 20}-{1000 + i:04d}" for i in range(survey.height)]
    survey.with_columns(pl.Series("cpr", cprs), pl.lit("+4512345678").alias("telefon")).write_csv(responses)
    out = tmp_path / "analyse"
    result = runner.invoke(
        app,
        [
            "analyze",
            "--responses",
            str(responses),
            "--out",
            str(out),
            "--bootstrap",
            "50",
            "--scheme",
            "kl2024,kbh",
        ],
    )
    assert result.exit_code == 0, result.output
    index = pl.read_csv(out / "index.csv")
    assert index["table"].to_list()[:4] == ["breakdowns", "benchmark", "statements", "significance"]
    for name in index["table"]:
        assert (out / f"{name}.parquet").exists() and (out / f"{name}.csv").exists()
    breakdown = pl.read_parquet(out / "breakdowns.parquet")
    assert breakdown.filter(pl.col("by") == "alle")["kommune"].to_list()[:1] == ["alle"]
    assert "Kommunen med mest tilfredshed er" in result.output
    written = " ".join(path.read_text(encoding="utf-8") for path in out.glob("*.csv"))
    assert not any(cpr in written for cpr in cprs) and "12345678" not in written
    assert set(breakdown.filter(pl.col("by") == "koen")["group"]) == {"mand", "kvinde"}  # read from the CPR
    assert set(breakdown.filter(pl.col("by") == "maalgruppe_kbh")["group"]) == {"udsatte", "job_udd_parate"}


def test_analyze_refuses_a_bad_answer_code_and_writes_nothing(tmp_path, kl_survey):
    responses = tmp_path / "svar.csv"
    kl_survey().with_columns(
        pl.when(pl.col("respondent_id") == "7").then(7).otherwise(pl.col("tillid")).alias("tillid")
    ).write_csv(responses)
    out = tmp_path / "analyse"
    result = runner.invoke(app, ["analyze", "--responses", str(responses), "--out", str(out)])
    assert result.exit_code == 2
    assert "kolonne 'tillid', linje 8" in " ".join(result.output.split())
    assert not out.exists()


def test_analyze_reads_a_stored_survey_and_weights_it_by_its_population(tmp_path, kl_survey):
    from borgerblik.storage import Database
    from borgerblik.surveys import create_survey_from_template

    url = f"sqlite:///{tmp_path / 'borgerblik.sqlite'}"
    survey = kl_survey(60)
    with Database(url) as db:
        survey_id = create_survey_from_template(db, "KL test", "kl-2024")
        rows = [
            {
                "cpr": f"{61 + i % 28:02d}0190-{1000 + i:04d}",
                "kommune": "Albertslund" if i % 3 else "Ballerup",
                "maalgruppe": ["6.1", "6.3", "6.6"][i % 3],
                "gender": "mand" if i % 2 else "kvinde",
                "birth_date": f"1990-01-{1 + i % 28:02d}",
                "age": 34,
                "age_group": "30-49",
                "ydelse_start": "2023-06-15",
                "ydelse_slut": "",
                "samtaler": "jobsamtale",
                "digital_post_fritaget": "nej",
                "telefon": "",
                "email": "",
            }
            for i in range(1, 81)
        ]
        members = db.add_members(survey_id, rows)
        db.save_sample(survey_id, {m: "s" for m in members}, draw_seed=1)
        db.create_invitations(survey_id)
        items = load_template("kl-2024").scale_items()
        invitations = db.invitations(survey_id)
        for k, invitation in enumerate(invitations[:60]):
            answers = {q: int(survey[k, q]) for q in [*items, "status"] if q not in ("samarbejde",)}
            db.save_answers(invitation.id, answers, state="complete" if k % 4 else "partial")
    out = tmp_path / "analyse"
    result = runner.invoke(
        app, ["analyze", "--survey", "KL test", "--database", url, "--out", str(out), "--bootstrap", "20"]
    )
    assert result.exit_code == 0, result.output
    breakdown = pl.read_parquet(out / "breakdowns.parquet")
    overall = breakdown.filter(
        (pl.col("question") == "tillid") & (pl.col("by") == "alle") & (pl.col("kommune") == "alle")
    )
    assert overall["n_valid"][0] == (survey.head(60)["tillid"] != 9).sum()
    cells = pl.DataFrame(
        [(i.kommune, i.gender, i.maalgruppe, k < 60) for k, i in enumerate(invitations)],
        schema=["kommune", "koen", "maalgruppe", "respondent"],
        orient="row",
    ).with_columns(
        (
            pl.len().over("kommune", "koen", "maalgruppe")
            / pl.col("respondent").sum().over("kommune", "koen", "maalgruppe")
        ).alias("weight")
    )
    valid = (survey.head(60)["tillid"] != 9).to_list()
    expected = sum(w for w, ok in zip(cells.head(60)["weight"], valid, strict=True) if ok)
    assert overall["weighted_n"][0] == pytest.approx(expected)
    assert breakdown.filter(pl.col("question") == "samarbejde")["n_valid"].max() in (0, None)


def test_analyze_with_earlier_waves_adds_the_trend_tables(tmp_path, kl_survey):
    current, earlier = tmp_path / "svar.csv", tmp_path / "historik.csv"
    kl_survey().with_columns(pl.lit(2024).alias("wave")).write_csv(current)
    kl_survey(120).with_columns(pl.lit(2023).alias("wave")).write_csv(earlier)
    out = tmp_path / "analyse"
    args = [
        "analyze",
        "--responses",
        str(current),
        "--history",
        str(earlier),
        "--out",
        str(out),
        "--bootstrap",
        "20",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    trends = pl.read_parquet(out / "trends.parquet")
    average = trends.filter(pl.col("question") == "Gennemsnitlig besvarelse på alle spørgsmål")
    assert sorted(set(average["year"])) == [2023, 2024]
    questions = trends.filter(
        (pl.col("year") == 2024) & (pl.col("group") == "dagpenge") & (pl.col("n_questions").is_null())
    )
    row = average.filter((pl.col("year") == 2024) & (pl.col("group") == "dagpenge"))
    assert row["pct_positive"][0] == pytest.approx(questions["pct_positive"].mean())
    assert set(trends["group"]) == {"alle", "dagpenge", "job_udd_parate", "aktivitetsparate", "sygedagpenge"}
    changes = pl.read_parquet(out / "trend_changes.parquet")
    assert set(changes.select("year_before", "year_after").rows()) == {(2023, 2024)}


def test_analyze_refuses_several_waves_in_one_response_file(tmp_path, kl_survey):
    responses = tmp_path / "svar.csv"
    kl_survey().with_columns(
        pl.when(pl.col("alder") > 40).then(2024).otherwise(2023).alias("wave")
    ).write_csv(responses)
    result = runner.invoke(app, ["analyze", "--responses", str(responses), "--out", str(tmp_path / "a")])
    assert result.exit_code == 2
    assert "flere bølger (2023, 2024)" in " ".join(result.output.split())


def test_differences_writes_the_table_largest_first(tmp_path):
    path, out = tmp_path / "svar.csv", tmp_path / "forskelle.csv"
    pl.DataFrame(
        {"job": [5, 4, 4, 2, 1, 3, 9], "a": [5, 5, 4, 1, 2, 3, 1], "b": [3, 4, 3, 3, 3, 5, 5]}
    ).write_csv(path)
    result = runner.invoke(
        app, ["differences", "--data", str(path), "--outcome", "job", "--questions", "a,b", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    assert table["question"].to_list() == ["a", "b"]
    assert table["difference"][0] == pytest.approx(14 / 3 - 1.5)
    assert "3,17" in result.output  # 14/3 − 1,5 in Danish
