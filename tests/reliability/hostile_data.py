"""Hypothesis strategies for hostile input, and the settings the fuzz tests share (issue 18, item 3).

Two sizes of one property: ``FAST`` runs in `make test` (a few dozen examples, the whole hostile-input part
under a minute), ``FULL`` in `make reliability` (``-m reliability``), ten times as many. Each example has
hypothesis' own deadline as its time bound — an input that makes a reader run away (the alias bomb took
72 s) fails the test; there are no other timed assertions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

DEADLINE = timedelta(seconds=5)
_COMMON = {
    "deadline": DEADLINE,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    "print_blob": True,
}


def note(label: str) -> None:
    """Count an outcome in hypothesis' statistics (``--hypothesis-show-statistics``); a no-op outside it."""
    if currently_in_test_context():
        event(label)


def fuzz(fast: int, **strategies: st.SearchStrategy) -> Callable[[Callable[..., None]], tuple[Any, Any]]:
    """A property as two tests: ``fast`` examples for `make test`, ten times as many marked ``reliability``
    for `make reliability`. The property's other arguments are pytest fixtures."""

    def tests(prop: Callable[..., None]) -> tuple[Any, Any]:
        quick = settings(max_examples=fast, **_COMMON)(given(**strategies)(prop))
        full = settings(max_examples=fast * 10, **_COMMON)(given(**strategies)(prop))
        return quick, pytest.mark.reliability(full)

    return tests


#: characters that break readers: controls, the bidi override, line and paragraph separators, quotes,
#: delimiters, a BOM in the middle, surrogate-free astral characters, Danish letters, markup
NASTY = (
    "\x00\x01\x07\x08\x0b\x0c\x0e\x1a\x1b\x7f\x85\xa0\u200b\u202e\u2066\u2028\u2029\ufeff\ufffe\uffff"
    "\r\n\t\"';,|\\&*?!%#@[]{}<>:=-æøåÆØÅé€𝔸😀"
)
nasty_text = st.text(alphabet=st.sampled_from(NASTY) | st.characters(codec="utf-8"), max_size=40)

REGISTER_HEADERS = (
    "cpr",
    "CPR-nr",
    "kommune",
    "Kommunenavn",
    "maalgruppe",
    "Målgruppe",
    "ydelse_start",
    "Startdato",
    "ydelse_slut",
    "samtaler",
    "digital_post_fritaget",
    "telefon",
    "email",
    "Ekstra",
)
REGISTER_VALUES = (
    "010190-1235",
    "0101901235",
    "311299-9999",
    "290201-1234",
    "Rødovre",
    "Høje-Taastrup",
    "6.1",
    "6,6",
    "§ 6.3",
    "sygedagpenge",
    "6.10",
    "2023-10-02",
    "02.10.2023",
    "31-02-2023",
    "2023-13-01",
    "ja",
    "nej",
    "jobsamtale; rådighedssamtale",
    "+45 22 33 44 55",
    "12345678",
    "a@b.dk",
    "ikke-en-mail",
    "",
    " ",
)
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1")
#: values each register column accepts (substitute CPR numbers: day + 60 is never a real person's)
GOOD_REGISTER_VALUES = {
    "cpr": tuple(f"{61 + n}0190-{1235 + n}" for n in range(9)),
    "kommune": ("Rødovre", "Høje-Taastrup", "Ærø", "Lemvig"),
    "maalgruppe": ("6.1", "6,6", "sygedagpenge", "6.9"),
    "ydelse_start": ("2023-10-02", "01.11.2023", "1-6-2022"),
    "ydelse_slut": ("", "2023-12-01"),
    "samtaler": ("jobsamtale", "jobsamtale; rådighedssamtale", ""),
    "digital_post_fritaget": ("ja", "nej", ""),
    "telefon": ("22334455", "+45 22 33 44 55", ""),
    "email": ("a@b.dk", ""),
}


@st.composite
def delimited_files(
    draw: st.DrawFn,
    headers: tuple[str, ...],
    values: tuple[str, ...],
    max_rows: int = 12,
    required: tuple[str, ...] = (),
    good: dict[str, tuple[str, ...]] | None = None,
) -> bytes:
    """A delimited file as exports really come, and as they come broken: a header of real names (now and
    then a strange one), rows of realistic and hostile cells, one delimiter (or a stray other), any line
    ending and encoding — half of the lines in another now and then — and sometimes a byte-level
    mutation on top. Most files are readable, so the checks behind the reader are reached too."""
    extra = draw(st.lists(st.sampled_from(headers), min_size=0 if required else 1, max_size=6, unique=True))
    header = draw(st.permutations([*required, *(h for h in extra if h not in required)]))
    if draw(st.integers(0, 4)) == 0:
        header.insert(draw(st.integers(0, len(header))), draw(nasty_text))
    delimiter = draw(st.sampled_from([";", ";", ",", "\t", "|"]))
    width = len(header)
    cell = st.sampled_from(values) | st.sampled_from(values) | nasty_text | st.integers(-10, 10**6).map(str)
    by_column = [
        (lambda fit: fit | fit | fit | cell)(st.sampled_from(good[name])) if good and name in good else cell
        for name in header
    ]
    row = st.tuples(*by_column).map(list) | st.lists(cell, max_size=width + 2)
    rows = draw(
        st.lists(
            row.map(lambda cells: delimiter.join(_quote(c, delimiter) for c in cells)), max_size=max_rows
        )
    )
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    lines = [delimiter.join(header), *rows]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", *ENCODINGS, "mixed"]))
    if encoding == "mixed":  # two extracts pasted together: UTF-8 first, Windows-1252 after
        half = len(lines) // 2
        data = (ending.join(lines[:half]) + ending).encode("utf-8", "replace") + ending.join(
            lines[half:]
        ).encode("cp1252", "replace")
    else:
        data = (ending.join(lines) + draw(st.sampled_from(["", ending]))).encode(encoding, errors="replace")
    return draw(mutated(data))


def _quote(cell: str, delimiter: str) -> str:
    """Quote a cell as a CSV writer would — mostly; a few are left raw so stray quotes occur too."""
    if any(ch in cell for ch in (delimiter, '"', "\n", "\r")) and not cell.startswith("'"):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` as it is, or cut short, with a byte flipped, or with random bytes spliced in."""
    kind = draw(st.sampled_from(["as-is", "as-is", "as-is", "as-is", "cut", "flip", "splice"]))
    if not data or kind == "as-is":
        return data
    at = draw(st.integers(0, len(data) - 1))
    if kind == "cut":
        return data[:at]
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]


@st.composite
def clean_files(
    draw: st.DrawFn, columns: tuple[str, ...], good: dict[str, tuple[str, ...]], values: tuple[str, ...]
) -> bytes:
    """A correct file (columns in any order, cells from ``good``) with up to two hostile lines among its
    rows: most of it must be read and stored."""
    header = draw(st.permutations(list(columns)))
    delimiter = draw(st.sampled_from([";", ","]))
    fit = st.tuples(*(st.sampled_from(good[name]) for name in header)).map(
        lambda cells: delimiter.join(_quote(c, delimiter) for c in cells)
    )
    hostile = st.lists(nasty_text | st.sampled_from(values), max_size=len(header) + 1).map(
        lambda cells: delimiter.join(_quote(c, delimiter) for c in cells)
    )
    rows = draw(st.lists(fit, min_size=1, max_size=10))
    for _ in range(draw(st.integers(0, 2))):
        rows.insert(draw(st.integers(0, len(rows))), draw(hostile))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return ("\n".join([delimiter.join(header), *rows]) + "\n").encode(encoding, errors="replace")


REGISTER_COLUMNS = ("cpr", "kommune", "maalgruppe", "ydelse_start", "telefon", "email", "samtaler")


def register_files() -> st.SearchStrategy[bytes]:
    """Bytes offered as a register extract: structured exports, mutated ones, and plain garbage."""
    return st.one_of(
        clean_files(REGISTER_COLUMNS, GOOD_REGISTER_VALUES, REGISTER_VALUES),
        delimited_files(REGISTER_HEADERS, REGISTER_VALUES),
        delimited_files(
            REGISTER_HEADERS, REGISTER_VALUES, required=("cpr", "kommune", "maalgruppe", "ydelse_start")
        ),
        st.binary(max_size=600),
    )


def table_counts(sqlite_file: Path) -> dict[str, int]:
    """Rows per table of a SQLite file, read with the standard library (a test's look, not a writer)."""
    with sqlite3.connect(sqlite_file) as connection:
        names = [
            row[0]
            for row in connection.execute("select name from sqlite_master where type = 'table' order by name")
        ]
        return {name: connection.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}
