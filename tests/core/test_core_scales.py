"""Scale types of an instrument: 1–5, 0–10 (with its own "ved ikke" code) and yes/no (issue 16).

A question on a 0–10 or yes/no scale is a scale item: its codes, display order, positive codes and
"ved ikke" code come from the instrument, survive a dump and reload, and are refused with a located error
when wrong.
"""

from __future__ import annotations

import pytest

from borgerblik.core import InstrumentError, ScaleKind, dump_instrument, parse_instrument

SCALES = """\
format: borgerblik-instrument/1
id: skalaer
title: Skalaer
languages: {da: Dansk, en: English}
scales:
  grad:
    labels: {5: I meget høj grad, 4: I høj grad, 3: I nogen grad, 2: I lav grad, 1: I meget lav grad}
    dont_know: Ved ikke
  anbefal:
    type: 0-10
    labels:
      0: {da: Slet ikke sandsynligt, en: Not at all likely}
      10: {da: Meget sandsynligt, en: Extremely likely}
    dont_know: {da: Ved ikke, en: Don't know}
  janej:
    type: yesno
    dont_know: {da: Ved ikke, en: Don't know}
themes:
  - id: start
    title: Start
    questions:
      - id: anbefale
        kind: scale
        scale: anbefal
        text: {da: Vil du anbefale jobcentret?, en: Would you recommend the job centre?}
        follow_ups:
          - {id: anbefale_lav, when_answer: [0, 1, 2, 3, 4, 5, 6], text: {da: Hvorfor?, en: Why?}}
      - id: hjulpet
        kind: scale
        scale: janej
        text: {da: Er du blevet hjulpet?, en: Were you helped?}
      - id: samlet
        kind: scale
        scale: grad
        text: {da: Samlet?, en: Overall?}
overall: samlet
"""


def test_a_zero_to_ten_scale_has_its_codes_order_and_own_dont_know_code() -> None:
    instrument = parse_instrument(SCALES)
    scale = instrument.scale_of("anbefale")
    assert scale.kind is ScaleKind.ZERO_TEN
    assert (scale.low, scale.high, scale.dont_know_code, scale.positive) == (0, 10, 99, (9, 10))
    assert instrument.question("anbefale").codes == frozenset({*range(11), 99})
    assert instrument.question("anbefale").dont_know_code == 99
    choices = instrument.question("anbefale").choices("en")
    assert choices[0] == (0, "0 – Not at all likely")
    assert choices[5] == (5, "5")
    assert choices[-2:] == [(10, "10 – Extremely likely"), (99, "Don't know")]
    assert scale.has_mean


def test_a_yes_no_scale_says_ja_nej_and_counts_ja_as_positive() -> None:
    instrument = parse_instrument(SCALES)
    question = instrument.question("hjulpet")
    assert question.choices("da") == [(1, "Ja"), (2, "Nej"), (9, "Ved ikke")]
    assert question.scale is not None
    assert (question.scale.positive, question.scale.has_mean) == ((1,), False)
    assert instrument.scale_items() == ["anbefale", "hjulpet", "samlet"]


def test_every_scale_type_survives_dump_and_reload() -> None:
    instrument = parse_instrument(SCALES)
    text = dump_instrument(instrument)
    assert "type: 0-10" in text and "type: yesno" in text
    again = parse_instrument(text)
    assert again == instrument
    assert again.scales == instrument.scales


def test_one_to_five_is_the_default_and_unchanged() -> None:
    scale = parse_instrument(SCALES).scale_of("samlet")
    assert (scale.kind, scale.values, scale.dont_know_code, scale.positive) == (
        ScaleKind.LIKERT_5,
        (1, 2, 3, 4, 5),
        9,
        (4, 5),
    )
    assert [code for code, _ in scale.options()] == [5, 4, 3, 2, 1, 9]


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("type: 0-10", "type: 1-7", "scales.anbefal.type", "forventede en af 1-5, 0-10, yesno"),
        (
            "      10: {da: Meget sandsynligt, en: Extremely likely}\n",
            "",
            "scales.anbefal.labels",
            "forventede labels for mindst endepunkterne 0 og 10",
        ),
        (
            "    type: yesno\n",
            "    type: yesno\n    dont_know_code: 2\n",
            "scales.janej.dont_know_code",
            "forventede en heltalskode uden for skalaen 1-2",
        ),
        (
            "    type: yesno\n",
            "    type: yesno\n    positive: [3]\n",
            "scales.janej.positive",
            "forventede en liste af de koder 1–2, der tæller som positive",
        ),
        (
            "when_answer: [0, 1, 2, 3, 4, 5, 6]",
            "when_answer: [11]",
            "when_answer",
            "forventede en liste af svarkoder for 'anbefale'",
        ),
    ],
)
def test_a_wrong_scale_is_reported_with_its_field(old: str, new: str, field: str, expected: str) -> None:
    assert old in SCALES
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(SCALES.replace(old, new, 1), "skalaer.yaml")
    messages = [str(problem) for problem in caught.value.problems]
    assert any(f"felt '{field}'" in m and expected in m for m in messages), messages


def test_the_questionnaire_renders_a_zero_to_ten_scale_with_99_as_dont_know() -> None:
    from borgerblik.web.rendering import environment

    instrument = parse_instrument(SCALES)
    macros = environment().get_template("questions.html").make_module({"t": lambda key: key})
    html = str(macros.question(instrument.question("anbefale"), {"anbefale": 9}, "da", "present", {}, 500))
    assert html.count('type="radio"') == 12
    assert 'class="option dont-know" for="svar-anbefale-99"' in html
    assert 'class="option" for="svar-anbefale-9"' in html
    assert 'id="svar-anbefale-9" name="anbefale"\n           value="9" checked' in html
    assert "0 – Slet ikke sandsynligt" in html
