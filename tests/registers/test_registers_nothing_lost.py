"""Property: whatever mix of good rows, faulty rows and blank lines a file holds, no line is lost."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borgerblik.registers import read_register
from borgerblik.registers.validation import FIELD_REASONS

HEADER = "cpr;kommune;maalgruppe;ydelse_start;ydelse_slut;samtaler;digital_post_fritaget;telefon;email"

good_row = st.builds(
    lambda day, serial, kommune, code, phone: (
        f"{day:02d}0190-{serial:04d};{kommune};6.{code};2023-10-02;;jobsamtale;nej;{phone};"
    ),
    st.integers(1, 28),
    st.integers(0, 9999),
    st.sampled_from(["Vejen", '"Vejen"', '"Høje;Taastrup"', ' "Ærø" ']),
    st.integers(1, 9),
    st.sampled_from(["12345678", "+45 12 34 56 78", "", "123"]),
)
bad_row = st.sampled_from(
    [
        "310290-1234;Vejen;6.1;2023-10-02;;jobsamtale;nej;;",
        "xx;Vejen;6.1;2023-10-02;;jobsamtale;nej;;",
        "010190-1234;Vejen;8.1;2023-10-02;;jobsamtale;nej;;",
        "010190-1234;Vejen;6.1;2023-13-02;;jobsamtale;nej;;",
        "010190-1234;;6.1;2023-10-02;;jobsamtale;nej;;",
        "010190-1234;Vejen;6.1",
        "010190-1234;Vejen;6.1;2023-10-02;;jobsamtale;nej;;;;",
        "010190-1234;Vejen;6.1;2023-10-02;;jobsamtale;kanske;;",
    ]
)
line = st.one_of(good_row, bad_row, st.sampled_from(["", "   "]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(line, min_size=1, max_size=25), st.sampled_from(["utf-8", "cp1252"]), st.integers(0, 2)
)
def test_every_line_is_accepted_or_rejected_or_counted_blank(
    lines: list[str], encoding: str, lead: int
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "udtraek.csv"
        path.write_bytes(("\n".join([*[""] * lead, HEADER, *lines]) + "\n").encode(encoding))
        check = read_register(path, reference_date=date(2023, 12, 31))
    numbered = list(enumerate(lines, start=2 + lead))
    blank = {n for n, text in numbered if not text.strip()}
    accepted = set(check.members["linje"].to_list())
    rejected = set(check.rejects.filter(~pl.col("reason").is_in(list(FIELD_REASONS)))["line"].to_list())
    assert accepted.isdisjoint(rejected)
    assert accepted | rejected | blank == {n for n, _ in numbered}
    assert check.blank_lines == len(blank)
    assert check.accepted == check.identities.height == len(accepted)
    assert check.identities["cpr"].n_unique() == check.accepted
