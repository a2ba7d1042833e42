"""Reading an extract back for the simulation goes through the registers stage and loses no eligible row."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from borgerblik.synth import REGISTER_COLUMNS, ExtractError, read_extract


def test_a_written_register_reads_back_row_for_row_with_phones_as_the_import_cleans_them(register, tmp_path):
    part = register.head(3_000)
    path = tmp_path / "register.csv"
    part.write_csv(path)
    read = read_extract(path)
    assert read.columns == list(REGISTER_COLUMNS) and read.height == 3_000
    assert read.drop("telefon").equals(part.drop("telefon"))
    phone = part["telefon"].str.strip_prefix("+45")
    expected = pl.when(phone.str.contains(r"^\d{8}$")).then(phone).otherwise(pl.lit(""))
    assert read["telefon"].to_list() == pl.select(expected.alias("t"))["t"].to_list()
    assert (part["telefon"].str.len_chars().is_in([7, 9])).sum() > 0  # invalid numbers cleared, rows kept


def test_a_row_the_registers_stage_rejects_is_named_by_line_and_column(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        ",".join(REGISTER_COLUMNS)
        + "\n721085-1234,Assens,6.1,2023-01-01,,jobsamtale,nej,,\n"
        + "721085-1235,Assens,6.1,2023-02-30,,jobsamtale,nej,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ExtractError) as problem:
        read_extract(path)
    assert str(problem.value) == (
        f"{path}, linje 3, kolonne ydelse_start: datoen findes ikke (eller ligger efter referencedatoen), "
        "fik '2023-02-30'."
    )
