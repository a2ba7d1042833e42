"""Reading and checking the three input tables: responses, population counts and weights.

Every check runs before any number is computed, so a bad file stops the run with one clear message
(file, line, column, expected, got, hint) and nothing is written. Line numbers are physical lines of the
CSV file, counted by the csv module, so quoted open answers spanning several lines do not shift them.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from borgerblik.weighting.errors import WeightingInputError, closest_column

SCALE_CODES = (1, 2, 3, 4, 5)
DONT_KNOW = 9
ID_COLUMN = "respondent_id"
COUNT_COLUMN = "count"
WEIGHT_COLUMN = "weight"


@dataclass
class Table:
    """A table with the name analysts know it by and a way back from row index to file line."""

    frame: pl.DataFrame
    name: str
    path: Path | None = None
    _lines: list[int] | None = field(default=None, repr=False)

    def line(self, row: int) -> int:
        """Physical line where data row ``row`` (0-based) starts; header is line 1."""
        if self.path is None:
            return row + 2
        if self._lines is None:
            with self.path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                starts: list[int] = []
                previous_end = 0
                for _record in reader:
                    starts.append(previous_end + 1)
                    previous_end = reader.line_num
            self._lines = starts[1:]
        return self._lines[row] if row < len(self._lines) else row + 2

    @property
    def columns(self) -> list[str]:
        return self.frame.columns


def as_table(data: pl.DataFrame | Table, name: str) -> Table:
    return data if isinstance(data, Table) else Table(frame=data, name=name)


def read_csv(path: str | Path) -> Table:
    """Read a CSV as text columns, so codes like '09' or '6.1' reach the checks exactly as written."""
    path = Path(path)
    if not path.exists():
        raise WeightingInputError(str(path), None, None, "en eksisterende CSV-fil", "ingen fil med det navn")
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise WeightingInputError(
            str(path), None, None, "en kommasepareret UTF-8-fil med overskriftslinje",
            str(exc).splitlines()[0],
        ) from exc
    return Table(frame=frame, name=path.name, path=path)


def require_columns(table: Table, columns: Sequence[str], role: str) -> None:
    """A missing or misspelt column is named together with the nearest existing one."""
    for column in columns:
        if column not in table.columns:
            raise WeightingInputError(
                table.name, 1, column, f"en kolonne '{column}' ({role})", "ingen sådan kolonne",
                closest_column(column, table.columns),
            )


def text_column(table: Table, column: str) -> pl.Series:
    return table.frame.get_column(column).cast(pl.Utf8).str.strip_chars()


def check_unique_ids(table: Table, column: str = ID_COLUMN) -> np.ndarray:
    """Respondent ids as text; a duplicate names both lines."""
    ids = text_column(table, column)
    missing = ids.is_null() | (ids == "")
    if missing.any():
        row = int(missing.arg_true()[0])
        raise WeightingInputError(table.name, table.line(row), column, "et respondent-id", "en tom celle")
    duplicated = ids.is_duplicated()
    if duplicated.any():
        rows = duplicated.arg_true()
        value = ids[int(rows[0])]
        same = (ids == value).arg_true()
        raise WeightingInputError(
            table.name, table.line(int(same[1])), column, "et entydigt respondent-id",
            f"'{value}', som også står i linje {table.line(int(same[0]))}",
            "hver respondent må kun optræde én gang",
        )
    return ids.to_numpy().astype(str)


def answer_codes(table: Table, questions: Sequence[str]) -> np.ndarray:
    """Answers as a (respondents × questions) int8 matrix: 1–5, 9 = ved ikke, 0 = not asked/unanswered."""
    if not questions:
        return np.zeros((table.frame.height, 0), dtype=np.int8)
    text = table.frame.select(
        pl.col(q).cast(pl.Utf8).str.strip_chars().fill_null("").str.replace(r"\.0$", "") for q in questions
    )
    codes = text.select(pl.col(q).cast(pl.Int64, strict=False) for q in questions)
    allowed = [*SCALE_CODES, DONT_KNOW]
    bad = text.select(
        ((pl.col(q) != "") & ~codes.get_column(q).is_in(allowed).fill_null(False)).alias(q) for q in questions
    )
    if bad.select(pl.any_horizontal(pl.all().any())).item():
        for question in questions:
            rows = bad.get_column(question).arg_true()
            if rows.len():
                row = int(rows[0])
                raise WeightingInputError(
                    table.name, table.line(row), question, "en svarkode 1–5, 9 (ved ikke) eller tom",
                    f"'{table.frame[row, question]}'", "spørgsmålet skal være et lukket 1–5-spørgsmål",
                )
    return codes.fill_null(0).cast(pl.Int8).to_numpy()


def stratum_keys(table: Table, strata: Sequence[str]) -> pl.DataFrame:
    """The strata columns as text; an empty stratum value is an error, since the row could not be weighted."""
    keys = table.frame.select(pl.col(c).cast(pl.Utf8).str.strip_chars() for c in strata)
    for column in strata:
        empty = keys.get_column(column).is_null() | (keys.get_column(column) == "")
        if empty.any():
            row = int(empty.arg_true()[0])
            raise WeightingInputError(table.name, table.line(row), column, "en stratumværdi", "en tom celle")
    return keys


def population_counts(table: Table, strata: Sequence[str]) -> pl.DataFrame:
    """Population cells with a positive whole-number ``count``; each cell listed once."""
    require_columns(table, [*strata, COUNT_COLUMN], "populationstal")
    keys = stratum_keys(table, strata)
    raw = text_column(table, COUNT_COLUMN)
    counts = raw.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    for row in range(table.frame.height):
        if counts[row] is None or counts[row] <= 0:
            raise WeightingInputError(
                table.name, table.line(row), COUNT_COLUMN, "et positivt helt antal borgere",
                f"'{raw[row]}'" if raw[row] not in (None, "") else "en tom celle",
                "celler uden borgere udelades af populationsfilen",
            )
    duplicated = keys.is_duplicated()
    if duplicated.any():
        row = int(duplicated.arg_true()[1])
        cell = ", ".join(f"{c}={keys[row, c]}" for c in strata)
        raise WeightingInputError(
            table.name, table.line(row), ",".join(strata), "hver stratumkombination én gang", f"{cell} igen"
        )
    return keys.with_columns(counts.alias(COUNT_COLUMN))


def check_strata_known(responses: Table, keys: pl.DataFrame, population: Table, cells: pl.DataFrame) -> None:
    """A stratum value in the responses that the population lacks is named by column and line."""
    strata = list(keys.columns)
    for column in strata:
        known = set(cells.get_column(column).to_list())
        unknown = ~keys.get_column(column).is_in(list(known))
        if unknown.any():
            row = int(unknown.arg_true()[0])
            raise WeightingInputError(
                responses.name, responses.line(row), column,
                f"en værdi, som findes i {population.name}", f"'{keys[row, column]}'",
                "populationsfilen mangler den værdi; ret stavemåden eller tilføj cellen",
            )
    present = keys.with_row_index("_row").join(cells, on=strata, how="anti").sort("_row")
    if present.height:
        row = int(present[0, "_row"])
        cell = ", ".join(f"{c}={keys[row, c]}" for c in strata)
        raise WeightingInputError(
            responses.name, responses.line(row), ",".join(strata),
            f"en stratumkombination, som findes i {population.name}", cell,
            "populationsfilen har ingen borgere i den celle",
        )


def weights_column(table: Table, ids: np.ndarray, responses: Table) -> np.ndarray:
    """Weights from a weights file, in the order of the responses; every respondent needs exactly one."""
    require_columns(table, [ID_COLUMN, WEIGHT_COLUMN], "vægtfil")
    weight_ids = check_unique_ids(table)
    raw = text_column(table, WEIGHT_COLUMN)
    values = raw.cast(pl.Float64, strict=False)
    bad = values.is_null() | ~(values > 0) | values.is_infinite()
    if bad.any():
        row = int(bad.arg_true()[0])
        raise WeightingInputError(
            table.name, table.line(row), WEIGHT_COLUMN, "en positiv vægt", f"'{raw[row]}'"
        )
    lookup = dict(zip(weight_ids.tolist(), values.to_list(), strict=True))
    known = set(ids.tolist())
    for row, rid in enumerate(weight_ids.tolist()):
        if rid not in known:
            raise WeightingInputError(
                table.name, table.line(row), ID_COLUMN, f"et respondent-id fra {responses.name}", f"'{rid}'"
            )
    out = np.empty(len(ids))
    for row, rid in enumerate(ids.tolist()):
        if rid not in lookup:
            raise WeightingInputError(
                responses.name, responses.line(row), ID_COLUMN, f"en vægt i {table.name}",
                f"'{rid}' uden vægt",
            )
        out[row] = lookup[rid]
    return out
