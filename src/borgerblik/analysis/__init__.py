"""Analysis: breakdowns, municipality benchmark, significance, trends, key drivers, small-group suppression.

All functions work on tables (polars) of answers, never on the database.
"""

from borgerblik.analysis.answers import AnalysisInputError, scale_matrix, scale_values
from borgerblik.analysis.benchmark import benchmark_statements, municipality_benchmark
from borgerblik.analysis.breakdowns import breakdowns, published_breakdowns
from borgerblik.analysis.differences import largest_differences
from borgerblik.analysis.drivers import DriverError, DriverResult, relative_weights, relative_weights_by_group
from borgerblik.analysis.frame import prepare_analysis_frame
from borgerblik.analysis.quadrants import classify_quadrants
from borgerblik.analysis.significance import (
    compare_groups,
    correlation_with,
    significance_flag,
    subgroups_vs_rest,
    wave_change,
)
from borgerblik.analysis.suppression import hidden_rows, suppress_small_groups
from borgerblik.analysis.survey import TABLE_DESCRIPTIONS, AnalysisOptions, analyze_survey, write_tables
from borgerblik.analysis.trends import proportion_changes, trend_from_responses, with_average_row

__all__ = [
    "TABLE_DESCRIPTIONS",
    "AnalysisInputError",
    "AnalysisOptions",
    "DriverError",
    "DriverResult",
    "analyze_survey",
    "benchmark_statements",
    "breakdowns",
    "classify_quadrants",
    "compare_groups",
    "correlation_with",
    "hidden_rows",
    "largest_differences",
    "municipality_benchmark",
    "prepare_analysis_frame",
    "proportion_changes",
    "published_breakdowns",
    "relative_weights",
    "relative_weights_by_group",
    "scale_matrix",
    "scale_values",
    "significance_flag",
    "subgroups_vs_rest",
    "suppress_small_groups",
    "trend_from_responses",
    "wave_change",
    "with_average_row",
    "write_tables",
]
