"""Stratified sampling: allocation over strata, sample designs, the seeded draw and reachability."""

from borgerblik.sampling.allocation import AllocationError, allocate_fixed, allocate_proportional
from borgerblik.sampling.design import DesignError, SampleDesign, SizeRule, design_from_mapping, load_design
from borgerblik.sampling.draw import Sample, draw_sample
from borgerblik.sampling.reachability import reachability, reachability_totals
from borgerblik.sampling.survey_sample import AlreadySampledError, sample_survey, survey_channels

__all__ = [
    "AlreadySampledError",
    "AllocationError",
    "DesignError",
    "Sample",
    "SampleDesign",
    "SizeRule",
    "allocate_fixed",
    "allocate_proportional",
    "design_from_mapping",
    "draw_sample",
    "load_design",
    "reachability",
    "reachability_totals",
    "sample_survey",
    "survey_channels",
]
