"""Codebooks and coded answers as CSV, for analysts who code in a spreadsheet (``borgerblik codes import``
and ``export``). Written semicolon-separated as UTF-8 with BOM, as Excel opens it; read with either
delimiter, with or without BOM. Several codes in one cell are separated by ``|``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from borgerblik.registers.tabular import TableError, decode, sniff_delimiter

CODEBOOK_COLUMNS = ("kode", "etiket", "beskrivelse", "noegleord", "eksempler", "overkode")
CODES_COLUMNS = ("svar_id", "koder")
SEPARATOR = "|"


def read_rows(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """(line, row) pairs; a missing required column is an error naming the file and the columns it has."""
    if not path.exists():
        raise TableError(f"{path}: filen findes ikke")
    text, _ = decode(path.read_bytes(), path)
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in required if name not in header]
    if missing:
        raise TableError(f"{path}: mangler kolonnen {', '.join(missing)} (kolonner: {', '.join(header)})")
    reader.fieldnames = header
    return [
        (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None})
        for row in reader
        if any((v or "").strip() for v in row.values() if isinstance(v, str))
    ]


def read_codes(path: Path) -> list[tuple[int, str]]:
    """(invitation id, code) pairs; an answer id that is not a number is an error with its line."""
    pairs = []
    for line, row in read_rows(path, CODES_COLUMNS):
        if not row["svar_id"].isdigit():
            raise TableError(
                f"{path}, linje {line}, kolonne svar_id: forventede et tal, fik {row['svar_id']!r}"
            )
        pairs += [
            (int(row["svar_id"]), code.strip()) for code in row["koder"].split(SEPARATOR) if code.strip()
        ]
    return pairs


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        count += 1
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    return count
