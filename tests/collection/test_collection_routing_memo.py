"""The memoised routing equals the instrument's own routing for any answers (it is only a cache)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from borgerblik.collection.pages import pages_of, routing
from borgerblik.core import load_template

TEMPLATES = {name: load_template(name) for name in ("kl-2024", "vive-kbh-2020", "rodovre-2023")}
CONTEXTS = [
    {"maalgruppe": code, "kommune": kommune, "koen": koen, "aldersgruppe": "30-49"}
    for code in ("6.1", "6.2", "6.3", "6.6", "6.7")
    for kommune in ("Høje-Taastrup", "Rødovre")
    for koen in ("mand", "kvinde")
]


def _answers(template: str) -> st.SearchStrategy[dict[str, object]]:
    ids = sorted({a for q in TEMPLATES[template].visible_questions(CONTEXTS[0], {}) for a in q.answer_ids})
    ids += ["arbejdsgiver", "andre_afdelinger", "samarbejde", "status"]
    codes = st.one_of(st.integers(1, 9), st.lists(st.integers(1, 5), min_size=1, max_size=3))
    return st.dictionaries(st.sampled_from(sorted(set(ids))), codes, max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    template=st.sampled_from(sorted(TEMPLATES)),
    context=st.sampled_from(CONTEXTS),
    data=st.data(),
)
def test_memoised_routing_equals_the_instruments_routing(template, context, data):
    instrument = TEMPLATES[template]
    answers = data.draw(_answers(template))
    expected = instrument.visible_questions(context, answers)
    for _ in range(2):  # computed, then from the cache
        found = routing(instrument, context, answers)
        assert list(found.visible) == expected
        assert found.pages == tuple(pages_of(instrument, expected))
        assert found.visible_ids == {a for q in expected for a in q.answer_ids}
