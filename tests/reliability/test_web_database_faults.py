"""The database failing under the citizen's save (issue 18): a SQLite file that cannot be written, a full
disk, a PostgreSQL connection terminated while the save waits — each a Danish 503 page that says the page
was not saved, never a 500; nothing half-written; the same save sent again works; SQLite's file passes its
integrity check. And ``serve`` refuses to start on a database it can read but not write.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient
from typer.testing import CliRunner

from borgerblik.storage import Database, make_engine
from borgerblik.web import create_app

NONCE = re.compile(r'name="nonce" value="([0-9a-f]+)"')
SECRET = "en hemmelig nøgle kun testene kender, 32+ tegn"
UNAVAILABLE = "Dit svar kunne ikke gemmes lige nu"
NOT_SAVED = "Det, du sendte på denne side, er ikke gemt"
OPEN_TEXT = "Jeg blev mødt med forståelse. " * 150  # 4.500 characters: pages of their own in SQLite


def _client(db: Database) -> TestClient:
    app = create_app(db, secret_key=SECRET)
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


def _save(client: TestClient, token: str, page: str, **answers: Any) -> Any:
    url = f"/s/{token}/side/{page}"
    nonce = NONCE.search(client.get(url).text).group(1)
    return client.post(url, data={"nonce": nonce, "lang": "da", "direction": "next", **answers})


def _session_state(db: Database, token: str) -> tuple[Any, ...]:
    invitation = db.invitation_by_token(token)
    session = db.session(invitation.id)
    return (session.state, session.updated_at, db.answers(invitation.id))


def _integrity(path: Path) -> str:
    import sqlite3

    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.fixture
def sqlite_survey(tmp_path: Path, kl_invited: Callable[..., Any]) -> Iterator[tuple[Database, str, Path]]:
    path = tmp_path / "borgerblik.sqlite"
    db = Database(f"sqlite:///{path}")
    _survey_id, invitations = kl_invited(db, {"dagpenge": "6.1"})
    yield db, invitations["dagpenge"].token, path
    db.close()


def _on_every_new_connection(client: TestClient, pragma: Callable[[Any], str]) -> Callable[[], None]:
    """Run ``pragma(connection)`` on every connection the app opens from now on (on each of its engines: the
    SQLite save path has one that never waits for the lock); the undo function."""

    def connect(dbapi: Any, _record: Any) -> None:
        dbapi.execute(pragma(dbapi))

    engines = client.app.state.engines
    for engine in engines:
        engine.dispose()
        event.listen(engine, "connect", connect)

    def undo() -> None:
        for engine in engines:
            event.remove(engine, "connect", connect)
            engine.dispose()

    return undo


@pytest.mark.parametrize(
    ("fault", "pragma", "message"),
    [
        ("read-only", lambda _dbapi: "PRAGMA query_only = ON", "attempt to write a readonly database"),
        (
            "disk full",
            lambda dbapi: f"PRAGMA max_page_count = {dbapi.execute('PRAGMA page_count').fetchone()[0]}",
            "database or disk is full",
        ),
    ],
)
def test_a_save_the_sqlite_file_cannot_take_is_a_clear_503_and_nothing_half_written(
    sqlite_survey, fault, pragma, message, caplog
):
    db, token, path = sqlite_survey
    client = _client(db)
    assert client.get(f"/s/{token}").status_code == 200  # started
    assert _save(client, token, "status", status="1").status_code == 303
    before = _session_state(db, token)
    undo = _on_every_new_connection(client, pragma)
    url = f"/s/{token}/side/aabne"
    nonce = NONCE.search(client.get(url).text).group(1)  # pages still open: reads work
    form = {"nonce": nonce, "lang": "da", "direction": "next", "hvorfor_tilfreds": OPEN_TEXT}
    refused = client.post(url, data=form)
    assert refused.status_code == 503, (fault, refused.status_code)
    assert UNAVAILABLE in refused.text and NOT_SAVED in refused.text
    assert refused.headers["retry-after"] == "30"
    assert "Traceback" not in refused.text and token not in refused.text
    assert message in caplog.text and token not in caplog.text  # the log names the cause, not the citizen
    undo()
    assert _session_state(db, token) == before  # neither the answer nor the session moved
    assert _integrity(path) == "ok"
    again = client.post(url, data=form)  # the same form, sent again once the fault is gone
    assert again.status_code == 303, again.text
    assert db.answers(db.invitation_by_token(token).id) == {"status": 1, "hvorfor_tilfreds": OPEN_TEXT}
    assert _integrity(path) == "ok"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _make_unwritable(path: Path) -> Callable[[], None]:
    """Make the file refuse writes even to root (immutable); chmod for anyone else. The undo function."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)
    path.chmod(0o444)
    return lambda: path.chmod(0o644)


def test_serve_refuses_to_start_on_a_database_it_can_read_but_not_write(sqlite_survey, monkeypatch):
    from borgerblik.cli import app

    db, _token, path = sqlite_survey
    db.close()
    started: list[object] = []
    undo = _make_unwritable(path)
    try:
        with monkeypatch.context() as patched:
            patched.setattr("uvicorn.run", lambda *args, **kwargs: started.append(args))
            patched.setattr("subprocess.Popen", lambda *args, **kwargs: started.append(args))
            result = CliRunner().invoke(
                app, ["serve", "--port", str(_free_port()), "--database", f"sqlite:///{path}"]
            )
    finally:
        undo()
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert f"databasen sqlite:///{path} kan læses, men ikke skrives" in output
    assert "attempt to write a readonly database" in output
    assert "Traceback" not in output
    assert started == []  # neither the web server nor the job worker
    assert _integrity(path) == "ok"


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_postgresql_connection_terminated_mid_save_is_a_clean_503_and_the_retry_works(engine, kl_invited):
    """The save waits on a row lock another session holds; its backend is terminated while it waits."""
    import psycopg

    setup = Database(engine=engine)
    _survey_id, invitations = kl_invited(setup, {"dagpenge": "6.1"})
    token = invitations["dagpenge"].token
    # The app's own engine as app_from_env builds it: no pre-ping, so the dead connection is really used.
    served = make_engine(engine.url.render_as_string(hide_password=False), pool_pre_ping=False)
    db = Database(engine=served, migrate=False)
    client = _client(db)
    assert client.get(f"/s/{token}").status_code == 200
    assert _save(client, token, "status", status="1").status_code == 303
    before = _session_state(setup, token)
    url = f"/s/{token}/side/moedet"
    nonce = NONCE.search(client.get(url).text).group(1)
    form = {"nonce": nonce, "lang": "da", "direction": "next", "tillid": "4", "udgangspunkt": "3"}

    dsn = engine.url.render_as_string(hide_password=False).replace("postgresql+psycopg", "postgresql")
    locker = psycopg.connect(dsn)
    watcher = psycopg.connect(dsn, autocommit=True)
    invitation_id = setup.invitation_by_token(token).id
    locker.execute("SELECT 1 FROM invitations WHERE id = %s FOR UPDATE", (invitation_id,))
    locker.execute("SELECT 1 FROM response_sessions WHERE invitation_id = %s FOR UPDATE", (invitation_id,))
    answered: list[Any] = []
    saving = threading.Thread(target=lambda: answered.append(client.post(url, data=form)))
    saving.start()
    waiting = []
    deadline = time.monotonic() + 20
    while not waiting and time.monotonic() < deadline:
        waiting = watcher.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> %s "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
            (locker.info.backend_pid,),
        ).fetchall()
        time.sleep(0.05)
    assert len(waiting) == 1, "the save never waited on the lock"
    assert watcher.execute("SELECT pg_terminate_backend(%s)", (waiting[0][0],)).fetchone()[0] is True
    saving.join(timeout=20)
    locker.rollback()
    locker.close()
    watcher.close()

    refused = answered[0]
    assert refused.status_code == 503, refused.text
    assert UNAVAILABLE in refused.text and NOT_SAVED in refused.text and "Traceback" not in refused.text
    assert _session_state(setup, token) == before  # nothing half-written
    again = client.post(url, data=form)  # the citizen presses Næste again
    assert again.status_code == 303, again.text
    assert setup.answers(invitation_id) == {"status": 1, "tillid": 4, "udgangspunkt": 3}
    following = _save(client, token, "maal", klart_maal="2")  # and the app goes on saving
    assert following.status_code == 303
    served.dispose()
