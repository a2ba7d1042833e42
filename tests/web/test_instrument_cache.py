"""Local questions saved in one web worker are seen by every other: two app instances on one database file
(two engines, as two processes have), the citizen's page read in one, the questions saved in the other."""

from __future__ import annotations

from starlette.testclient import TestClient
from web_staff_support import STAFF_PASSWORD, sign_in, staff_test_client

from borgerblik.collection.service import open_session, start
from borgerblik.storage import Database
from borgerblik.storage import responses as store
from borgerblik.storage.staff import add_staff_account
from borgerblik.web import create_app
from borgerblik.web.passwords import hash_password

LOCAL_YAML = """\
- id: ht_parkering
  kind: scale
  scale: grad
  text: I hvilken grad er det nemt at parkere ved jobcentret?
"""


def local_page(db: Database, token: str) -> str | None:
    """The key of the page that asks the local question, as this worker's questionnaire has it."""
    pages = open_session(db, token).pages()
    return next((p.key for p in pages if "ht_parkering" in p.answer_ids()), None)


def test_local_questions_saved_in_one_worker_reach_the_other(survey):
    other = Database(survey.db.engine.url.render_as_string(hide_password=False))
    try:
        token = survey.tokens["dagpenge"]
        citizen_side = TestClient(create_app(survey.db), follow_redirects=False)
        first = open_session(survey.db, token).pages()[0].key
        assert citizen_side.get(f"/s/{token}/side/{first}").status_code == 200  # A reads the instrument
        assert local_page(survey.db, token) is None

        add_staff_account(other, "chef", hash_password(STAFF_PASSWORD), "administrator")
        staff_side = staff_test_client(other)  # worker B saves the municipality's questions
        assert sign_in(staff_side, "chef").status_code == 303
        form = staff_side.get(f"/undersoegelser/{survey.survey_id}/lokale-spoergsmaal")
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        saved = staff_side.post(
            f"/undersoegelser/{survey.survey_id}/lokale-spoergsmaal",
            data={"csrf": csrf, "kommune": "Høje-Taastrup", "sporgsmaal": LOCAL_YAML},
        )
        assert saved.status_code == 303, saved.text

        key = local_page(survey.db, token)
        assert key is not None, "worker A still serves the instrument from before the change"
        page = citizen_side.get(f"/s/{token}/side/{key}")
        assert page.status_code == 200 and "nemt at parkere ved jobcentret" in page.text
    finally:
        other.close()


def test_once_fieldwork_has_begun_the_instrument_is_parsed_once(survey, monkeypatch):
    token = survey.tokens["dagpenge"]
    parsed = []
    original = store.parse_instrument
    monkeypatch.setattr(store, "parse_instrument", lambda *a, **k: parsed.append(a[1]) or original(*a, **k))
    open_session(survey.db, token)
    open_session(survey.db, token)
    assert len(parsed) == 2, "before fieldwork every read parses the stored instrument afresh"
    start(survey.db, token)  # the citizen opens the link: a session, so the instrument can no longer change
    for _ in range(3):
        open_session(survey.db, token)
    assert len(parsed) == 4, "once frozen it is kept (one parse inside start, one after)"
    other = survey.tokens["sygedagpenge"]  # another citizen's link, not opened, of the same frozen survey
    open_session(survey.db, other)
    assert len(parsed) == 4
