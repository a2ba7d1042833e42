"""CPR numbers: century from the 7th digit, substitute numbers, gender, age — scalar and vectorised agree."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from borgerblik.registers import CprError, age_at, age_group, mask_cpr, parse_cpr
from borgerblik.registers.cpr import age_expr, with_cpr_columns

# The CPR office's century table, written out independently of the code:
# 7th digit → (two-digit years, century).
CENTURY_TABLE: dict[int, list[tuple[range, int]]] = {
    0: [(range(0, 100), 1900)],
    1: [(range(0, 100), 1900)],
    2: [(range(0, 100), 1900)],
    3: [(range(0, 100), 1900)],
    4: [(range(0, 37), 2000), (range(37, 100), 1900)],
    5: [(range(0, 58), 2000), (range(58, 100), 1800)],
    6: [(range(0, 58), 2000), (range(58, 100), 1800)],
    7: [(range(0, 58), 2000), (range(58, 100), 1800)],
    8: [(range(0, 58), 2000), (range(58, 100), 1800)],
    9: [(range(0, 37), 2000), (range(37, 100), 1900)],
}


@pytest.mark.parametrize(
    ("cpr", "birth", "gender"),
    [
        ("010203-1234", date(1903, 2, 1), "kvinde"),
        ("0102031235", date(1903, 2, 1), "mand"),
        ("010100-4000", date(2000, 1, 1), "kvinde"),
        ("010136-4001", date(2036, 1, 1), "mand"),
        ("010137-4001", date(1937, 1, 1), "mand"),
        ("010157-5002", date(2057, 1, 1), "kvinde"),
        ("010158-8002", date(1858, 1, 1), "kvinde"),
        ("311299-9003", date(1999, 12, 31), "mand"),
        ("290200-4001", date(2000, 2, 29), "mand"),
    ],
)
def test_century_rule_from_the_seventh_digit(cpr: str, birth: date, gender: str) -> None:
    parsed = parse_cpr(cpr)
    assert (parsed.birth_date, parsed.gender, parsed.substitute) == (birth, gender, False)


def test_a_leading_zero_dropped_by_a_spreadsheet_is_restored() -> None:
    assert parse_cpr("102031234") == parse_cpr("010203-1234")
    with pytest.raises(CprError):
        parse_cpr("12345678")


def test_substitute_number_adds_sixty_to_the_day() -> None:
    parsed = parse_cpr("610190-0001")
    assert parsed.birth_date == date(1990, 1, 1)
    assert parsed.substitute is True
    assert parsed.gender == "mand"
    assert parse_cpr("910190-0002").birth_date == date(1990, 1, 31)


@pytest.mark.parametrize(
    ("cpr", "reason"),
    [
        ("290200-3001", "umulig-dato"),  # 1900 was not a leap year
        ("300290-1234", "umulig-dato"),
        ("011390-1234", "umulig-dato"),
        ("000190-1234", "umulig-dato"),
        ("01019-1234", "ugyldigt-cpr"),
        ("010190_1234", "ugyldigt-cpr"),
        ("abcdef-1234", "ugyldigt-cpr"),
    ],
)
def test_impossible_and_malformed_numbers_say_why(cpr: str, reason: str) -> None:
    with pytest.raises(CprError) as caught:
        parse_cpr(cpr)
    assert caught.value.reason == reason
    assert "1234" not in str(caught.value)


def test_age_counts_completed_years_and_the_birthday_itself() -> None:
    assert age_at(date(1990, 1, 1), date(2023, 12, 31)) == 33
    assert age_at(date(1957, 12, 31), date(2023, 12, 31)) == 66
    assert age_at(date(1958, 1, 1), date(2023, 12, 31)) == 65
    assert age_at(date(2000, 2, 29), date(2016, 2, 28)) == 15
    assert age_at(date(2000, 2, 29), date(2016, 2, 29)) == 16


def test_age_groups_of_the_reports() -> None:
    assert [age_group(a) for a in (15, 16, 29, 30, 49, 50, 66, 67)] == [
        None, "16-29", "16-29", "30-49", "30-49", "50-66", "50-66", None,
    ]


def test_mask_keeps_only_the_birth_date() -> None:
    assert mask_cpr("010203-1234") == "010203-****"
    assert mask_cpr("0102031234") == "010203-****"


def _cpr_strategy() -> st.SearchStrategy[tuple[str, date, bool, int]]:
    def build(birth: date, substitute: bool, tail: int, pick: int) -> tuple[str, date, bool, int] | None:
        yy = birth.year % 100
        century = birth.year - yy
        digits = [
            d for d, spans in CENTURY_TABLE.items() if any(yy in years and c == century for years, c in spans)
        ]
        if not digits:
            return None
        seventh = digits[pick % len(digits)]
        day = birth.day + (60 if substitute else 0)
        text = f"{day:02d}{birth.month:02d}{yy:02d}-{seventh}{tail:03d}"
        return text, birth, substitute, tail % 10

    return st.builds(
        build,
        st.dates(min_value=date(1858, 1, 1), max_value=date(2057, 12, 31)),
        st.booleans(),
        st.integers(0, 999),
        st.integers(0, 9),
    ).filter(lambda item: item is not None)  # type: ignore[return-value]


@given(_cpr_strategy())
def test_every_valid_number_gives_back_its_birth_date_and_gender(case: tuple[str, date, bool, int]) -> None:
    text, birth, substitute, last = case
    parsed = parse_cpr(text)
    assert parsed.birth_date == birth
    assert parsed.substitute is substitute
    assert parsed.gender == ("mand" if last % 2 else "kvinde")
    assert parse_cpr(text.replace("-", "")) == parsed


@given(st.lists(st.one_of(_cpr_strategy().map(lambda c: c[0]), st.text(max_size=12)), max_size=30))
def test_vectorised_parse_agrees_with_the_scalar_parser(values: list[str]) -> None:
    frame = with_cpr_columns(pl.DataFrame({"cpr": values}, schema={"cpr": pl.String}), "cpr")
    for value, row in zip(values, frame.iter_rows(named=True), strict=True):
        try:
            parsed = parse_cpr(value)
        except CprError as exc:
            assert row["foedselsdato"] is None
            assert row["cpr_form_ok"] is (exc.reason == "umulig-dato")
            continue
        assert row["cpr_form_ok"] is True
        assert (row["foedselsdato"], row["koen"], row["erstatningsnummer"]) == (
            parsed.birth_date, parsed.gender, parsed.substitute,
        )
        assert row["cpr_normaliseret"] == parsed.normalised


@given(st.dates(min_value=date(1900, 1, 1)), st.dates(min_value=date(1900, 1, 1)))
def test_vectorised_age_agrees_with_the_scalar_age(birth: date, reference: date) -> None:
    frame = pl.DataFrame({"b": [birth]}).select(age_expr(pl.col("b"), reference).alias("age"))
    assert frame["age"][0] == age_at(birth, reference)
