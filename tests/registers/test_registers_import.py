"""Reading register extracts as they really arrive, and rejecting each fault with its own reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from borgerblik.registers import MappingError, TableError, read_register

REFERENCE = date(2023, 12, 31)


def test_semicolon_windows_1252_with_danish_letters_blank_lines_and_trailing_spaces(
    write_extract: Callable[..., Path],
) -> None:
    path = write_extract(
        [
            "CPR;Kommune;Målgruppe;Ydelse start;Ydelse slut;Samtaler;Digital Post fritaget;Telefonnr;E-mail",
            "010190-1235;Høje-Taastrup;6.1;2023-10-02;;jobsamtale;nej;22345678;a@example.dk",
            "",
            "020285-2346 ; Rødovre ; 6,6 ; 01.11.2023 ;  ; opfølgningssamtale ; ja ; +45 87 65 43 21 ;   ",
            "   ",
            '030370-3457;Ærø;sygedagpenge;2023-12-01;;"Jobsamtale; rådighedssamtale";nej;;',
        ],
        encoding="cp1252",
    )
    check = read_register(path, reference_date=REFERENCE)
    assert check.accepted == 3
    assert check.rejects.height == 0
    assert check.blank_lines == 2
    assert check.members.select("linje", "kommune", "maalgruppe", "koen", "alder", "aldersgruppe").rows() == [
        (2, "Høje-Taastrup", "6.1", "mand", 33, "30-49"),
        (4, "Rødovre", "6.6", "kvinde", 38, "30-49"),
        (6, "Ærø", "6.6", "mand", 53, "50-66"),
    ]
    assert check.members["ydelse_start"].to_list() == [
        date(2023, 10, 2), date(2023, 11, 1), date(2023, 12, 1),
    ]
    assert check.members["samtaler"].to_list() == [
        "jobsamtale", "opfølgningssamtale", "jobsamtale;rådighedssamtale",
    ]
    assert check.identities.select("cpr", "telefon", "email", "digital_post_fritaget").rows() == [
        ("010190-1235", "22345678", "a@example.dk", False),
        ("020285-2346", "87654321", None, True),
        ("030370-3457", None, None, False),
    ]


def test_utf8_with_bom_and_comma(write_extract: Callable[..., Path]) -> None:
    path = write_extract(
        [
            "cpr,kommune,maalgruppe,ydelse_start,ydelse_slut,samtaler,digital_post_fritaget,telefon,email",
            "010190-1235,Brøndby,6.3,2022-01-15,,fællessamtale med a-kasse,nej,22334455,",
        ],
        bom=True,
    )
    check = read_register(path, reference_date=REFERENCE)
    assert check.accepted == 1
    assert check.members.select("kommune", "maalgruppe", "samtaler").row(0) == (
        "Brøndby", "6.3", "fællessamtale med a-kasse",
    )


def test_excel_file_with_dates_numbers_and_a_blank_row(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["CPR-nr", "Kommunenavn", "Målgruppe", "Startdato", "Slutdato", "Samtaletyper",
                  "Fritaget digital post", "Mobilnummer", "Mail"])
    sheet.append([101901235, "Odense", "6.2", datetime(2023, 3, 1), None, "jobsamtale", "nej", 22345678,
                  "x@y.dk"])
    sheet.append([None] * 9)
    sheet.append(["020285-2346", "Odense", 6.9, datetime(2021, 5, 5), datetime(2023, 11, 30),
                  "opfølgningssamtale", "ja", "123", None])
    path = tmp_path / "udtraek.xlsx"
    workbook.save(path)
    check = read_register(path, reference_date=REFERENCE)
    assert check.accepted == 2
    assert check.blank_lines == 1
    assert check.members.select("linje", "maalgruppe", "ydelse_start", "ydelse_slut").rows() == [
        (2, "6.2", date(2023, 3, 1), None),
        (4, "6.9", date(2021, 5, 5), date(2023, 11, 30)),
    ]
    assert check.identities["telefon"].to_list() == ["22345678", None]
    assert check.identities["cpr"].to_list() == ["010190-1235", "020285-2346"]  # Excel dropped the 0
    assert check.rejects.select("line", "column", "reason", "value").rows() == [
        (4, "Mobilnummer", "ugyldigt-telefonnummer", "123"),
    ]


def test_every_fault_is_rejected_with_its_own_reason_line_and_column(
    write_extract: Callable[..., Path],
) -> None:
    path = write_extract(
        [
            "cpr,kommune,maalgruppe,ydelse_start,ydelse_slut,samtaler,digital_post_fritaget,telefon,email",
            "010190-1235,Assens,6.1,2023-10-02,,jobsamtale,nej,22345678,a@b.dk",  # 2 accepted
            "010190-1235,Assens,6.1,2023-10-02,,jobsamtale,nej,22345678,a@b.dk",  # 3 duplicate
            "0101901236X,Assens,6.1,2023-10-02,,jobsamtale,nej,,",  # 4 malformed CPR
            "300290-1237,Assens,6.1,2023-10-02,,jobsamtale,nej,,",  # 5 impossible birth date
            "010190-1238,Assens,7.1,2023-10-02,,jobsamtale,nej,,",  # 6 unknown target group
            "010190-1239,Assens,6.1,2023-02-30,,jobsamtale,nej,,",  # 7 impossible start date
            "010190-1240,Assens,6.1,2. oktober,,jobsamtale,nej,,",  # 8 not a date
            "010190-1241,Assens,6.1,2023-10-02,2023-09-01,jobsamtale,nej,,",  # 9 ends before it starts
            "010190-1242,Assens,6.1,2023-10-02,,jobsamtale,måske,,",  # 10 not ja/nej
            "010190-1243,,6.1,2023-10-02,,jobsamtale,nej,,",  # 11 no municipality
            "010190-1244,Assens,6.1,2023-10-02,,jobsamtale,nej,1234,",  # 12 bad phone: value only
            "010190-1245,Assens,6.1,2023-10-02,,jobsamtale,nej,,ikke-en-adresse",  # 13 bad e-mail: value only
            "010190-1246,Assens,6.1",  # 14 too few fields
            "010190-1247,Assens,6.1,2023-10-02,,jobsamtale,nej,,,ekstra",  # 15 too many fields
            "010125-5248,Assens,6.1,2023-10-02,,jobsamtale,nej,,",  # 16 born 2025: after the reference date
        ]
    )
    check = read_register(path, reference_date=REFERENCE)
    assert check.rejects_for_check().rows() == [
        (3, "cpr", "dublet-cpr", "010190-****"),
        (4, "cpr", "ugyldigt-cpr", "010190-****"),
        (5, "cpr", "umulig-dato", "300290-****"),
        (6, "maalgruppe", "ukendt-maalgruppe", "7.1"),
        (7, "ydelse_start", "umulig-dato", "2023-02-30"),
        (8, "ydelse_start", "ugyldig-dato", "2. oktober"),
        (9, "ydelse_slut", "slut-foer-start", "2023-09-01"),
        (10, "digital_post_fritaget", "ugyldig-ja-nej", "måske"),
        (11, "kommune", "manglende-vaerdi", ""),
        (12, "telefon", "ugyldigt-telefonnummer", "1234"),
        (13, "email", "ugyldig-email", "ikke-en-adresse"),
        (14, "", "forkert-antal-felter", "3 felter, forventede 9"),
        (15, "", "forkert-antal-felter", "10 felter, forventede 9"),
        (16, "cpr", "umulig-dato", "010125-****"),
    ]
    assert check.accepted == 3  # lines 2, 12 and 13
    assert check.members["linje"].to_list() == [2, 12, 13]
    assert check.rejected_rows == 12
    assert check.reason_counts() == {
        "forkert-antal-felter": 2,
        "umulig-dato": 3,
        "dublet-cpr": 1,
        "manglende-vaerdi": 1,
        "slut-foer-start": 1,
        "ugyldig-dato": 1,
        "ugyldig-email": 1,
        "ugyldig-ja-nej": 1,
        "ugyldigt-cpr": 1,
        "ugyldigt-telefonnummer": 1,
        "ukendt-maalgruppe": 1,
    }
    assert check.rejects["file"].unique().to_list() == [str(path)]
    # nothing lost: every data line is accepted or has a row-level reject
    row_lines = set(check.rejects.filter(~pl.col("reason").is_in(["ugyldigt-telefonnummer", "ugyldig-email"]))
                    ["line"].to_list())
    assert row_lines | set(check.members["linje"].to_list()) == set(range(2, 17))


def test_target_group_as_benefit_name_or_with_comma(write_extract: Callable[..., Path]) -> None:
    codes = ["6.4", "6,5", "§ 6.7", "Sygedagpenge", "ressourceforløb", "ledighedsydelse"]
    rows = [f"0101{70 + i:02d}-1235;Vejen;{code};2023-10-02" for i, code in enumerate(codes)]
    path = write_extract(["cpr;kommune;maalgruppe;ydelse_start", *rows])
    check = read_register(path, reference_date=REFERENCE)
    assert check.members["maalgruppe"].to_list() == ["6.4", "6.5", "6.7", "6.6", "6.8", "6.9"]


def test_a_quoted_line_break_keeps_physical_line_numbers(write_extract: Callable[..., Path]) -> None:
    path = write_extract(
        [
            "cpr;kommune;maalgruppe;ydelse_start;samtaler",
            '010190-1235;"Lyngby-\nTaarbæk";6.1;2023-10-02;jobsamtale',
            "010190-1236;Lyngby-Taarbæk;6.0;2023-10-02;jobsamtale",
        ]
    )
    check = read_register(path, reference_date=REFERENCE)
    assert check.members["linje"].to_list() == [2]
    assert check.rejects_for_check().rows() == [(4, "maalgruppe", "ukendt-maalgruppe", "6.0")]


def test_other_headers_through_a_mapping(write_extract: Callable[..., Path], tmp_path: Path) -> None:
    path = write_extract(["ID;Sted;LAB;Fra", "010190-1235;Tårnby;6.1;2023-10-02"])
    with pytest.raises(MappingError, match="mangler kolonnen cpr, kommune, maalgruppe, ydelse_start"):
        read_register(path, reference_date=REFERENCE)
    check = read_register(
        path, mapping={"cpr": "id", "kommune": "Sted", "maalgruppe": "LAB", "ydelse_start": "fra"},
        reference_date=REFERENCE,
    )
    assert check.accepted == 1
    assert check.rejects.height == 0
    assert check.identities["digital_post_fritaget"].to_list() == [False]


def test_headers_in_any_case_and_ae_oe_aa_spelling(write_extract: Callable[..., Path]) -> None:
    path = write_extract(["CPR,KOMMUNE,MAALGRUPPE,YDELSE_START", "010190-1235,Tårnby,6.1,2023-10-02"])
    assert read_register(path, reference_date=REFERENCE).accepted == 1


def test_files_that_are_not_tables_fail_clearly(write_extract: Callable[..., Path], tmp_path: Path) -> None:
    with pytest.raises(TableError, match="findes ikke"):
        read_register(tmp_path / "mangler.csv")
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"\n\n")
    with pytest.raises(TableError, match="tom"):
        read_register(empty)
    doubled = write_extract(["cpr,cpr,kommune", "1,2,3"], name="dobbelt.csv")
    with pytest.raises(TableError, match="linje 1, kolonne 2"):
        read_register(doubled)


def test_reading_twice_gives_the_same_result(write_extract: Callable[..., Path]) -> None:
    path = write_extract(["cpr,kommune,maalgruppe,ydelse_start", "010190-1235,Tårnby,6.1,2023-10-02",
                          "010190-1235,Tårnby,6.1,2023-10-02"])
    first = read_register(path, reference_date=REFERENCE)
    second = read_register(path, reference_date=REFERENCE)
    assert first.members.equals(second.members)
    assert first.rejects.equals(second.rejects)


def test_windows_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "crlf.csv"
    path.write_bytes(
        b'cpr;kommune;maalgruppe;ydelse_start;samtaler\r\n010190-1235;Vejen;6.1;2023-10-02;"jobsamtale;x"\r\n'
        b"\r\n010190-1237;Vejen;6.1;2023-10-02;jobsamtale\r\n"
    )
    check = read_register(path, reference_date=REFERENCE)
    assert check.members.select("linje", "samtaler").rows() == [(2, "jobsamtale;x"), (4, "jobsamtale")]
    assert check.blank_lines == 1


def test_blank_lines_before_the_header_and_a_header_only_file(tmp_path: Path) -> None:
    leading = tmp_path / "foran.csv"
    leading.write_text(
        "\n\ncpr,kommune,maalgruppe,ydelse_start\n010190-1235,Vejen,6.1,2023-10-02\n", encoding="utf-8"
    )
    assert read_register(leading, reference_date=REFERENCE).members["linje"].to_list() == [4]
    header_only = tmp_path / "kun-overskrift.csv"
    header_only.write_text("cpr,kommune,maalgruppe,ydelse_start\n", encoding="utf-8")
    check = read_register(header_only, reference_date=REFERENCE)
    assert (check.accepted, check.rejects.height) == (0, 0)
