"""Synthetic national data calibrated to the KL 2024 seed: register extract and simulated fieldwork."""

from borgerblik.synth.fieldwork import Fieldwork, simulate_fieldwork
from borgerblik.synth.municipalities import MUNICIPALITIES, Municipality, kl_sample_size, municipality
from borgerblik.synth.outcomes import COMPLETE, NO_RESPONSE, OPTED_OUT, OUTCOMES, PARTIAL
from borgerblik.synth.register import INELIGIBLE_RULES, REGISTER_COLUMNS, generate_register
from borgerblik.synth.register_file import RegisterFileError, read_register
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
    "Fieldwork",
    "Municipality",
    "RegisterFileError",
    "generate_register",
    "kl_sample_size",
    "municipality",
    "proportional_sample",
    "read_register",
    "simulate_fieldwork",
    "with_strata",
]
