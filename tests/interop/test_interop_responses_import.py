"""Answers collected elsewhere: each bad row reported with file, line, column and reason; no good row lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from borgerblik.core import load_template
from borgerblik.interop.responses_import import (
    Citizen,
    MappingError,
    check_responses,
    import_responses,
    read_mapping,
)
from borgerblik.registers.tabular import read_table

MAPPING = """
identify: {column: Kode, by: case_code}
mode_column: Svarform
language: da
columns:
  Status: status
  Tillid: tillid
  Samlet:
    question: samlet_tilfredshed
    codes: {Meget tilfreds: 5, Tilfreds: 4, Hverken eller: 3, Utilfreds: 2, Meget utilfreds: 1, Ved ikke: 9}
  Hvorfor: hvorfor_tilfreds
"""
#: line 2 good; 3 code outside the scale; 4 unknown label; 5 unknown citizen; 6 opted out; 7 already answered;
#: 8 good (phone); 9 the same citizen as line 2; 10 unknown mode; 11 nothing answered; 12 good, in_person
ROWS = """Kode;Svarform;Status;Tillid;Samlet;Hvorfor
A1;web;1;5;Meget tilfreds;Godt mødt
A2;web;1;7;Tilfreds;
A3;web;1;4;Lidt tilfreds;
ZZ;web;1;4;Tilfreds;
A4;web;2;3;Tilfreds;
A5;web;1;2;Utilfreds;
A6;phone;2;9;Ved ikke;Ved ikke rigtig
A1;web;1;5;Tilfreds;
A7;fax;1;5;Tilfreds;
A8;web;;;;
A9;in_person;1;1;meget utilfreds;
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    table, mapping = tmp_path / "papir.csv", tmp_path / "papir.yaml"
    table.write_text(ROWS, encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    return table, mapping


def _citizens() -> dict[str, Citizen]:
    citizens = {f"A{n}": Citizen(n, answered=False, opted_out=False) for n in range(1, 10)}
    citizens["A4"] = Citizen(4, answered=False, opted_out=True)
    citizens["A5"] = Citizen(5, answered=True, opted_out=False)
    return citizens


def test_each_bad_row_has_its_reason_and_every_good_row_is_kept(files: tuple[Path, Path]) -> None:
    table, mapping_file = files
    instrument = load_template("kl-2024")
    mapping = read_mapping(mapping_file, instrument)
    check = check_responses(read_table(table), mapping, instrument, _citizens())
    assert [(line, invitation, mode) for line, invitation, _, mode in check.accepted] == [
        (2, 1, "web"), (8, 6, "phone"), (12, 9, "in_person")]
    assert check.accepted[0][2] == {"status": 1, "tillid": 5, "samlet_tilfredshed": 5,
                                    "hvorfor_tilfreds": "Godt mødt"}
    assert check.accepted[1][2]["samlet_tilfredshed"] == 9
    rejects = [(r["line"], r["column"], r["reason"], r["value"]) for r in check.rejects]
    assert rejects == [
        (3, "Tillid", "ugyldigt-svar (invalid_code)", "7"),
        (4, "Samlet", "ukendt-værdi", "Lidt tilfreds"),
        (5, "Kode", "ukendt-kode", "ZZ"),
        (6, "Kode", "frameldt", "A4"),
        (7, "Kode", "har-allerede-svaret", "A5"),
        (9, "Kode", "samme-borger-som-linje-2", "A1"),
        (10, "Svarform", "ukendt-svarform", "fax"),
        (11, "", "ingen-svar", ""),
    ]
    assert {r["file"] for r in check.rejects} == {str(table)}
    assert check.rejected_rows == 8 and len(check.accepted) + check.rejected_rows == 11


def test_a_mapping_to_a_question_the_survey_lacks_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("identify: {column: Kode}\nmode: phone\ncolumns: {Spm1: findes_ikke}\n", "utf-8")
    with pytest.raises(MappingError, match="findes_ikke"):
        read_mapping(mapping, load_template("kl-2024"))
    mapping.write_text("identify: {column: Kode}\nmode: fax\ncolumns: {Spm1: tillid}\n", "utf-8")
    with pytest.raises(MappingError, match="mode skal være en af web, phone, in_person, paper, fik 'fax'"):
        read_mapping(mapping, load_template("kl-2024"))
    mapping.write_text("identify: {column: Kode}\nmode: paper\ncolumns: {Spm1: tillid}\n", "utf-8")
    assert read_mapping(mapping, load_template("kl-2024")).mode == "paper"


def test_a_column_missing_from_the_file_is_named(files: tuple[Path, Path]) -> None:
    table, mapping_file = files
    table.write_text(ROWS.replace("Tillid", "Tilid"), encoding="utf-8")
    instrument = load_template("kl-2024")
    with pytest.raises(MappingError, match="kolonnerne Tillid findes ikke"):
        check_responses(read_table(table), read_mapping(mapping_file, instrument), instrument, _citizens())


def test_import_saves_good_rows_through_the_gateway_and_refuses_a_second_import(
    db: Any, kl_invited: Any, tmp_path: Path
) -> None:
    survey_id, invited = kl_invited(db, {"anna": "6.1", "bo": "6.6"})
    table = tmp_path / "papir.csv"
    table.write_text(
        "Kode;Svarform;Status;Tillid;Samlet;Hvorfor\n"
        f"{invited['anna'].case_code};phone;1;4;Tilfreds;\n"
        f"{invited['bo'].case_code};phone;1;8;Tilfreds;\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "papir.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    done = import_responses(db, survey_id, table, mapping)
    assert done.imported == 1 and done.rejected_rows == 1
    assert db.answers(invited["anna"].id) == {"status": 1, "tillid": 4, "samlet_tilfredshed": 4}
    assert db.answers(invited["bo"].id) == {}
    session = db.session(invited["anna"].id)
    assert session.mode == "phone" and session.state == "complete"
    again = import_responses(db, survey_id, table, mapping)
    assert again.imported == 0
    assert again.rejects["reason"].to_list() == ["har-allerede-svaret", "ugyldigt-svar (invalid_code)"]


def test_paper_questionnaires_keyed_in_are_stored_with_their_own_mode(
    db: Any, kl_invited: Any, tmp_path: Path
) -> None:
    survey_id, invited = kl_invited(db, {"anna": "6.1", "bo": "6.6", "cai": "6.3"})
    table = tmp_path / "papir.csv"
    table.write_text(
        "Kode;Svarform;Status;Tillid;Samlet;Hvorfor\n"
        f"{invited['anna'].case_code};papir;1;4;Tilfreds;Fint\n"
        f"{invited['bo'].case_code};paper;2;2;Utilfreds;\n"
        f"{invited['cai'].case_code};web;1;5;Meget tilfreds;\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "papir.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    done = import_responses(db, survey_id, table, mapping)
    assert (done.imported, done.rejected_rows) == (3, 0)
    assert [db.session(invited[n].id).mode for n in ("anna", "bo", "cai")] == ["paper", "paper", "web"]
    modes = db.responses_frame(survey_id).group_by("member_id").agg(pl.col("mode").unique())
    assert sorted(m for ms in modes["mode"].to_list() for m in ms) == ["paper", "paper", "web"]
    assert db.answers(invited["bo"].id) == {"status": 2, "tillid": 2, "samlet_tilfredshed": 2}
