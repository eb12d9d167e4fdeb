"""Money in integer fen, ratios in basis points: reading what people type, showing it back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.money import (
    Money,
    format_bps,
    format_wan,
    format_yuan,
    parse_bps,
    parse_fen,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12345.67", 1_234_567),
        ("1,234.5", 123_450),
        ("800万", 8_000_000_00),
        ("1.2亿", 120_000_000_00),
        ("0.5万元", 5_000_00),
        ("¥1,000.00", 1_000_00),
        ("￥250", 250_00),
        ("3亿元", 300_000_000_00),
        ("99元", 99_00),
        ("0.01", 1),
        (" 1 000 ", 1_000_00),
        ("1,234,567.89", 123_456_789),
        ("12345678901234567890123456789.01", 1_234_567_890_123_456_789_012_345_678_901),
    ],
)
def test_reads_yuan_with_separators_units_and_currency_sign(text, fen):
    assert parse_fen(text) == fen


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0.00",
        "0万",
        "-5",
        "-1,234.50",
        "1e5",
        "nan",
        "NaN",
        "inf",
        "Infinity",
        "12.3.4",
        "1,23",
        "12,3456",
        "abc",
        "",
        "   ",
        "1.234",
        "0.001",
        "0.0000001万",
        "12345678901234567890123456789.001",
        "100美元",
        "万",
    ],
)
def test_refuses_zero_negative_garbled_or_inexact_amounts_naming_the_field(text):
    with pytest.raises(InvalidInput) as refused:
        parse_fen(text, "principal")
    assert refused.value.field == "principal"
    assert refused.value.reason


def test_refuses_amount_finer_than_one_fen():
    with pytest.raises(InvalidInput, match="finer than one fen") as refused:
        parse_fen("1.234", "repayment")
    assert refused.value.field == "repayment"


def test_refuses_negative_amount_saying_so():
    with pytest.raises(InvalidInput, match="negative"):
        parse_fen("-100")


def test_accepts_zero_only_when_asked_to():
    assert parse_fen("0", allow_zero=True) == 0
    assert parse_fen("0.00万", allow_zero=True) == 0


def test_field_defaults_to_amount():
    with pytest.raises(InvalidInput) as refused:
        parse_fen("abc")
    assert refused.value.field == "amount"


@pytest.mark.parametrize(
    ("text", "bps"),
    [("3.45%", 345), ("40bp", 40), ("40bps", 40), ("1%", 100), ("0.01%", 1), ("100%", 10_000)],
)
def test_reads_ratios_as_whole_basis_points(text, bps):
    assert parse_bps(text) == bps


@pytest.mark.parametrize("text", ["0.001%", "0.5bp", "3.45", "-1%", "abc%", "", "1e2%"])
def test_refuses_ratios_finer_than_a_basis_point_or_garbled_naming_the_field(text):
    with pytest.raises(InvalidInput) as refused:
        parse_bps(text, "fee_rate")
    assert refused.value.field == "fee_rate"


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (123_456, "1,234.56"),
        (5, "0.05"),
        (100, "1.00"),
        (0, "0.00"),
        (200_000_000_00, "200,000,000.00"),
        (-123_456, "-1,234.56"),
    ],
)
def test_shows_fen_as_yuan_with_two_decimals_and_thousands_separators(fen, shown):
    assert format_yuan(fen) == shown


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (1_234_567_800, "1,234.57"),
        (8_000_000_00, "800.00"),
        (5_000, "0.01"),  # 50 yuan is 0.005万: half rounds up
        (4_999, "0.00"),
        (0, "0.00"),
    ],
)
def test_shows_fen_as_wan_yuan_rounded_half_up(fen, shown):
    assert format_wan(fen) == shown


@pytest.mark.parametrize(
    ("bps", "shown"), [(345, "3.45%"), (40, "0.40%"), (10_000, "100.00%"), (0, "0.00%")]
)
def test_shows_basis_points_as_a_percentage(bps, shown):
    assert format_bps(bps) == shown


@given(st.integers(min_value=1))
def test_any_positive_amount_shown_as_yuan_reads_back_to_the_same_fen(fen):
    assert parse_fen(format_yuan(fen)) == fen


@given(st.integers(min_value=0, max_value=1_000_000))
def test_any_ratio_shown_as_a_percentage_reads_back_to_the_same_bps(bps):
    assert parse_bps(format_bps(bps)) == bps


@pytest.mark.parametrize("not_fen", [1.0, 12.5, True, False, Decimal("1"), "100", None])
def test_money_holds_only_integer_fen(not_fen):
    with pytest.raises(TypeError):
        Money(not_fen)


def test_money_reads_shows_adds_and_orders_by_fen():
    loan = Money.parse("1,234.5")
    assert loan == Money(123_450)
    assert str(loan) == "1,234.50"
    assert loan + Money(50) == Money(123_500)
    assert loan - Money(450) == Money(123_000)
    assert Money(1) < Money(2)
    assert Money.parse("800万", "principal") == Money(8_000_000_00)


def test_money_parse_names_the_field_it_refuses():
    with pytest.raises(InvalidInput) as refused:
        Money.parse("1.234", "principal")
    assert refused.value.field == "principal"
