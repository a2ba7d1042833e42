"""Redacting one column of a CSV file that came from elsewhere (an old survey, a hotline export), leaving
every other byte of meaning as it was: same encoding (BOM kept), same delimiter, same quoting of the other
cells, same line ends."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from borgerblik.registers.tabular import TableError, decode, sniff_delimiter
from borgerblik.text.redaction import redact


@dataclass(frozen=True)
class RedactedFile:
    rows: int
    changed_rows: int
    counts: Counter[str]
    encoding: str
    delimiter: str


def redact_csv(source: Path, column: str, target: Path) -> RedactedFile:
    """Write ``source`` to ``target`` with ``column`` redacted; a missing column is an error naming it."""
    if not source.exists():
        raise TableError(f"{source}: filen findes ikke")
    if source.resolve() == target.resolve():
        raise TableError(f"{target}: skriv til en anden fil end inputfilen, så originalen ikke overskrives")
    text, encoding = decode(source.read_bytes(), source)
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    newline = "\r\n" if first_line.endswith("\r") else "\n"
    raw: list[str] = []  # the physical lines of the record the reader is on

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            raw.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise TableError(f"{source}: filen er tom (ingen overskriftslinje)") from exc
    names = [name.strip() for name in header]
    if column not in names:
        raise TableError(f"{source}: kolonnen {column!r} findes ikke (kolonner: {', '.join(names)})")
    index = names.index(column)
    counts: Counter[str] = Counter()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    buffer.write("".join(raw))
    rows = changed = 0
    for cells in reader:
        record, raw[:] = "".join(raw), []
        result = redact(cells[index]) if index < len(cells) else None
        if cells:
            rows += 1
        if result is None or not result.changed:
            buffer.write(record)  # an untouched row is copied byte for byte, quoting and all
            continue
        changed += 1
        counts.update(result.counts)
        cells[index] = result.text
        writer.writerow(cells)
    target.write_text(buffer.getvalue(), encoding=encoding, newline="")
    return RedactedFile(rows, changed, counts, encoding, delimiter)
