"""The three shipped templates: they load, round-trip, and their wording is the seeds' own."""

from __future__ import annotations

import re

import pytest

from borgerblik.core import (
    BackgroundKind,
    Kind,
    dump_instrument,
    load_instrument,
    load_template,
    parse_instrument,
    template_names,
)

SEED_OF = {
    "kl-2024": "kl-tvaerkommunal-2024.txt",
    "rodovre-2023": "rambøll-rodovre-2023.txt",
    "vive-kbh-2020": "vive-jobcenter-kobenhavn-2020.txt",
}


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_three_seed_instruments_are_shipped():
    assert template_names() == ["kl-2024", "rodovre-2023", "vive-kbh-2020"]


@pytest.mark.parametrize("name", ["kl-2024", "rodovre-2023", "vive-kbh-2020"])
def test_template_round_trips_load_dump_load_equal(name):
    instrument = load_template(name)
    text = dump_instrument(instrument)
    again = parse_instrument(text, f"{name}-dump.yaml")
    assert again == instrument
    assert dump_instrument(again) == text


@pytest.mark.parametrize("name", ["kl-2024", "rodovre-2023", "vive-kbh-2020"])
def test_template_round_trips_through_a_file(name, tmp_path):
    path = tmp_path / f"{name}.yaml"
    path.write_text(dump_instrument(load_template(name)), encoding="utf-8")
    loaded = load_instrument(path)
    assert loaded == load_template(name)
    assert loaded.file == str(path)


@pytest.mark.parametrize("name", ["kl-2024", "rodovre-2023", "vive-kbh-2020"])
def test_wording_not_marked_assumed_is_quoted_verbatim_from_the_seed(name, seeds_dir):
    seed_path = seeds_dir / SEED_OF[name]
    seed = normalise(seed_path.read_text(encoding="utf-8"))
    instrument = load_template(name)
    unquoted = [
        entry.id
        for question in instrument.questions()
        for entry in (question, *question.items)
        if entry.source is None and normalise(entry.text("da")) not in seed
    ]
    unquoted += [f.id for f in instrument.background if normalise(f.text("da")) not in seed]
    assert unquoted == []


def test_rodovre_has_16_closed_and_4_open_questions_in_three_themes():
    rodovre = load_template("rodovre-2023")
    assert rodovre.scale_items() == [
        "samlet_tilfredshed",
        "styrker_mulighed",
        "samlet_situation",
        "venlighed",
        "informeret_moeder",
        "breve_forstaaelige",
        "beslutninger_kommunikeret",
        "nem_kontakt",
        "faar_svar",
        "goer_sit_bedste",
        "tydeligt_maal",
        "sagsbehandler_forberedt",
        "aktiviteter_bidrager",
        "selv_beslutte",
        "sammenhaeng",
        "inddrager_parter",
    ]
    assert rodovre.open_questions() == ["goer_godt", "goere_bedre", "godt_raad", "andet"]
    assert rodovre.question("andet").source == "assumed"
    assert [t.title.get() for t in rodovre.themes][:3] == [
        "Den generelle oplevelse af Rødovre Jobcenter",
        "Dialog med Jobcentret",
        "Medindflydelse og fremskridt",
    ]
    assert rodovre.overall_question == "samlet_tilfredshed"
    assert rodovre.grouping == "rodovre"
    assert rodovre.question("venlighed").choices() == [
        (5, "I meget høj grad"),
        (4, "I høj grad"),
        (3, "Delvist"),
        (2, "I ringe grad"),
        (1, "I meget ringe grad"),
        (9, "Ved ikke/ikke relevant"),
    ]


def test_vive_has_7_scale_questions_with_vive_labels_shown_1_first():
    vive = load_template("vive-kbh-2020")
    assert vive.scale_items() == [
        "tilfreds_samtale",
        "fremdrift",
        "inddragelse",
        "eget_bidrag",
        "tryghed",
        "klare_aftaler",
        "behandlet",
    ]
    assert vive.overall_question == "tilfreds_samtale"
    assert vive.question("fremdrift").choices() == [
        (1, "I lav grad"),
        (2, "I mindre grad"),
        (3, "Hverken eller"),
        (4, "I nogen grad"),
        (5, "I høj grad"),
        (9, "Ved ikke/kan ikke svare"),
    ]
    assert vive.question("behandlet").choices()[4] == (5, "Meget godt")


def visible(instrument, answers):
    return [q.id for q in instrument.visible_questions({}, answers)]


def test_vive_follow_up_depends_on_the_score_1_2_versus_3_5():
    vive = load_template("vive-kbh-2020")
    assert visible(vive, {"tilfreds_samtale": 1})[:2] == ["tilfreds_samtale", "tilfreds_samtale_lav"]
    assert visible(vive, {"tilfreds_samtale": 2})[:2] == ["tilfreds_samtale", "tilfreds_samtale_lav"]
    assert visible(vive, {"tilfreds_samtale": 3})[:2] == ["tilfreds_samtale", "tilfreds_samtale_hoej"]
    assert visible(vive, {"tilfreds_samtale": 5})[:2] == ["tilfreds_samtale", "tilfreds_samtale_hoej"]
    # "ved ikke" and no answer yet: no follow-up
    assert visible(vive, {"tilfreds_samtale": 9})[:2] == ["tilfreds_samtale", "fremdrift"]
    assert visible(vive, {})[:2] == ["tilfreds_samtale", "fremdrift"]
    low = vive.question("tilfreds_samtale_lav")
    assert low.kind is Kind.OPEN
    assert low.follow_up_of == "tilfreds_samtale"
    assert low.text() == "Hvorfor er du utilfreds med samtalen?"
    assert vive.question("tilfreds_samtale_hoej").text() == "Hvad var med til at gøre det til en god samtale?"
    assert vive.question("behandlet_lav").text() == "Hvorfor føler du dig dårligt behandlet?"


def test_vive_interviewer_background_fields():
    vive = load_template("vive-kbh-2020")
    fields = {f.id: f for f in vive.background}
    assert list(fields) == ["gruppe", "koen", "alder", "ledighedsperiode", "anden_etnisk_baggrund"]
    assert [f.kind for f in fields.values()] == [
        BackgroundKind.SINGLE,
        BackgroundKind.SINGLE,
        BackgroundKind.NUMBER,
        BackgroundKind.DURATION,
        BackgroundKind.YESNO,
    ]
    assert len(fields["gruppe"].options) == 11
    assert fields["gruppe"].options[10].text.get() == "Borgere i integrationsprogrammet (CBSI)"
    assert [o.text.get() for o in fields["koen"].options] == ["Kvinde", "Mand"]
    assert (fields["alder"].minimum, fields["alder"].maximum, fields["alder"].unit) == (16, 67, "år")
    # background fields are never part of the citizen's routed questionnaire
    assert not {"gruppe", "koen"} & set(visible(vive, {}))


def test_kl_chart_headings_are_the_report_page_headings():
    kl = load_template("kl-2024")
    assert [kl.question(qid).heading() for qid in kl.scale_items()] == [
        "Tillid",
        "Udgangspunkt i borgeren",
        "Inddragelse",
        "Klart mål",
        "Sammenhæng ml. aktiviteter og mål",
        "Oplevelsen af samarbejde på tværs af afdelinger",
        "Formål med samtalen",
        "Sagsbehandler forberedt",
        "Sagsbehandlers formidling",
        "Mål for forløbet",
        "Klare aftaler",
        "Næste skridt",
        "Konkrete jobmuligheder",
        "Tættere på job/uddannelse",
        "Tilbagevenden i job",
        "Styrket tro",
        "Overordnet tilfredshed",
    ]
    assert kl.question("plan").heading() == "Plan for fremadrettet proces"
    assert kl.question("taettere_job").heading("en") == "Closer to a job or education"


def test_vive_headings_are_the_interview_topics_and_a_question_without_label_uses_its_wording():
    vive = load_template("vive-kbh-2020")
    assert vive.question("behandlet").heading() == "Anerkendelse og forståelse"
    assert vive.question("behandlet_lav").heading() == "Hvorfor føler du dig dårligt behandlet?"


def test_instruments_and_questions_are_hashable_values():
    kl, again = load_template("kl-2024"), load_template("kl-2024")
    assert hash(kl) == hash(again)
    assert {kl: "x"}[again] == "x"
    assert len(set(kl.questions()) | set(again.questions())) == len(kl.questions()) == 20
