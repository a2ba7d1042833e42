"""End to end: the identifiers the simulated citizens write (names, phone and CPR-like numbers) are in the
protected originals and nowhere else — not in the analysis data, the tables, the reports or the console."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console
from sqlalchemy import inspect, select, text

from borgerblik.demo import run_demo
from borgerblik.storage import Database
from borgerblik.storage.schema import OpenAnswerOriginal
from borgerblik.synth.names import FIRST_NAMES_MEN, FIRST_NAMES_WOMEN
from borgerblik.text.redaction import redact

PROTECTED_TABLES = {"open_answer_originals", "identities"}
NAMES = set(FIRST_NAMES_WOMEN + FIRST_NAMES_MEN)
# what the demo writes for people to read or scripts to load; PDFs are compressed (the reporting tests check
# their text) and the database is scanned table by table below
TEXT_SUFFIXES = {".csv", ".parquet", ".html", ".txt", ".json", ".md", ".xml", ".eml"}


def _readable(path: Path) -> str:
    if path.suffix == ".parquet":
        return pl.read_parquet(path).write_csv()
    return path.read_bytes().decode("utf-8", errors="ignore")


@pytest.mark.slow
def test_no_planted_identifier_leaves_the_protected_store(tmp_path):
    output = io.StringIO()
    run = run_demo(
        tmp_path / "demo", Console(file=output, width=160), 2024, ("Lemvig", "Odsherred"), bootstrap=20
    )
    with Database(run.database_url) as db, db.engine.connect() as connection:
        originals = connection.execute(select(OpenAnswerOriginal.text)).scalars().all()
        stored = "\n".join(
            str(row)
            for table in inspect(connection).get_table_names()
            if table not in PROTECTED_TABLES
            for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        )
    # the names are the generator's (the redactor also masks a few ordinary words it reads as names after
    # "sagsbehandleren," — "de", "mine" — which are rightly everywhere else)
    planted = {
        original[span.start : span.end]
        for original in originals
        for span in redact(original).spans
        if span.kind in ("phone", "cpr") or (span.kind == "name" and original[span.start : span.end] in NAMES)
    }
    assert len(planted) >= 10  # the generator did write identifiers, and they were kept as originals
    files = [
        p
        for p in (tmp_path / "demo").rglob("*")
        if p.is_file() and p.suffix in TEXT_SUFFIXES
    ]
    everywhere = stored + output.getvalue() + "".join(_readable(p) for p in files)
    # a name as a whole word only ("Ida" inside "Idag" is not the name); numbers as written
    words = set(re.findall(r"\w+", everywhere))
    leaked = sorted(i for i in planted if (i in words if i.isalpha() else i in everywhere))
    assert leaked == []
