"""Properties of KL routing over every target group and any answers (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from borgerblik.core import load_template

KL = load_template("kl-2024")
ALL_IDS = [q.id for q in KL.questions()]
ALWAYS = [
    "status",
    "tillid",
    "udgangspunkt",
    "inddragelse",
    "klart_maal",
    "aktiviteter_mening",
    "formaal_klart",
    "velforberedt",
    "formidling_regler",
    "plan",
    "samlet_tilfredshed",
    "hvorfor_tilfreds",
    "forbedringer",
]
PROGRESSION_OUTCOMES = {"taettere_job", "tilbagevenden_job", "styrket_tro"}

lab_codes = st.sampled_from(["6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9"])
answers = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from([1, 2]),
        "arbejdsgiver": st.sampled_from([1, 2]),
        "andre_afdelinger": st.sampled_from([1, 2]),
        "tillid": st.sampled_from([1, 2, 3, 4, 5, 9]),
    },
)


@settings(max_examples=200, deadline=None)
@given(code=lab_codes, given_answers=answers)
def test_visible_questions_keep_the_instrument_order_and_never_drop_common_questions(code, given_answers):
    shown = [q.id for q in KL.visible_questions({"maalgruppe": code}, given_answers)]
    assert shown == [qid for qid in ALL_IDS if qid in shown]
    assert set(ALWAYS) <= set(shown)


@settings(max_examples=200, deadline=None)
@given(code=lab_codes, employer=st.sampled_from([1, 2]))
def test_each_citizen_gets_exactly_one_progression_outcome_question(code, employer):
    shown = {q.id for q in KL.visible_questions({"maalgruppe": code}, {"arbejdsgiver": employer})}
    assert len(shown & PROGRESSION_OUTCOMES) == 1
    # jobmuligheder goes to everyone except sygedagpenge with an employer
    assert ("jobmuligheder" in shown) == (not (code == "6.6" and employer == 1))
