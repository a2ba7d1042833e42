"""`borgerblik weights` / `estimate` / `nonresponse` on a five-respondent example worked by hand, and the
bad-input contract of issue 7: file, line, column (closest name), exit code 2, nothing half-written.

Hand calculation (cells kommune × køn; weight = population / respondents): Albertslund-kvinde 10/1,
Albertslund-mand 20/1, Brøndby-kvinde 30/1, Brøndby-mand 40/2 = 20 each. Valid 'tillid' answers
5 (w 10), 4 (w 20), 2 (w 20): mean 170/50 = 3,4; positive 30/50 = 0,6. Linearised residuals
w·(y − 3,4)/50; post-stratification zeroes the single-respondent cells and centres Brøndby-mand at ±0,28,
so var = (1 − 2/40)·2/1·(0,28² + 0,28²) = 0,29792.
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from borgerblik.cli import app

RESPONSES = """respondent_id,kommune,koen,alder,tillid
r1,Albertslund,kvinde,16-29,5
r2,Albertslund,mand,30-49,4
r3,Brøndby,kvinde,16-29,9
r4,Brøndby,mand,30-49,
r5,Brøndby,mand,50-66,2
"""
POPULATION = """kommune,koen,count
Albertslund,kvinde,10
Albertslund,mand,20
Brøndby,kvinde,30
Brøndby,mand,40
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "svar.csv").write_text(RESPONSES, encoding="utf-8")
    (tmp_path / "population.csv").write_text(POPULATION, encoding="utf-8")
    return tmp_path


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def weights_args(d: Path, *extra: str) -> list[str | Path]:
    return ["weights", "--responses", d / "svar.csv", "--population", d / "population.csv",
            "--strata", "kommune,koen", *extra]


def estimate_args(d: Path, *extra: str) -> list[str | Path]:
    return ["estimate", "--responses", d / "svar.csv", "--population", d / "population.csv",
            "--strata", "kommune,koen", "--questions", "tillid", *extra]


def test_weights_are_population_over_respondents(files: Path) -> None:
    code, _, report = run(*weights_args(files, "--out", str(files / "w.csv")))
    assert code == 0
    weights = pl.read_csv(files / "w.csv")
    assert weights.columns == ["respondent_id", "weight"]
    assert weights["weight"].to_list() == pytest.approx([10.0, 20.0, 30.0, 20.0, 20.0], rel=1e-15)
    assert "Designeffekt af vægtningen (1 + CV²): 1,100" in report  # 5·2200/100²
    assert "Effektiv stikprøvestørrelse: 4,5" in report  # 100²/2200


def test_estimate_by_hand(files: Path) -> None:
    code, _, _ = run(*estimate_args(files, "--by", "koen", "--out", str(files / "e.csv")))
    assert code == 0
    table = pl.read_csv(files / "e.csv")
    overall = table.filter(pl.col("by") == "overall").row(0, named=True)
    assert not overall["group"] and overall["question"] == "tillid"
    assert (overall["n_valid"], overall["n_dont_know"]) == (3, 1)
    assert overall["mean"] == pytest.approx(3.4, rel=1e-14)
    assert overall["pct_positive"] == pytest.approx(0.6, rel=1e-14)
    assert [overall[f"share_{k}"] for k in range(1, 6)] == pytest.approx([0, 0.4, 0, 0.4, 0.2], abs=1e-15)
    assert overall["mean_se"] == pytest.approx(math.sqrt(0.29792), rel=1e-12)
    assert overall["mean_ci_low"] == pytest.approx(3.4 - 1.959963984540054 * math.sqrt(0.29792), rel=1e-12)
    assert table.filter(pl.col("by") == "koen")["group"].to_list() == ["kvinde", "mand"]


def test_estimate_with_weights_file_and_parquet(files: Path) -> None:
    assert run(*weights_args(files, "--out", str(files / "w.csv")))[0] == 0
    code, _, _ = run("estimate", "--responses", files / "svar.csv", "--weights", files / "w.csv",
                     "--questions", "tillid", "--out", files / "e.parquet")
    assert code == 0
    assert pl.read_parquet(files / "e.parquet")["mean"][0] == pytest.approx(3.4, rel=1e-14)


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "args", "message"),
    [
        ("svar.csv", "r5,Brøndby", "r5,Brondby", [],
         "svar.csv, linje 6, kolonne 'kommune': forventede en værdi, som findes i population.csv, "
         "fik 'Brondby'"),
        ("population.csv", "Brøndby,kvinde,30", "Brøndby,kvinde,0", [],
         "population.csv, linje 4, kolonne 'count': forventede et positivt helt antal borgere, fik '0'"),
        ("population.csv", "Brøndby,mand,40", "Brøndby,mand,-4", [],
         "population.csv, linje 5, kolonne 'count': forventede et positivt helt antal borgere, fik '-4'"),
        ("svar.csv", "r2,Albertslund,mand,30-49,4", "r2,Albertslund,mand,30-49,7", [],
         "svar.csv, linje 3, kolonne 'tillid': forventede en svarkode 1–5, 9 (ved ikke) eller tom, fik '7'"),
        ("svar.csv", "r4,", "r2,", [],
         "svar.csv, linje 5, kolonne 'respondent_id': forventede et entydigt respondent-id, fik 'r2', "
         "som også står i linje 3"),
        ("svar.csv", "koen,alder", "køn,alder", [],
         "svar.csv, linje 1, kolonne 'koen': forventede en kolonne 'koen' (svarfil), "
         "fik ingen sådan kolonne. Tip: mente du 'køn'?"),
        ("svar.csv", "", "", ["--by", "aldr"],
         "svar.csv, linje 1, kolonne 'aldr': forventede en kolonne 'aldr' (--by), fik ingen sådan kolonne. "
         "Tip: mente du 'alder'?"),
        ("svar.csv", "", "", ["--questions", "tilid"],
         "Tip: mente du 'tillid'?"),
    ],
)
def test_bad_input_is_located_and_nothing_is_written(
    files: Path, file: str, old: str, new: str, args: list[str], message: str
) -> None:
    if old:
        edit(files / file, old, new)
    out = files / "e.csv"
    base = estimate_args(files)
    if "--questions" in args:
        base = base[:-2]
    code, stdout, stderr = run(*base, *args, "--out", str(out))
    assert code == 2
    assert message in " ".join(stderr.split())
    assert "Traceback" not in stderr + stdout
    assert not out.exists() and list(files.glob(".e.csv*")) == []


def test_raking_that_does_not_converge_names_the_worst_margin(tmp_path: Path) -> None:
    (tmp_path / "svar.csv").write_text(
        "respondent_id,a,b\n1,x,u\n2,x,v\n3,y,u\n4,x,u\n5,y,v\n6,y,v\n7,x,u\n", encoding="utf-8"
    )
    (tmp_path / "pop.csv").write_text("a,b,count\nx,u,10\nx,v,90\ny,u,50\ny,v,5\n", encoding="utf-8")
    code, _, stderr = run(
        "weights", "--responses", tmp_path / "svar.csv", "--population", tmp_path / "pop.csv",
        "--strata", "a,b", "--design-strata", "a", "--method", "rake", "--max-iterations", "1",
        "--out", tmp_path / "w.csv",
    )
    assert code == 2
    expected = (
        "Raking konvergerede ikke efter 1 iterationer: værste margin er 'a' = 'y' med vægtsum 68,2722 "
        "mod populationstallet 55"
    )
    assert expected in " ".join(stderr.split())
    assert not (tmp_path / "w.csv").exists()


def test_nonresponse_command(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "respondent_id,koen,alder_aar\n1,kvinde,30\n2,kvinde,50\n3,mand,20\n4,mand,40\n", encoding="utf-8"
    )
    (tmp_path / "r.csv").write_text("respondent_id\n1\n2\n4\n", encoding="utf-8")
    (tmp_path / "o.csv").write_text("respondent_id\n3\n", encoding="utf-8")
    code, stdout, stderr = run(
        "nonresponse", "--sample", tmp_path / "s.csv", "--respondents", tmp_path / "r.csv",
        "--optouts", tmp_path / "o.csv", "--by", "koen", "--age-column", "alder_aar",
    )
    assert code == 0
    assert "Gennemsnitsalder: sample 35,0; respondents 40,0" in stderr
    assert stdout.splitlines()[1:] == [
        "koen,kvinde,2,0.5,2,0.6666666666666666,,0.16666666666666663,0,",
        "koen,mand,2,0.5,1,0.3333333333333333,,-0.16666666666666669,1,1.0",
    ]


def test_conflicting_options_are_refused(files: Path) -> None:
    assert run(*weights_args(files, "--out", str(files / "w.csv")))[0] == 0
    code, _, stderr = run(*estimate_args(files, "--weights", str(files / "w.csv")))
    assert code == 2 and "brug enten --weights eller --population og --strata" in stderr
    code, _, stderr = run(*weights_args(files, "--method", "rake", "--min-cell", "3"))
    assert code == 2 and "--min-cell gælder efterstratificering" in stderr


def test_line_numbers_count_open_answers_spanning_lines(files: Path) -> None:
    (files / "svar.csv").write_text(
        "respondent_id,kommune,koen,tillid,forbedringer\n"
        'r1,Albertslund,kvinde,5,"Mere tid\ntil samtalen"\n'
        "r2,Albertslund,mand,6,\n",
        encoding="utf-8",
    )
    code, _, stderr = run(*estimate_args(files))
    assert code == 2
    assert "svar.csv, linje 4, kolonne 'tillid'" in stderr and "fik '6'" in stderr


R_DIR = Path(__file__).parent / "r"


@pytest.mark.parametrize(("method", "golden"), [("poststratify", "poststratify_srs"), ("rake", "rake_srs")])
def test_design_srs_is_r_default_svydesign_then_calibrated(tmp_path: Path, method: str, golden: str) -> None:
    """`--design srs` = svydesign(ids=~1) + postStratify / rake: the estimate table equals R's goldens."""
    out = tmp_path / "estimates.csv"
    code, _, stderr = run(
        "estimate", "--responses", R_DIR / "responses.csv", "--population", R_DIR / "population.csv",
        "--strata", "kommune,koen,alder,maalgruppe", "--method", method, "--design", "srs",
        "--questions", "tillid,taettere_job,samlet_tilfredshed", "--by", "alder,status", "--out", out,
    )
    assert code == 0, stderr
    ours = pl.read_csv(out).with_columns(pl.col("group").fill_null(""))
    expected = pl.read_csv(R_DIR / "golden_estimates.csv", infer_schema=False).filter(
        (pl.col("method") == golden) & (pl.col("stat") == "mean")
    ).with_columns(pl.col("group").fill_null(""))
    joined = expected.join(ours, on=["question", "by", "group"], how="left")
    assert joined.height == 18
    for ours_value, r_value in zip(joined["mean_se"], joined["se"].cast(pl.Float64), strict=True):
        assert ours_value == pytest.approx(r_value, rel=1e-8)


def test_weights_report_states_the_design(files: Path) -> None:
    code, _, report = run(*weights_args(files, "--design", "srs"))
    assert code == 0
    srs = "Stikprøvedesign: simpel tilfældig udvælgelse med tilbagelægning, uden fpc (R: svydesign(ids=~1))"
    assert srs in report
    _, _, report = run(*weights_args(files))
    assert "Stikprøvedesign: stratificeret uden tilbagelægning efter kommune × koen (4 strata" in report


def test_raking_on_the_cells_as_sampling_strata_is_refused(files: Path) -> None:
    code, _, stderr = run(*weights_args(files, "--method", "rake"))
    assert code == 2
    assert "raking ændrer intet" in stderr and "--design srs" in stderr


def test_estimate_on_another_scale_names_the_bad_scale(files: Path) -> None:
    code, _, stderr = run(*estimate_args(files, "--scale", "meget"))
    assert code == 2 and "--scale: forventede 1-5, 0-10, ja/nej, numeric eller LAV-HØJ" in stderr
    code, stdout, _ = run(*estimate_args(files, "--scale", "0-10", "--dont-know", "99"))
    assert code == 0
    assert stdout.splitlines()[0].startswith("question,by,group,n_valid,n_dont_know,weighted_n,mean,mean_se")
