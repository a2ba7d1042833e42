"""Synthetic municipalities that differ in the citizens they serve, with or without a true municipal effect.

For the case-mix comparison's tests, benchmark and demo: every municipality draws its own mix of target groups
and age groups (a Dirichlet with little concentration, so the mixes differ a lot), the answer's latent score
depends on target group, age group and gender — the same way everywhere — plus a municipal effect that is zero
unless ``planted`` names a municipality and its effect. A raw ranking then mostly ranks the mixes; an
adjusted one should find only the planted effect.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

GROUPS = ("Dagpenge", "Sygedagpenge", "Job- og uddannelsesparate", "Aktivitetsparate", "Jobafklaring")
GROUP_EFFECT = (0.0, 0.55, -0.15, -0.6, -0.3)
"""Sygedagpenge cases answer higher, aktivitetsparate lower (the pattern of the KL report)."""
AGE_GROUPS = ("16-29", "30-49", "50-66")
AGE_EFFECT = (-0.35, 0.0, 0.4)


def case_mix_survey(
    municipalities: int = 40,
    *,
    seed: int = 0,
    planted: Mapping[int, float] | None = None,
    size: tuple[int, int] = (150, 700),
    question: str = "samlet_tilfredshed",
    phone_effect: float = 0.0,
) -> pl.DataFrame:
    """respondent_id, kommune (K01…), maalgruppe_kl2024, aldersgruppe, koen, mode and the answer 1–5.

    ``planted`` maps a municipality's number (0-based) to a true effect on the latent score. Aktivitetsparate
    answer by phone more often (40 % against 10 %), so a raw mode difference is confounded with the mix;
    ``phone_effect`` is the true effect of answering by phone.
    """
    rng = np.random.default_rng(seed)
    planted = dict(planted or {})
    frames = []
    for k in range(municipalities):
        n = int(rng.integers(*size))
        group_mix = rng.dirichlet(np.full(len(GROUPS), 0.8))
        age_mix = rng.dirichlet(np.full(len(AGE_GROUPS), 1.5))
        group = rng.choice(len(GROUPS), size=n, p=group_mix)
        age = rng.choice(len(AGE_GROUPS), size=n, p=age_mix)
        male = rng.random(n) < 0.45
        phone = rng.random(n) < np.where(group == GROUPS.index("Aktivitetsparate"), 0.4, 0.1)
        latent = (
            3.4 + np.take(GROUP_EFFECT, group) + np.take(AGE_EFFECT, age) - 0.1 * male
            + planted.get(k, 0.0) + phone_effect * phone + rng.normal(scale=1.0, size=n)
        )
        answer = np.clip(np.round(latent), 1, 5).astype(np.int64)
        frames.append(
            pl.DataFrame(
                {
                    "kommune": [f"K{k + 1:02d}"] * n,
                    "maalgruppe_kl2024": np.take(GROUPS, group),
                    "aldersgruppe": np.take(AGE_GROUPS, age),
                    "koen": np.where(male, "mand", "kvinde"),
                    "mode": np.where(phone, "telefon", "web"),
                    question: answer,
                }
            )
        )
    frame = pl.concat(frames)
    return frame.with_columns(pl.Series("respondent_id", [f"C{i:06d}" for i in range(frame.height)])).select(
        "respondent_id", pl.exclude("respondent_id")
    )
