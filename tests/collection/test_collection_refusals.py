"""The same clear refusal through every entry point, on SQLite and PostgreSQL: a NUL byte, an over-long
text, an unknown question id, a code outside the scale. Nothing is written, never a driver error."""

from __future__ import annotations

import pytest

from borgerblik.collection import save_page
from borgerblik.storage import Database, InvalidRowError
from borgerblik.storage.answers import TEXT_LIMIT, AnswerRefused

REFUSED = [
    ("forbedringer", "Kortere\x00ventetid", "invalid_text", "tekst uden nul-tegn"),
    ("forbedringer", "x" * (TEXT_LIMIT + 1), "too_long", "en tekst på højst 10.000 tegn"),
    ("findes_ikke", 3, "unknown_question", "et spørgsmål i undersøgelsens skema"),
    ("tillid", 7, "invalid_code", "en af svarkoderne 1, 2, 3, 4, 5, 9"),
]


@pytest.mark.parametrize(("answer_id", "value", "reason", "expected"), REFUSED)
def test_the_gateway_refuses_and_writes_nothing(
    db: Database, tokens, answer_id, value, reason, expected
) -> None:
    invitation_id = db.invitation_by_token(tokens["dagpenge"]).id
    with pytest.raises(AnswerRefused, match=expected) as refused:
        db.save_answers(invitation_id, {"tillid": 4, answer_id: value})
    assert isinstance(refused.value, InvalidRowError)
    assert refused.value.reason == reason
    assert db.answers(invitation_id) == {}
    assert db.session(invitation_id) is None


def test_the_questionnaire_page_refuses_a_nul_byte_as_a_problem_not_an_error(db: Database, tokens) -> None:
    token = tokens["dagpenge"]
    result = save_page(db, token, "aabne", {"forbedringer": "Kortere\x00ventetid"})
    assert (result.outcome, [p.message for p in result.problems]) == ("invalid", ["error_invalid_text"])
    assert db.answers(db.invitation_by_token(token).id) == {}


def test_the_questionnaire_page_refuses_codes_outside_the_scale_and_unknown_fields(
    db: Database, tokens
) -> None:
    token = tokens["dagpenge"]
    assert [p.message for p in save_page(db, token, "moedet", {"tillid": 7}).problems] == [
        "error_invalid_code"
    ]
    unknown = save_page(db, token, "moedet", {"findes_ikke": 3})
    assert "error_unknown_field" in [p.message for p in unknown.problems]
    assert db.answers(db.invitation_by_token(token).id) == {}
