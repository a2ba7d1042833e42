"""XLSForm: every template exports to a form pyxform accepts and imports back to an equivalent instrument."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import typer
from pyxform.xls2xform import convert
from typer.testing import CliRunner

from borgerblik.cli import instrument as instrument_cli
from borgerblik.core import load_template, parse_instrument, template_names
from borgerblik.core.routing import AllOf, AnswerIn, AnyOf, GroupIn, Not, RegisterIn
from borgerblik.interop.xlsform import XlsformError, export_xlsform, import_xlsform, instrument_equivalence
from borgerblik.interop.xlsform_relevant import ExpressionError, Fields, from_relevant, to_relevant

#: Modelled on the XLSForm documentation's examples (xlsform.org: a yes_no list with names yes/no and a
#: ``${has_children} = 'yes'`` relevance; a 1–5 satisfaction list with the likert appearance), in
#: pyxform's markdown fixture syntax, with the aliases public forms use ("list name", "label:English",
#: "select one from").
PUBLIC_STYLE_FORM = """
| survey |
|  | type | name | label:English | relevant | appearance |
|  | start | start |
|  | select one from yes_no | has_children | Do you have children? |
|  | select_one yes_no | childcare | Do you have childcare? | ${has_children} = 'yes' |
|  | select_one satisfaction | service_rating | How satisfied are you with the service? |  | likert |
|  | text | why | Why? | ${service_rating} != '5' |
| choices |
|  | list name | name | label:English |
|  | yes_no | yes | Yes |
|  | yes_no | no | No |
|  | satisfaction | 1 | Very dissatisfied |
|  | satisfaction | 2 | Dissatisfied |
|  | satisfaction | 3 | Neutral |
|  | satisfaction | 4 | Satisfied |
|  | satisfaction | 5 | Very satisfied |
"""


@pytest.mark.parametrize("name", template_names())
def test_every_template_exports_to_an_xlsform_pyxform_accepts_and_imports_back_equal(
    name: str, tmp_path: Path
) -> None:
    instrument = load_template(name)
    path = export_xlsform(instrument, tmp_path / f"{name}.xlsx")
    warnings: list[str] = []
    xform = convert(xlsform=str(path), warnings=warnings).xform
    assert warnings == [] and f'id="{instrument.id}"' in xform
    back, notes = import_xlsform(path)
    assert notes == []
    assert instrument_equivalence(back) == instrument_equivalence(instrument)
    assert [q.id for q in back.questions()] == [q.id for q in instrument.questions()]
    assert [q.when for q in back.questions()] == [q.when for q in instrument.questions()]
    assert [q.choices(lang) for q in back.questions() for lang in back.language_codes()] == [
        q.choices(lang) for q in instrument.questions() for lang in instrument.language_codes()
    ]
    assert back.language_codes() == instrument.language_codes()
    assert back.overall_question == instrument.overall_question and back.tense_rule == instrument.tense_rule
    assert parse_instrument  # the import went through the loader's own validation


def test_the_kl_form_has_languages_preloaded_register_fields_and_relevance(tmp_path: Path) -> None:
    path = export_xlsform(load_template("kl-2024"), tmp_path / "kl.xlsx")
    sheet = openpyxl.load_workbook(path)["survey"]
    header = [cell.value for cell in sheet[1]]
    assert {"label::Dansk (da)", "label::English (en)", "label::العربية (ar)", "relevant"} <= set(header)
    rows = {
        row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows["maalgruppe_kl2024"]["type"] == "hidden"
    assert rows["arbejdsgiver"]["relevant"] == "${maalgruppe_kl2024} = 'sygedagpenge'"
    assert rows["samarbejde"]["relevant"] == (
        "(${maalgruppe_kl2024} = 'aktivitetsparate') and (${andre_afdelinger} = '1')"
    )
    assert rows["tillid"]["type"] == "select_one grad"
    assert rows["plan"]["type"] == "begin_group" and rows["plan"]["appearance"] == "field-list"
    assert rows["tillid"]["bb_past::Dansk (da)"].startswith("I hvilken grad oplevede du")
    settings = openpyxl.load_workbook(path)["settings"]
    assert [c.value for c in settings[1]][:4] == ["form_title", "form_id", "version", "default_language"]
    assert settings["D2"].value == "Dansk (da)"


def test_a_public_style_xlsform_imports_with_its_scale_lists_relevance_and_language(tmp_path: Path) -> None:
    form = tmp_path / "public.md"
    form.write_text(PUBLIC_STYLE_FORM, encoding="utf-8")
    instrument, warnings = import_xlsform(form)
    assert [q.id for q in instrument.questions()] == ["has_children", "childcare", "service_rating", "why"]
    assert instrument.question("childcare").when == AnswerIn("has_children", (1,))
    assert instrument.question("has_children").choices("en") == [(1, "Yes"), (2, "No")]
    assert instrument.question("service_rating").scale.options("en")[0] == (1, "Very dissatisfied")
    assert instrument.question("why").when == Not(AnswerIn("service_rating", (5,)))
    assert instrument.overall_question == "service_rating"
    # no Danish text: English stands in as the base text, said in a warning; "start" is metadata, left out
    assert instrument.language_codes() == ("da",)
    assert instrument.question("why").text() == "Why?"
    assert warnings == ["formularen har ingen dansk tekst: teksterne på 'English' bruges som dansk"]


def test_what_cannot_be_mapped_is_a_located_error(tmp_path: Path) -> None:
    form = tmp_path / "public.md"
    integer_row = "| | integer | num_children | How many? | ${has_children} = 'yes' |\n"
    lines = PUBLIC_STYLE_FORM.splitlines(keepends=True)
    lines.insert(5, integer_row)
    form.write_text("".join(lines).replace("'5'", "'7'"), encoding="utf-8")
    with pytest.raises(XlsformError) as caught:
        import_xlsform(form)
    assert caught.value.problems == [
        "survey-arket, 'num_children' (integer): typen kan ikke bruges i et instrument (kun select_one, "
        "select_multiple, text, grupper)",
        "survey-arket, 'why' (text), kolonne relevant: '7' er ikke et svar på 'service_rating' i "
        "'${service_rating} != '7''",
    ]


def test_relevant_expressions_round_trip() -> None:
    condition = AnyOf(
        (
            AllOf((GroupIn("kl2024", ("sygedagpenge",)), AnswerIn("arbejdsgiver", (2,)))),
            GroupIn("kl2024", ("aktivitetsparate", "jobafklaring")),
            RegisterIn("kommune", ("Rødovre",)),
        )
    )
    text = to_relevant(condition, lambda _q: False)
    fields = Fields({"arbejdsgiver": {"1": 1, "2": 2}}, frozenset({"maalgruppe_kl2024", "kommune"}))
    assert from_relevant(text, fields) == condition
    assert from_relevant("selected(${arbejdsgiver}, '1')", fields) == AnswerIn("arbejdsgiver", (1,))
    with pytest.raises(ExpressionError, match="hverken et tidligere spørgsmål"):
        from_relevant("${ukendt} = '1'", fields)
    with pytest.raises(ExpressionError, match="kan ikke læse . > 1"):
        from_relevant("${arbejdsgiver} > 1", fields)


def test_instrument_commands_export_and_import(tmp_path: Path) -> None:
    app = typer.Typer()
    instrument_cli.register(app)
    app.command("unused")(lambda: None)
    runner = CliRunner()
    form = tmp_path / "kl.xlsx"
    result = runner.invoke(app, ["instrument", "export-xlsform", "kl-2024", "--out", str(form)])
    assert result.exit_code == 0, result.output
    back = tmp_path / "kl.yaml"
    result = runner.invoke(app, ["instrument", "import-xlsform", str(form), "--out", str(back)])
    assert result.exit_code == 0, result.output
    assert "20 spørgsmål, sprog da, en, ar" in result.output
    assert instrument_equivalence(parse_instrument(back.read_text("utf-8"))) == instrument_equivalence(
        load_template("kl-2024")
    )
    broken = tmp_path / "broken.md"
    broken.write_text(PUBLIC_STYLE_FORM.replace("${service_rating} != '5'", "${service_rating} > 3"), "utf-8")
    result = runner.invoke(
        app, ["instrument", "import-xlsform", str(broken), "--out", str(tmp_path / "b.yaml")]
    )
    assert result.exit_code == 2 and "'why'" in result.output and "relevant" in result.output


LOCAL_AND_SCALES = """\
id: lokal
title: {da: Lokal, en: Local}
languages: {da: Dansk, en: English}
scales:
  grad:
    labels:
      5: {da: I meget høj grad, en: To a very high degree}
      4: {da: I høj grad, en: To a high degree}
      3: {da: I nogen grad, en: To some degree}
      2: {da: I lav grad, en: To a low degree}
      1: {da: I meget lav grad, en: To a very low degree}
    dont_know: {da: Ved ikke, en: Don't know}
  anbefal:
    type: 0-10
    labels:
      0: {da: Slet ikke sandsynligt, en: Not at all likely}
      10: {da: Meget sandsynligt, en: Very likely}
    dont_know: {da: Ved ikke, en: Don't know}
  janej:
    type: yesno
    positive: [2]
texts:
  welcome: {da: Velkommen til undersøgelsen, en: Welcome to the survey}
  anonymity: {da: Dine svar er anonyme, en: Your answers are anonymous}
  thanks: {da: Tak for dine svar, en: Thank you for your answers}
themes:
  - id: start
    title: {da: Start, en: Start}
    questions:
      - {id: tillid, kind: scale, scale: grad, text: {da: Tillid?, en: Trust?}}
      - id: anbefale
        kind: scale
        scale: anbefal
        text: {da: Vil du anbefale os?, en: Would you recommend us?}
        follow_ups: [{id: anbefale_hvorfor, when_answer: [0, 1, 2], text: {da: Hvorfor?, en: Why?}}]
  - id: lokale
    title: {da: Lokale spørgsmål, en: Local questions}
    local: true
    questions: []
  - id: slut
    title: {da: Til sidst, en: Finally}
    questions:
      - {id: samlet, kind: scale, scale: grad, text: {da: Samlet?, en: Overall?}}
local_questions:
  Høje-Taastrup:
    - {id: ht_ventetid, kind: scale, scale: janej, text: {da: Ventede du længe?, en: Did you wait long?}}
    - id: ht_tillid_lav
      kind: scale
      scale: grad
      text: {da: Fik du hjælp alligevel?, en: Were you helped anyway?}
      when: {answer: {question: tillid, in: [1, 2]}}
      follow_ups: [{id: ht_hvorfor, when_answer: [1], text: {da: Hvad manglede?, en: What was missing?}}]
  Rødovre:
    - {id: rd_kontakt, kind: yesno, text: {da: Blev du kontaktet?, en: Were you contacted?}}
overall: samlet
"""


def test_texts_local_questions_and_scale_types_survive_the_xlsform(tmp_path: Path) -> None:
    instrument = parse_instrument(LOCAL_AND_SCALES)
    path = export_xlsform(instrument, tmp_path / "lokal.xlsx")
    warnings: list[str] = []
    convert(xlsform=str(path), warnings=warnings)
    assert warnings == []
    sheet = openpyxl.load_workbook(path)["survey"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    names = [row["name"] for row in rows]
    assert names[:3] == ["kommune", "tekst_welcome", "tekst_anonymity"] and names[-1] == "tekst_thanks"
    assert rows[1]["type"] == "note" and rows[1]["label::English (en)"] == "Welcome to the survey"
    by_name = {row["name"]: row for row in rows}
    assert by_name["ht_ventetid"]["relevant"] == "${kommune} = 'Høje-Taastrup'"
    assert by_name["ht_tillid_lav"]["relevant"] == (
        "(${kommune} = 'Høje-Taastrup') and ((${tillid} = '1' or ${tillid} = '2'))"
    )
    assert by_name["rd_kontakt"]["bb_local_for"] == "Rødovre"
    assert names.index("ht_ventetid") > names.index("lokale") > names.index("anbefale_hvorfor")
    choices = openpyxl.load_workbook(path)["choices"]
    choice_rows = [row for row in choices.iter_rows(min_row=2, values_only=True) if row[0] == "anbefal"]
    assert [row[1] for row in choice_rows] == [str(code) for code in range(11)] + ["99"]
    assert choice_rows[0][2:] == ("0 – Slet ikke sandsynligt", "0 – Not at all likely", "0-10", "9,10", "99")
    back, notes = import_xlsform(path)
    assert notes == []
    assert instrument_equivalence(back) == instrument_equivalence(instrument)
    assert back.texts == instrument.texts
    assert back.local_questions == instrument.local_questions
    assert back.scales == instrument.scales
    assert back.question("ht_tillid_lav").when == AnswerIn("tillid", (1, 2))
