"""Weighting, non-response analysis and design-based estimates that match R's survey package.

Post-stratification (KL: population count / complete answers per cell), raking, trimming, the weights
report, the estimate table with Taylor-linearised standard errors of the calibrated design, and the
sample-vs-respondents non-response tables.
"""

from borgerblik.weighting.collapse import CellCollapse, collapse_cells
from borgerblik.weighting.design import (
    DrawnStrata,
    PostStrata,
    Raking,
    SurveyDesign,
    Weighting,
    fixed_weights,
    poststratify,
    rake,
    stratified_design,
    trim_weights,
)
from borgerblik.weighting.errors import RakingError, WeightingInputError
from borgerblik.weighting.estimates import estimate
from borgerblik.weighting.fieldwork_summary import WeightedFieldwork, weigh_fieldwork
from borgerblik.weighting.nonresponse import mean_age, nonresponse_table, optout_ratio
from borgerblik.weighting.report import WeightsReport, weights_report
from borgerblik.weighting.tables import Table, read_csv

__all__ = [
    "CellCollapse",
    "DrawnStrata",
    "PostStrata",
    "Raking",
    "RakingError",
    "SurveyDesign",
    "Table",
    "WeightedFieldwork",
    "Weighting",
    "WeightsReport",
    "WeightingInputError",
    "collapse_cells",
    "estimate",
    "fixed_weights",
    "mean_age",
    "nonresponse_table",
    "optout_ratio",
    "poststratify",
    "rake",
    "read_csv",
    "stratified_design",
    "trim_weights",
    "weigh_fieldwork",
    "weights_report",
]
