"""The priority map on a constructed example: mean lines split questions into the four quadrants."""

from __future__ import annotations

from borgerblik.analysis import classify_quadrants


def test_each_question_lands_in_the_quadrant_its_mean_and_importance_put_it_in():
    means = [4.2, 3.1, 3.0, 4.0, 3.7]  # mean line 3,6
    importance = [30.0, 35.0, 10.0, 5.0, 20.0]  # importance line 20 (five questions: 100 / 5)
    assert classify_quadrants(means, importance) == ["styrke", "udfordring", "svaghed", "mulighed", "styrke"]


def test_lines_can_be_given_and_a_question_on_a_line_counts_as_high():
    assert classify_quadrants([3.5, 3.4], [10.0, 9.9], mean_line=3.5, importance_line=10.0) == [
        "styrke",
        "svaghed",
    ]
