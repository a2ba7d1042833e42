"""Writing an instrument back to YAML, in the canonical form the loader reads.

A survey stored in the database keeps its instrument as this text, so load → dump → load must give
an equal instrument; the round trip is tested for every shipped template.
"""

from __future__ import annotations

import yaml

from borgerblik.core.loader import FORMAT
from borgerblik.core.model import (
    DEFAULT_DONT_KNOW_CODE,
    DEFAULT_POSITIVE,
    YES_NO_LABELS,
    BackgroundField,
    Instrument,
    Kind,
    Option,
    Question,
    Scale,
    ScaleKind,
    Theme,
)
from borgerblik.core.routing import AnswerIn


def dump_instrument(instrument: Instrument) -> str:
    """The instrument as YAML text (UTF-8, æøå and Arabic kept as written)."""
    return yaml.safe_dump(instrument_to_data(instrument), allow_unicode=True, sort_keys=False, width=110)


def instrument_to_data(instrument: Instrument) -> dict[str, object]:
    data: dict[str, object] = {"format": FORMAT, "id": instrument.id, "title": instrument.title.to_data()}
    if instrument.description is not None:
        data["description"] = instrument.description
    if instrument.source is not None:
        data["source"] = instrument.source
    data["languages"] = {language.code: language.name for language in instrument.languages}
    if instrument.grouping is not None:
        data["grouping"] = instrument.grouping
    data["scales"] = {name: _scale(scale) for name, scale in instrument.scales.items()}
    if instrument.texts:
        data["texts"] = {key: text.to_data() for key, text in instrument.texts.items()}
    data["themes"] = [_theme(theme) for theme in instrument.themes]
    if instrument.local_questions:
        data["local_questions"] = {
            kommune: [_question(q) for q in questions]
            for kommune, questions in instrument.local_questions.items()
        }
    if instrument.tense_rule is not None:
        data["tense"] = {
            "question": instrument.tense_rule.question,
            "past": list(instrument.tense_rule.past_codes),
        }
    data["overall"] = instrument.overall
    if instrument.background:
        data["background"] = [_background(field) for field in instrument.background]
    return data


def _scale(scale: Scale) -> dict[str, object]:
    data: dict[str, object] = {}
    if scale.kind is not ScaleKind.LIKERT_5:
        data["type"] = str(scale.kind)
    if scale.kind is not ScaleKind.YESNO or scale.labels != YES_NO_LABELS:
        data["labels"] = {code: scale.labels[code].to_data() for code in sorted(scale.labels, reverse=True)}
    if scale.dont_know is not None:
        data["dont_know"] = scale.dont_know.to_data()
    if scale.dont_know_code != DEFAULT_DONT_KNOW_CODE[scale.kind]:
        data["dont_know_code"] = scale.dont_know_code
    if scale.descending != (scale.kind is ScaleKind.LIKERT_5):
        data["order"] = "descending" if scale.descending else "ascending"
    if scale.source is not None:
        data["source"] = scale.source
    if scale.positive != DEFAULT_POSITIVE[scale.kind]:
        data["positive"] = list(scale.positive)
    return data


def _theme(theme: Theme) -> dict[str, object]:
    data: dict[str, object] = {"id": theme.id, "title": theme.title.to_data()}
    if theme.intro is not None:
        data["intro"] = theme.intro.to_data()
    if theme.local:
        data["local"] = True
    data["questions"] = [_question(question) for question in theme.questions]
    return data


def _question(question: Question) -> dict[str, object]:
    data: dict[str, object] = {
        "id": question.id,
        "kind": str(question.kind),
        "text": question.wording.to_data(),
    }
    if question.label is not None:
        data["label"] = question.label.to_data()
    if question.note is not None:
        data["note"] = question.note.to_data()
    if question.scale is not None and question.kind in (Kind.SCALE, Kind.MATRIX):
        data["scale"] = question.scale.name
    if question.options:
        data["options"] = [_option(option) for option in question.options]
    if question.items:
        data["items"] = [_item(item) for item in question.items]
    if question.when is not None:
        data["when"] = question.when.to_data()
    if question.follow_ups:
        data["follow_ups"] = [_follow_up(follow_up) for follow_up in question.follow_ups]
    if question.source is not None:
        data["source"] = question.source
    return data


def _option(option: Option) -> dict[str, object]:
    return {"code": option.code, "text": option.text.to_data()}


def _item(item: Question) -> dict[str, object]:
    data: dict[str, object] = {"id": item.id, "text": item.wording.to_data()}
    if item.label is not None:
        data["label"] = item.label.to_data()
    if item.source is not None:
        data["source"] = item.source
    return data


def _follow_up(follow_up: Question) -> dict[str, object]:
    codes = list(follow_up.when.codes) if isinstance(follow_up.when, AnswerIn) else []
    data: dict[str, object] = {"id": follow_up.id, "when_answer": codes, "text": follow_up.wording.to_data()}
    if follow_up.source is not None:
        data["source"] = follow_up.source
    return data


def _background(field: BackgroundField) -> dict[str, object]:
    data: dict[str, object] = {"id": field.id, "kind": str(field.kind), "text": field.wording.to_data()}
    if field.options:
        data["options"] = [_option(option) for option in field.options]
    for key, value in (
        ("min", field.minimum),
        ("max", field.maximum),
        ("unit", field.unit),
        ("source", field.source),
    ):
        if value is not None:
            data[key] = value
    return data
