"""Coding open answers: Danish stems for the classifier and the themes, suggestions learnt from the answers
already coded (with their cross-validated precision and recall per code, so the analyst knows how far to trust
them), and Cohen's kappa per code when two coders coded the same answers.

The classifier is scikit-learn's: TF-IDF over snowball stems of the words outside a Danish stop list, one
logistic regression per code (an answer may carry several codes). Precision and recall are measured by
cross-validation on the coded answers, never on the answers the model was fitted to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import snowballstemmer

#: Danish function words that carry no theme (the redaction mask is one too).
_STOP_TEXT = """
    og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi min
    havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil
    blev kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit også under
    have dig anden hende mine alt meget sit sine vor mod disse hvis din nogle hos blive mange ad
    bliver hendes været thi jer sådan så får fik få kan gør gøre går gik xxx mere mest bare helt
    lidt hver hele god gode
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())
_TOKEN = re.compile(r"[^\W\d_]+")


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("danish")


def stems(text: str) -> list[str]:
    """The answer's words as Danish stems, stop words left out: "samtalerne" and "samtaler" count as one."""
    words = [word for word in _TOKEN.findall(text.casefold()) if word not in STOP_WORDS and len(word) > 1]
    return _stemmer().stemWords(words)


def vectorizer(**options: object):
    """A TF-IDF vectorizer over Danish stems (words and stem pairs)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    settings = {"analyzer": stems, "sublinear_tf": True, "min_df": 2}
    settings.update(options)
    if settings.pop("bigrams", False):
        settings["analyzer"] = _stems_and_pairs
    return TfidfVectorizer(**settings)


def _stems_and_pairs(text: str) -> list[str]:
    words = stems(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class CodeQuality:
    code: str
    coded: int
    precision: float
    recall: float


@dataclass
class Suggester:
    """Trained on the coded answers; :meth:`suggest` proposes codes for new ones."""

    codes: list[str]
    quality: list[CodeQuality]
    _pipeline: object
    threshold: float = 0.5

    def suggest(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """Per answer, the codes whose probability passes the threshold, most likely first."""
        probabilities = self._pipeline.predict_proba(list(texts))
        out = []
        for row in np.atleast_2d(probabilities):
            ranked = sorted(((self.codes[i], float(p)) for i, p in enumerate(row)), key=lambda cp: -cp[1])
            out.append([(code, p) for code, p in ranked if p >= self.threshold])
        return out


def train_suggester(texts: Sequence[str], codes: Sequence[Sequence[str]], *, folds: int = 5, seed: int = 0):
    """Fit on the coded answers (``codes[i]`` = the codes of ``texts[i]``) and measure each code by
    ``folds``-fold cross-validation. A code given fewer than ``folds`` times cannot be measured and is left
    out of the suggestions (it is listed with ``nan``)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import precision_score, recall_score
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MultiLabelBinarizer

    if len(texts) != len(codes):
        raise ValueError("texts and codes differ in length")
    binarizer = MultiLabelBinarizer()
    labels = binarizer.fit_transform([list(c) for c in codes])
    counts = labels.sum(axis=0)
    usable = counts >= folds
    names = [str(name) for name in binarizer.classes_]
    quality = [
        CodeQuality(name, int(n), float("nan"), float("nan"))
        for name, n, ok in zip(names, counts, usable, strict=True)
        if not ok
    ]
    if not usable.any():
        raise ValueError(f"no code is given at least {folds} times; code more answers first")
    target = labels[:, usable]
    kept = [name for name, ok in zip(names, usable, strict=True) if ok]

    def model():
        return make_pipeline(
            vectorizer(bigrams=True, min_df=1),
            OneVsRestClassifier(LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000)),
        )

    predicted = cross_val_predict(
        model(), list(texts), target, cv=KFold(folds, shuffle=True, random_state=seed)
    )
    for j, name in enumerate(kept):
        quality.append(
            CodeQuality(
                name,
                int(target[:, j].sum()),
                float(precision_score(target[:, j], predicted[:, j], zero_division=0)),
                float(recall_score(target[:, j], predicted[:, j], zero_division=0)),
            )
        )
    fitted = model().fit(list(texts), target)
    order = {name: i for i, name in enumerate(names)}
    return Suggester(kept, sorted(quality, key=lambda q: order[q.code]), fitted)


def cohen_kappa(first: Sequence[int], second: Sequence[int]) -> float:
    """Cohen's kappa of two coders' decisions on the same answers (for one code: 1 = given, 0 = not):
    agreement beyond what their separate rates would give by chance. 1.0 where both agree on a code neither
    or both gave to every answer (no disagreement to measure)."""
    a, b = np.asarray(first), np.asarray(second)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("kappa needs the same, non-empty set of answers from both coders")
    categories = np.union1d(a, b)
    observed = float(np.mean(a == b))
    expected = float(sum(np.mean(a == c) * np.mean(b == c) for c in categories))
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)


def kappa_per_code(
    first: Mapping[int, set[str]], second: Mapping[int, set[str]], codes: Sequence[str]
) -> dict[str, float]:
    """Kappa per code over the answers both coders coded (answer id → the codes each gave)."""
    shared = sorted(set(first) & set(second))
    if not shared:
        raise ValueError("the two coders have no answer in common")
    return {
        code: cohen_kappa([code in first[i] for i in shared], [code in second[i] for i in shared])
        for code in codes
    }
