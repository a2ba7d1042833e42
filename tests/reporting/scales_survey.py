"""A small survey on three kinds of scale: two 1–5 questions and the overall 1–5 question, a 0–10 question
(ends labelled, 99 = "ved ikke", 9–10 positive) and a yes/no question (9 = "ved ikke") — analysed on the
instrument's own scales, unweighted, so every share is a count over the valid answers."""

from __future__ import annotations

import numpy as np
import polars as pl

from borgerblik.analysis import prepare_analysis_frame
from borgerblik.analysis.answers import instrument_scales
from borgerblik.analysis.survey import AnalysisOptions, analyze_survey
from borgerblik.core import Instrument, parse_instrument
from borgerblik.reporting.measures import DISTRIBUTION, scale_distribution
from borgerblik.weighting import fixed_weights

INSTRUMENT = """\
id: skalaer
title: {da: Borgerundersøgelse med tre slags skalaer, en: Citizen survey on three kinds of scale}
languages: {da: Dansk, en: English}
grouping: kl2024
scales:
  grad:
    labels:
      5: {da: I meget høj grad, en: To a very high degree}
      4: {da: I høj grad, en: To a high degree}
      3: {da: I nogen grad, en: To some degree}
      2: {da: I lav grad, en: To a low degree}
      1: {da: I meget lav grad, en: To a very low degree}
    dont_know: {da: Ved ikke, en: Don't know}
  anbefal:
    type: 0-10
    labels:
      0: {da: Slet ikke sandsynligt, en: Not at all likely}
      10: {da: Meget sandsynligt, en: Very likely}
    dont_know: {da: Ved ikke, en: Don't know}
  janej:
    type: yesno
    dont_know: {da: Ved ikke, en: Don't know}
themes:
  - id: forloeb
    title: {da: Forløbet, en: The course}
    questions:
      - id: tillid
        label: {da: Tillid, en: Trust}
        kind: scale
        scale: grad
        text: {da: Har du tillid til jobcentret?, en: Do you trust the job centre?}
      - id: inddragelse
        label: {da: Inddragelse, en: Involvement}
        kind: scale
        scale: grad
        text: {da: Bliver du inddraget?, en: Are you involved?}
      - id: anbefale
        label: {da: Anbefaling, en: Recommendation}
        kind: scale
        scale: anbefal
        text:
          da: Hvor sandsynligt er det, at du vil anbefale jobcentret?
          en: How likely are you to recommend the job centre?
      - id: hjulpet
        label: {da: Hjulpet, en: Helped}
        kind: scale
        scale: janej
        text: {da: Er du blevet hjulpet?, en: Have you been helped?}
      - id: samlet
        label: {da: Samlet tilfredshed, en: Overall satisfaction}
        kind: scale
        scale: grad
        text: {da: "Alt i alt, er du tilfreds?", en: "All in all, are you satisfied?"}
overall: samlet
"""
MUNICIPALITIES = ("Albertslund", "Ballerup", "Dragør", "Høje-Taastrup")
SMALL = "Læsø"
OWN = "Albertslund"


def instrument() -> Instrument:
    return parse_instrument(INSTRUMENT)


def answers(n: int = 240) -> pl.DataFrame:
    rng = np.random.default_rng(16)
    kommune = rng.choice(list(MUNICIPALITIES), size=n).tolist()
    kommune[:3] = [SMALL] * 3
    latent = rng.normal(size=n)
    frame: dict[str, list] = {
        "respondent_id": [str(i) for i in range(1, n + 1)],
        "kommune": kommune,
        "maalgruppe": rng.choice(["6.1", "6.2", "6.3", "6.6"], size=n).tolist(),
        "koen": rng.choice(["mand", "kvinde"], size=n).tolist(),
        "alder": rng.integers(16, 67, size=n).tolist(),
        "ydelse_start": ["2023-03-01"] * n,
        "status": rng.choice([1, 2], size=n).tolist(),
    }
    for item in ("tillid", "inddragelse", "samlet"):
        values = np.clip(np.round(3 + latent + rng.normal(scale=0.8, size=n)), 1, 5)
        values[rng.random(n) < 0.05] = 9
        frame[item] = values.astype(int).tolist()
    zero_ten = np.clip(np.round(6.5 + 2 * latent + rng.normal(scale=1.5, size=n)), 0, 10)
    zero_ten[rng.random(n) < 0.06] = 99
    frame["anbefale"] = zero_ten.astype(int).tolist()
    yes = np.where(latent + rng.normal(scale=1.0, size=n) > -0.3, 1, 2)
    yes[rng.random(n) < 0.05] = 9
    frame["hjulpet"] = yes.tolist()
    return pl.DataFrame(frame)


def analysed() -> dict[str, pl.DataFrame]:
    """The analysis tables of the survey (``analyze`` on the instrument's scales) plus its 0–10
    distribution table — unweighted: every respondent weighs 1."""
    inst = instrument()
    frame = prepare_analysis_frame(answers())
    tables = analyze_survey(
        frame,
        inst.scale_items(),
        inst.overall_question,
        options=AnalysisOptions(bootstrap=50, seed=1),
        scales=instrument_scales(inst),
    )
    design = fixed_weights(frame.get_column("respondent_id").to_numpy(), np.ones(frame.height))
    tables[DISTRIBUTION] = scale_distribution(frame, design, inst, tables["breakdowns"])
    return tables
