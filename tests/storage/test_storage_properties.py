"""Properties: whatever a citizen or an interviewer enters comes back unchanged, on both back ends."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borgerblik.core import dump_instrument, load_template
from borgerblik.storage import Database, InvalidRowError
from borgerblik.storage.answers import AnswerRules
from borgerblik.text.redaction import redact

EXAMPLES = 30
KL = load_template("kl-2024")
RULES = AnswerRules.of(KL)
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=400)


def _answer(answer_id: str) -> st.SearchStrategy[tuple[str, object]]:
    values = texts if answer_id in RULES.texts else st.sampled_from(sorted(RULES.codes[answer_id]))
    return st.tuples(st.just(answer_id), values)


answer_ids = st.sampled_from(sorted({*RULES.codes, *RULES.texts}))
answer_sets = st.lists(
    answer_ids.flatmap(_answer), min_size=1, max_size=12, unique_by=lambda pair: pair[0]
).map(dict)
unknown_ids = st.text(st.characters(codec="utf-8"), min_size=1, max_size=120).filter(
    lambda answer_id: answer_id not in RULES.codes and answer_id not in RULES.texts
)
relaxed = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def many_invited(db: Database, rows) -> tuple[Database, list[int]]:
    survey_id = db.create_survey("Egenskaber", "kl-2024", dump_instrument(KL))
    member_ids = db.add_members(survey_id, rows(EXAMPLES + 10))
    db.save_sample(survey_id, dict.fromkeys(member_ids, "s"), draw_seed=1)
    db.create_invitations(survey_id)
    return db, [invitation.id for invitation in db.invitations(survey_id)]


@relaxed
@given(answers=answer_sets)
def test_any_answers_round_trip(many_invited: tuple[Database, list[int]], answers: dict) -> None:
    db, invitation_ids = many_invited
    invitation_id = invitation_ids.pop()
    db.save_answers(invitation_id, answers, mode="phone", language="ar", interviewer_id="int-01")
    # Open answers are redacted on arrival (random text can read as two names), everything else is as given.
    expected = {key: redact(value).text if key in RULES.texts else value for key, value in answers.items()}
    assert db.answers(invitation_id) == expected


@relaxed
@given(text=st.tuples(texts, texts).map("\x00".join))
def test_text_with_a_nul_character_is_refused_on_both_back_ends(
    many_invited: tuple[Database, list[int]], text: str
) -> None:
    db, invitation_ids = many_invited
    with pytest.raises(InvalidRowError, match="tekst uden nul-tegn"):
        db.save_answers(invitation_ids[0], {"forbedringer": text})
    assert db.answers(invitation_ids[0]) == {}


@relaxed
@given(answer_id=unknown_ids)
def test_an_answer_to_a_question_the_survey_does_not_have_is_refused(
    many_invited: tuple[Database, list[int]], answer_id: str
) -> None:
    db, invitation_ids = many_invited
    with pytest.raises(InvalidRowError, match="forventede"):
        db.save_answers(invitation_ids[0], {answer_id: 1})
    assert db.answers(invitation_ids[0]) == {}
