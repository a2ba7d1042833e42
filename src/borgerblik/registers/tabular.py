"""Reading a delimited text file or an Excel sheet into a frame of strings that keeps physical line numbers.

Danish exports come as UTF-8 with or without BOM or as Windows-1252, comma- or semicolon-separated, with blank
lines and trailing spaces. Every data row keeps its physical line (header = line 1) so a reject can point at
it; blank lines are counted, rows with the wrong number of fields are kept aside — nothing disappears.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from borgerblik.core.errors import BorgerblikError

LINE = "_linje"
DELIMITERS = (";", ",", "\t")


class TableError(BorgerblikError, ValueError):
    """The file cannot be read as a table at all (missing, unknown encoding, no header)."""


@dataclass(frozen=True)
class RaggedLine:
    line: int
    fields: int
    #: for a quote never closed: the last physical line the unbalanced record ran to (the rows after it were
    #: read again from the next line, so the stray quote costs its own line only)
    spans_to: int | None = None

    def describe(self, expected: int) -> str:
        if self.spans_to is not None:
            return f'uafsluttet anførselstegn (") — ville slå linje {self.line}–{self.spans_to} sammen'
        return f"{self.fields} felter, forventede {expected}"


@dataclass(frozen=True)
class RawTable:
    """The file's cells as stripped strings (empty cell = null), one row per non-blank data line."""

    path: Path
    frame: pl.DataFrame
    headers: list[str]
    encoding: str
    delimiter: str | None
    blank_lines: int = 0
    ragged: list[RaggedLine] = field(default_factory=list)


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and its encoding: a BOM means UTF-8; otherwise UTF-8 if it decodes, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        _refuse_mixed_encodings(data, path)
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise TableError(
            f"{path}: kan hverken læses som UTF-8 eller Windows-1252 (byte {exc.start}); gem filen som UTF-8"
        ) from exc


def _refuse_mixed_encodings(data: bytes, path: Path) -> None:
    """A file that is not UTF-8 throughout but has lines that are UTF-8 with letters beyond ASCII changes
    encoding part-way (two extracts pasted together): read as one encoding, half of it would be garbled
    ("RÃ¸dovre" beside "Rødovre") without a word. Refused, naming the first line that does not decode."""
    utf8_lines, first_bad = 0, None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            first_bad = first_bad or number
        else:
            utf8_lines += 1
        if utf8_lines and first_bad:
            raise TableError(
                f"{path}: linje {first_bad} kan ikke læses som UTF-8, men andre linjer er UTF-8 — filen "
                "skifter tegnsæt undervejs og ville blive læst halvt forkert. Tip: gem hele filen som UTF-8"
            )


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ; , and tab in the header line (a one-column file gets a comma)."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(path: Path) -> RawTable:
    """Read CSV (any of the accepted encodings and delimiters) or XLSX by the file's extension."""
    if not path.exists():
        raise TableError(f"{path}: filen findes ikke")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_xlsx(path)
    data = path.read_bytes()
    text, encoding = decode(data, path)
    utf8 = data[3:] if encoding == "utf-8-sig" else data if encoding == "utf-8" else text.encode("utf-8")
    return read_delimited(utf8, path, encoding)


def _physical_lines(data: bytes) -> pl.Series:
    lines = pl.read_csv(
        data,
        has_header=False,
        separator="\x00",
        quote_char=None,
        new_columns=["raw"],
        schema={"raw": pl.String},
    )["raw"]
    return lines.fill_null("").str.strip_chars_end("\r")


def _blank_lines(lines: pl.Series, counts: pl.Series) -> pl.Series:
    """Empty or whitespace-only lines; only one-field lines can be blank, so only those are stripped."""
    candidates = (counts == 1).arg_true()
    blank = pl.repeat(False, lines.len(), eager=True)
    if candidates.len():
        empty = lines.gather(candidates).str.strip_chars() == ""
        blank = blank.scatter(candidates.filter(empty), True)
    return blank


def read_delimited(data: bytes, path: Path, encoding: str = "utf-8") -> RawTable:
    """UTF-8 bytes of a delimited file → cells, one row per physical line, parsed natively by polars.

    Quoted line breaks make physical lines and records differ; such files go through Python's csv reader.
    """
    lines = _physical_lines(data) if data.strip() else pl.Series("raw", [], dtype=pl.String)
    header_index = next((i for i, text in enumerate(lines) if text.strip()), None)
    if header_index is None:
        raise TableError(f"{path}: filen er tom — forventede en overskriftslinje")
    header_line = lines[header_index]
    delimiter = sniff_delimiter(header_line)
    quoted = b'"' in data
    unquoted = lines.str.replace_all(r'"(?:[^"]|"")*"', "") if quoted else lines
    if quoted and unquoted.str.contains('"', literal=True).any():
        return _read_quoted(data.decode("utf-8"), path, encoding, delimiter)
    headers = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter))]
    _check_headers(headers, path)
    counts = unquoted.str.count_matches(delimiter, literal=True) + 1
    blank = _blank_lines(lines, counts)
    names = [f"_c{i}" for i in range(len(headers))]
    try:
        cells = pl.read_csv(
            data,
            has_header=False,
            separator=delimiter,
            quote_char='"',
            schema={name: pl.String for name in names},
            truncate_ragged_lines=True,
            missing_columns="insert",
        )
    except pl.exceptions.PolarsError:
        cells = None
    if cells is None or cells.height != lines.len():
        return _read_quoted(data.decode("utf-8"), path, encoding, delimiter)
    line = pl.Series(LINE, range(1, lines.len() + 1), dtype=pl.Int64)
    after_header = line > header_index + 1
    data_line = after_header & ~blank
    ok = data_line & (counts == len(headers))
    wrong = data_line & (counts != len(headers))
    ragged = [
        RaggedLine(int(n), int(c)) for n, c in zip(line.filter(wrong), counts.filter(wrong), strict=True)
    ]
    first = header_index + 1
    if ok.slice(first).all():  # the usual case: no blank or ragged lines, so no filtering pass
        kept_lines, kept_cells = line.slice(first), cells.slice(first)
    else:
        kept_lines, kept_cells = line.filter(ok), cells.filter(ok)
    frame = pl.concat(
        [
            kept_lines.to_frame(),
            kept_cells.select(_clean(pl.col(n)).alias(h) for n, h in zip(names, headers, strict=True)),
        ],
        how="horizontal",
    )
    blank_count = int((after_header & blank).sum())
    return RawTable(path, frame, headers, encoding, delimiter, blank_count, ragged)


def _clean(column: pl.Expr) -> pl.Expr:
    return column.str.strip_chars().replace("", None)


def _check_headers(headers: list[str], path: Path) -> None:
    seen: set[str] = set()
    for column, header in enumerate(headers, start=1):
        if not header:
            raise TableError(f"{path}: linje 1, kolonne {column}: tom kolonneoverskrift")
        if header in seen:
            raise TableError(f"{path}: linje 1, kolonne {column}: overskriften {header!r} står to gange")
        seen.add(header)


def _read_quoted(text: str, path: Path, encoding: str, delimiter: str) -> RawTable:
    """Python's csv reader, record by record, keeping physical line numbers.

    A record that runs over several lines and then has the wrong number of fields is a stray quote, not a
    quoted line break: it is rejected as its first line alone (with the lines it would have swallowed
    named), and reading goes on from the next line — so a stray ``"`` never costs the rows after it.
    """
    headers: list[str] | None = None
    lines: list[int] = []
    rows: list[list[str | None]] = []
    ragged: list[RaggedLine] = []
    blank = 0
    physical = text.splitlines(keepends=True)
    position = 0
    while position < len(physical):
        reader = csv.reader((physical[k] for k in range(position, len(physical))), delimiter=delimiter)
        record = next(reader, None)
        if record is None:
            break
        used = max(reader.line_num, 1)
        line = position + 1
        if headers is not None and used > 1 and len(record) != len(headers):
            ragged.append(RaggedLine(line, len(record), spans_to=position + used))
            position += 1
            continue
        position += used
        if not any(cell.strip() for cell in record):
            if headers is not None:
                blank += 1
            continue
        if headers is None:
            headers = [h.strip() for h in record]
            _check_headers(headers, path)
            continue
        if len(record) != len(headers):
            ragged.append(RaggedLine(line, len(record)))
            continue
        lines.append(line)
        rows.append([cell.strip() or None for cell in record])
    if headers is None:
        raise TableError(f"{path}: filen er tom — forventede en overskriftslinje")
    return _frame_from_rows(path, headers, lines, rows, encoding, delimiter, blank, ragged)


def _frame_from_rows(
    path: Path,
    headers: list[str],
    lines: list[int],
    rows: list[list[str | None]],
    encoding: str,
    delimiter: str | None,
    blank: int,
    ragged: list[RaggedLine],
) -> RawTable:
    data: dict[str, list[object]] = {LINE: list(lines)}
    for i, header in enumerate(headers):
        data[header] = [row[i] for row in rows]
    schema = {LINE: pl.Int64, **{h: pl.String for h in headers}}
    return RawTable(path, pl.DataFrame(data, schema=schema), headers, encoding, delimiter, blank, ragged)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def read_xlsx(path: Path) -> RawTable:
    """First sheet of an Excel workbook; line numbers are the sheet's row numbers."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or non-Excel file
        raise TableError(f"{path}: kan ikke åbnes som Excel-fil ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        headers: list[str] | None = None
        lines: list[int] = []
        rows: list[list[str | None]] = []
        ragged: list[RaggedLine] = []
        blank = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if not any(cells):
                if headers is not None:
                    blank += 1
                continue
            if headers is None:
                while cells and cells[-1] is None:
                    cells.pop()
                headers = [c or "" for c in cells]
                _check_headers(headers, path)
                continue
            extra = [c for c in cells[len(headers) :] if c is not None]
            if extra:
                ragged.append(RaggedLine(number, len(headers) + len(extra)))
                continue
            cells = (cells + [None] * len(headers))[: len(headers)]
            lines.append(number)
            rows.append(cells)
    finally:
        workbook.close()
    if headers is None:
        raise TableError(f"{path}: regnearket er tomt — forventede en overskriftsrække")
    return _frame_from_rows(path, headers, lines, rows, "xlsx", None, blank, ragged)
