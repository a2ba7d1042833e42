"""The KL 2024 template: the question ids of shared contract 4, its routing and its tense."""

from __future__ import annotations

import pytest

from borgerblik.core import Kind, Tense, load_template

KL_SCALE_ITEMS = [
    "tillid",
    "udgangspunkt",
    "inddragelse",
    "klart_maal",
    "aktiviteter_mening",
    "samarbejde",
    "formaal_klart",
    "velforberedt",
    "formidling_regler",
    "plan_maal",
    "plan_aftaler",
    "plan_naeste_skridt",
    "jobmuligheder",
    "taettere_job",
    "tilbagevenden_job",
    "styrket_tro",
    "samlet_tilfredshed",
]
COMMON_START = ["status"]
MOEDET_MAAL = ["tillid", "udgangspunkt", "inddragelse", "klart_maal", "aktiviteter_mening"]
SAMTALE = ["formaal_klart", "velforberedt", "formidling_regler", "plan"]
END = ["samlet_tilfredshed", "hvorfor_tilfreds", "forbedringer"]


@pytest.fixture(scope="module")
def kl():
    return load_template("kl-2024")


def visible(kl, context, answers=None):
    return [q.id for q in kl.visible_questions(context, answers or {})]


def test_kl_has_exactly_the_contract_scale_items_in_order(kl):
    assert kl.scale_items() == KL_SCALE_ITEMS
    assert len(kl.scale_items()) == 17


def test_kl_overall_question_is_samlet_tilfredshed_with_satisfaction_labels(kl):
    assert kl.overall_question == "samlet_tilfredshed"
    question = kl.question("samlet_tilfredshed")
    assert (
        question.text() == "Hvor tilfreds eller utilfreds har du alt i alt været med dit forløb i jobcentret?"
    )
    assert question.choices() == [
        (5, "Meget tilfreds"),
        (4, "Tilfreds"),
        (3, "Hverken tilfreds eller utilfreds"),
        (2, "Utilfreds"),
        (1, "Meget utilfreds"),
        (9, "Ved ikke/ikke relevant"),
    ]


def test_kl_theme_order_follows_the_seed(kl):
    assert [t.id for t in kl.themes] == [
        "status",
        "moedet",
        "maal",
        "samtale",
        "progression",
        "lokale",
        "samlet",
        "aabne",
    ]
    assert [t.id for t in kl.themes if t.local] == ["lokale"]
    assert kl.open_questions() == ["hvorfor_tilfreds", "forbedringer"]


def test_dagpenge_citizen_sees_taettere_job_but_no_employer_or_department_questions(kl):
    assert visible(kl, {"maalgruppe": "6.1"}) == (
        COMMON_START + MOEDET_MAAL + SAMTALE + ["jobmuligheder", "taettere_job"] + END
    )


def test_job_og_uddannelsesparate_6_9_are_routed_like_dagpenge(kl):
    assert visible(kl, {"maalgruppe": "6.9"}) == visible(kl, {"maalgruppe": "6.1"})


def test_aktivitetsparate_is_asked_about_other_departments_and_cooperation_only_after_ja(kl):
    with_contact = visible(kl, {"maalgruppe": "6.3"}, {"andre_afdelinger": 1})
    assert with_contact == (
        COMMON_START
        + MOEDET_MAAL
        + ["andre_afdelinger", "samarbejde"]
        + SAMTALE
        + ["jobmuligheder", "styrket_tro"]
        + END
    )
    without_contact = visible(kl, {"maalgruppe": "6.5"}, {"andre_afdelinger": 2})
    assert "andre_afdelinger" in without_contact
    assert "samarbejde" not in without_contact


def test_sygedagpenge_with_employer_gets_tilbagevenden_job_and_no_jobmuligheder(kl):
    assert visible(kl, {"maalgruppe": "6.6"}, {"arbejdsgiver": 1}) == (
        COMMON_START + ["arbejdsgiver"] + MOEDET_MAAL + SAMTALE + ["tilbagevenden_job"] + END
    )


def test_sygedagpenge_without_employer_gets_jobmuligheder_and_styrket_tro(kl):
    assert visible(kl, {"maalgruppe": "6.6"}, {"arbejdsgiver": 2}) == (
        COMMON_START + ["arbejdsgiver"] + MOEDET_MAAL + SAMTALE + ["jobmuligheder", "styrket_tro"] + END
    )


def test_jobafklaring_gets_styrket_tro(kl):
    assert visible(kl, {"maalgruppe": "6.7"}) == (
        COMMON_START + MOEDET_MAAL + SAMTALE + ["jobmuligheder", "styrket_tro"] + END
    )


def test_precomputed_group_in_context_is_used_instead_of_the_lab_code(kl):
    assert visible(kl, {"group:kl2024": "dagpenge"}) == visible(kl, {"maalgruppe": "6.1"})


def test_answer_to_a_hidden_question_does_not_route(kl):
    # a dagpenge citizen never sees 'arbejdsgiver'; a stale value must not open tilbagevenden_job
    assert "tilbagevenden_job" not in visible(kl, {"maalgruppe": "6.1"}, {"arbejdsgiver": 1})


def test_past_tense_is_shown_when_status_is_2(kl):
    assert kl.tense({"status": 2}) is Tense.PAST
    assert kl.tense({"status": 1}) is Tense.PRESENT
    assert kl.tense({}) is Tense.PRESENT
    tillid = kl.question("tillid")
    assert tillid.text("da", kl.tense({"status": 1})) == (
        "I hvilken grad oplever du at blive mødt med tillid i jobcenteret?"
    )
    assert tillid.text("da", kl.tense({"status": 2})) == (
        "I hvilken grad oplevede du at blive mødt med tillid i jobcenteret?"
    )
    # a question without a past variant keeps its wording
    assert kl.question("samlet_tilfredshed").text("da", Tense.PAST) == (
        "Hvor tilfreds eller utilfreds har du alt i alt været med dit forløb i jobcentret?"
    )


def test_the_conversation_page_is_in_the_past_tense_for_a_citizen_whose_course_has_ended(kl):
    samtale = next(theme for theme in kl.themes if theme.id == "samtale")
    past = [q.text("da", Tense.PAST) for q in samtale.questions]
    assert past[:3] == [
        "I hvilken grad oplevede du, at formålet med samtalen var klart?",
        "I hvilken grad oplevede du, at din sagsbehandler var velforberedt til samtalen?",
        "I hvilken grad oplevede du, at informationer om regler og lovgivning blev formidlet på en "
        "letforståelig måde?",
    ]
    assert all(q.wording.past.keys() == {"da", "en", "ar"} for q in samtale.questions)


def test_plan_matrix_items_are_marked_assumed(kl):
    plan = kl.question("plan")
    assert plan.kind is Kind.MATRIX
    assert plan.answer_ids == ("plan_maal", "plan_aftaler", "plan_naeste_skridt")
    assert {item.source for item in plan.items} == {"assumed"}


def test_every_kl_question_has_english_and_arabic_is_right_to_left(kl):
    for question in kl.questions():
        assert {"en", "ar"} <= question.wording.languages, question.id
        for item in question.items:
            assert {"en", "ar"} <= item.wording.languages, item.id
    assert kl.direction("ar") == "rtl"
    assert kl.direction("da") == "ltr"
    assert kl.texts["welcome"].get("ar").startswith("مرحبًا")
    assert kl.question("samlet_tilfredshed").choices("ar")[0] == (5, "راضٍ جدًا")
    assert kl.question("formaal_klart").text("ar") == "إلى أي مدى تشعر بأن الغرض من المحادثة كان واضحًا؟"
