"""Fuzzing the register importer: any bytes offered as an extract are read, or refused with a
:class:`~borgerblik.core.BorgerblikError` (exit 2 from the command) — never another exception, never a
run-away read, and a refused `register import` leaves every table of the database as it was."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path

import pytest
from hostile_data import fuzz, note, register_files, table_counts
from hypothesis import strategies as st
from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.core import BorgerblikError
from borgerblik.registers import RegisterCheck, read_register
from borgerblik.storage import Database

REFERENCE = date(2023, 12, 31)
runner = CliRunner()


def assert_accounted(check: RegisterCheck) -> None:
    """What an accepted read promises: each line once, accepted or rejected, never both; CPR masked."""
    lines = check.members["linje"].to_list()
    assert len(lines) == len(set(lines))
    row_rejects = set(
        check.rejects.filter(~check.rejects["reason"].is_in(["ugyldigt-telefonnummer", "ugyldig-email"]))[
            "line"
        ].to_list()
    )
    assert not row_rejects & set(lines)
    assert set(check.rejects["file"].to_list()) <= {str(check.source)}
    assert check.identities["cpr"].str.contains(r"^\d{6}-\d{4}$").all()
    assert check.members.height == check.identities.height
    assert "cpr" not in check.members.columns


def check_any_bytes(folder: Path, data: bytes, suffix: str) -> None:
    path = folder / f"udtraek{suffix}"
    path.write_bytes(data)
    try:
        check = read_register(path, reference_date=REFERENCE)
    except BorgerblikError as refused:
        note(f"refused: {type(refused).__name__}")
        assert str(refused).strip()
        return
    note("read, rows accepted" if check.accepted else "read, no row accepted")
    assert_accounted(check)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-registers")


test_register_check_reads_or_refuses_any_bytes, test_register_check_reads_or_refuses_any_bytes_full = fuzz(
    100, data=register_files(), suffix=st.sampled_from([".csv", ".csv", ".txt", ".xlsx"])
)(check_any_bytes)


@dataclass
class Store:
    url: str
    file: Path
    survey: str


@pytest.fixture(scope="module")
def store(folder: Path) -> Iterator[Store]:
    """A SQLite database with the KL 2024 survey and no members yet."""
    file = folder / "borgerblik.sqlite"
    url = f"sqlite:///{file}"
    yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    with Database(url) as db:
        db.create_survey("KL 2024", "kl-2024", yaml_text)
    yield Store(url, file, "KL 2024")


ADDED = re.compile(r"Tilføjet til KL 2024: ([\d.]+); allerede indlæst: ([\d.]+)")


def import_any_bytes(store: Store, folder: Path, data: bytes) -> None:
    extract = folder / "import.csv"
    extract.write_bytes(data)
    before = table_counts(store.file)
    result = runner.invoke(
        app, ["register", "import", str(extract), "--survey", store.survey, "--database", store.url]
    )
    after = table_counts(store.file)
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        note("refused (exit 2)")
        assert result.output.startswith("Fejl: "), result.output
        assert after == before  # nothing half-written
        return
    added = ADDED.search(result.output)
    assert added is not None, result.output
    count = int(added.group(1).replace(".", ""))
    note("members added" if count else "read, nothing added")
    assert after["members"] - before["members"] == count
    assert after["identities"] - before["identities"] == count


test_register_import_stores_all_or_nothing, test_register_import_stores_all_or_nothing_full = fuzz(
    15, data=register_files()
)(import_any_bytes)
