"""Synthetic national data calibrated to the KL 2024 seed: register extract and simulated fieldwork."""

from borgerblik.synth.extract import ExtractError, read_extract
from borgerblik.synth.fieldwork import Fieldwork, simulate_fieldwork
from borgerblik.synth.municipalities import MUNICIPALITIES, Municipality, municipality
from borgerblik.synth.outcomes import COMPLETE, NO_RESPONSE, OPTED_OUT, OUTCOMES, PARTIAL
from borgerblik.synth.register import INELIGIBLE_RULES, REGISTER_COLUMNS, generate_register
from borgerblik.synth.sample import proportional_sample, with_strata

__all__ = [
    "COMPLETE",
    "INELIGIBLE_RULES",
    "MUNICIPALITIES",
    "NO_RESPONSE",
    "OPTED_OUT",
    "OUTCOMES",
    "PARTIAL",
    "REGISTER_COLUMNS",
    "ExtractError",
    "Fieldwork",
    "Municipality",
    "generate_register",
    "municipality",
    "proportional_sample",
    "read_extract",
    "simulate_fieldwork",
    "with_strata",
]
