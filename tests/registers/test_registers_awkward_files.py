"""Nothing lost or garbled on import: a stray quote costs its own line only, a file that changes encoding
part-way is refused with the first line that does not decode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from borgerblik.registers import TableError, read_register

REFERENCE = date(2023, 12, 31)
HEADER = "cpr;kommune;maalgruppe;ydelse_start"


def _rows(first: int, count: int) -> list[str]:
    return [
        f"{(first + i) % 28 + 1:02d}0190-{1235 + first + i:04d};Rødovre;6.1;2023-10-02" for i in range(count)
    ]


def test_a_row_starting_with_a_stray_quote_costs_only_its_own_line(
    write_extract: Callable[..., Path],
) -> None:
    stray = '"010190-9999;Rødovre;6.1;2023-10-02'
    path = write_extract([HEADER, *_rows(0, 5), stray, *_rows(5, 50)])
    check = read_register(path, reference_date=REFERENCE)
    assert check.accepted == 55
    rejects = check.rejects_for_check()
    assert rejects.rows() == [
        (7, "", "forkert-antal-felter", 'uafsluttet anførselstegn (") — ville slå linje 7–57 sammen')
    ]
    assert check.members["linje"].to_list() == [*range(2, 7), *range(8, 58)]


def test_a_quoted_line_break_is_still_one_record(write_extract: Callable[..., Path]) -> None:
    path = write_extract(
        ["cpr;kommune;maalgruppe;ydelse_start;samtaler", '010190-1235;Rødovre;6.1;2023-10-02;"job-\nsamtale"']
    )
    check = read_register(path, reference_date=REFERENCE)
    assert check.accepted == 1
    assert check.rejects_for_check().height == 0


@pytest.mark.parametrize("utf8_first", [True, False])
def test_a_file_that_changes_encoding_part_way_is_refused(tmp_path: Path, utf8_first: bool) -> None:
    utf8 = "\n".join(_rows(0, 25)).encode("utf-8")
    cp1252 = "\n".join(_rows(25, 25)).encode("cp1252")
    parts = [utf8, cp1252] if utf8_first else [cp1252, utf8]
    path = tmp_path / "blandet.csv"
    path.write_bytes(HEADER.encode() + b"\n" + parts[0] + b"\n" + parts[1] + b"\n")
    first_bad = 27 if utf8_first else 2
    with pytest.raises(TableError, match=f"linje {first_bad} kan ikke læses som UTF-8.*skifter tegnsæt"):
        read_register(path, reference_date=REFERENCE)


def test_a_whole_windows_1252_file_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes(("\n".join([HEADER, *_rows(0, 3)]) + "\n").encode("cp1252"))
    check = read_register(path, reference_date=REFERENCE)
    assert check.members["kommune"].to_list() == ["Rødovre"] * 3
