"""The priority map: each question placed by its mean score and its importance, split at the mean lines.

DOMAIN.md § Key drivers: high score + high importance = strength ("styrke"); low score + high importance =
challenge ("udfordring", act here first); low score + low importance = weakness ("svaghed", watch);
high score + low importance = opportunity ("mulighed"). A question exactly on a line counts as high.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

STRENGTH = "styrke"
CHALLENGE = "udfordring"
WEAKNESS = "svaghed"
OPPORTUNITY = "mulighed"


def classify_quadrants(
    means: Sequence[float] | np.ndarray,
    importance: Sequence[float] | np.ndarray,
    *,
    mean_line: float | None = None,
    importance_line: float | None = None,
) -> list[str]:
    """Quadrant of every question; the lines default to the average mean and the average importance."""
    score = np.asarray(means, dtype=float)
    weight = np.asarray(importance, dtype=float)
    score_line = float(score.mean()) if mean_line is None else mean_line
    weight_line = float(weight.mean()) if importance_line is None else importance_line
    quadrants = []
    for s, w in zip(score, weight, strict=True):
        high_score, high_weight = s >= score_line, w >= weight_line
        if high_weight:
            quadrants.append(STRENGTH if high_score else CHALLENGE)
        else:
            quadrants.append(OPPORTUNITY if high_score else WEAKNESS)
    return quadrants
