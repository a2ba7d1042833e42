"""`borgerblik redact --input IN.csv --column COL [--out OUT.csv]`: comes back unchanged but for COL."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from borgerblik.cli import _command

runner = CliRunner()
redact = _command("redact")  # the command alone, as `borgerblik redact` loads it
ROWS = [
    ["id", "begrundelse", "kommune"],
    ["1", "Min sagsbehandler Mette Hansen svarer aldrig, ring 22 33 44 55", "Aarhus"],
    ["2", "Det var fint i Jobcenter Odense, 3 samtaler på 12 uger", "Odense"],
    ["3", "cpr 010190-1234; skriv til mette@example.com", "Køge"],
]


def _write(path: Path, delimiter: str, bom: bool) -> None:
    lines = []
    for row in ROWS:
        cells = [f'"{c}"' if delimiter in c or "," in c or ";" in c else c for c in row]
        lines.append(delimiter.join(cells))
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join(lines) + "\r\n").encode("utf-8"))


@pytest.mark.parametrize(("delimiter", "bom"), [(";", True), (",", False), (";", False), (",", True)])
def test_only_the_column_changes_and_the_counts_are_printed(tmp_path, delimiter, bom):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _write(source, delimiter, bom)
    result = runner.invoke(redact, ["--input", str(source), "--column", "begrundelse", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "personnavne (name): 2" in result.output
    assert "telefonnumre (phone): 1" in result.output
    assert "CPR-numre (cpr): 1" in result.output
    assert "e-mailadresser (email): 1" in result.output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == bom
    expected = [
        ROWS[0],
        ["1", "Min sagsbehandler [XXX] svarer aldrig, ring [XXX]", "Aarhus"],
        ROWS[2],
        ["3", "cpr [XXX]; skriv til [XXX]", "Køge"],
    ]
    lines = data.decode("utf-8-sig").split("\r\n")
    assert list(csv.reader(lines[:-1], delimiter=delimiter)) == expected
    assert lines[2] == (source.read_bytes().decode("utf-8-sig").split("\r\n"))[2]


def test_a_missing_column_is_exit_2_naming_the_columns(tmp_path):
    source = tmp_path / "in.csv"
    _write(source, ";", False)
    result = runner.invoke(redact, ["--input", str(source), "--column", "svar"])
    assert result.exit_code == 2
    assert "kolonnen 'svar' findes ikke" in result.output
    assert "begrundelse" in result.output


def test_without_out_the_file_goes_beside_the_input_and_the_input_is_untouched(tmp_path):
    source = tmp_path / "in.csv"
    _write(source, ";", False)
    before = source.read_bytes()
    result = runner.invoke(redact, ["--input", str(source), "--column", "begrundelse"])
    assert result.exit_code == 0, result.output
    assert source.read_bytes() == before
    assert "[XXX]" in (tmp_path / "in_anonymiseret.csv").read_text(encoding="utf-8")
