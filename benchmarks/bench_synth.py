"""Synthetic national data: the register (goal ≤ 5 s for 198,877 rows), its KL sample and its fieldwork."""

from __future__ import annotations

from benchmarks.result import Result, stopwatch
from borgerblik.core import load_template
from borgerblik.synth import generate_register, proportional_sample, simulate_fieldwork

REGISTER_GOAL_SECONDS = 5.0


def run() -> list[Result]:
    with stopwatch() as register_time:
        register = generate_register(seed=2024)
    with stopwatch() as sample_time:
        sample = proportional_sample(register, seed=2024)
    instrument = load_template("kl-2024")
    with stopwatch() as fieldwork_time:
        simulate_fieldwork(sample, instrument, seed=2024, wave=2024)
    return [
        Result(
            name=f"synth: national register ({register.height:,} rows)",
            figure=register_time(),
            unit="s",
            goal=f"≤ {REGISTER_GOAL_SECONDS:g} s",
            ratio=register_time() / REGISTER_GOAL_SECONDS,
            ratio_label="of goal",
        ),
        Result(
            name="synth: register rows per second",
            figure=register.height / register_time(),
            unit="rows/s",
        ),
        Result(
            name=f"synth: kl2024 sample by the sampling stage ({sample.height:,} of {register.height:,})",
            figure=sample_time(),
            unit="s",
        ),
        Result(
            name=f"synth: fieldwork of the KL sample ({sample.height:,} sampled)",
            figure=fieldwork_time(),
            unit="s",
        ),
    ]
