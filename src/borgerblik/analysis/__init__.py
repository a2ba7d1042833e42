"""Analysis: breakdowns, municipality benchmark, significance, trends, key drivers, small-group suppression.

All functions work on tables (polars) of answers, never on the database.
"""

from borgerblik.analysis.answers import AnalysisInputError, scale_matrix, scale_values
from borgerblik.analysis.differences import largest_differences
from borgerblik.analysis.drivers import DriverError, DriverResult, relative_weights
from borgerblik.analysis.quadrants import classify_quadrants
from borgerblik.analysis.significance import (
    compare_groups,
    correlation_with,
    significance_flag,
    subgroups_vs_rest,
    wave_change,
)
from borgerblik.analysis.trends import proportion_changes, trend_from_responses, with_average_row

__all__ = [
    "AnalysisInputError",
    "DriverError",
    "DriverResult",
    "classify_quadrants",
    "compare_groups",
    "correlation_with",
    "largest_differences",
    "proportion_changes",
    "relative_weights",
    "scale_matrix",
    "scale_values",
    "significance_flag",
    "subgroups_vs_rest",
    "trend_from_responses",
    "wave_change",
    "with_average_row",
]
