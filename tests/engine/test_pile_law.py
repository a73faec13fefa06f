"""Hypothesis: random order flows, leverage and index paths (gaps past bankruptcy, vaults too small).

After every tick, under every policy and both ADL triggers: ``Market.check()`` finds nothing
(the pile law to the unit, no account below maintenance once the waterfall has run unless it is
held in liquidation under ``deficit``, no negative equity without a covering ``bad_debt`` event,
no more owed than paid in, the book sound); every deleverage hit the side opposite the bankrupt
position, under ``deficit`` only a bankrupt with equity below zero, and never pushed a winner
below zero. Traders' own market orders and closes into a thin or bare book are part of the flow.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perpgame.engine.adl import POLICIES
from perpgame.engine.book import BUY, SELL, OrderType
from perpgame.engine.config import MarketConfig
from perpgame.engine.market import Market

START = 6_000_000  # 60,000.00

order = st.tuples(
    st.integers(0, 7),  # trader index
    st.sampled_from([BUY, SELL]),
    st.integers(1, 30_000),  # up to 3 BTC
    st.integers(-800, 800),  # price offset from index, in bps; None-like for market below
    st.sampled_from(list(OrderType)),
    st.booleans(),  # reduce-only
)
tick_plan = st.tuples(
    st.integers(-3_500, 3_500),  # index move in bps: up to +-35% in one tick
    st.lists(order, max_size=12),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=st.sampled_from(list(POLICIES)),
    trigger=st.sampled_from(["deficit", "takeover"]),
    mark_method=st.sampled_from(["index", "median", "mid", "last"]),
    vault_cash=st.sampled_from([0, 1_000_000_000, 50_000_000_000]),
    partial=st.sampled_from([0, 250_000]),
    book=st.booleans(),
    cash=st.lists(st.integers(100_000_000, 40_000_000_000), min_size=8, max_size=8),
    leverage=st.lists(st.integers(1, 25), min_size=8, max_size=8),
    ticks=st.lists(tick_plan, min_size=1, max_size=12),
    seed=st.integers(0, 2**32),
)
def test_pile_law_and_waterfall_invariants(
    policy, trigger, mark_method, vault_cash, partial, book, cash, leverage, ticks, seed
):
    cfg = MarketConfig(
        max_leverage=25,
        maintenance_ppm=20_000,
        adl_policy=policy,
        adl_trigger=trigger,
        mark_method=mark_method,
        partial_liquidation_ppm=partial,
        book_liquidation=book,
        funding_interval=3,
        seed=seed,
    )
    m = Market(cfg, start_price=START)
    if vault_cash:
        m.deposit(m.vault.id, vault_cash)
    traders = [
        m.open_account("bot", "t", f"t{i}", cash=c, leverage=lev)
        for i, (c, lev) in enumerate(zip(cash, leverage, strict=True))
    ]
    index = START
    liquidated_side: dict[int, int] = {}
    for move_bps, orders in ticks:
        m.begin_tick()
        index = max(100, index + index * move_bps // 10_000)
        m.set_index(index)
        for who, side, qty, offset, kind, reduce_only in orders:
            price = None if kind == OrderType.MARKET else max(1, index + index * offset // 10_000)
            m.place_order(traders[who].id, side, qty, price, kind, reduce_only=reduce_only)
        events = m.end_tick()

        report = m.check_pile()
        assert report.ok, report.explain()
        assert m.check() == [], (m.check(), [e for e in events if e.type != "fill"])
        for e in events:
            if e.type == "liquidation":
                liquidated_side[e.account] = 1 if e.qty > 0 else -1
            if e.type == "deleverage":
                side = liquidated_side[e.counterparty]
                assert e.size_before * side < 0, "ADL hit the bankrupt position's own side"
                assert 0 < e.qty <= abs(e.size_before)
                assert e.equity - e.lost_pnl >= min(0, e.equity), "ADL pushed a winner below zero"
                if trigger == "deficit":
                    assert e.counterparty_equity < 0, "ADL against a solvent account"
