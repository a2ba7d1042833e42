"""`borgerblik demo` is the honest end-to-end path: each stage's numbers are checked against the database
and against the synthetic truth it was fed (two municipalities, to keep it quick)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from rich.console import Console
from sqlalchemy import text
from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.demo import DEMO_MUNICIPALITIES, DemoRun, run_demo
from borgerblik.storage import Database
from borgerblik.synth import MUNICIPALITIES as SYNTHETIC
from borgerblik.synth import generate_register
from borgerblik.text.redaction import redact

MUNICIPALITIES = ("Lemvig", "Odsherred")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    console = Console(file=open("/dev/null", "w"), width=120)  # noqa: SIM115 - closed with the process
    return run_demo(tmp_path_factory.mktemp("demo") / "out", console, 2024, MUNICIPALITIES, bootstrap=50)


def test_population_is_the_eligible_register_rows_of_the_chosen_municipalities(demo: DemoRun) -> None:
    eligible = generate_register(seed=2024).filter(pl.col("kommune").is_in(MUNICIPALITIES))
    assert demo.facts["population"] == eligible.height


def test_monitor_equals_direct_database_counts(demo: DemoRun) -> None:
    overall = demo.facts["fieldwork"].overall
    with Database(demo.database_url) as db, db.reading() as connection:
        def count(sql: str) -> int:
            return connection.execute(text(sql)).scalar_one()

        assert overall.invited == count("SELECT count(*) FROM invitations")
        assert overall.complete == count("SELECT count(*) FROM response_sessions WHERE state = 'complete'")
        assert overall.partial == count("SELECT count(*) FROM response_sessions WHERE state = 'partial'")
        assert overall.opted_out == count("SELECT count(*) FROM opt_outs")


def test_answers_stored_through_the_questionnaire_equal_what_the_citizens_meant(demo: DemoRun) -> None:
    """Complete respondents answered page by page through the collection stage: every intended answer
    (routing already applied by the simulation) is in the database, and nothing else — open answers as the
    redactor leaves them on arrival (a planted name becomes [XXX])."""
    simulated = demo.facts["simulated"]
    intended = dict(simulated.answers_by_respondent())
    complete = simulated.persons.filter(pl.col("outcome") == "complete")["respondent_id"].to_list()
    with Database(demo.database_url) as db:
        by_member = {i.member_id: i.id for i in db.invitations(demo.survey_id)}
        for member in complete[:200]:
            meant = {
                answer: redact(value).text if isinstance(value, str) else value
                for answer, value in intended[member].items()
            }
            assert db.answers(by_member[member]) == meant


def test_weights_add_up_to_the_population(demo: DemoRun) -> None:
    weighted = demo.facts["weighted"]
    assert weighted.weighting.weights["weight"].sum() == pytest.approx(demo.facts["population"], rel=1e-12)
    assert weighted.overall["question"] == "samlet_tilfredshed"


def test_best_and_worst_municipality_are_named_as_in_the_synthetic_truth(demo: DemoRun) -> None:
    statements = demo.facts["tables"]["statements"].filter(pl.col("question") == "samlet_tilfredshed")
    text_ = " ".join(statements["text"])
    assert "mest tilfredshed er Lemvig" in text_
    assert "mindst tilfredshed er Odsherred" in text_


def test_the_analysis_tables_are_written_with_an_index(demo: DemoRun) -> None:
    index = pl.read_csv(Path(demo.workdir) / "analyse" / "index.csv")
    assert {"breakdowns", "benchmark", "drivers", "significance"} <= set(index["table"])


def test_the_default_demo_is_a_handful_of_real_municipalities_and_national_is_one_option_away() -> None:
    assert 3 <= len(DEMO_MUNICIPALITIES) <= 8
    assert set(DEMO_MUNICIPALITIES) <= {m.name for m in SYNTHETIC}
    both = CliRunner().invoke(app, ["demo", "--national", "--municipalities", "Lemvig"])
    assert both.exit_code == 2 and "enten --national eller --municipalities" in both.output
