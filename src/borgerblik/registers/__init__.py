"""Register import: reading and checking an extract, CPR parsing, and the population rules of a survey."""

from borgerblik.registers.columns import DEFAULT_ALIASES, FIELDS, MappingError, fold_header, load_mapping
from borgerblik.registers.cpr import (
    AGE_GROUPS,
    Cpr,
    CprError,
    age_at,
    age_group,
    century,
    mask_cpr,
    parse_cpr,
)
from borgerblik.registers.population import (
    Exclusion,
    Population,
    PopulationRules,
    PopulationRulesError,
    apply_population_rules,
    load_population_rules,
)
from borgerblik.registers.survey_import import SurveyImport, find_survey, import_register
from borgerblik.registers.tabular import RawTable, TableError, read_table
from borgerblik.registers.validation import REASONS, RegisterCheck, check_register, read_register

__all__ = [
    "AGE_GROUPS",
    "DEFAULT_ALIASES",
    "FIELDS",
    "REASONS",
    "Cpr",
    "CprError",
    "Exclusion",
    "MappingError",
    "Population",
    "PopulationRules",
    "PopulationRulesError",
    "RawTable",
    "RegisterCheck",
    "SurveyImport",
    "TableError",
    "age_at",
    "age_group",
    "apply_population_rules",
    "century",
    "check_register",
    "find_survey",
    "fold_header",
    "import_register",
    "load_mapping",
    "load_population_rules",
    "mask_cpr",
    "parse_cpr",
    "read_register",
    "read_table",
]
