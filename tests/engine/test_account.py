"""Hand-worked margin formulas: state in -> exact numbers out.

Units: price in cents, quantity in lots of 1e-4 coin, cash in micro-dollars (price * qty = cash).
"""

from hypothesis import example, given
from hypothesis import strategies as st

from perpgame.engine.account import Account
from perpgame.engine.risk import (
    bankruptcy_price,
    initial_margin,
    is_liquidatable,
    liquidation_price,
    maintenance_margin,
)
from perpgame.engine.units import parse_cash, parse_price, parse_qty

MMR = 25_000  # 2.5% maintenance


def long_btc() -> Account:
    # long 1 BTC (10_000 lots) at 60,000.00 (6_000_000 cents) with 6,000 cash: 10x
    # cost = 10_000 * 6_000_000 = 60_000_000_000 micro-dollars = $60,000
    return Account(
        2,
        "player",
        "player",
        "p",
        cash=parse_cash("6000"),
        size=10_000,
        cost=60_000_000_000,
        open_cost=60_000_000_000,
    )


def short_btc() -> Account:
    # short 2 BTC at 50,000 with 10,000 cash: cost = -20_000 * 5_000_000 = -100_000_000_000
    return Account(
        3,
        "player",
        "player",
        "p",
        cash=parse_cash("10000"),
        size=-20_000,
        cost=-100_000_000_000,
        open_cost=-100_000_000_000,
    )


def test_equity_is_cash_plus_position_at_mark_minus_cost():
    a = long_btc()
    # at 61,000: 6e9 + 1e4 * 6_100_000 - 6e10 = 6e9 + 1e9 = 7e9 ($7,000)
    assert a.equity(parse_price("61000")) == parse_cash("7000")
    assert a.unrealized(parse_price("61000")) == parse_cash("1000")
    assert a.entry_price() == parse_price("60000")


def test_margins_long_btc_at_10x():
    # IM = 1e4 * 6_000_000 / 10 = 6e9 ($6,000); MM = 6e10 * 2.5% = 1.5e9 ($1,500)
    assert initial_margin(10_000, 6_000_000, 10) == parse_cash("6000")
    assert maintenance_margin(10_000, 6_000_000, MMR) == parse_cash("1500")
    # rounding is up, to the micro-dollar: 1 lot at 1 cent at 3x = 1/3 -> 1
    assert initial_margin(1, 1, 3) == 1
    assert maintenance_margin(-1, 1, MMR) == 1


def test_bankruptcy_price_long_and_short():
    # long: B = E - C/size = 60,000 - 6,000/1 = 54,000
    assert bankruptcy_price(long_btc()) == parse_price("54000")
    # short: B = E + C/|size| = 50,000 + 10,000/2 = 55,000
    assert bankruptcy_price(short_btc()) == parse_price("55000")
    # rounding never leaves a deficit: long 3 lots, cost 100, cash 0 -> B = ceil(100/3) = 34
    a = Account(4, "bot", "g", "n", cash=0, size=3, cost=100, open_cost=100)
    assert bankruptcy_price(a) == 34
    assert a.equity(34) >= 0 and a.equity(33) < 0


def test_liquidation_price_long_matches_the_venue_formula():
    # L = (E*size - C) / (size * (1 - mmr)) = 54,000 / 0.975 = 55,384.615...
    # at 55,384.61: equity = 6e9 + 1e4*5_538_461 - 6e10 = 1_384_610_000
    #               MM = ceil(55_384_610_000 * 0.025) = 1_384_615_250 > equity -> liquidated
    # at 55,384.62: equity = 1_384_620_000 > MM 1_384_615_500 -> safe
    a = long_btc()
    assert liquidation_price(a, MMR) == 5_538_461
    assert is_liquidatable(a, 5_538_461, MMR)
    assert not is_liquidatable(a, 5_538_462, MMR)


def test_liquidation_price_short_matches_the_venue_formula():
    # L = (E*|size| + C) / (|size| * (1 + mmr)) = 110,000 / 2.05 = 53,658.536...
    # at 53,658.54: equity = 1.1e11 - 2e4*5_365_854 = 2_682_920_000 < MM 2_682_927_000
    # at 53,658.53: equity = 2_682_940_000 > MM 2_682_926_500
    s = short_btc()
    assert liquidation_price(s, MMR) == 5_365_854
    assert is_liquidatable(s, 5_365_854, MMR)
    assert not is_liquidatable(s, 5_365_853, MMR)


def test_fully_collateralised_long_has_no_liquidation_price():
    # 1 BTC long bought at 60,000 with 60,000 cash can never be liquidated at a positive price
    a = Account(
        5,
        "bot",
        "g",
        "n",
        cash=parse_cash("60000"),
        size=10_000,
        cost=60_000_000_000,
        open_cost=60_000_000_000,
    )
    assert liquidation_price(a, MMR) is None
    assert bankruptcy_price(a) is None


def test_dydx_v4_liquidation_example_scaled():
    # dYdX v4 docs: MMF 3%, A long 500 at $1 with $100; at $0.801 equity is $0.50.
    # Prices here are whole cents, so the same trade is scaled: long 5 coins at $100 ($500).
    a = Account(
        6,
        "bot",
        "g",
        "a",
        cash=parse_cash("100"),
        size=parse_qty("5"),
        cost=parse_cash("500"),
        open_cost=parse_cash("500"),
    )
    mark = parse_price("80.10")
    # PnL = 5 * (80.10 - 100) = -99.50; equity = 100 - 99.50 = 0.50
    assert a.equity(mark) == parse_cash("0.50")
    # maintenance at the mark = 5 * 80.10 * 3% = 12.015 > 0.50 -> liquidated
    # (the docs quote $15: the same 3% of the $500 entry notional)
    assert maintenance_margin(a.size, mark, 30_000) == parse_cash("12.015")
    assert is_liquidatable(a, mark, 30_000)


def test_apply_trade_keeps_ledger_and_entry():
    a = Account(7, "bot", "g", "n")
    a.apply_trade(10_000, 6_000_000)  # buy 1 at 60,000
    a.apply_trade(10_000, 6_200_000)  # buy 1 at 62,000 -> entry 61,000
    assert a.entry_price() == 6_100_000
    a.apply_trade(-10_000, 6_300_000)  # sell 1 at 63,000: realised (63,000 - 61,000) * 1
    assert a.size == 10_000
    assert a.cost == 60_000_000_000 + 62_000_000_000 - 63_000_000_000
    assert a.realized() == parse_cash("2000")
    assert a.entry_price() == 6_100_000
    a.apply_trade(-20_000, 6_000_000)  # flip: sell 2 at 60,000 -> short 1 at 60,000
    assert a.size == -10_000
    assert a.entry_price() == 6_000_000
    assert a.realized() == parse_cash("2000") - parse_cash("1000")


@given(
    st.lists(
        st.tuples(
            st.integers(-(10**13), 10**13),  # cash
            st.integers(-(10**6), 10**6),  # size
            st.integers(1, 10**7),  # entry price
        ),
        max_size=12,
    ),
    st.integers(1, 10**7),  # mark
    st.integers(1, 500_000),  # maintenance ppm
)
# equity exactly at maintenance (1 * PPM == 1 * 1_000_000 * 1): not liquidatable
@example([(1, 1, 1_000_000)], 1_000_000, 1)
def test_the_waterfalls_scan_finds_exactly_the_accounts_is_liquidatable_names(rows, mark, mmr):
    # the waterfall scans every account every tick with the predicate written inline (for speed):
    # it must name the same accounts as is_liquidatable, the trigger used everywhere else
    from perpgame.engine.liquidation import _below_maintenance

    accounts = [
        Account(i + 2, "bot", "g", f"a{i}", cash=cash, size=size, cost=size * entry)
        for i, (cash, size, entry) in enumerate(rows)
    ]
    found = _below_maintenance(accounts, mark, mmr, set())
    assert found == [a for a in accounts if is_liquidatable(a, mark, mmr)]
