"""Fees, funding with its remainder, margin checks, deposits and withdrawals: hand-worked."""

from perpgame.engine.book import BUY, SELL, OrderType
from perpgame.engine.market import HOUSE_ID, split_pro_rata
from perpgame.engine.risk import Refusal
from perpgame.engine.units import parse_cash, parse_price, parse_qty

from .helpers import hold, market, of_type, tick, trader


def test_taker_and_maker_fees_go_to_the_house():
    m = market(taker_fee_ppm=500, maker_fee_ppm=100)  # 5 bps taker, 1 bp maker
    maker = trader(m, "mm", "100000")
    taker = trader(m, "t", "100000")
    m.begin_tick()
    m.place_order(maker.id, SELL, parse_qty("1"), parse_price("60000"))
    out = m.place_order(taker.id, BUY, parse_qty("1"), None, OrderType.MARKET)
    assert out.filled == parse_qty("1")
    # notional 60,000: taker 5 bps = 30.00, maker 1 bp = 6.00
    assert taker.cash == parse_cash("100000") - parse_cash("30")
    assert maker.cash == parse_cash("100000") - parse_cash("6")
    assert m.accounts[HOUSE_ID].cash == parse_cash("36")
    m.end_tick()
    assert m.check_pile().ok
    (fill,) = of_type(m.events, "fill")
    assert (fill.maker, fill.taker, fill.price, fill.qty) == (maker.id, taker.id, 6_000_000, 10_000)
    assert (fill.maker_fee, fill.taker_fee) == (6_000_000, 30_000_000)


def test_fee_rounds_up_to_the_micro_dollar():
    # 1 lot at 60,000.01: notional 6,000,001 micro-dollars; 5 bps = 3,000.0005 -> 3,001
    m = market("60000.01", taker_fee_ppm=500)
    a, b = trader(m, "a", "1000"), trader(m, "b", "1000")
    m.begin_tick()
    m.place_order(a.id, SELL, 1, 6_000_001)
    m.place_order(b.id, BUY, 1, None, OrderType.MARKET)
    assert m.house.cash == 3_001


def test_order_beyond_initial_margin_is_rejected_with_a_reason():
    m = market()
    maker = trader(m, "mm", "1000000")
    small = trader(m, "p", "1000", leverage=10)
    m.begin_tick()
    m.place_order(maker.id, SELL, parse_qty("10"), parse_price("60000"))
    # 1 BTC at 60,000 at 10x needs 6,000 initial margin; the account has 1,000
    out = m.place_order(small.id, BUY, parse_qty("1"), None, OrderType.MARKET)
    assert out.rejected == "margin"
    (e,) = [e for e in m.events if e.type == "order_rejected"]
    assert (e.need, e.available, e.leverage) == (parse_cash("6000"), parse_cash("1000"), 10)
    assert small.size == 0
    (rej,) = of_type(m.events, "order_rejected")
    assert rej.account == small.id
    # 0.1 BTC needs 600: accepted
    assert m.place_order(small.id, BUY, parse_qty("0.1"), None, OrderType.MARKET).filled == 1_000


def test_reducing_orders_always_pass_the_margin_check():
    m = market()
    a, b = trader(m, "a", "10000"), trader(m, "b", "1000000")
    hold(a, b, "1", "60000")
    m.begin_tick()
    m.set_index(parse_price("55000"))
    m.place_order(b.id, BUY, parse_qty("1"), parse_price("55000"))
    # a is deep in loss (equity 5,000 < IM 5,500 at 10x) but closing is always allowed
    out = m.place_order(a.id, SELL, parse_qty("1"), None, OrderType.MARKET, reduce_only=True)
    assert out.filled == parse_qty("1")
    assert a.size == 0


def test_reduce_only_is_trimmed_to_the_position():
    m = market()
    a, b = trader(m, "a", "10000"), trader(m, "b", "1000000")
    hold(a, b, "1", "60000")
    m.begin_tick()
    out = m.place_order(a.id, SELL, parse_qty("3"), parse_price("61000"), reduce_only=True)
    assert out.resting == parse_qty("1")  # trimmed to the 1 BTC long
    out = m.place_order(a.id, BUY, parse_qty("1"), parse_price("59000"), reduce_only=True)
    assert out.rejected == "reduce_only_would_not_reduce"


def test_withdraw_refused_below_initial_margin():
    m = market()
    a, b = trader(m, "a", "10000", leverage=10), trader(m, "b", "1000000")
    hold(a, b, "1", "60000")  # IM = 6,000; equity 10,000 -> 4,000 free
    assert m.withdraw(a.id, parse_cash("4000.01")) == Refusal(
        "withdraw_below_margin",
        amount=parse_cash("4000.01"),
        available=parse_cash("10000"),
        need=parse_cash("6000"),
    )
    assert m.withdraw(a.id, 0) == Refusal("withdraw_not_positive")
    assert m.withdraw(a.id, parse_cash("4000")) is None
    assert a.cash == parse_cash("6000")
    assert m.check_pile().ok
    assert m.check_pile().pile == parse_cash("1006000")


def test_leverage_is_capped_and_checked():
    m = market(max_leverage=20)
    a, b = trader(m, "a", "4000", leverage=20), trader(m, "b", "1000000")
    assert m.set_leverage(a.id, 21) == Refusal("leverage_out_of_range", leverage=21, cap=20)
    hold(a, b, "1", "60000")  # needs 3,000 at 20x, 6,000 at 10x
    assert m.set_leverage(a.id, 10) == Refusal(
        "leverage_not_covered", leverage=10, available=parse_cash("4000"), need=parse_cash("6000")
    )
    assert m.set_leverage(a.id, 15) is None


def test_funding_longs_pay_shorts_with_the_remainder_to_the_largest_share():
    # index = mark = 60,000.01, premium 0, so rate = 0 + clamp(0.01% - 0) = 0.01% (100 ppm)
    m = market("60000.01", funding_interval=1)
    long = trader(m, "long", "100000")
    s1, s2, s3 = (trader(m, f"s{i}", "100000") for i in (1, 2, 3))
    long.apply_trade(10_000, 6_000_001)
    for s, q in ((s1, 3_333), (s2, 3_333), (s3, 3_334)):
        s.apply_trade(-q, 6_000_001)
    tick(m)
    # long pays 10_000 * 6_000_001 * 100 / 1e6 = 6_000_001 (exact)
    # split 3333:3333:3334 -> 1_999_800.33, 1_999_800.33, 2_000_400.33: floors sum to 6_000_000,
    # the 1 left goes to the largest remainder (s3, 0.3334)
    assert long.cash == parse_cash("100000") - 6_000_001
    assert [s.cash - parse_cash("100000") for s in (s1, s2, s3)] == [
        1_999_800,
        1_999_800,
        2_000_401,
    ]
    (f,) = of_type(m.events, "funding")
    assert (f.rate_ppm, f.paid, f.payers, f.receivers) == (100, 6_000_001, 1, 3)


def test_funding_rate_follows_the_premium_and_is_capped():
    m = market(funding_interval=8, mark_method="index")
    m.mark, m.index = 6_060_000, 6_000_000  # premium +1% = 10_000 ppm
    # rate = 10_000 + clamp(100 - 10_000, -500, 500) = 9_500
    assert m.funding_rate() == 9_500
    m.mark = 9_000_000  # +50%: capped at 4%
    assert m.funding_rate() == 40_000
    m.mark = 5_990_000  # -0.1666%: premium -1_667 -> -1_667 + 500 = -1_167
    assert m.funding_rate() == -1_167


def test_split_pro_rata_is_exact():
    assert split_pro_rata(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(split_pro_rata(1_000_003, [7, 11, 13, 17])) == 1_000_003


def test_mark_methods():
    m = market(mark_method="median")
    a, b = trader(m, "a", "100000"), trader(m, "b", "100000")
    m.begin_tick()
    m.place_order(a.id, BUY, 10, parse_price("59000"))
    m.place_order(b.id, SELL, 10, parse_price("61000"))
    m.set_index(parse_price("62000"))
    # index 62,000, mid 60,000, no last trade (counts as the index): median(62, 60, 62) = 62,000
    assert m.compute_mark() == parse_price("62000")
    m.place_order(a.id, BUY, 5, None, OrderType.MARKET)  # last = 61,000
    assert m.compute_mark() == parse_price("61000")  # median(62,000, 60,000, 61,000)
    m.cancel_all(b.id)  # no asks left: a one-sided book has no mid, which counts as the index
    assert m.compute_mark() == parse_price("62000")  # median(62,000, 62,000, 61,000)
    m.config = m.config.with_changes(mark_method="mid")
    assert m.compute_mark() == parse_price("62000")  # no mid: the index
    m.place_order(b.id, SELL, 10, parse_price("61000"))
    assert m.compute_mark() == parse_price("60000")  # mid of 59,000 and 61,000
    m.config = m.config.with_changes(mark_method="last")
    assert m.compute_mark() == parse_price("61000")


def test_reduce_only_trim_reports_what_was_cut():
    m = market()
    a, b = trader(m, "a", "10000"), trader(m, "b", "1000000")
    hold(a, b, "2", "60000")
    m.begin_tick()
    rest = m.place_order(a.id, SELL, parse_qty("2"), parse_price("61000"), reduce_only=True)
    m.place_order(b.id, BUY, parse_qty("1"), parse_price("59000"))
    m.place_order(a.id, SELL, parse_qty("1"), None, OrderType.MARKET)  # the long is now 1
    assert a.size == parse_qty("1")
    assert m.book.get(rest.order_id).qty == parse_qty("1")
    (cut,) = [e for e in of_type(m.events, "order_cancelled") if e.reason == "reduce-only trimmed"]
    assert (cut.order, cut.qty) == (rest.order_id, parse_qty("1"))


def test_own_resting_orders_are_not_counted_as_liquidity():
    m = market()
    a = trader(m, "a", "100000")
    m.begin_tick()
    m.place_order(a.id, SELL, parse_qty("1"), parse_price("60000"))
    # self-trade prevention would remove a's own ask, so there is nothing to buy
    out = m.place_order(a.id, BUY, parse_qty("1"), None, OrderType.MARKET)
    assert out.rejected == "no_liquidity"
