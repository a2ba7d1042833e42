"""Reading a delimited text file or an Excel sheet into a frame of strings that keeps physical line numbers.

Danish exports come as UTF-8 with or without BOM or as Windows-1252, comma- or semicolon-separated, with blank
lines and trailing spaces. Every data row keeps its physical line (header = line 1) so a reject can point at
it; blank lines are counted, rows with the wrong number of fields are kept aside — nothing disappears.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from borgerblik.core.errors import BorgerblikError
from borgerblik.danish import integer

LINE = "_linje"
DELIMITERS = (";", ",", "\t")
MAX_COLUMNS = 1_000
"""The most columns a table may have: an extract has 10–30; 10.000 would cost seconds per step for nothing."""


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
    """Text and its encoding: a BOM means UTF-8; otherwise UTF-8 if it decodes, else Windows-1252.

    A file that is not text — UTF-16 (Excel's "Unicode-tekst"), binary, or with a NUL byte or another
    control character in its header — is refused naming the line, before any parser sees it.
    """
    _refuse_non_text(data, path)
    if data.startswith(b"\xef\xbb\xbf"):
        body = data[3:]
        try:
            return body.decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise TableError(
                where=f"{path}: linje {_line_of(body, exc.start)}",
                expected="UTF-8 hele vejen, som filens BOM lover",
                got=f"byte 0x{body[exc.start]:02x}, som ikke er UTF-8",
                hint="gem hele filen som UTF-8",
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        _refuse_mixed_encodings(data, path)
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise TableError(
            where=f"{path}: linje {_line_of(data, exc.start)}",
            expected="UTF-8 eller Windows-1252",
            got=f"byte 0x{data[exc.start]:02x}, som ingen af dem har",
            hint="gem filen som UTF-8",
        ) from None


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NOT_TEXT_HINT = "gem udtrækket som CSV (UTF-8) eller XLSX"


def _refuse_non_text(data: bytes, path: Path) -> None:
    """UTF-16 and binary files, refused before decoding: read as Windows-1252 they would become one
    garbled column (every other byte a NUL), and a NUL byte breaks the line reader. A NUL anywhere or a
    control character in the header line (which must be column names) means the file is not a table."""
    if data.startswith(_UTF16_BOMS):
        raise TableError(
            where=f"{path}: linje 1",
            expected="UTF-8 eller Windows-1252",
            got="UTF-16 (Excels »Unicode-tekst«)",
            hint=NOT_TEXT_HINT,
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        head = data[:200]
        utf16 = head.count(0) >= len(head) // 3
        raise TableError(
            where=f"{path}: linje {_line_of(data, nul)}",
            expected="tekst (CSV)",
            got="et nul-tegn (byte 0x00) — filen " + ("ligner UTF-16 uden BOM" if utf16 else "er binær"),
            hint=NOT_TEXT_HINT,
        )
    start = len(data) - len(data.lstrip(b" \t\r\n"))
    end = data.find(b"\n", start)
    control = _CONTROL.search(data, start, end if end >= 0 else len(data))
    if control is not None:
        raise TableError(
            where=f"{path}: linje {_line_of(data, control.start())}",
            expected="en overskriftslinje med kolonnenavne",
            got=f"kontroltegnet 0x{control.group()[0]:02x} — filen er ikke en tabel",
            hint=NOT_TEXT_HINT,
        )


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
    if not path.is_file():
        raise TableError(f"{path}: er en mappe, ikke en fil" if path.is_dir() else f"{path}: er ikke en fil")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_xlsx(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(f"{path}: kan ikke læses ({exc.strerror or exc})") from None
    if b"\r" in data and b"\n" not in data:  # classic Mac line ends (Excel for Mac's "CSV (Macintosh)")
        data = data.replace(b"\r", b"\n")
    if data.isascii():  # the usual case, told without a decoded copy of a file that may be 200 MB
        _refuse_non_text(data, path)
        return read_delimited(data, path, "utf-8")
    text, encoding = decode(data, path)
    utf8 = data[3:] if encoding == "utf-8-sig" else data if encoding == "utf-8" else text.encode("utf-8")
    del text, data
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
    lines = lines.fill_null("")
    return lines.str.strip_chars_end("\r") if b"\r" in data else lines  # no second copy when no CR


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
    headers = [h.strip() for h in _records([header_line], delimiter, path, header_index)[0]]
    _check_headers(headers, path, header_index + 1)
    counts = unquoted.str.count_matches(delimiter, literal=True) + 1
    blank = _blank_lines(lines, counts)
    line_count = lines.len()
    del lines, unquoted  # the cells are parsed from ``data``: a 200 MB file need not be held three times
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
    if cells is None or cells.height != line_count:
        return _read_quoted(data.decode("utf-8"), path, encoding, delimiter)
    line = pl.Series(LINE, range(1, line_count + 1), dtype=pl.Int64)
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
            kept_cells.select(_clean(pl.all())).rename(dict(zip(names, headers, strict=True))),
        ],
        how="horizontal",
    )
    blank_count = int((after_header & blank).sum())
    return RawTable(path, frame, headers, encoding, delimiter, blank_count, ragged)


def _clean(column: pl.Expr) -> pl.Expr:
    return column.str.strip_chars().replace("", None)


def _check_headers(headers: list[str], path: Path, line: int = 1) -> None:
    if len(headers) > MAX_COLUMNS:
        raise TableError(
            where=f"{path}: linje {line}",
            expected=f"højst {integer(MAX_COLUMNS)} kolonner",
            got=f"{integer(len(headers))} kolonner",
            hint="et registerudtræk har et par dusin kolonner; er skilletegnet det rigtige?",
        )
    seen: set[str] = set()
    for column, header in enumerate(headers, start=1):
        if not header:
            raise TableError(f"{path}: linje {line}, kolonne {column}: tom kolonneoverskrift")
        if header in seen:
            raise TableError(f"{path}: linje {line}, kolonne {column}: overskriften {header!r} står to gange")
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
    physical = _split_lines(text)
    position = 0
    while position < len(physical):
        reader = csv.reader((physical[k] for k in range(position, len(physical))), delimiter=delimiter)
        try:
            record = next(reader, None)
        except csv.Error as exc:
            raise _not_csv(path, position + max(reader.line_num, 1), exc) from None
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
            _check_headers(headers, path, line)
            continue
        if len(record) != len(headers):
            ragged.append(RaggedLine(line, len(record)))
            continue
        lines.append(line)
        rows.append([cell.strip() or None for cell in record])
    if headers is None:
        raise TableError(f"{path}: filen er tom — forventede en overskriftslinje")
    return _frame_from_rows(path, headers, lines, rows, encoding, delimiter, blank, ragged)


def _split_lines(text: str) -> list[str]:
    """Lines ending at ``\n`` only, as polars counts them (``str.splitlines`` also breaks at form feeds,
    U+2028 and the like, so its line numbers would drift from the native path's)."""
    lines = text.split("\n")
    last = lines.pop()
    physical = [line + "\n" for line in lines]
    if last:
        physical.append(last)
    return physical


def _records(lines: list[str], delimiter: str, path: Path, first: int = 0) -> list[list[str]]:
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        raise _not_csv(path, first + max(reader.line_num, 1), exc) from None


def _not_csv(path: Path, line: int, exc: csv.Error) -> TableError:
    """Python's csv reader gives up on a line (a lone carriage return mid-field, a field over 128 kB)."""
    reason = str(exc)
    if "new-line character" in reason:
        got = "et linjeskift (CR) midt i et felt uden anførselstegn"
    elif "field larger than field limit" in reason:
        got = f"et felt på over {csv.field_size_limit() // 1024} kB"
    else:
        got = reason
    return TableError(
        where=f"{path}: linje {line}", expected="en CSV-linje", got=got, hint=NOT_TEXT_HINT
    )


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
        return _read_sheet(path, workbook)
    except TableError:
        raise
    except Exception as exc:  # a sheet damaged past the first rows fails only while it is read
        raise TableError(f"{path}: kan ikke læses som Excel-fil ({type(exc).__name__}: {exc})") from exc
    finally:
        workbook.close()


def _read_sheet(path: Path, workbook: Any) -> RawTable:
    """The first sheet's rows: header, data rows with their row numbers, blank and over-long rows counted."""
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
            _check_headers(headers, path, number)
            continue
        extra = [c for c in cells[len(headers) :] if c is not None]
        if extra:
            ragged.append(RaggedLine(number, len(headers) + len(extra)))
            continue
        cells = (cells + [None] * len(headers))[: len(headers)]
        lines.append(number)
        rows.append(cells)
    if headers is None:
        raise TableError(f"{path}: regnearket er tomt — forventede en overskriftsrække")
    return _frame_from_rows(path, headers, lines, rows, "xlsx", None, blank, ragged)
