"""Instruments as XLSForms (the ODK/KoboToolbox standard) and XLSForms as instruments.

Out: a ``survey`` sheet (a group per theme, a row per question, ``label::Dansk (da)`` per language,
``relevant`` from the routing), a ``choices`` sheet (one list per scale, yes/no and each question's own
options) and a ``settings`` sheet. The instrument's free texts are ``note`` rows: the welcome (and the other
texts, such as anonymity) before the first theme, the thanks after the last. A municipality's local
questions sit in the local theme, each made relevant to the preloaded ``kommune`` field (and its own routing)
and marked ``bb_local_for``, so the form asks them only there and imports them back as local questions.
A 0–10 or yes/no scale is a choice list whose first row says its type (``bb_scale_type``), positive codes
(``bb_positive``) and "ved ikke" code (``bb_dont_know``). Routing on register data (target group,
municipality, ...) reads *preloaded* fields: a ``hidden`` row per field, filled when the form is opened
(Enketo's ``?d[/data/maalgruppe_kl2024]=...``, or an ODK entity). What XLSForm has no column for (the
past-tense wording, the short report label, the kind of question, the overall question, the grouping, the
tense rule) travels in ``bb_*`` columns, which pyxform and the ODK tools ignore, so an exported form imports
back to an equal instrument.

In: any XLSForm pyxform reads (so its aliases — ``select one from``, ``list name``, ``label:english`` — too):
select_one/select_multiple/text questions in groups, their choice lists, ``relevant`` and the languages.
A choice list of exactly the codes 1–5 (plus 9) is a scale. What cannot be mapped is an
:class:`XlsformError` naming the sheet, the question and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
import yaml
from babel import Locale
from pyxform.errors import PyXFormError
from pyxform.xls2json import parse_file_to_json

from borgerblik.core.dump import instrument_to_data
from borgerblik.core.errors import BorgerblikError, InstrumentError
from borgerblik.core.loader import FORMAT, parse_instrument
from borgerblik.core.model import (
    DEFAULT_DONT_KNOW_CODE,
    DEFAULT_POSITIVE,
    DONT_KNOW,
    YES_NO_LABELS,
    Instrument,
    Kind,
    Question,
    ScaleKind,
)
from borgerblik.core.routing import AllOf, AnswerIn, AnyOf, Condition, GroupIn, Not, RegisterIn
from borgerblik.core.texts import BASE_LANGUAGE, LocalText
from borgerblik.interop.xlsform_relevant import (
    ExpressionError,
    Fields,
    from_relevant,
    group_field,
    to_relevant,
)

YES_NO_LIST = "ja_nej"
_TYPES = {Kind.SCALE: "select_one", Kind.YESNO: "select_one", Kind.SINGLE: "select_one",
          Kind.MULTI: "select_multiple", Kind.OPEN: "text"}
#: XLSForm rows that hold no answer (metadata, notes, calculations): left out of an imported instrument
_NOT_QUESTIONS = frozenset({"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
                            "username", "email", "audit", "note", "calculate", "hidden", "start-geopoint"})
_THEME_START = "borgerblik: theme"
_TEXT_KIND = "text:"
#: the free texts shown before the questions; the others (thanks) come after them
_OPENING_TEXTS = ("welcome", "anonymity")
_LOCAL_FOR = "bb_local_for"
_MUNICIPALITY_FIELD = "kommune"
_LANGUAGE_CODE = re.compile(r"\((?P<code>[a-z]{2,3})\)\s*$")


class XlsformError(BorgerblikError, ValueError):
    """An XLSForm that cannot become an instrument; ``problems`` are located one per line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "\n".join(problems))
        self.problems = problems


# --- out ---------------------------------------------------------------------------------------------------


def export_xlsform(instrument: Instrument, path: Path) -> Path:
    """Write ``instrument`` as an XLSForm workbook at ``path``."""
    languages = [(language.code, f"{language.name} ({language.code})") for language in instrument.languages]
    names = [name for _, name in languages]
    columns = ["type", "name", *[f"label::{n}" for n in names], *[f"hint::{n}" for n in names], "relevant",
               "appearance", "bb_kind", "bb_local", _LOCAL_FOR, *[f"bb_past::{n}" for n in names],
               *[f"bb_label::{n}" for n in names]]
    multiple = {q.id for q in _every_question(instrument) if q.kind is Kind.MULTI}
    survey: list[dict[str, str]] = []

    def row(type_: str, name: str, **cells: str) -> None:
        survey.append({"type": type_, "name": name, **cells})

    def texts(prefix: str, text: LocalText | None, past: bool = False) -> dict[str, str]:
        if text is None:
            return {}
        chosen = text.past if past else text.present
        return {f"{prefix}::{name}": chosen[code] for code, name in languages if code in chosen}

    def relevant(condition: Condition | None) -> dict[str, str]:
        return {} if condition is None else {"relevant": to_relevant(condition, multiple.__contains__)}

    def question_rows(question: Question, kommune: str | None = None) -> None:
        when = question.when
        local: dict[str, str] = {}
        if kommune is not None:  # asked only in its municipality: the preloaded field says where
            place = RegisterIn(_MUNICIPALITY_FIELD, (kommune,))
            when = place if when is None else AllOf((place, when))
            local = {_LOCAL_FOR: kommune}
        cells = {**texts("label", question.wording), **texts("bb_past", question.wording, past=True),
                 **texts("bb_label", question.label), **texts("hint", question.note),
                 **relevant(when), "bb_kind": str(question.kind), **local}
        if question.kind is Kind.MATRIX:
            row("begin_group", question.id, appearance="field-list", **cells)
            for item in question.items:
                row(f"select_one {question.scale.name}", item.id, bb_kind="item",  # type: ignore[union-attr]
                    **texts("label", item.wording), **texts("bb_label", item.label))
            row("end_group", "")
            return
        row(f"{_TYPES[question.kind]} {_list_name(question)}".strip(), question.id, **cells)
        for follow_up in question.follow_ups:
            row("text", follow_up.id, **texts("label", follow_up.wording), **relevant(follow_up.when),
                bb_kind="follow_up")

    def text_row(key: str) -> None:
        row("note", f"tekst_{key}", **texts("label", instrument.texts[key]), bb_kind=f"{_TEXT_KIND}{key}")

    for preloaded in _preloaded_fields(instrument):
        row("hidden", preloaded, **{f"label::{languages[0][1]}": f"Forudfyldt fra registeret: {preloaded}"},
            bb_kind="preloaded")
    opening = [key for key in _OPENING_TEXTS if key in instrument.texts]
    for key in [*opening, *(k for k in instrument.texts if k not in opening and k != "thanks")]:
        text_row(key)
    for theme in instrument.themes:
        local = {"bb_local": "ja"} if theme.local else {}
        row("begin_group", theme.id, **texts("label", theme.title), **texts("hint", theme.intro),
            bb_kind="theme", **local)
        for question in theme.questions:
            question_rows(question)
        if theme.local:
            for kommune, questions in instrument.local_questions.items():
                for question in questions:
                    question_rows(question, kommune)
        row("end_group", "")
    if "thanks" in instrument.texts:
        text_row("thanks")
    choices = list(_choice_rows(instrument, languages))
    settings = {"form_title": instrument.title.get(), "form_id": instrument.id, "version": "1",
                "default_language": languages[0][1], "bb_overall": instrument.overall_question,
                **{f"bb_title::{name}": instrument.title.present[code] for code, name in languages
                   if code in instrument.title.present}}
    if instrument.grouping:
        settings["bb_grouping"] = instrument.grouping
    if instrument.tense_rule is not None:
        past = ",".join(str(code) for code in instrument.tense_rule.past_codes)
        settings["bb_tense"] = f"{instrument.tense_rule.question}:{past}"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    try:
        _sheet(workbook, "survey", columns, survey)
        _sheet(workbook, "choices", ["list_name", "name", *[f"label::{n}" for n in names], "bb_scale_type",
                                     "bb_positive", "bb_dont_know"], choices)
        _sheet(workbook, "settings", list(settings), [settings])
    finally:
        workbook.close()
    return path


def _sheet(workbook: Any, name: str, columns: list[str], rows: Iterable[Mapping[str, str]]) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.write_row(0, 0, columns)
    for number, values in enumerate(rows, 1):
        sheet.write_row(number, 0, [values.get(column, "") for column in columns])


def _list_name(question: Question) -> str:
    if question.kind is Kind.SCALE:
        return question.scale.name  # type: ignore[union-attr]
    if question.kind is Kind.YESNO:
        return YES_NO_LIST
    return f"valg_{question.id}" if question.options else ""


def _choice_rows(instrument: Instrument, languages: list[tuple[str, str]]) -> Iterable[dict[str, str]]:
    for scale in instrument.scales.values():
        declared: dict[str, str] = {}
        if scale.kind is not ScaleKind.LIKERT_5 or scale.positive != DEFAULT_POSITIVE[scale.kind]:
            declared = {"bb_scale_type": str(scale.kind), "bb_positive": ",".join(map(str, scale.positive)),
                        "bb_dont_know": str(scale.dont_know_code)}
        for number, (code, _) in enumerate(scale.options()):
            yield {"list_name": scale.name, "name": str(code),
                   **{f"label::{name}": label for lang, name in languages
                      for c, label in scale.options(lang) if c == code},
                   **(declared if number == 0 else {})}
    yes_no = next((q for q in _every_question(instrument) if q.kind is Kind.YESNO), None)
    if yes_no is not None:
        for code, _ in yes_no.choices():
            yield {"list_name": YES_NO_LIST, "name": str(code),
                   **{f"label::{name}": dict(yes_no.choices(lang))[code] for _lang, name in languages
                      for lang in [_lang]}}
    for question in _every_question(instrument):
        for option in question.options:
            yield {"list_name": f"valg_{question.id}", "name": str(option.code),
                   **{f"label::{name}": option.text.present[lang] for lang, name in languages
                      if lang in option.text.present}}


def _every_question(instrument: Instrument) -> list[Question]:
    """The common questions in order, then every municipality's local ones."""
    local = [q for questions in instrument.local_questions.values() for q in questions]
    return [*instrument.questions(), *local]


def _preloaded_fields(instrument: Instrument) -> list[str]:
    found: dict[str, None] = {}

    def walk(condition: Condition | None) -> None:
        match condition:
            case GroupIn(scheme=scheme):
                found[group_field(scheme)] = None
            case RegisterIn(field=name):
                found[name] = None
            case AllOf(conditions=parts) | AnyOf(conditions=parts):
                for part in parts:
                    walk(part)
            case Not(condition=inner):
                walk(inner)

    for question in instrument.questions():
        walk(question.when)
    for questions in instrument.local_questions.values():
        found[_MUNICIPALITY_FIELD] = None
        for question in questions:
            walk(question.when)
    return list(found)


# --- in ----------------------------------------------------------------------------------------------------


@dataclass
class _Reading:
    source: str
    languages: dict[str, str] = field(default_factory=dict)  # XLSForm language name → code
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def import_xlsform(path: Path) -> tuple[Instrument, list[str]]:
    """The instrument an XLSForm describes, and warnings (rows left out, a missing Danish text)."""
    source = str(path)
    try:
        form = parse_file_to_json(str(path))
    except PyXFormError as exc:
        raise XlsformError(source, [f"pyxform: {exc}"]) from None
    reading = _Reading(source)
    data = _instrument_data(form, reading)
    if reading.problems:
        raise XlsformError(source, reading.problems)
    try:
        instrument = parse_instrument(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), source)
    except InstrumentError as exc:
        raise XlsformError(source, [str(exc)]) from None
    return instrument, reading.warnings


def _instrument_data(form: dict[str, Any], reading: _Reading) -> dict[str, Any]:
    default = str(form.get("default_language") or "default")
    questions_in = _flatten(form.get("children", []))
    for child, _ in questions_in:
        for key in ("label", "hint", "bb_past", "bb_label"):
            _register_languages(child.get(key), reading, default)
    _register_languages(form.get("bb_title"), reading, default)
    for items in (form.get("choices") or {}).values():
        for choice in items:
            _register_languages(choice.get("label"), reading, default)
    if BASE_LANGUAGE not in reading.languages.values() and reading.languages:
        first = next(iter(reading.languages))
        reading.warnings.append(f"formularen har ingen dansk tekst: teksterne på '{first}' bruges som dansk")
        reading.languages[first] = BASE_LANGUAGE
    code_of = {name: code for name, code in reading.languages.items()}
    scales: dict[str, dict[str, Any]] = {}
    choice_codes: dict[str, dict[str, int]] = {}
    for list_name, items in (form.get("choices") or {}).items():
        choice_codes[list_name] = _codes(items)
        scale = _as_scale(items, code_of, default)
        if scale is not None:
            scales[list_name] = scale
    themes: list[dict[str, Any]] = []
    answer_codes: dict[str, dict[str, int]] = {}
    preloaded = frozenset(c["name"] for c, _ in questions_in if c.get("type") in ("hidden", "calculate"))
    loose: list[dict[str, Any]] = []
    texts: dict[str, dict[str, str]] = {}
    local_questions: dict[str, list[dict[str, Any]]] = {}
    last_question: dict[str, Any] | None = None
    for child, group in questions_in:
        kind_hint = child.get("bb_kind")
        type_ = str(child.get("type", ""))
        where = f"survey-arket, '{child.get('name')}' ({type_})"
        if type_ == "note" and str(kind_hint or "").startswith(_TEXT_KIND):
            texts[str(kind_hint)[len(_TEXT_KIND):]] = _text(child.get("label"), code_of, default)
            continue
        if type_ == _THEME_START:
            _theme(themes, group, code_of, default)  # type: ignore[arg-type]
            continue
        if type_ in _NOT_QUESTIONS or (type_ == "group" and child.get("name") == "meta"):
            if type_ not in ("hidden", "calculate", "start", "end", "today", "deviceid") and type_ != "group":
                reading.warnings.append(f"{where}: er ikke et spørgsmål og er udeladt")
            continue
        if type_ == "group":
            if kind_hint == "matrix" or _looks_like_matrix(child, scales):
                first_item = child.get("children", [])[0]
                question = _question(child, "matrix", code_of, default, reading, where,
                                     first_item.get("list_name"), scales)
                question["items"] = [{"id": item["name"], "text": _text(item.get("label"), code_of, default),
                                      **_optional("label", _text(item.get("bb_label"), code_of, default))}
                                     for item in child.get("children", [])]
                for item in child.get("children", []):
                    answer_codes[item["name"]] = choice_codes.get(item.get("list_name", ""), {})
                _append(themes, loose, group, question, code_of, default)
                last_question = question
            continue
        list_name = child.get("list_name")
        if type_ == "select one":
            kind = kind_hint if kind_hint in ("scale", "yesno", "single") else (
                "scale" if list_name in scales else "single")
        elif type_ == "select all that apply":
            kind = "multi"
        elif type_ == "text":
            kind = "follow_up" if kind_hint == "follow_up" else "open"
        else:
            reading.problems.append(f"{where}: typen kan ikke bruges i et instrument (kun select_one, "
                                    "select_multiple, text, grupper)")
            continue
        relevant = (child.get("bind") or {}).get("relevant")
        condition = None
        if relevant:
            try:
                condition = from_relevant(str(relevant), Fields(answer_codes, preloaded))
            except ExpressionError as exc:
                reading.problems.append(f"{where}, kolonne relevant: {exc}")
                continue
        local_for = str(child.get(_LOCAL_FOR) or "").strip() or None
        if local_for is not None:
            condition = _without_place(condition, local_for, where, reading)
        if kind == "follow_up" and last_question is not None and isinstance(condition, AnswerIn) \
                and condition.question == last_question["id"]:
            last_question.setdefault("follow_ups", []).append(
                {"id": child["name"], "when_answer": list(condition.codes),
                 "text": _text(child.get("label"), code_of, default)})
            continue
        question = _question(child, "open" if kind == "follow_up" else kind, code_of, default, reading, where,
                             list_name, scales)
        if condition is not None:
            question["when"] = condition.to_data()
        if kind in ("single", "multi"):
            question["options"] = [{"code": choice_codes[list_name][item["name"]],
                                    "text": _text(item.get("label"), code_of, default)}
                                   for item in (form.get("choices") or {}).get(list_name, [])]
        answer_codes[child["name"]] = choice_codes.get(list_name or "", {})
        if local_for is not None:
            local_questions.setdefault(local_for, []).append(question)
        else:
            _append(themes, loose, group, question, code_of, default)
        last_question = question
    if loose:
        themes.insert(0, {"id": "spoergsmaal", "title": {BASE_LANGUAGE: "Spørgsmål"}, "questions": loose})
    closed = [(q["id"], q["kind"]) for t in themes for q in t["questions"] if q["kind"] != "open"]
    scale_questions = [q for q, kind in closed if kind == "scale"]
    overall = form.get("bb_overall") or (scale_questions or [None])[-1]
    if overall is None and closed:
        overall = closed[-1][0]
        reading.warnings.append(f"ingen skala med koderne 1-5: '{overall}' er sat som samlet spørgsmål")
    if overall is None:
        reading.problems.append("formularen har intet lukket spørgsmål (select_one) til samlet tilfredshed")
    title = _text(form.get("bb_title"), code_of, default) or {BASE_LANGUAGE: str(form.get("title") or "")}
    data: dict[str, Any] = {
        "format": FORMAT,
        "id": str(form.get("id_string") or form.get("name")),
        "title": title,
        "languages": {code: _language_name(name, code) for name, code in reading.languages.items()},
    }
    if form.get("bb_grouping"):
        data["grouping"] = form["bb_grouping"]
    asked = [q for t in themes for q in t["questions"]] + [q for qs in local_questions.values() for q in qs]
    data["scales"] = {
        name: scale for name, scale in scales.items() if any(q.get("scale") == name for q in asked)
    }
    if texts:
        data["texts"] = texts
    data["themes"] = themes
    if local_questions:
        data["local_questions"] = local_questions
    if form.get("bb_tense"):
        question, _, codes = str(form["bb_tense"]).partition(":")
        data["tense"] = {"question": question, "past": [int(c) for c in codes.split(",") if c]}
    data["overall"] = overall
    return data


def _flatten(children: list[dict[str, Any]], group: dict[str, Any] | None = None
             ) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(row, its theme group) in order; a theme group's children come after it, a matrix stays whole."""
    rows: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for child in children:
        if child.get("type") == "group" and child.get("name") != "meta" and child.get("bb_kind") != "matrix" \
                and child.get("control", {}).get("appearance") != "field-list":
            rows.append(({"type": _THEME_START, "name": child.get("name")}, child))
            rows.extend(_flatten(child.get("children", []), child))
        else:
            rows.append((child, group))
    return rows


def _looks_like_matrix(group: dict[str, Any], scales: Mapping[str, Any]) -> bool:
    items = group.get("children", [])
    lists = {item.get("list_name") for item in items}
    return bool(items) and all(i.get("type") == "select one" for i in items) and len(lists) == 1 \
        and next(iter(lists)) in scales


def _append(themes: list[dict[str, Any]], loose: list[dict[str, Any]], group: dict[str, Any] | None,
            question: dict[str, Any], code_of: Mapping[str, str], default: str) -> None:
    if group is None:
        loose.append(question)
        return
    _theme(themes, group, code_of, default)
    themes[-1]["questions"].append(question)


def _theme(themes: list[dict[str, Any]], group: dict[str, Any], code_of: Mapping[str, str], default: str
           ) -> None:
    """Start the theme of ``group`` unless it is the current one (an empty theme, too: KL's local page)."""
    if themes and themes[-1]["id"] == group["name"]:
        return
    theme: dict[str, Any] = {"id": group["name"], "title": _text(group.get("label"), code_of, default)
                             or {BASE_LANGUAGE: group["name"]}}
    theme.update(_optional("intro", _text(group.get("hint"), code_of, default)))
    if str(group.get("bb_local", "")).strip().lower() in ("ja", "yes", "true", "1"):
        theme["local"] = True
    theme["questions"] = []
    themes.append(theme)


def _question(child: dict[str, Any], kind: str, code_of: Mapping[str, str], default: str, reading: _Reading,
              where: str, list_name: str | None, scales: Mapping[str, Any]) -> dict[str, Any]:
    text = _text(child.get("label"), code_of, default)
    if not text:
        reading.problems.append(f"{where}: har ingen spørgsmålstekst (label)")
    past = _text(child.get("bb_past"), code_of, default)
    wording: dict[str, Any] = {lang: {"present": t, "past": past[lang]} if lang in past else t
                               for lang, t in text.items()}
    question: dict[str, Any] = {"id": child["name"], "kind": kind, "text": wording}
    question.update(_optional("label", _text(child.get("bb_label"), code_of, default)))
    question.update(_optional("note", _text(child.get("hint"), code_of, default)))
    if kind in ("scale", "matrix"):
        if list_name not in scales:
            reading.problems.append(f"{where}: listen '{list_name}' er ikke en skala (koderne 1-5, evt. 9)")
        question["scale"] = list_name
    return question


def _optional(key: str, value: dict[str, str]) -> dict[str, Any]:
    return {key: value} if value else {}


def _codes(items: list[dict[str, Any]]) -> dict[str, int]:
    """Choice name → code: the names themselves where all are whole numbers, else 1, 2, … in order."""
    names = [str(item["name"]) for item in items]
    if all(name.isdigit() for name in names):
        return {name: int(name) for name in names}
    return {name: number for number, name in enumerate(names, 1)}


def _without_place(
    condition: Condition | None, kommune: str, where: str, reading: _Reading
) -> Condition | None:
    """A local question's own routing: its relevance without the municipality the export put in front."""
    place = RegisterIn(_MUNICIPALITY_FIELD, (kommune,))
    if condition == place:
        return None
    if isinstance(condition, AllOf) and condition.conditions[:1] == (place,):
        rest = condition.conditions[1:]
        return rest[0] if len(rest) == 1 else AllOf(rest)
    reading.problems.append(
        f"{where}, kolonne relevant: et lokalt spørgsmål for {kommune} skal begynde med "
        f"${{{_MUNICIPALITY_FIELD}}} = '{kommune}'"
    )
    return condition


def _as_scale(items: list[dict[str, Any]], code_of: Mapping[str, str], default: str) -> dict[str, Any] | None:
    """A choice list as a scale: declared by ``bb_scale_type`` (0-10, yesno, 1-5), or exactly the codes
    1–5 (plus 9), or 0–10 (plus 99)."""
    codes = [str(item["name"]) for item in items]
    if len(codes) != len(set(codes)) or not all(code.isdigit() for code in codes):
        return None
    declared = str((items[0].get("bb_scale_type") if items else "") or "").strip()
    numbers = [int(code) for code in codes]
    if declared:
        if declared not in set(ScaleKind):
            return None
        kind = ScaleKind(declared)
        dont_know_code = int(items[0].get("bb_dont_know") or DEFAULT_DONT_KNOW_CODE[kind])
    elif sorted(set(numbers) - {DONT_KNOW}) == [1, 2, 3, 4, 5]:
        kind, dont_know_code = ScaleKind.LIKERT_5, DONT_KNOW
    elif sorted(set(numbers) - {99}) == list(range(11)):
        kind, dont_know_code = ScaleKind.ZERO_TEN, 99
    else:
        return None
    labels = {int(item["name"]): _text(item.get("label"), code_of, default) for item in items}
    points = [n for n in numbers if n != dont_know_code]
    scale: dict[str, Any] = {} if kind is ScaleKind.LIKERT_5 else {"type": str(kind)}
    if kind is ScaleKind.ZERO_TEN:  # the citizen reads "10 – Meget sandsynligt"; the label is after the dash
        prefix = re.compile(r"^\d+ – ")
        scale["labels"] = {
            code: {lang: prefix.sub("", text) for lang, text in labels[code].items()}
            for code in sorted(points, reverse=True)
            if any(text != str(code) for text in labels[code].values())
        }
    elif kind is not ScaleKind.YESNO or any(
        text != YES_NO_LABELS[code].present.get(lang)
        for code in points
        for lang, text in labels[code].items()
    ):  # a yes/no list saying Ja/Nej is the default labels
        scale["labels"] = {code: labels[code] for code in sorted(points, reverse=True)}
    if dont_know_code in labels:
        scale["dont_know"] = labels[dont_know_code]
        if dont_know_code != DEFAULT_DONT_KNOW_CODE[kind]:
            scale["dont_know_code"] = dont_know_code
    ascending = points.index(min(points)) < points.index(max(points))
    if ascending != (kind is not ScaleKind.LIKERT_5):
        scale["order"] = "ascending" if ascending else "descending"
    positive = str(items[0].get("bb_positive") or "").strip() if items else ""
    if positive:
        scale["positive"] = [int(code) for code in positive.split(",")]
    return scale


def _register_languages(value: object, reading: _Reading, default: str) -> None:
    names = value.keys() if isinstance(value, dict) else ([default] if value else [])
    for name in names:
        if name not in reading.languages:
            reading.languages[name] = _language_code(name, reading)


def _language_code(name: str, reading: _Reading) -> str:
    match = _LANGUAGE_CODE.search(name)
    if match:
        return match["code"]
    wanted = name.strip().casefold()
    for code, english in Locale("en").languages.items():
        if english.casefold() == wanted and "_" not in code:
            return code
    for code in ("da", "en", "ar"):
        if Locale(code).get_display_name(code).casefold() == wanted:
            return code
    reading.problems.append(f"sproget '{name}' kan ikke genkendes; skriv det som Navn (kode), fx Dansk (da)")
    return name


def _language_name(name: str, code: str) -> str:
    match = _LANGUAGE_CODE.search(name)
    return name[: match.start()].strip() if match else Locale(code).get_display_name(code).capitalize()


def _text(value: object, code_of: Mapping[str, str], default: str) -> dict[str, str]:
    if not value:
        return {}
    if isinstance(value, dict):
        return {code_of[name]: str(text) for name, text in value.items() if name in code_of and text}
    return {code_of.get(default, BASE_LANGUAGE): str(value)}


def instrument_equivalence(instrument: Instrument) -> dict[str, Any]:
    """What an XLSForm round trip keeps: questions, choices, languages, routing, tense rule and overall."""
    data = instrument_to_data(instrument)
    for key in ("description", "source", "background"):
        data.pop(key, None)
    return _without_sources(data)


def _without_sources(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_sources(v) for k, v in value.items() if k != "source"}
    if isinstance(value, list):
        return [_without_sources(v) for v in value]
    return value
