"""A municipality's local questions from the survey's page, and the preview that shows the questionnaire as
the citizen sees it and records nothing."""

from __future__ import annotations

import re

from sqlalchemy import text

from borgerblik.collection.service import survey_instrument
from borgerblik.storage.audit import audit_entries

LOCAL_YAML = """\
- id: ht_parkering
  kind: scale
  scale: grad
  text: I hvilken grad er det nemt at parkere ved jobcentret?
"""
MAIN = re.compile(r"<main.*?</main>", re.DOTALL)


def rows(db, table: str) -> int:
    with db.engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608


def main_block(html: str) -> str:
    """The page's main content with what only a link differs in (form target, hidden fields) left out."""
    block = MAIN.search(html).group(0)
    block = re.sub(r'<form method="post" action="[^"]*"', '<form method="post"', block)
    return re.sub(r'<input type="hidden" name="[^"]*" value="[^"]*">', "", block)


def save_local(admin, survey_id, kommune="Høje-Taastrup", questions=LOCAL_YAML):
    return admin.post(
        f"/undersoegelser/{survey_id}/lokale-spoergsmaal",
        data={"csrf": admin.csrf, "kommune": kommune, "sporgsmaal": questions},
    )


def test_local_questions_go_into_the_surveys_instrument(survey, admin):
    form = admin.get(f"/undersoegelser/{survey.survey_id}/lokale-spoergsmaal")
    assert form.status_code == 200 and "Ingen kommune har egne spørgsmål endnu." in form.text
    saved = save_local(admin, survey.survey_id)
    assert saved.status_code == 303
    instrument = survey_instrument(survey.db, survey.survey_id)
    assert [q.id for q in instrument.local_questions["Høje-Taastrup"]] == ["ht_parkering"]
    assert "ht_parkering" in instrument.scale_items("Høje-Taastrup")
    assert "ht_parkering" not in instrument.scale_items()
    shown = admin.get(saved.headers["location"])
    assert "Ret spørgsmålene for Høje-Taastrup" in shown.text and "id: ht_parkering" in shown.text
    entry = audit_entries(survey.db)[0]
    assert (entry.action, entry.detail) == (
        "local_questions",
        f"undersøgelse {survey.survey_id}: Høje-Taastrup",
    )
    assert save_local(admin, survey.survey_id, questions="").status_code == 303
    assert survey_instrument(survey.db, survey.survey_id).local_questions == {}


def test_questions_the_loader_refuses_are_not_stored(survey, admin):
    before = survey.db.survey(survey.survey_id).instrument_yaml
    for questions, message in (
        ("- id: x\n  kind: scale\n  scale: ukendt\n  text: Hej\n", "ukendt"),
        ("- id: tillid\n  kind: yesno\n  text: Dobbelt id\n", "tillid"),
        ("id: x\n", "YAML-liste"),
        ("- id: [\n", "linje"),
    ):
        refused = save_local(admin, survey.survey_id, questions=questions)
        assert refused.status_code == 422 and "Spørgsmålene blev ikke gemt" in refused.text, questions
        assert message in refused.text, (questions, refused.text[-800:])
    assert save_local(admin, survey.survey_id, kommune=" ").status_code == 422
    assert survey.db.survey(survey.survey_id).instrument_yaml == before


def test_the_preview_is_the_citizens_page_and_records_nothing(survey, admin):
    assert save_local(admin, survey.survey_id).status_code == 303
    counts = {table: rows(survey.db, table) for table in ("response_sessions", "responses", "invitations")}
    start = admin.get(
        f"/undersoegelser/{survey.survey_id}/forhaandsvisning?kommune=Høje-Taastrup&maalgruppe=6.3"
    )
    assert start.status_code == 303
    location = start.headers["location"]
    base = f"/undersoegelser/{survey.survey_id}/forhaandsvisning/H%C3%B8je-Taastrup/6.3"
    assert location.startswith(base + "/side/")
    page = admin.get(location)
    seen, visited = page.text, []
    while "ht_parkering" not in seen:
        key = re.search(r'action="[^"]*/side/([^"]+)"', seen).group(1)
        visited.append(key)
        csrf = re.search(r'name="csrf" value="([^"]+)"', seen).group(1)
        carried = re.search(r'name="svar" value="([^"]*)"', seen).group(1)
        step = admin.post(
            f"{base}/side/{key}",
            data={"csrf": csrf, "svar": carried.replace("&#34;", '"'), "direction": "next", "lang": "da"},
        )
        assert step.status_code == 200, step.text[-500:]
        seen = step.text
        assert len(visited) < 20
    assert "I hvilken grad er det nemt at parkere ved jobcentret?" in seen
    citizen = admin.get(f"/s/{survey.tokens['aktivitetsparate']}/side/lokale")  # the real link, same citizen
    preview = admin.get(f"{base}/side/lokale")
    assert citizen.status_code == preview.status_code == 200
    assert main_block(preview.text) == main_block(citizen.text)
    counts_after = {table: rows(survey.db, table) for table in counts}
    assert counts_after == counts, "the preview wrote nothing"

    csrf = re.search(r'name="csrf" value="([^"]+)"', preview.text).group(1)
    bad = admin.post(f"{base}/side/lokale", data={"csrf": csrf, "ht_parkering": "7", "direction": "next"})
    assert bad.status_code == 422
    answer = {"csrf": csrf, "direction": "next", "samlet_tilfredshed": "4"}
    step = admin.post(f"{base}/side/samlet", data=answer)
    for _ in range(5):  # the pages after it (open answers), left empty
        if "<h1>Tak" in step.text:
            break
        key = re.search(r'action="[^"]*/side/([^"]+)"', step.text).group(1)
        carried = re.search(r'name="svar" value="([^"]*)"', step.text).group(1).replace("&#34;", '"')
        step = admin.post(f"{base}/side/{key}", data={"csrf": csrf, "svar": carried, "direction": "next"})
    assert step.status_code == 200 and "<h1>Tak" in step.text
    assert {table: rows(survey.db, table) for table in counts} == counts
    assert admin.get(f"{base}/side/findes-ikke").status_code == 404
    assert (
        admin.get(f"/undersoegelser/{survey.survey_id}/forhaandsvisning/X/9.9/side/lokale").status_code == 404
    )


def test_once_fieldwork_has_begun_the_instrument_is_frozen(survey, admin):
    admin.get(f"/s/{survey.tokens['dagpenge']}")  # a citizen opens the link: a session exists
    refused = save_local(admin, survey.survey_id)
    assert refused.status_code == 422 and "feltarbejdet er begyndt" in refused.text
    form = admin.get(f"/undersoegelser/{survey.survey_id}/lokale-spoergsmaal")
    assert "kan ikke længere ændres" in form.text and "Gem spørgsmålene" not in form.text
    assert survey_instrument(survey.db, survey.survey_id).local_questions == {}
