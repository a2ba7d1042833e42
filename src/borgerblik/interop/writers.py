"""Writing an analysis dataset as SPSS (.sav), Stata (.dta), Excel (.xlsx), CSV or Parquet.

The text formats, Excel and Parquet stream the table in chunks of :data:`CHUNK` rows, so there is no row cap
and, with a streamed dataset (a stored survey read batch by batch), memory does not grow with the number of
respondents. pyreadstat writes SPSS and Stata from one pandas frame (its API has no append), so those two
gather the chunks as one compact numeric table first: their memory grows with the respondents (about 2 bytes
per answer), the other formats' does not.

SPSS: 9 is a user-missing value (``missing_ranges``), so SPSS leaves it out of means while the code stays in
the file. Stata: 9 is written as the extended missing value ``.a`` with the value label "Ved ikke/ikke
relevant"; labels over Stata's 80 characters are shortened (the codebook has the whole text).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from borgerblik.interop.codebook import COLUMNS, codebook_rows
from borgerblik.interop.dataset import Dataset
from borgerblik.interop.variables import Measure, Variable, stata_label
from borgerblik.interop.xlsx import XlsxWorkbook

CHUNK = 10_000
STATA_MISSING = "a"


class Format(StrEnum):
    SAV = "sav"
    DTA = "dta"
    XLSX = "xlsx"
    CSV = "csv"
    PARQUET = "parquet"


def write_dataset(dataset: Dataset, fmt: Format | str, path: Path, language: str = "da") -> Path:
    """Write ``dataset`` to ``path`` in ``fmt`` with labels in ``language``; returns the path."""
    writer = {
        Format.SAV: _write_sav,
        Format.DTA: _write_dta,
        Format.XLSX: _write_xlsx,
        Format.CSV: _write_csv,
        Format.PARQUET: _write_parquet,
    }[Format(fmt)]
    path.parent.mkdir(parents=True, exist_ok=True)
    writer(dataset, path, language)
    return path


def _chunks(dataset: Dataset) -> Iterator[pl.DataFrame]:
    yield from dataset.chunks(CHUNK)


def _pandas(dataset: Dataset, stata: bool) -> pd.DataFrame:
    """The whole table for pyreadstat, converted chunk by chunk (one chunk's polars copy at a time)."""
    parts = [_pandas_chunk(dataset, chunk, stata) for chunk in _chunks(dataset)]
    if not parts:
        frame = _pandas_chunk(dataset, dataset.frame, stata)
    else:
        frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    if stata:
        # A code column holding ".a" is a pandas object column, whose type pyreadstat (through narwhals)
        # sniffs from its first 100 rows: a question nobody among them was asked (a local or routed question)
        # would pass for text and fail. As a categorical its type is read from the categories, all of them.
        for variable in dataset.variables:
            if variable.missing and variable.measure is not Measure.TEXT:
                frame[variable.name] = frame[variable.name].astype("category")
    return frame


def _pandas_chunk(dataset: Dataset, frame: pl.DataFrame, stata: bool) -> pd.DataFrame:
    """Columns as pyreadstat wants them: floats for codes, '' for a missing text (pyreadstat's None → '')."""
    columns: dict[str, object] = {}
    for variable in dataset.variables:
        series = frame.get_column(variable.name)
        if variable.measure is Measure.TEXT:
            columns[variable.name] = pd.Series(series.fill_null("").to_list(), dtype=object)
        elif variable.measure is Measure.DATE:
            columns[variable.name] = pd.Series(series.to_numpy(), dtype="datetime64[ns]")
        elif stata and variable.missing:
            values = series.cast(pl.Float64).to_numpy().astype(object)
            values[np.isin(values, variable.missing)] = STATA_MISSING
            values[pd.isna(values)] = np.nan
            columns[variable.name] = pd.Series(values, dtype=object)
        else:
            columns[variable.name] = pd.Series(series.cast(pl.Float64).to_numpy())
    return pd.DataFrame(columns)


def _value_labels(dataset: Dataset, language: str, stata: bool) -> dict[str, dict[object, str]]:
    labelled: dict[str, dict[object, str]] = {}
    for variable in dataset.variables:
        if not variable.values:
            continue
        labels: dict[object, str] = {}
        for code, text in variable.value_labels(language).items():
            key: object = STATA_MISSING if stata and code in variable.missing else code
            labels[key] = stata_label(text)[0] if stata else text
        labelled[variable.name] = labels
    return labelled


def _write_sav(dataset: Dataset, path: Path, language: str) -> None:
    pyreadstat.write_sav(
        _pandas(dataset, stata=False),
        str(path),
        column_labels={v.name: v.label(language) for v in dataset.variables},
        variable_value_labels=_value_labels(dataset, language, stata=False),
        missing_ranges={v.name: list(v.missing) for v in dataset.variables if v.missing},
        variable_measure={v.name: _spss_measure(v) for v in dataset.variables},
        file_label=f"Borgerblik {dataset.instrument_id}",
    )


def _spss_measure(variable: Variable) -> str:
    if variable.measure is Measure.ORDINAL:
        return "ordinal"
    return "scale" if variable.measure in (Measure.SCALE, Measure.DATE) else "nominal"


def _write_dta(dataset: Dataset, path: Path, language: str) -> None:
    pyreadstat.write_dta(
        _pandas(dataset, stata=True),
        str(path),
        column_labels={v.name: stata_label(v.label(language))[0] for v in dataset.variables},
        variable_value_labels=_value_labels(dataset, language, stata=True),
        missing_user_values={v.name: [STATA_MISSING] for v in dataset.variables if v.missing},
        file_label=stata_label(f"Borgerblik {dataset.instrument_id}")[0],
    )


def _write_csv(dataset: Dataset, path: Path, language: str) -> None:
    """UTF-8 with a byte-order mark (Danish Excel opens æøå right), codes as numbers, dates ISO 8601."""
    with path.open("wb") as handle:
        handle.write("\ufeff".encode())
        written = False
        for chunk in _chunks(dataset):
            chunk.write_csv(handle, include_header=not written)
            written = True
        if not written:
            dataset.frame.head(0).write_csv(handle)


def _write_parquet(dataset: Dataset, path: Path, language: str) -> None:
    """Row groups of :data:`CHUNK`; labels, value labels and missing codes in the schema's metadata."""
    schema = dataset.frame.head(0).to_arrow().schema
    fields = []
    for variable in dataset.variables:
        meta = {"label": variable.label(language), "measure": str(variable.measure), "asked": variable.asked}
        if variable.values:
            meta["values"] = json.dumps({str(k): v for k, v in variable.value_labels(language).items()},
                                        ensure_ascii=False)
        if variable.missing:
            meta["missing"] = json.dumps(list(variable.missing))
        fields.append(schema.field(variable.name).with_metadata(meta))
    about = {"borgerblik.instrument": dataset.instrument_id, "language": language}
    schema = pa.schema(fields, metadata=about)
    with pq.ParquetWriter(str(path), schema) as writer:
        for chunk in _chunks(dataset):
            writer.write_table(chunk.to_arrow().cast(schema))


def _write_xlsx(dataset: Dataset, path: Path, language: str) -> None:
    """A data sheet (codes, one row per respondent, streamed chunk by chunk) and the codebook sheet."""
    workbook = XlsxWorkbook(path)
    try:
        workbook.table_sheet("Data", [v.name for v in dataset.variables], _chunks(dataset))
        lang = language if language in COLUMNS else "en"
        workbook.text_sheet("Kodebog" if lang == "da" else "Codebook", COLUMNS[lang],
                            codebook_rows(dataset, language), widths=(22, 60, 10, 50, 30, 40, 30))
    finally:
        workbook.close()
