"""Properties of the building blocks: any birth date and gender round-trip through a substitute CPR.

The round trip reads the numbers back with the registers stage's own parser, the one a real import uses,
and the register generator itself never imports that stage (it writes the extract the stage reads).
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from borgerblik.registers import parse_cpr
from borgerblik.synth.cpr import substitute_cpr

births = st.lists(
    st.tuples(st.dates(min_value=date(1900, 1, 1), max_value=date(2036, 12, 31)), st.booleans()),
    min_size=1,
    max_size=50,
)
SYNTH = Path(__file__).parents[2] / "src" / "borgerblik" / "synth"
GENERATOR_MODULES = ("register.py", "cpr.py", "contacts.py", "municipalities.py", "names.py")


@settings(max_examples=60, deadline=None)
@given(people=births, seed=st.integers(0, 2**32 - 1))
def test_substitute_cpr_round_trips_birth_date_and_gender(people, seed):
    dates = np.array([d for d, _ in people], dtype="datetime64[D]")
    male = np.array([m for _, m in people])
    cpr = substitute_cpr(dates, male, np.random.default_rng(seed))
    assert cpr.n_unique() == len(people)
    assert cpr.str.slice(0, 2).cast(pl.Int32).is_between(61, 91).all()
    parsed = [parse_cpr(number) for number in cpr]
    assert all(p.substitute for p in parsed)
    assert [p.birth_date for p in parsed] == [d for d, _ in people]
    assert [p.gender for p in parsed] == ["mand" if m else "kvinde" for _, m in people]


def test_the_register_generator_imports_no_later_stage():
    for name in GENERATOR_MODULES:
        tree = ast.parse((SYNTH / name).read_text(encoding="utf-8"))
        imported = {
            node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
        } | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        later = {m for m in imported if m.startswith(("borgerblik.registers", "borgerblik.sampling"))}
        assert later == set(), name
