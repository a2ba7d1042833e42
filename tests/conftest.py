"""Fixtures shared by the whole suite.

External services (PostgreSQL, Chromium, R) skip with a clear reason on a laptop that lacks them;
under ``CI=true`` a missing service is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = os.environ.get("BORGERBLIK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHROMIUM = os.environ.get("BORGERBLIK_CHROMIUM", "/usr/bin/chromium")


def require(available: bool, reason: str) -> None:
    """Skip when a service is missing — except under CI, where that is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session, dropped afterwards."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("select 1")
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no PostgreSQL here"
        admin.dispose()
        require(False, f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({type(exc).__name__})")
    name = f"borgerblik_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed reports, in the steering repo's shared/ beside the project's checkout (as in CI)."""
    path = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    require(path.is_dir(), f"the seed reports are not at {path} (shared/ beside the checkout)")
    return path


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, never a downloaded browser."""
    require(os.path.exists(CHROMIUM), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def rscript() -> str:
    """Rscript with the survey package, for differential tests."""
    path = shutil.which("Rscript")
    ok = path is not None and subprocess.run(
        [path, "-e", "library(survey)"], capture_output=True, check=False
    ).returncode == 0
    require(ok, "Rscript with the 'survey' package is missing (apt-get install r-base-core r-cran-survey)")
    return path  # type: ignore[return-value]


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def postgres_schema(url: str) -> Iterator[Any]:
    """An engine whose search path is a new, empty schema in the session's PostgreSQL database."""
    from sqlalchemy import create_engine

    from borgerblik.storage import make_engine

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    # In the URL, not connect_args, so a subprocess given engine.url lands in the same schema.
    engine = make_engine(f"{url}?options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """An engine on an empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        from borgerblik.storage import make_engine

        sqlite = make_engine(f"sqlite:///{tmp_path / 'borgerblik.sqlite'}")
        yield sqlite
        sqlite.dispose()
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as postgres:
        yield postgres


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Any]:
    """PostgreSQL only, for behaviour SQLite does not have (row locks, SKIP LOCKED)."""
    with postgres_schema(postgres_url) as postgres:
        yield postgres


@pytest.fixture
def db(engine: Any) -> Iterator[Any]:
    """The storage gateway on a migrated, empty database — every stage's tests run on both back ends."""
    from borgerblik.storage import Database

    database = Database(engine=engine)
    yield database
    database.close()


def _register_row(number: int, maalgruppe: str) -> dict[str, Any]:
    """A register row with a substitute CPR (day + 60, never a real person); odd number = man."""
    return {
        "cpr": f"{60 + number:02d}0385-{4000 + number:04d}",
        "kommune": "Høje-Taastrup",
        "maalgruppe": maalgruppe,
        "gender": "mand" if number % 2 else "kvinde",
        "birth_date": "1985-03-01",
        "age": 38,
        "age_group": "30-49",
        "ydelse_start": "2023-06-15",
        "ydelse_slut": "",
        "samtaler": "jobsamtale",
        "digital_post_fritaget": "nej",
        "telefon": f"2{number:07d}",
        "email": "",
    }


@pytest.fixture
def kl_invited() -> Callable[[Any, Mapping[str, str]], tuple[int, dict[str, Any]]]:
    """Make the KL 2024 survey in a database with one invited citizen per name → LAB code.

    Returns the survey id and name → invitation record (token, case code) — the questionnaire's starting point
    for the collection and web tests alike.
    """
    from importlib.resources import files

    def make(db: Any, citizens: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
        survey_id = db.create_survey("KL 2024", "kl-2024", yaml_text)
        member_ids = db.add_members(
            survey_id, [_register_row(i, code) for i, code in enumerate(citizens.values(), 1)]
        )
        db.save_sample(survey_id, dict.fromkeys(member_ids, "stratum"), draw_seed=2024)
        db.create_invitations(survey_id)
        by_member = {invitation.member_id: invitation for invitation in db.invitations(survey_id)}
        return survey_id, {name: by_member[m] for name, m in zip(citizens, member_ids, strict=True)}

    return make


def _keep_examples_out_of_the_tree() -> None:
    """Hypothesis's example database and caches live beside the interpreter (in .venv), not in the tree."""
    import sys

    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(Path(sys.prefix) / "hypothesis")


_keep_examples_out_of_the_tree()
