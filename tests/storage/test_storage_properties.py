"""Properties: whatever a citizen or an interviewer enters comes back unchanged, on both back ends."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borgerblik.storage import Database, InvalidRowError

EXAMPLES = 30
question_ids = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=100)
codes = st.integers(min_value=0, max_value=32_767)
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=400)
answer_values = st.one_of(codes, texts, st.lists(codes, min_size=2, max_size=6))
answer_sets = st.dictionaries(question_ids, answer_values, min_size=1, max_size=12)
relaxed = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def many_invited(db: Database, rows) -> tuple[Database, list[int]]:
    survey_id = db.create_survey("Egenskaber", "kl-2024", "")
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
    assert db.answers(invitation_id) == answers


@relaxed
@given(text=st.tuples(texts, texts).map("\x00".join))
def test_text_with_a_nul_character_is_refused_on_both_back_ends(
    many_invited: tuple[Database, list[int]], text: str
) -> None:
    db, invitation_ids = many_invited
    with pytest.raises(InvalidRowError, match="tekst uden nul-tegn"):
        db.save_answers(invitation_ids[0], {"forbedringer": text})
    assert db.answers(invitation_ids[0]) == {}
