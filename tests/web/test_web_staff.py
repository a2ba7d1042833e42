"""The staff pages behind a sign-in: the interviewer screen and the monitor ask for a staff member, the
citizen's link never does; passwords are stored as PBKDF2 hashes; a bad staff file names file and line."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from borgerblik.web import create_app
from borgerblik.web.staff import StaffFileError, StaffUsers, add_staff_user, hash_password, verify_password

PASSWORD = "korrekt hest batteri"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def guarded(survey) -> TestClient:
    staff = StaffUsers({"hotline1": hash_password(PASSWORD, iterations=1_000)})
    app = create_app(survey.db, staff=staff)
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


def test_staff_pages_ask_for_a_sign_in_and_let_the_right_password_in(guarded, survey) -> None:
    for path in ("/interviewer/", f"/analytiker/feltarbejde/{survey.survey_id}"):
        refused = guarded.get(path)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'Basic realm="Borgerblik", charset="UTF-8"'
        assert "Log ind" in refused.text and "hotline1" not in refused.text
        assert guarded.get(path, headers=basic("hotline1", "forkert kodeord!")).status_code == 401
        assert guarded.get(path, headers=basic("ukendt", PASSWORD)).status_code == 401
        assert guarded.get(path, headers=basic("hotline1", PASSWORD)).status_code == 200
    assert guarded.get("/interviewer/", headers={"Authorization": "Basic ikke-base64!"}).status_code == 401


def test_the_citizens_link_needs_no_sign_in(guarded, survey) -> None:
    assert guarded.get(f"/s/{survey.tokens['dagpenge']}").status_code == 200


def test_passwords_are_stored_as_salted_hashes(tmp_path: Path) -> None:
    path = tmp_path / "personale.txt"
    add_staff_user(path, "hotline1", PASSWORD)
    add_staff_user(path, "analytiker", PASSWORD)
    line = path.read_text(encoding="utf-8").splitlines()[0]
    assert line.startswith("hotline1:pbkdf2_sha256$600000$") and PASSWORD not in line
    stored = StaffUsers.read(path).hashes
    assert stored["hotline1"] != stored["analytiker"]  # each its own salt
    assert verify_password(PASSWORD, stored["hotline1"]) and not verify_password("andet", stored["hotline1"])
    add_staff_user(path, "hotline1", "et nyt kodeord til vagten")
    again = StaffUsers.read(path).hashes
    assert list(again) == ["analytiker", "hotline1"]
    assert verify_password("et nyt kodeord til vagten", again["hotline1"])
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_bad_users_passwords_and_files_are_refused_with_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(StaffFileError, match="mindst 12 tegn"):
        add_staff_user(tmp_path / "p.txt", "hotline1", "kort")
    with pytest.raises(StaffFileError, match="brugernavnet 'hot line'"):
        add_staff_user(tmp_path / "p.txt", "hot line", PASSWORD)
    bad = tmp_path / "bad.txt"
    bad.write_text("# vagten\nhotline1:klartekst\n", encoding="utf-8")
    with pytest.raises(StaffFileError, match=r"bad.txt, linje 2: forventede 'bruger:pbkdf2_sha256"):
        StaffUsers.read(bad)
    with pytest.raises(StaffFileError, match="kan ikke læses"):
        StaffUsers.read(tmp_path / "mangler.txt")


def test_staff_add_from_the_command_line(tmp_path: Path) -> None:
    from borgerblik.cli import app

    path = tmp_path / "personale.txt"
    result = CliRunner().invoke(
        app, ["staff", "add", "hotline1", "--file", str(path), "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "hotline1 kan nu logge ind" in result.output
    assert StaffUsers.read(path).check("hotline1", PASSWORD)
    refused = CliRunner().invoke(
        app, ["staff", "add", "hotline2", "--file", str(path), "--password-stdin"], input="kort\n"
    )
    assert refused.exit_code == 2 and "mindst 12 tegn" in refused.output


def test_serve_refuses_an_unusable_staff_file_before_starting(tmp_path: Path) -> None:
    from borgerblik.cli import app

    result = CliRunner().invoke(app, ["serve", "--staff-file", str(tmp_path / "mangler.txt")])
    assert result.exit_code == 2 and "kan ikke læses" in result.output
