"""Exports: SPSS and Stata round trips, valid names, short labels, nothing identifying, every format."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pyreadstat
import pytest
import typer
from typer.testing import CliRunner

from borgerblik.cli import interop as interop_cli
from borgerblik.interop.codebook import codebook_html
from borgerblik.interop.dataset import Dataset
from borgerblik.interop.exports import export_survey, survey_dataset
from borgerblik.interop.variables import Measure, stata_label, valid_name
from borgerblik.interop.writers import write_dataset
from borgerblik.storage.audit import audit_entries

DONT_KNOW_DA = "Ved ikke/ikke relevant"


def _codes(dataset: Dataset, name: str) -> list[float | None]:
    return dataset.frame.get_column(name).cast(pl.Float64).to_list()


def _same(read: list[object], expected: list[float | None]) -> bool:
    return all(
        (e is None and pd.isna(r)) or (e is not None and r == e) for r, e in zip(read, expected, strict=True)
    )


def test_the_dataset_has_background_weight_and_every_closed_answer_by_code(dataset: Dataset) -> None:
    names = [v.name for v in dataset.variables]
    assert names[:13] == [
        "lbnr",
        "kommune",
        "koen",
        "aldersgruppe",
        "maalgruppe",
        "maalgruppe_kl2024",
        "mode",
        "sprog",
        "udfald",
        "startdato",
        "slutdato",
        "vaegt",
        "status",
    ]
    assert {"tillid", "plan_maal", "plan_naeste_skridt", "samlet_tilfredshed", "styrket_tro"} <= set(names)
    assert _codes(dataset, "tillid") == [5, 9, 1, 3, 4, None]
    assert dataset.frame.get_column("lbnr").to_list() == [1, 2, 3, 4, 5, 6]
    tillid = dataset.variable("tillid")
    assert tillid.missing == (9,)
    assert tillid.value_labels("da") == {
        5: "I meget høj grad",
        4: "I høj grad",
        3: "I nogen grad",
        2: "I lav grad",
        1: "I meget lav grad",
        9: DONT_KNOW_DA,
    }
    assert tillid.value_labels("en")[9] == "Don't know/not relevant"
    assert dataset.variable("arbejdsgiver").asked == "målgruppe (kl2024) i {sygedagpenge}"


def test_nothing_that_identifies_a_person_is_exported(dataset: Dataset, tmp_path: Path) -> None:
    assert not {"cpr", "telefon", "respondent_id", "hvorfor_tilfreds", "forbedringer"} & set(
        dataset.frame.columns
    )
    assert [e.question for e in dataset.excluded] == ["hvorfor_tilfreds", "forbedringer"]
    written = write_dataset(dataset, "csv", tmp_path / "data.csv").read_text(encoding="utf-8-sig")
    assert "610385" not in written and "Jens" not in written and "20000001" not in written


def test_sav_round_trip_keeps_values_labels_value_labels_and_user_missing(
    dataset: Dataset, tmp_path: Path
) -> None:
    path = write_dataset(dataset, "sav", tmp_path / "kl.sav", language="da")
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert list(frame.columns) == [v.name for v in dataset.variables]
    for variable in dataset.variables:
        read = frame[variable.name].tolist()
        if variable.measure is Measure.TEXT:
            assert read == dataset.frame.get_column(variable.name).fill_null("").to_list(), variable.name
        elif variable.measure is Measure.DATE:
            expected = dataset.frame.get_column(variable.name).to_list()
            assert [None if pd.isna(r) else r.date() for r in read] == expected, variable.name
        else:
            assert _same(read, _codes(dataset, variable.name)), variable.name
        assert meta.column_names_to_labels[variable.name] == variable.label("da")
        if variable.values:
            assert meta.variable_value_labels[variable.name] == variable.value_labels("da")
    assert meta.missing_ranges == {v.name: [{"lo": 9.0, "hi": 9.0}] for v in dataset.variables if v.missing}
    # without user-missing, SPSS semantics: 9 is missing
    plain, _ = pyreadstat.read_sav(str(path))
    assert _same(plain["tillid"].tolist(), [5, None, 1, 3, 4, None])


def test_dta_round_trip_9_is_extended_missing_a_and_long_labels_are_shortened(
    dataset: Dataset, tmp_path: Path
) -> None:
    path = write_dataset(dataset, "dta", tmp_path / "kl.dta", language="en")
    tagged, meta = pyreadstat.read_dta(str(path), user_missing=True)
    plain, _ = pyreadstat.read_dta(str(path))
    # pyreadstat 1.3.8 reads a system-missing value of a column holding .a as garbage with user_missing=True,
    # so the codes come from the plain read and the .a positions from the tagged read (pandas agrees below)
    independent = pd.read_stata(path, convert_missing=True, convert_categoricals=False, convert_dates=False)
    for variable in dataset.variables:
        expected = dataset.frame.get_column(variable.name)
        if variable.measure is Measure.TEXT:
            assert plain[variable.name].tolist() == expected.fill_null("").to_list(), variable.name
            continue
        if variable.measure is Measure.DATE:
            assert [None if pd.isna(r) else r.date() for r in plain[variable.name]] == expected.to_list()
            continue
        codes = _codes(dataset, variable.name)
        read = [
            9.0 if variable.missing and t == "a" else (None if pd.isna(p) else float(p))
            for t, p in zip(tagged[variable.name], plain[variable.name], strict=True)
        ]
        assert read == codes, variable.name
        stata_missing = [
            str(v) for v in independent[variable.name] if type(v).__name__ == "StataMissingValue"
        ]
        assert stata_missing == [
            ".a" if c == 9 and variable.missing else "."
            for c in codes
            if c is None or (c == 9 and variable.missing)
        ], variable.name
        assert meta.column_names_to_labels[variable.name] == stata_label(variable.label("en"))[0]
        assert len(meta.column_names_to_labels[variable.name]) <= 80
        if variable.values:
            expected_labels = {
                ("a" if c in variable.missing else c): t for c, t in variable.value_labels("en").items()
            }
            assert meta.variable_value_labels[variable.name] == expected_labels
    # Stata has no per-variable declaration: .a is a value, labelled in every variable; readstat lists the
    # variables that hold it
    holding = {v.name: ["a"] for v in dataset.variables if v.missing and 9 in _codes(dataset, v.name)}
    assert meta.missing_user_values == holding and set(holding) == {
        "tillid",
        "udgangspunkt",
        "samlet_tilfredshed",
        "plan_maal",
    }
    assert (
        dataset.variable("inddragelse").label("en").startswith("To what degree do you feel that your ideas")
    )
    assert meta.column_names_to_labels["inddragelse"].endswith("…")


def test_a_label_over_80_characters_is_shortened_with_a_note_in_the_codebook(dataset: Dataset) -> None:
    long = dataset.variable("inddragelse").label("da")
    assert len(long) > 80
    short, shortened = stata_label(long)
    assert shortened and len(short) <= 80 and short.endswith("…") and long.startswith(short[:-1])
    assert stata_label("Tillid") == ("Tillid", False)
    html = codebook_html(dataset, "da")
    assert "Label forkortet til 80 tegn i Stata-filen" in html
    assert long.replace("'", "&#39;") in html
    assert "ikke eksporteret: fritekst" in html
    assert "målgruppe (kl2024) i {sygedagpenge}" in html


@pytest.mark.parametrize(
    ("wanted", "valid"),
    [
        ("_start", "start"),
        ("spørgsmål_æøå", "spoergsmaal_aeoeaa"),
        ("1_tilfredshed", "v1_tilfredshed"),
        ("with", "with_"),
        ("_n", "n"),
        ("samlet tilfredshed (%)", "samlet_tilfredshed"),
        ("a" * 40, "a" * 32),
        ("___", "v"),
    ],
)
def test_variable_names_are_valid_in_spss_and_stata(wanted: str, valid: str) -> None:
    assert valid_name(wanted, set()) == valid


def test_variable_names_stay_unique_case_insensitively() -> None:
    taken: set[str] = set()
    assert [valid_name(n, taken) for n in ["Tillid", "tillid", "tillid", "b" * 40, "b" * 40]] == [
        "Tillid",
        "tillid_2",
        "tillid_3",
        "b" * 32,
        "b" * 30 + "_2",
    ]


def test_xlsx_has_the_codes_and_a_codebook_sheet(dataset: Dataset, tmp_path: Path) -> None:
    path = write_dataset(dataset, "xlsx", tmp_path / "kl.xlsx")
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["Data", "Kodebog"]
    rows = list(workbook["Data"].iter_rows(values_only=True))
    assert list(rows[0]) == [v.name for v in dataset.variables]
    tillid = rows[0].index("tillid")
    assert [row[tillid] for row in rows[1:]] == [5, 9, 1, 3, 4, None]
    assert [row[1] for row in rows[1:]][:2] == ["Høje-Taastrup", "Rødovre"]
    assert rows[1][rows[0].index("startdato")].date().isoformat() == "2024-03-11"
    assert rows[2][rows[0].index("vaegt")] == 3.125
    codebook = list(workbook["Kodebog"].iter_rows(values_only=True))
    assert codebook[0][:4] == ("Variabel", "Label", "Type", "Værdier")
    by_name = {row[0]: row for row in codebook[1:]}
    assert by_name["tillid"][3].endswith(f"9 = {DONT_KNOW_DA}")
    assert by_name["samlet_tilfredshed"][4] == "9 (brugerdefineret manglende i SPSS, .a i Stata)"


def test_csv_and_parquet_carry_the_same_table(dataset: Dataset, tmp_path: Path) -> None:
    csv = pl.read_csv(write_dataset(dataset, "csv", tmp_path / "kl.csv"), try_parse_dates=True)
    assert csv.columns == dataset.frame.columns
    assert csv.get_column("tillid").to_list() == [5, 9, 1, 3, 4, None]
    parquet_path = write_dataset(dataset, "parquet", tmp_path / "kl.parquet", language="en")
    assert pl.read_parquet(parquet_path).equals(dataset.frame)
    field = pq.read_schema(parquet_path).field("tillid")
    meta = {k.decode(): v.decode() for k, v in field.metadata.items()}
    assert json.loads(meta["values"])["9"] == "Don't know/not relevant"
    assert json.loads(meta["missing"]) == [9]


def test_many_chunks_are_written_whole(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("borgerblik.interop.writers.CHUNK", 4)
    big = Dataset(pl.concat([dataset.frame] * 3), dataset.variables, dataset.instrument_id)
    csv = pl.read_csv(write_dataset(big, "csv", tmp_path / "big.csv"), try_parse_dates=True)
    assert csv.height == 18 and csv.get_column("tillid").to_list() == [5, 9, 1, 3, 4, None] * 3
    assert (
        pq.ParquetFile(write_dataset(big, "parquet", tmp_path / "big.parquet")).metadata.num_row_groups == 5
    )
    rows = list(
        openpyxl.load_workbook(write_dataset(big, "xlsx", tmp_path / "big.xlsx"), read_only=True)[
            "Data"
        ].iter_rows(values_only=True)
    )
    assert len(rows) == 19


def test_a_stored_survey_exports_its_respondents_weighted_and_logged(
    answered_survey: tuple[object, int], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db, survey_id = answered_survey
    dataset = survey_dataset(db, survey_id)  # type: ignore[arg-type]
    frame = dataset.collect()
    assert frame.height == 4
    rows = frame.select("maalgruppe", "udfald", "mode", "tillid", "samarbejde", "samlet_tilfredshed").rows()
    assert sorted(rows) == [
        ("6.1", "complete", "web", 9, None, 9),
        ("6.2", "complete", "web", 4, None, 5),
        ("6.3", "partial", "phone", 2, 1, None),
        ("6.6", "complete", "web", 5, None, 4),
    ]
    assert frame.get_column("lbnr").to_list() == [1, 2, 3, 4]
    # population 5, answers 4 in one cell per target group: weights population / answers per cell
    assert frame.get_column("vaegt").sum() == pytest.approx(5.0)
    with caplog.at_level(logging.INFO, logger="borgerblik.export"):
        done = export_survey(db, survey_id, "sav", out=tmp_path / "kl.sav", actor="analytiker")  # type: ignore[arg-type]
    assert done.respondents == 4 and done.codebook.name == "kl-kodebog.html"
    read, meta = pyreadstat.read_sav(str(done.path), user_missing=True)
    assert read["tillid"].tolist() == frame.get_column("tillid").cast(float).to_list()
    assert meta.missing_ranges["tillid"] == [{"lo": 9.0, "hi": 9.0}]
    entries = audit_entries(db, action="export")  # type: ignore[arg-type]
    assert [(e.actor, e.detail) for e in entries] == [
        ("analytiker", f"survey_id={survey_id}, format=sav, language=da, respondents=4, "
                       f"variables={len(dataset.variables)}, file=kl.sav")
    ]
    assert "analytiker" in caplog.text
    text = done.path.read_bytes()
    assert b"Jens" not in text and b"2011 1234" not in text


def test_export_command_writes_the_file_and_refuses_an_unknown_language(
    answered_survey: tuple[object, int], tmp_path: Path
) -> None:
    db, survey_id = answered_survey
    url = str(db.engine.url.render_as_string(hide_password=False))  # type: ignore[attr-defined]
    app = typer.Typer()
    interop_cli.register(app)
    app.command("unused")(lambda: None)  # two commands, so Typer keeps the command name on the line
    runner = CliRunner()
    target = tmp_path / "kl.dta"
    result = runner.invoke(
        app,
        ["export", "--survey", str(survey_id), "--format", "dta", "--out", str(target), "--database", url],
    )
    assert result.exit_code == 0, result.output
    assert "4 besvarelser" in result.output and target.exists()
    bad = runner.invoke(
        app, ["export", "--survey", str(survey_id), "--format", "dta", "--language", "fr", "--database", url]
    )
    assert bad.exit_code == 2 and "--language" in bad.output


def test_rscript_foreign_reads_the_sav_with_the_same_values_and_labels(
    dataset: Dataset, tmp_path: Path, rscript: str
) -> None:
    import subprocess

    path = write_dataset(dataset, "sav", tmp_path / "kl.sav")
    script = tmp_path / "read.R"
    script.write_text(
        f"""suppressWarnings(d <- foreign::read.spss("{path}", to.data.frame = FALSE,
                        use.value.labels = FALSE, use.missings = FALSE, reencode = "UTF-8"))
labels <- attr(d, "variable.labels")
values <- attr(d, "label.table")
cat("", file = "{tmp_path}/out.txt")
for (name in c("tillid", "samlet_tilfredshed", "plan_maal", "status", "vaegt")) {{
  v <- d[[name]]
  cat(name, "\\t", paste(ifelse(is.na(v), "NA", format(v)), collapse = ","), "\\t", labels[[name]], "\\n",
      file = "{tmp_path}/out.txt", append = TRUE, sep = "")
}}
t <- values[["tillid"]]
cat("labels\\t", paste(paste0(t, "=", names(t)), collapse = ";"), "\\n", file = "{tmp_path}/out.txt",
    append = TRUE, sep = "")
cat("kommune\\t", paste(trimws(d[["kommune"]]), collapse = ","), "\\n", file = "{tmp_path}/out.txt",
    append = TRUE, sep = "")
""",
        encoding="utf-8",
    )
    subprocess.run([rscript, str(script)], check=True, capture_output=True)
    lines = dict(line.split("\t", 1) for line in (tmp_path / "out.txt").read_text("utf-8").splitlines())
    for name in ("tillid", "samlet_tilfredshed", "plan_maal", "status"):
        values, label = lines[name].split("\t")
        r_values = [None if v.strip() == "NA" else float(v) for v in values.split(",")]
        assert r_values == _codes(dataset, name), name
        assert label == dataset.variable(name).label("da")
    weights = [float(v) for v in lines["vaegt"].split("\t")[0].split(",")]
    assert np.allclose(weights, dataset.frame.get_column("vaegt").to_list())
    r_labels = dict(item.split("=", 1) for item in lines["labels"].split(";"))
    assert {int(k): v for k, v in r_labels.items()} == dataset.variable("tillid").value_labels("da")
    assert lines["kommune"].split(",") == dataset.frame.get_column("kommune").to_list()
