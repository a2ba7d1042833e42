"""What keeps ``serve`` quick to start (issue 18: 8–17 s to the first answered save with four workers; the
figure itself is ``reliability/restart.py``'s): the app imports no statistics stack, ``serve`` forks its
workers from the process that imported it, and ``--certfile`` serves https with HSTS."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

#: Modules that took seconds to import on two cores and that no citizen's page needs.
HEAVY = (
    "scipy",
    "fpdf",
    "fontTools",
    "sklearn",
    "statsmodels",
    "pandas",
    "typst",
    "xlsxwriter",
    "borgerblik.analysis",
    "borgerblik.weighting",
    "borgerblik.reporting.publish",
    "borgerblik.surveys",
)


def test_the_web_app_imports_no_statistics_stack():
    """A fresh interpreter imports ``borgerblik.web`` and ``serve``'s module without any of :data:`HEAVY`."""
    probe = (
        "import sys, borgerblik.web, borgerblik.cli.web; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""


def test_serve_forks_its_workers_from_the_process_that_imported_the_app(monkeypatch):
    from uvicorn import _subprocess

    from borgerblik.cli.web import _fork_workers

    monkeypatch.setattr(_subprocess, "spawn", _subprocess.spawn)  # restored after the test
    assert _subprocess.spawn.get_start_method() == "spawn"  # uvicorn's own, which the hook replaces
    assert _fork_workers() is True
    assert _subprocess.spawn.get_start_method() == "fork"
    assert _subprocess.spawn.Process is multiprocessing.get_context("fork").Process


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_with_a_certificate_answers_over_https_with_hsts(tmp_path: Path, kl_invited):
    trustme = pytest.importorskip("trustme")
    from borgerblik.storage import Database

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    certfile, keyfile = tmp_path / "server.pem", tmp_path / "server.key"
    certificate.cert_chain_pems[0].write_to_path(str(certfile))
    certificate.private_key_pem.write_to_path(str(keyfile))
    url = f"sqlite:///{tmp_path / 'borgerblik.sqlite'}"
    with Database(url) as db:
        _survey_id, invitations = kl_invited(db, {"dagpenge": "6.1"})
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("borgerblik")),
        "serve",
        "--port",
        str(port),
        "--database",
        url,
        "--certfile",
        str(certfile),
        "--keyfile",
        str(keyfile),
    ]
    server = subprocess.Popen(command, start_new_session=True, stderr=subprocess.PIPE, text=True)
    context = ssl.create_default_context()
    authority.configure_trust(context)
    try:
        response = None
        for _ in range(300):  # until the server listens (no timing asserted, only an upper bound)
            try:
                response = urllib.request.urlopen(
                    f"https://127.0.0.1:{port}/s/{invitations['dagpenge'].token}", context=context, timeout=5
                )
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                time.sleep(0.1)
        assert response is not None and response.status == 200
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def test_serve_refuses_a_key_without_its_certificate(tmp_path: Path):
    from typer.testing import CliRunner

    from borgerblik.cli import app

    result = CliRunner().invoke(
        app, ["serve", "--keyfile", str(tmp_path / "x.key"), "--database", "sqlite://"]
    )
    assert result.exit_code == 2
    assert "--keyfile: forventede også --certfile" in " ".join(result.output.split())
