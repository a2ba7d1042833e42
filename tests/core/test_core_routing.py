"""Routing as a pure function: register fields, groups, earlier answers, local questions, multiple choice."""

from __future__ import annotations

import pytest

from borgerblik.core import (
    AllOf,
    AnswerIn,
    GroupIn,
    InstrumentError,
    Kind,
    Not,
    RegisterIn,
    dump_instrument,
    load_template,
    parse_instrument,
)

LOCAL = """\
local_questions:
  Høje-Taastrup:
    - id: ht_parkering
      kind: scale
      scale: grad
      text: I hvilken grad er det nemt at parkere ved jobcentret?
      when: {answer: {question: status, in: [1]}}
    - id: ht_kanaler
      kind: multi
      text: Hvordan vil du helst kontaktes?
      options:
        - {code: 1, text: Digital Post}
        - {code: 2, text: SMS}
        - {code: 3, text: Telefon}
    - id: ht_telefon
      kind: open
      text: Hvornår på dagen passer det dig bedst at blive ringet op?
      when: {answer: {question: ht_kanaler, in: [3]}}
"""


@pytest.fixture
def with_local(minimal_yaml):
    return parse_instrument(minimal_yaml + LOCAL, "lokal.yaml")


def ids(instrument, context, answers=None):
    return [q.id for q in instrument.visible_questions(context, answers or {})]


def test_local_questions_are_asked_only_in_their_municipality(with_local):
    base = ["status", "tillid", "samlet"]
    assert ids(with_local, {"kommune": "Aalborg", "maalgruppe": "6.1"}) == base
    assert ids(with_local, {"kommune": "Høje-Taastrup", "maalgruppe": "6.1"}, {"status": 1}) == [
        *base,
        "ht_parkering",
        "ht_kanaler",
    ]
    page = with_local.visible_questions({"kommune": "Høje-Taastrup"}, {})
    assert {q.id: q.theme for q in page}["ht_kanaler"] == "lokale"
    assert with_local.question("ht_parkering").local_for == "Høje-Taastrup"


def test_local_scale_items_join_the_list_only_for_their_municipality(with_local):
    assert with_local.scale_items() == ["tillid", "samlet"]
    assert with_local.scale_items("Høje-Taastrup") == ["tillid", "samlet", "ht_parkering"]


def test_multiple_choice_routing_accepts_a_list_or_a_semicolon_string(with_local):
    context = {"kommune": "Høje-Taastrup"}
    assert "ht_telefon" in ids(with_local, context, {"ht_kanaler": [1, 3]})
    assert "ht_telefon" in ids(with_local, context, {"ht_kanaler": "1;3"})
    assert "ht_telefon" not in ids(with_local, context, {"ht_kanaler": [1, 2]})


def test_local_questions_round_trip(with_local):
    assert parse_instrument(dump_instrument(with_local)) == with_local


def test_local_questions_need_a_local_theme(minimal_yaml):
    without_local_theme = minimal_yaml.replace("    local: true\n", "")
    with pytest.raises(InstrumentError, match="felt 'local_questions': forventede et tema med local: true"):
        parse_instrument(without_local_theme + LOCAL, "lokal.yaml")


def test_group_condition_uses_the_instrument_grouping_and_precomputed_groups(minimal_yaml):
    instrument = parse_instrument(minimal_yaml)
    assert instrument.question("tillid").when == GroupIn("kl2024", ("dagpenge",))
    assert "tillid" in ids(instrument, {"maalgruppe": "6.1"})
    assert "tillid" not in ids(instrument, {"maalgruppe": "6.6"})
    assert "tillid" not in ids(instrument, {})  # no target group known: not routed there
    assert "tillid" in ids(instrument, {"maalgruppe": "6.6", "group:kl2024": "dagpenge"})


def test_register_condition_compares_trimmed_text(minimal_yaml):
    yaml = minimal_yaml.replace(
        "when: {group: {in: [dagpenge]}}", 'when: {register: {field: koen, in: ["kvinde"]}}'
    )
    instrument = parse_instrument(yaml)
    assert instrument.question("tillid").when == RegisterIn("koen", ("kvinde",))
    assert "tillid" in ids(instrument, {"koen": " Kvinde "})
    assert "tillid" not in ids(instrument, {"koen": "mand"})


def test_kl_conditions_are_plain_values():
    kl = load_template("kl-2024")
    assert kl.question("samarbejde").when == AllOf(
        (GroupIn("kl2024", ("aktivitetsparate",)), AnswerIn("andre_afdelinger", (1,)))
    )
    assert kl.question("jobmuligheder").when == Not(
        AllOf((GroupIn("kl2024", ("sygedagpenge",)), AnswerIn("arbejdsgiver", (1,))))
    )


def test_an_answer_routes_only_while_its_question_is_shown():
    kl = load_template("kl-2024")
    sick = {"maalgruppe": "6.6"}
    # a stale 'arbejdsgiver = ja' (target group corrected since) routes nobody who is not asked it
    assert "tilbagevenden_job" in ids(kl, sick, {"arbejdsgiver": 1})
    assert "tilbagevenden_job" not in ids(kl, {"maalgruppe": "6.3"}, {"arbejdsgiver": 1})


def test_choices_codes_and_answer_ids_by_kind():
    kl = load_template("kl-2024")
    assert kl.question("status").choices("en") == [
        (1, "Yes, I am still in a course at the job centre"),
        (2, "No, my course at the job centre has ended"),
    ]
    assert kl.question("arbejdsgiver").choices() == [(1, "Ja"), (2, "Nej")]
    assert kl.question("arbejdsgiver").codes == {1, 2}
    assert kl.question("tillid").codes == {1, 2, 3, 4, 5, 9}
    assert kl.question("hvorfor_tilfreds").kind is Kind.OPEN
    assert kl.question("hvorfor_tilfreds").choices() == []
    assert kl.question("plan_aftaler").text() == "... klare aftaler om, hvad du selv skal gøre"
    with pytest.raises(KeyError, match="instrumentet 'kl-2024' har intet spørgsmål 'findes_ikke'"):
        kl.question("findes_ikke")
