"""Themes for a first look at one question's answers: TF-IDF over Danish stems factored by NMF, each theme
with its top terms and its most typical answers, to seed the codebook.

NMF (not embeddings): scikit-learn ships it, it needs no model download, it is deterministic with a seed, and
its themes are sums of stems an analyst can read. On the demo answers it recovers the generator's planted
themes (see :func:`agreement`), which is what it is for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from borgerblik.text.coding import vectorizer


@dataclass(frozen=True)
class Theme:
    number: int
    terms: tuple[str, ...]
    size: int
    typical: tuple[str, ...]


@dataclass(frozen=True)
class Themes:
    themes: list[Theme]
    assignment: np.ndarray
    """Per answer, the index of its strongest theme (-1 where the answer has no word the model knows)."""


def discover_themes(
    texts: Sequence[str], count: int = 8, *, seed: int = 0, terms: int = 8, typical: int = 3
) -> Themes:
    """``count`` themes over the (redacted) answers; typical answers are distinct texts, strongest first."""
    from sklearn.decomposition import NMF

    texts = list(texts)
    if len(texts) < count:
        raise ValueError(f"{len(texts)} answers are too few for {count} themes")
    tfidf = vectorizer(min_df=2, max_df=0.5)
    matrix = tfidf.fit_transform(texts)
    model = NMF(n_components=count, init="nndsvda", random_state=seed, max_iter=400)
    weights = model.fit_transform(matrix)
    vocabulary = np.array(tfidf.get_feature_names_out())
    assignment = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    themes = []
    for k in range(count):
        top = vocabulary[np.argsort(model.components_[k])[::-1][:terms]]
        members = np.flatnonzero(assignment == k)
        strongest = members[np.argsort(weights[members, k])[::-1]]
        seen: list[str] = []
        for i in strongest:
            if texts[i] not in seen:
                seen.append(texts[i])
            if len(seen) == typical:
                break
        themes.append(Theme(k + 1, tuple(top), int(members.size), tuple(seen)))
    order = sorted(range(count), key=lambda k: -themes[k].size)
    renumber = {old: new for new, old in enumerate(order)}
    themes = [Theme(renumber[k] + 1, t.terms, t.size, t.typical) for k, t in enumerate(themes)]
    assignment = np.array([renumber.get(int(a), -1) for a in assignment])
    return Themes(sorted(themes, key=lambda t: t.number), assignment)


def purity(assignment: Sequence[int], truth: Sequence[str]) -> float:
    """Share of answers whose discovered theme's most common planted theme is their own."""
    by_cluster: dict[int, Counter[str]] = {}
    for cluster, label in zip(assignment, truth, strict=True):
        by_cluster.setdefault(int(cluster), Counter())[label] += 1
    return sum(c.most_common(1)[0][1] for c in by_cluster.values()) / len(truth)


def agreement(assignment: Sequence[int], truth: Sequence[str]) -> tuple[float, float]:
    """(purity, adjusted Rand index) of discovered against planted themes."""
    from sklearn.metrics import adjusted_rand_score

    return purity(assignment, truth), float(adjusted_rand_score(truth, assignment))
