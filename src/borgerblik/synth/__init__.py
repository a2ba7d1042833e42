"""Synthetic national data calibrated to the KL 2024 seed: register extract and simulated fieldwork."""

from borgerblik.synth.municipalities import MUNICIPALITIES, Municipality, kl_sample_size, municipality
from borgerblik.synth.register import INELIGIBLE_RULES, REGISTER_COLUMNS, generate_register
from borgerblik.synth.sample import proportional_sample, with_strata

__all__ = [
    "INELIGIBLE_RULES",
    "MUNICIPALITIES",
    "REGISTER_COLUMNS",
    "Municipality",
    "generate_register",
    "kl_sample_size",
    "municipality",
    "proportional_sample",
    "with_strata",
]
