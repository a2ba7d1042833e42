"""Purging a survey's personal data after fieldwork: no CPR number, phone number or e-mail is left in any
table or column, the pseudonymised analysis data stays, and the staff pages keep working."""

from __future__ import annotations

from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from borgerblik.storage import Base
from borgerblik.storage.audit import audit_entries
from borgerblik.storage.purge import PURGED_SETTING, purge_survey
from borgerblik.storage.schema import Identity
from borgerblik.web.worker import run_next_job


def personal_values(db, survey_id: int) -> set[str]:
    with db.reading() as connection:
        rows = connection.execute(
            select(Identity.cpr, Identity.phone, Identity.email).where(Identity.survey_id == survey_id)
        ).all()
    return {value for row in rows for value in row if value}


def found_anywhere(db, values: set[str]) -> list[str]:
    """Every table.column whose text holds one of ``values`` (CPR with and without its dash)."""
    needles = values | {value.replace("-", "") for value in values}
    hits = []
    with db.reading() as connection:
        for table in inspect(connection).get_table_names():
            if table not in Base.metadata.tables:
                continue
            for column in Base.metadata.tables[table].columns:
                rows = connection.execute(text(f'SELECT "{column.name}" FROM "{table}"')).scalars()
                for value in rows:
                    if value is not None and any(needle in str(value) for needle in needles):
                        hits.append(f"{table}.{column.name}")
                        break
    return sorted(set(hits))


def with_personal_notes(survey) -> set[str]:
    db = survey.db
    values = personal_values(db, survey.survey_id) | {"ole@example.dk"}
    db.log_hotline_call(survey.survey_id, "spørgsmål", note="ring tilbage på 20000001 eller ole@example.dk")
    assert {"6103854001", "20000001"} <= {v.replace("-", "") for v in values}
    return values


def test_purge_leaves_no_cpr_phone_or_email_in_any_table(survey):
    values = with_personal_notes(survey)
    assert found_anywhere(survey.db, values) == ["hotline_log.note", "identities.cpr", "identities.phone"]
    members_before = survey.db.members_frame(survey.survey_id).height
    result = purge_survey(survey.db, survey.survey_id, "mette")
    assert (result.identities, result.notes) == (3, 1)
    assert found_anywhere(survey.db, values) == []
    assert survey.db.members_frame(survey.survey_id).height == members_before
    assert PURGED_SETTING in survey.db.survey(survey.survey_id).settings
    assert audit_entries(survey.db)[0].action == "purge"
    again = purge_survey(survey.db, survey.survey_id, "mette")
    assert (again.identities, again.original_texts, again.notes) == (0, 0, 0)


def test_the_staff_pages_keep_working_after_the_purge_button(survey, admin):
    values = with_personal_notes(survey)
    survey.db.set_invitation_state([inv.id for inv in survey.db.invitations(survey.survey_id)], "invited")
    url = f"/undersoegelser/{survey.survey_id}"
    assert admin.post(f"{url}/slet-persondata", data={"csrf": admin.csrf}).status_code == 400
    queued = admin.post(f"{url}/slet-persondata", data={"csrf": admin.csrf, "bekraeft": "ja"})
    assert queued.status_code == 303
    run_next_job(survey.db, "test")
    assert "Sletning af persondata" in admin.get(queued.headers["location"]).text
    assert found_anywhere(survey.db, values) == []
    for page in (url, f"/analytiker/feltarbejde/{survey.survey_id}", "/", "/admin/audit"):
        response = admin.get(page)
        assert response.status_code == 200, page
    assert "blev slettet" in admin.get(url).text
    assert admin.get(f"/s/{survey.tokens['dagpenge']}").status_code == 200


def test_purge_from_the_command_line(tmp_path, kl_invited):
    from borgerblik.cli import app
    from borgerblik.storage import Database

    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    with Database(url) as db:
        survey_id, _ = kl_invited(db, {"dagpenge": "6.1"})
    runner = CliRunner()
    done = runner.invoke(app, ["purge", "--survey", str(survey_id), "--yes", "--database", url])
    assert done.exit_code == 0, done.output
    assert "slettet: 1 CPR-numre med kontaktdata" in done.output
    unknown = runner.invoke(app, ["purge", "--survey", "999", "--yes", "--database", url])
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output
    refused = runner.invoke(app, ["purge", "--survey", str(survey_id), "--database", url], input="n\n")
    assert refused.exit_code == 2 and "intet slettet" in refused.output
