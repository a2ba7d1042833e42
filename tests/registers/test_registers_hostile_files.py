"""Files that are not register extracts: one clear message with file and line, exit 2, never a traceback.

Issue 18 found tracebacks for Windows-1252-decodable random bytes (``_csv.Error``), NUL bytes (polars
``ComputeError``), UTF-16 (``SchemaError``), a folder, and a ``--mapping`` nested deeply (``RecursionError``)
or not in UTF-8.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.registers import MappingError, TableError, load_mapping, read_register
from borgerblik.registers.tabular import MAX_COLUMNS

REFERENCE = date(2023, 12, 31)
HEADER = "cpr;kommune;maalgruppe;ydelse_start"
ROW = "010190-1235;Rødovre;6.1;2023-10-02"
HINT = "Tip: gem udtrækket som CSV (UTF-8) eller XLSX"
runner = CliRunner()


def refused(path: Path) -> str:
    with pytest.raises(TableError) as raised:
        read_register(path, reference_date=REFERENCE)
    return str(raised.value)


def write(tmp_path: Path, data: bytes, name: str = "udtraek.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def windows_1252_noise(seed: int, size: int) -> bytes:
    """Random bytes every one of which Windows-1252 decodes (so the file passes as that encoding)."""
    undefined = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
    rng = random.Random(seed)
    return bytes(b for b in rng.randbytes(size) if b not in undefined)


def test_binary_garbage_is_refused_at_its_first_nul_byte(tmp_path: Path) -> None:
    data = b"cpr;kommune\n" + bytes(range(256))
    assert refused(write(tmp_path, data)) == (
        f"{tmp_path / 'udtraek.csv'}: linje 2: forventede tekst (CSV), fik et nul-tegn (byte 0x00) — filen "
        f"er binær. {HINT}"
    )


def test_a_nul_byte_in_a_cell_names_its_line(tmp_path: Path) -> None:
    data = f"{HEADER}\n{ROW}\n{ROW}\x00\n".encode()
    assert refused(write(tmp_path, data)).startswith(f"{tmp_path / 'udtraek.csv'}: linje 3: forventede tekst")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom_is_refused(tmp_path: Path, encoding: str) -> None:
    message = refused(write(tmp_path, f"{HEADER}\n{ROW}\n".encode(encoding)))
    if encoding == "utf-16":
        assert message == (
            f"{tmp_path / 'udtraek.csv'}: linje 1: forventede UTF-8 eller Windows-1252, fik UTF-16 "
            f"(Excels »Unicode-tekst«). {HINT}"
        )
    else:
        assert message == (
            f"{tmp_path / 'udtraek.csv'}: linje 1: forventede tekst (CSV), fik et nul-tegn (byte 0x00) — "
            f"filen ligner UTF-16 uden BOM. {HINT}"
        )


@pytest.mark.parametrize("seed", range(5))
def test_windows_1252_noise_without_nul_is_refused_not_a_traceback(tmp_path: Path, seed: int) -> None:
    noise = windows_1252_noise(seed, 4000).replace(b"\x00", b"")
    message = refused(write(tmp_path, noise))
    assert message.startswith(f"{tmp_path / 'udtraek.csv'}: linje ")
    assert "forventede en overskriftslinje med kolonnenavne, fik kontroltegnet 0x" in message


def test_a_control_character_in_the_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, b"\n\ncpr;kom\x1b[31mmune;maalgruppe\n")
    assert refused(path) == (
        f"{path}: linje 3: forventede en overskriftslinje med kolonnenavne, fik kontroltegnet 0x1b — filen "
        f"er ikke en tabel. {HINT}"
    )


def test_a_lone_carriage_return_in_a_field_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, f'{HEADER};samtaler\n{ROW};"job\nsamtale"\n{ROW};a\rb\n'.encode())
    assert refused(path) == (
        f"{path}: linje 4: forventede en CSV-linje, fik et linjeskift (CR) midt i et felt uden "
        f"anførselstegn. {HINT}"
    )


def test_a_field_over_the_csv_limit_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, f'{HEADER};samtaler\n{ROW};"a\nb"\n{ROW};"{"x" * 200_000}"\n'.encode())
    assert refused(path) == f"{path}: linje 4: forventede en CSV-linje, fik et felt på over 128 kB. {HINT}"


def test_empty_and_whitespace_only_files(tmp_path: Path) -> None:
    for data in (b"", b"\n\n  \r\n\t\n"):
        path = write(tmp_path, data)
        assert refused(path) == f"{path}: filen er tom — forventede en overskriftslinje"


def test_a_header_only_file_is_zero_rows_and_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n".encode())
    result = runner.invoke(app, ["register", "check", str(path), "--reference-date", "2023-12-31"])
    assert result.exit_code == 0
    assert f"Advarsel: {path} har ingen datarækker — kun overskriftslinjen" in result.output


def test_ten_thousand_columns_are_refused_at_the_header(tmp_path: Path) -> None:
    header = ";".join(["cpr", "kommune", "maalgruppe", "ydelse_start", *(f"x{i}" for i in range(9_996))])
    path = write(tmp_path, (header + "\n" + ROW + ";1" * 9_996 + "\n").encode())
    assert refused(path) == (
        f"{path}: linje 1: forventede højst 1.000 kolonner, fik 10.000 kolonner. Tip: et registerudtræk har "
        "et par dusin kolonner; er skilletegnet det rigtige?"
    )


def test_a_thousand_columns_are_still_read(tmp_path: Path) -> None:
    extra = MAX_COLUMNS - 4
    header = ";".join(["cpr", "kommune", "maalgruppe", "ydelse_start", *(f"x{i}" for i in range(extra))])
    path = write(tmp_path, (header + "\n" + ROW + ";1" * extra + "\n").encode())
    check = read_register(path, reference_date=REFERENCE)
    assert (check.accepted, check.rejects.height) == (1, 0)


def test_a_missing_column_among_many_lists_only_the_first_twenty(tmp_path: Path) -> None:
    path = write(tmp_path, (";".join(f"x{i}" for i in range(500)) + "\n").encode())
    with pytest.raises(MappingError) as raised:
        read_register(path, reference_date=REFERENCE)
    assert str(raised.value) == (
        f"{path}: mangler kolonnen cpr, kommune, maalgruppe, ydelse_start; kolonner i filen: "
        + ", ".join(f"x{i}" for i in range(20))
        + " … (500 i alt). Tip: angiv en mapping med --mapping M.yaml (fx 'cpr: Personnummer')"
    )


def test_a_file_mixing_utf8_and_windows_1252_names_the_first_bad_line(tmp_path: Path) -> None:
    data = f"{HEADER}\n{ROW}\n".encode() + "020290-1234;Hørsholm;6.1;2023-10-02\n".encode("cp1252")
    path = write(tmp_path, data)
    assert refused(path).startswith(f"{path}: linje 3 kan ikke læses som UTF-8, men andre linjer er UTF-8")


def test_a_bom_promising_utf8_then_breaking_it(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + HEADER.encode() + b"\n" + "Hørsholm".encode("cp1252"))
    assert refused(path) == (
        f"{path}: linje 2: forventede UTF-8 hele vejen, som filens BOM lover, fik byte 0xf8, som ikke er "
        "UTF-8. Tip: gem hele filen som UTF-8"
    )


def test_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "udtraek.csv"
    folder.mkdir()
    assert refused(folder) == f"{folder}: er en mappe, ikke en fil"


@pytest.mark.parametrize("name", ["udtraek.xlsx", "udtraek.xlsm"])
def test_garbage_named_as_excel_is_refused(tmp_path: Path, name: str) -> None:
    message = refused(write(tmp_path, windows_1252_noise(1, 2000), name))
    assert message.startswith(f"{tmp_path / name}: kan ikke åbnes som Excel-fil (")


def test_an_excel_file_cut_short_is_refused(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(["cpr", "kommune", "maalgruppe", "ydelse_start"])
    whole = tmp_path / "hel.xlsx"
    workbook.save(whole)
    path = write(tmp_path, whole.read_bytes()[:-200], "kort.xlsx")
    assert refused(path).startswith(f"{path}: kan ikke åbnes som Excel-fil (")


# -- the column mapping (--mapping) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "linje 1, felt '(YAML)': forventede gyldig YAML, fik exceeded"),
        (
            "cpr: Personnr\nkommune: Bopælskommune\n".encode("cp1252"),
            "linje 2, felt '(YAML)': forventede tekst i UTF-8, fik bytes der ikke er UTF-8 (byte 0xe6)",
        ),
        (b"a: &a [x, x]\nb: &b [*a, *a]\ncpr: *b\n", "linje 2, felt '(YAML)': forventede YAML uden aliaser"),
        (
            b"cpr: [Personnr]\n",
            "linje 1, felt 'cpr': forventede en kolonneoverskrift (tekst), fik ['Personnr']",
        ),
        (b"cpr:\n", "linje 1, felt 'cpr': forventede en kolonneoverskrift (tekst), fik ingenting"),
        (b"? [cpr]\n: x\n", "linje 1, felt '(nøgle)': forventede en nøgle der er en enkel tekst"),
    ],
    ids=["deep", "cp1252", "aliases", "list", "empty-value", "complex-key"],
)
def test_a_hostile_mapping_is_one_message(tmp_path: Path, data: bytes, message: str) -> None:
    mapping = write(tmp_path, data, "mapping.yaml")
    with pytest.raises(MappingError) as raised:
        load_mapping(mapping)
    assert message in str(raised.value)
    extract = write(tmp_path, f"{HEADER}\n{ROW}\n".encode())
    result = runner.invoke(app, ["register", "check", str(extract), "--mapping", str(mapping)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert message in " ".join(result.output.split())


# -- the command: exit 2 and the message, for every file the issue found a traceback for ---------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (windows_1252_noise(18, 5000), "forventede "),
        (b"cpr,kommune\x00,maalgruppe,ydelse_start\n", "linje 1: forventede tekst (CSV), fik et nul-tegn"),
        (f"{HEADER}\n{ROW}\n".encode("utf-16"), "linje 1: forventede UTF-8 eller Windows-1252, fik UTF-16"),
        (b"", "filen er tom"),
    ],
    ids=["cp1252-noise", "nul", "utf-16", "empty"],
)
def test_register_check_exits_2_with_the_file_and_line(tmp_path: Path, data: bytes, message: str) -> None:
    path = write(tmp_path, data)
    result = runner.invoke(app, ["register", "check", str(path)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    output = " ".join(result.output.split())
    assert output.startswith(f"Fejl: {path}")
    assert message in output


def test_register_check_on_a_folder_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["register", "check", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == f"Fejl: {tmp_path}: er en mappe, ikke en fil"


def test_classic_mac_line_ends_are_read(tmp_path: Path) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone."""
    path = write(tmp_path, f"{HEADER}\r{ROW}\r020290-1234;Lemvig;6.1;2023-10-02\r".encode())
    check = read_register(path, reference_date=REFERENCE)
    assert check.members["linje"].to_list() == [2, 3]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"kl2024: &r {period: {start: 2023-10-01}}\nkopi: *r\n", "forventede YAML uden aliaser (*navn)"),
        (b"kl2024: [1, 2]\n", "populationsreglerne skal have period.start, period.end, age.min og age.max"),
        ("kl2024:\n  title: Rødovre\n".encode("cp1252"), "linje 2, felt '(YAML)': forventede tekst i UTF-8"),
    ],
    ids=["aliases", "a-list", "cp1252"],
)
def test_a_hostile_rules_file_is_one_message(tmp_path: Path, data: bytes, message: str) -> None:
    rules = write(tmp_path, data, "regler.yaml")
    extract = write(tmp_path, f"{HEADER}\n{ROW}\n".encode())
    result = runner.invoke(app, ["register", "population", str(extract), "--rules-file", str(rules)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert message in " ".join(result.output.split())


def test_a_refused_import_leaves_every_table_as_it_was(tmp_path: Path) -> None:
    """UTF-16, then NUL, then 10.000 columns into a survey: exit 2 each time and not one row anywhere."""
    import sqlite3
    from importlib.resources import files

    from borgerblik.storage import Database

    url = f"sqlite:///{tmp_path / 'borgerblik.sqlite'}"
    yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    with Database(url) as db:
        db.create_survey("KL 2024", "kl-2024", yaml_text)

    def counts() -> dict[str, int]:
        with sqlite3.connect(tmp_path / "borgerblik.sqlite") as connection:
            names = [
                row[0] for row in connection.execute("select name from sqlite_master where type='table'")
            ]
            return {
                name: connection.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names
            }

    before = counts()
    wide = ";".join(["cpr", "kommune", "maalgruppe", "ydelse_start", *(f"x{i}" for i in range(9_996))])
    for data in (
        f"{HEADER}\n{ROW}\n".encode("utf-16"),
        f"{HEADER}\n{ROW}\x00\n".encode(),
        f"{wide}\n".encode(),
    ):
        path = write(tmp_path, data)
        result = runner.invoke(
            app, ["register", "import", str(path), "--survey", "KL 2024", "--database", url]
        )
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"Fejl: {path}: linje ")
        assert counts() == before
    assert before["members"] == before["identities"] == 0
