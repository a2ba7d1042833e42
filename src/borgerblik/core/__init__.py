"""The survey instrument model: questionnaires as validated YAML, routing, tense and grouping schemes.

Every stage that asks or analyses questions starts here: ``load_template("kl-2024")`` gives the
instrument, ``scale_items()`` the closed items, ``visible_questions(context, answers)`` the routing.
"""

from borgerblik.core.dump import dump_instrument, instrument_to_data
from borgerblik.core.errors import BorgerblikError, GroupingError, InstrumentError, Problem, phrase
from borgerblik.core.groupings import Group, GroupingScheme, lab_group, load_groupings
from borgerblik.core.loader import (
    FORMAT,
    check_instrument,
    load_instrument,
    load_template,
    parse_instrument,
    template_names,
)
from borgerblik.core.model import (
    DONT_KNOW,
    NO,
    YES,
    BackgroundField,
    BackgroundKind,
    Instrument,
    Kind,
    Language,
    Option,
    Question,
    Scale,
    ScaleKind,
    TenseRule,
    Theme,
)
from borgerblik.core.routing import (
    REGISTER_FIELDS,
    AllOf,
    AnswerIn,
    AnyOf,
    Condition,
    GroupIn,
    Not,
    RegisterIn,
)
from borgerblik.core.texts import LocalText, Tense, is_language_code, text_direction

__all__ = [
    "DONT_KNOW",
    "FORMAT",
    "NO",
    "REGISTER_FIELDS",
    "YES",
    "AllOf",
    "AnswerIn",
    "AnyOf",
    "BackgroundField",
    "BackgroundKind",
    "BorgerblikError",
    "Condition",
    "Group",
    "GroupIn",
    "GroupingError",
    "GroupingScheme",
    "Instrument",
    "InstrumentError",
    "Kind",
    "Language",
    "LocalText",
    "Not",
    "Option",
    "Problem",
    "Question",
    "RegisterIn",
    "Scale",
    "ScaleKind",
    "Tense",
    "TenseRule",
    "Theme",
    "check_instrument",
    "dump_instrument",
    "instrument_to_data",
    "is_language_code",
    "lab_group",
    "load_groupings",
    "load_instrument",
    "load_template",
    "parse_instrument",
    "phrase",
    "template_names",
    "text_direction",
]
