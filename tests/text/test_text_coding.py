"""Coding: Danish stems, the suggester's cross-validated quality per code, and Cohen's kappa per code."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from borgerblik.synth.open_answers import write_answers
from borgerblik.text.coding import cohen_kappa, kappa_per_code, stems, train_suggester
from borgerblik.text.redaction import redact_all


def test_stems_fold_inflections_and_drop_stop_words():
    assert stems("Samtalerne og samtaler med [XXX]") == ["samtal", "samtal"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=2, max_size=60))
def test_kappa_equals_scikit_learns(pairs):
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    expected = cohen_kappa_score(first, second)
    if np.isnan(expected):  # both coders constant and equal: scikit-learn divides 0 by 0
        assert cohen_kappa(first, second) == 1.0
    else:
        assert cohen_kappa(first, second) == pytest.approx(expected, abs=1e-12)


def test_kappa_per_code_over_the_answers_both_coded():
    first = {1: {"a"}, 2: {"a", "b"}, 3: set(), 4: {"b"}, 9: {"a"}}
    second = {1: {"a"}, 2: {"b"}, 3: set(), 4: {"b"}, 7: {"b"}}
    kappas = kappa_per_code(first, second, ["a", "b"])
    assert kappas["a"] == pytest.approx(cohen_kappa_score([1, 1, 0, 0], [1, 0, 0, 0]))
    assert kappas["b"] == 1.0


@pytest.fixture(scope="module")
def demo_answers():
    rng = np.random.default_rng(7)
    answers = write_answers(rng.random(600) < 0.6, improvement=False, rng=rng)
    texts, _ = redact_all(answers.text)
    return texts, answers.theme


def test_the_suggester_learns_the_planted_themes_and_says_how_well(demo_answers):
    texts, themes = demo_answers
    suggester = train_suggester(texts[:400], [[t] for t in themes[:400]])
    assert {q.code for q in suggester.quality} == set(themes[:400])
    # composed answers share words across themes: precision 0,86–0,98, recall 0,83–0,95 per code
    assert min(q.precision for q in suggester.quality) == pytest.approx(19 / 22)
    assert min(q.recall for q in suggester.quality) == pytest.approx(44 / 53)
    suggested = suggester.suggest(texts[400:])
    right = sum(bool(s) and s[0][0] == t for s, t in zip(suggested, themes[400:], strict=True))
    assert right == 181  # of 200 held out


def test_a_code_too_rare_to_measure_is_reported_not_suggested(demo_answers):
    texts, themes = demo_answers
    codes = [[t] for t in themes[:300]]
    codes[0] = ["sjælden"]
    suggester = train_suggester(texts[:300], codes)
    rare = next(q for q in suggester.quality if q.code == "sjælden")
    assert rare.coded == 1 and np.isnan(rare.precision)
    assert "sjælden" not in suggester.codes
