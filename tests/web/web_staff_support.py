"""Signing staff in from tests: a module of its own, since test modules never import ``conftest``."""

from __future__ import annotations

import re
from typing import Any

import polars as pl
from starlette.testclient import TestClient

from borgerblik.storage import Database
from borgerblik.synth.register import generate_register
from borgerblik.web import create_app

STAFF_PASSWORD = "korrekt hest batteri"
SECRET = "en hemmelig nøgle kun testene kender, 32+ tegn"
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
CHOICE = re.compile(r'type="(?:radio|checkbox)" id="[^"]+" name="([^"]+)"\s+value="([^"]+)"')


def staff_test_client(db: Database, **options: Any) -> TestClient:
    """A client of the app over https (the session cookie is Secure), redirects not followed."""
    app = create_app(db, secret_key=SECRET, **options)
    return TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False, follow_redirects=False
    )


def sign_in(client: TestClient, username: str, password: str = STAFF_PASSWORD) -> Any:
    """Sign in through the login form as a browser would; the client keeps the session cookie."""
    form = client.get("/login")
    token = CSRF_FIELD.search(form.text).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf": token})


def browser_sign_in(
    page: Any, base_url: str, db: Database, role: str = "administrator", **account: Any
) -> str:
    """A new account with ``role``, signed in through the login page in the browser; returns its name."""
    from borgerblik.storage.staff import add_staff_account
    from borgerblik.web.passwords import hash_password

    name = account.pop("username", role)
    add_staff_account(db, name, hash_password(STAFF_PASSWORD), role, account.pop("kommune", None))
    page.goto(f"{base_url}/login")
    page.fill("#username", name)
    page.fill("#password", STAFF_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_load_state()
    return name


def register_csv(bad_rows: int = 2) -> bytes:
    """300 rows of the synthetic register, and ``bad_rows`` copies of its first row with an impossible CPR
    number (day 99)."""
    frame = generate_register(seed=7).head(300)
    faulty = pl.concat([frame.head(1)] * bad_rows) if bad_rows else frame.head(0)
    cpr = frame.columns[0]
    faulty = faulty.with_columns(
        pl.Series(cpr, [f"99{n:04d}-0000" for n in range(bad_rows)], dtype=pl.String)
    )
    return pl.concat([frame, faulty]).write_csv().encode()


def answer_through_the_pages(base_url: str, token: str, seed: int) -> str:
    """A citizen opens the letter's link and answers every page over plain HTTP, as a browser without
    JavaScript would post the forms; returns the URL the last save led to (``…/tak`` when it finished)."""
    import random
    import urllib.parse
    import urllib.request

    choose = random.Random(seed)
    opener = urllib.request.build_opener()
    with opener.open(f"{base_url}/s/{token}") as reply:
        start = re.search(r'href="(/s/[^"]+/side/[^"]+)"', reply.read().decode()).group(1)
    url = base_url + start.replace("&amp;", "&")
    for _ in range(20):
        with opener.open(url) as reply:
            html = reply.read().decode()
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
        choices: dict[str, list[str]] = {}
        for name, value in CHOICE.findall(html):
            choices.setdefault(name, []).append(value)
        fields |= {name: choose.choice(values) for name, values in choices.items()}
        fields["direction"] = "next"
        action = re.search(r'<form method="post" action="([^"]+)"', html).group(1).replace("&amp;", "&")
        body = urllib.parse.urlencode(fields).encode()
        with opener.open(urllib.request.Request(base_url + action, data=body)) as reply:
            url = reply.geturl()
        if "/tak" in url:
            return url
    return url
