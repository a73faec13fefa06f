import pytest
from hypothesis import given
from hypothesis import strategies as st

from perpgame.engine.units import (
    CASH_SCALE,
    PRICE_SCALE,
    QTY_SCALE,
    UnitError,
    apply_rate,
    format_cash,
    format_price,
    format_qty,
    format_rate,
    parse_cash,
    parse_price,
    parse_qty,
    parse_rate,
)


def test_price_times_qty_is_exact_cash():
    # 60,000.00 * 0.5 coin = $30,000 exactly
    assert parse_price("60000") * parse_qty("0.5") == parse_cash("30000")
    assert PRICE_SCALE * QTY_SCALE == CASH_SCALE


def test_parse_human_strings():
    assert parse_price("61,000.5") == 6_100_050
    assert parse_price(61000) == 6_100_000
    assert parse_qty("0.0001") == 1
    assert parse_cash("$1,000") == 1_000_000_000
    assert parse_rate("0.05%") == 500
    assert parse_rate("5bps") == 500
    assert parse_rate("0.0005") == 500


@pytest.mark.parametrize("bad", ["abc", "1.001", "nan", "inf", ""])
def test_parse_price_rejects_with_a_reason(bad):
    with pytest.raises(UnitError, match="price"):
        parse_price(bad)


def test_format():
    assert format_price(6_100_050) == "61,000.50"
    assert format_qty(5_000) == "0.5000"
    assert format_qty(5_000, places=2) == "0.50"
    assert format_cash(-1_234_567_891) == "-1,234.56"
    assert format_rate(500) == "0.0500%"


def test_apply_rate_rounds_as_asked():
    # 5 bps of $0.000003 is 0.0015 micro-dollars: up -> 1, down -> 0
    assert apply_rate(3, 500) == 1
    assert apply_rate(3, 500, round_up=False) == 0
    assert apply_rate(-3, 500) == 0


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_price_round_trip(cents):
    assert parse_price(format_price(cents)) == cents


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_cash_round_trip_at_full_precision(micros):
    assert parse_cash(format_cash(micros, places=6)) == micros
