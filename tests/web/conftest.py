"""A live questionnaire server in a thread and one headless Chromium for the whole browser session.

Browser tests share one browser (starting Chromium is the slow part) and open a fresh context per test,
so cookies and viewport never leak from one citizen to the next.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient
from web_staff_support import CSRF_FIELD, SECRET, STAFF_PASSWORD, sign_in, staff_test_client

from borgerblik.core import load_template
from borgerblik.fieldwork import run_simulated_fieldwork
from borgerblik.sampling.survey_sample import sample_survey
from borgerblik.storage import Database
from borgerblik.storage.staff import add_staff_account
from borgerblik.synth.behaviour import simulated_citizens
from borgerblik.web import create_app
from borgerblik.web.passwords import hash_password

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving an app on loopback in a daemon thread, stopped when the fixture ends."""

    def __init__(self, app: object) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def phone(browser: object) -> Iterator[object]:
    """A phone-sized page (390 × 844, touch) in a fresh browser context."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


def axe_violations(page: object) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one readable line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{v['id']}: {v['help']} — {[node['target'] for node in v['nodes']]}"
        for v in results.response["violations"]
    ]


@pytest.fixture
def wcag_violations() -> object:
    """:func:`axe_violations` as a fixture: test modules never import ``conftest`` (another stage has one)."""
    return axe_violations


CITIZENS = {"dagpenge": "6.1", "aktivitetsparate": "6.3", "sygedagpenge": "6.6"}


@dataclass
class Survey:
    db: Database
    survey_id: int
    tokens: dict[str, str]
    case_codes: dict[str, str]


@pytest.fixture
def survey(tmp_path: Any, kl_invited: Any) -> Iterator[Survey]:
    """The KL 2024 survey on a fresh SQLite file with one invited citizen per target group in CITIZENS."""
    db = Database(f"sqlite:///{tmp_path / 'borgerblik.sqlite'}")
    survey_id, invitations = kl_invited(db, CITIZENS)
    yield Survey(
        db,
        survey_id,
        {name: inv.token for name, inv in invitations.items()},
        {name: inv.case_code for name, inv in invitations.items()},
    )
    db.close()


@pytest.fixture
def client(survey: Survey) -> Iterator[TestClient]:
    with TestClient(
        create_app(survey.db), raise_server_exceptions=False, follow_redirects=False
    ) as test_client:
        yield test_client


@pytest.fixture
def server(survey: Survey) -> Iterator[LiveServer]:
    """The questionnaire app served by uvicorn on loopback, for the browser tests (plain http on loopback, so
    the staff cookie is not marked Secure)."""
    with LiveServer(create_app(survey.db, secret_key=SECRET, secure_cookies=False)) as live:
        yield live


class StaffClient(TestClient):
    csrf: str
    username: str


@pytest.fixture
def staff_client(survey: Survey) -> Iterator[Callable[..., StaffClient]]:
    """``staff_client(role, kommune=None)``: a new account with that role, signed in; ``.csrf`` holds the
    token its forms carry."""
    opened: list[TestClient] = []

    def make(
        role: str = "administrator", kommune: str | None = None, username: str | None = None
    ) -> StaffClient:
        name = username or f"{role}{len(opened) + 1}"
        add_staff_account(survey.db, name, hash_password(STAFF_PASSWORD), role, kommune)
        client = staff_test_client(survey.db)
        client.__enter__()
        opened.append(client)
        signed = sign_in(client, name)
        assert signed.status_code == 303, signed.text
        home = client.get("/interviewer/" if role == "interviewer" else "/")
        client.csrf = CSRF_FIELD.search(home.text).group(1)  # type: ignore[attr-defined]
        client.username = name  # type: ignore[attr-defined]
        return client  # type: ignore[return-value]

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def admin(staff_client: Callable[..., StaffClient]) -> StaffClient:
    return staff_client("administrator")


@pytest.fixture
def answered(survey, tmp_path):
    """A second survey: 400 citizens in two municipalities through a simulated three-week fieldwork."""
    db = survey.db
    yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    survey_id = db.create_survey("KL simuleret", "kl-2024", yaml_text)
    rows = [
        {
            "cpr": f"{(n % 28) + 61:02d}0385-{n:04d}",
            "kommune": ("Høje-Taastrup", "Rødovre")[n % 2],
            "maalgruppe": ("6.1", "6.2", "6.3")[n % 3],
            "gender": "mand" if n % 2 else "kvinde",
            "birth_date": "1985-03-01",
            "age": 38,
            "age_group": "30-49",
            "ydelse_start": "2023-06-15",
            "ydelse_slut": "",
            "samtaler": "jobsamtale",
            "digital_post_fritaget": "nej",
            "telefon": f"2{n:07d}",
            "email": "",
        }
        for n in range(1, 401)
    ]
    db.add_members(survey_id, rows)
    sample_survey(db, db.survey(survey_id), seed=1)
    db.create_invitations(survey_id)
    citizens = simulated_citizens(db, survey_id, load_template("kl-2024"), seed=7)
    start = datetime(2024, 3, 11, 9, tzinfo=UTC)
    run_simulated_fieldwork(db, survey_id, tmp_path / "felt", start=start, actions=citizens.actions, seed=7)
    return survey_id
