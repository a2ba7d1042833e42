"""The packaged migrations are the schema: they build it from nothing, tear it down, and match the models."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from borgerblik.storage import (
    Base,
    Database,
    StorageError,
    current_revision,
    database_url,
    downgrade,
    head_revision,
    upgrade,
)
from borgerblik.storage.engine import DEFAULT_URL, make_engine

TABLES = {
    "alembic_version",
    "answer_codes",
    "audit_log",
    "codebook_codes",
    "login_failures",
    "link_probes",
    "staff_accounts",
    "staff_tokens",
    "contact_events",
    "hotline_log",
    "identities",
    "import_batches",
    "invitations",
    "jobs",
    "members",
    "municipalities",
    "open_answer_originals",
    "opt_outs",
    "outbox",
    "response_sessions",
    "responses",
    "samples",
    "surveys",
}


def test_upgrade_builds_every_table_on_an_empty_database(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == TABLES
    assert current_revision(engine) == head_revision() == "0009"


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_downgrade_to_base_removes_every_table_but_the_version_table(engine: Engine) -> None:
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert current_revision(engine) is None
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == TABLES


def test_models_and_migrations_agree(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


def test_url_comes_from_the_argument_then_the_environment_then_the_default(monkeypatch) -> None:
    monkeypatch.delenv("BORGERBLIK_DATABASE_URL", raising=False)
    assert database_url() == DEFAULT_URL == "sqlite:///borgerblik.sqlite"
    monkeypatch.setenv("BORGERBLIK_DATABASE_URL", "postgresql://kl@db.example/borgerblik")
    assert database_url() == "postgresql+psycopg://kl@db.example/borgerblik"
    assert database_url("sqlite:///other.sqlite") == "sqlite:///other.sqlite"
    monkeypatch.setenv("BORGERBLIK_DATABASE_URL", "postgres://kl@db.example/borgerblik")
    assert database_url() == "postgresql+psycopg://kl@db.example/borgerblik"


def test_a_fresh_file_in_the_current_directory_is_the_default(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("BORGERBLIK_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    with Database.from_env() as db:
        assert db.dialect == "sqlite"
        assert db.surveys() == []
    assert (tmp_path / "borgerblik.sqlite").exists()


def test_processes_opening_a_fresh_database_at_once_all_succeed(engine: Engine) -> None:
    """Web workers start together: one migrates, the others wait for it and find the schema at head."""
    url = engine.url.render_as_string(hide_password=False)
    script = "import sys; from borgerblik.storage import Database; Database(sys.argv[1]).close()"
    command = [sys.executable, "-c", script, url]
    workers = [subprocess.Popen(command, stderr=subprocess.PIPE) for _ in range(3)]
    outcomes = [(worker.wait(timeout=120), worker.stderr.read().decode()) for worker in workers]
    assert outcomes == [(0, "")] * 3
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == TABLES


def test_a_database_that_cannot_work_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(StorageError, match="ugyldig database-URL .*forventede fx sqlite:///borgerblik.sqlite"):
        Database("ikke en url")
    with pytest.raises(StorageError, match="databasesystemet 'mysql' understøttes ikke"):
        Database("mysql://kl@db.example/borgerblik")
    with pytest.raises(StorageError, match=f"mappen {tmp_path / 'mangler'} til SQLite-filen findes ikke"):
        Database(f"sqlite:///{tmp_path / 'mangler' / 'kl.sqlite'}")
    with pytest.raises(StorageError, match=r"kan ikke åbne databasen postgresql\+psycopg://kl:\*\*\*@127.0.0.1:1/"):
        Database("postgresql://kl:hemmelig@127.0.0.1:1/borgerblik")
