"""Malformed instruments give errors naming file, line, question and field, with expected / got / hint.

Each case breaks the valid minimal instrument of conftest.py in one place.
"""

from __future__ import annotations

import pytest

from borgerblik.core import InstrumentError, load_instrument, parse_instrument

WHEN = "when: {group: {in: [dagpenge]}}"
TILLID_TEXT = 'text: {da: "Tillid?", en: "Trust?"}'

# (case, replace this, with this, fragments the message must contain)
CASES = [
    (
        "unknown kind",
        "id: tillid\n        kind: scale",
        "id: tillid\n        kind: slider",
        [
            "test.yaml, linje 21, spørgsmål 'tillid', felt 'kind'",
            "forventede en af scale, yesno, single, multi, open, matrix, fik 'slider'",
        ],
    ),
    (
        "duplicate question id",
        "      - id: samlet\n",
        "      - id: tillid\n",
        ["linje 25, spørgsmål 'tillid', felt 'id'", "fik 'tillid' igen (første gang linje 20)"],
    ),
    (
        "missing Danish text",
        TILLID_TEXT,
        'text: {en: "Trust?"}',
        ["linje 23, spørgsmål 'tillid', felt 'text.da'", "forventede en dansk tekst (da), fik kun en"],
    ),
    (
        "scale without 5 labels",
        ", 1: I meget lav grad}",
        "}",
        [
            "linje 8, felt 'scales.grad.labels'",
            "fik 4 labels (koder 5, 4, 3, 2)",
            "Tip: 5 er den mest positive",
        ],
    ),
    (
        "routing on an unknown question",
        WHEN,
        "when: {answer: {question: statsu, in: [1]}}",
        ["linje 24, spørgsmål 'tillid', felt 'when.answer.question'", "fik det ukendte spørgsmål 'statsu'"],
    ),
    (
        "routing on an unknown register field",
        WHEN,
        'when: {register: {field: cpr, in: ["010101-1234"]}}',
        ["felt 'when.register.field'", "fik 'cpr'", "CPR og kontaktdata kan aldrig bruges til routing"],
    ),
    (
        "follow-up on a non-scale question",
        "          - {code: 2, text: Nej}\n",
        "          - {code: 2, text: Nej}\n        follow_ups:\n"
        "          - {id: status_hvorfor, when_answer: [2], text: Hvorfor ikke}\n",
        [
            "spørgsmål 'status', felt 'follow_ups'",
            "ingen 'follow_ups' ved typen single",
            "hører kun til scale",
        ],
    ),
    (
        "follow-up on a code outside the scale",
        "when_answer: [1, 2]",
        "when_answer: [0, 2]",
        ["linje 30, spørgsmål 'samlet_lav', felt 'when_answer'", "(1, 2, 3, 4, 5, 9), fik [0, 2]"],
    ),
    (
        "overall question missing",
        "overall: samlet\n",
        "",
        ["felt 'overall'", "forventede id på spørgsmålet om samlet tilfredshed, fik ingenting"],
    ),
    (
        "overall question not a scale",
        "overall: samlet",
        "overall: status",
        ["linje 36, felt 'overall'", "fik 'status' af typen single"],
    ),
    (
        "matrix without items",
        "id: tillid\n        kind: scale",
        "id: tillid\n        kind: matrix",
        ["spørgsmål 'tillid', felt 'items'", "en matrix uden items har intet at spørge om"],
    ),
    (
        "unknown grouping scheme",
        WHEN,
        "when: {group: {scheme: aarhus, in: [dagpenge]}}",
        ["felt 'when.group.scheme'", "(kl2024, kbh, rodovre), fik 'aarhus'"],
    ),
    (
        "unknown group in the scheme",
        WHEN,
        "when: {group: {in: [dagpgenge]}}",
        [
            "felt 'when.group.in'",
            "grupper i 'kl2024' (dagpenge, sygedagpenge, job_udd_parate, aktivitetsparate, "
            "jobafklaring), fik 'dagpgenge'",
        ],
    ),
    (
        "forward routing reference",
        WHEN,
        "when: {answer: {question: samlet, in: [5]}}",
        [
            "linje 24, spørgsmål 'tillid', felt 'when.answer.question'",
            "fik 'samlet', som kommer senere (linje 25)",
        ],
    ),
    (
        "cyclic routing reference",
        WHEN,
        "when: {answer: {question: tillid, in: [5]}}",
        ["fik 'tillid' (spørgsmålet selv)", "cyklus"],
    ),
    (
        "invalid language code",
        "languages: {da: Dansk, en: English}",
        "languages: {da: Dansk, en: English, english: English}",
        ["linje 4, felt 'languages.english'", "fik sprogkoden 'english'"],
    ),
    (
        "text in an undeclared language",
        TILLID_TEXT,
        'text: {da: "Tillid?", ar: "ثقة؟"}',
        ["felt 'text.ar'", "forventede et sprog erklæret under 'languages' (da, en), fik 'ar'"],
    ),
    (
        "unknown scale",
        "        scale: grad\n        text: {da",
        "        scale: grd\n        text: {da",
        ["linje 22, spørgsmål 'tillid', felt 'scale'", "(grad), fik 'grd'"],
    ),
    (
        "misspelt key",
        "        text: Samlet?\n",
        "        txt: Samlet?\n",
        ["linje 28, spørgsmål 'samlet', felt 'txt'", "fik den ukendte nøgle 'txt'"],
    ),
    (
        "routing on an answer code the question does not have",
        WHEN,
        "when: {answer: {question: status, in: [3]}}",
        ["felt 'when.answer.in'", "forventede svarkoder for 'status' (1, 2), fik 3"],
    ),
    (
        "unquoted LAB code",
        WHEN,
        "when: {register: {field: maalgruppe, in: [6.1]}}",
        ["felt 'when.register.in'", "fik 6.1", 'skriv fx "6.1"'],
    ),
    (
        "YAML syntax error",
        TILLID_TEXT,
        'text: {da: "Tillid?", en: "Trust?"',
        ["test.yaml, linje 24, felt '(YAML)'", "forventede gyldig YAML", "fra linje 23"],
    ),
    (
        "duplicate YAML key",
        "        scale: grad\n        text: Samlet?",
        "        scale: grad\n        kind: open\n        text: Samlet?",
        ["linje 28, felt 'kind'", "fik 'kind' igen (første gang linje 26)"],
    ),
    (
        "tense rule on an unknown question",
        "tense: {question: status,",
        "tense: {question: staus,",
        ["linje 35, felt 'tense.question'", "fik 'staus'"],
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_malformed_instrument_gives_a_located_error(minimal_yaml, case, old, new, fragments):
    assert minimal_yaml.count(old) == 1, f"case '{case}' must change exactly one place"
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(minimal_yaml.replace(old, new), "test.yaml")
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message


def test_the_minimal_instrument_itself_is_valid(minimal_yaml):
    instrument = parse_instrument(minimal_yaml, "test.yaml")
    assert [q.id for q in instrument.questions()] == ["status", "tillid", "samlet", "samlet_lav"]


def test_all_problems_of_a_file_are_reported_at_once(minimal_yaml):
    broken = minimal_yaml.replace("kind: single", "kind: choice").replace(
        "en: English}", "en: English, xx1: X}"
    )
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(broken, "test.yaml")
    assert len(caught.value.problems) == 2
    assert str(caught.value).startswith("2 fejl i instrumentet:")
    first, second = caught.value.problems
    assert (first.line, first.question, first.field) == (4, None, "languages.xx1")
    assert (second.line, second.question, second.field, second.got) == (15, "status", "kind", "'choice'")


def test_a_problem_cascades_no_further_than_its_own_question(minimal_yaml):
    # the broken scale is reported once; questions using it and 'overall' stay quiet
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(minimal_yaml.replace(", 1: I meget lav grad}", "}"), "test.yaml")
    assert [p.field for p in caught.value.problems] == ["scales.grad.labels"]


def test_error_from_a_file_names_the_file(minimal_yaml, tmp_path):
    path = tmp_path / "min-kommune.yaml"
    path.write_text(minimal_yaml.replace("kind: single", "kind: choice"), encoding="utf-8")
    with pytest.raises(
        InstrumentError, match=r"min-kommune\.yaml, linje 15, spørgsmål 'status', felt 'kind'"
    ):
        load_instrument(path)


def test_empty_document_is_an_error():
    with pytest.raises(InstrumentError, match="felt '\\(dokument\\)'"):
        parse_instrument("", "tom.yaml")
