"""Each archetype does what its name says, through orders only, with the pile law holding."""

from __future__ import annotations

from perpgame.engine.book import BUY, SELL
from tests.world.harness import START, World, dollars


def makers(w: World, n: int = 4, **params) -> list:
    return w.add("market_maker", n, cash=dollars(500_000), leverage=10, **params)


def ids(bots) -> list[int]:
    return [b.desk.account_id for b in bots]


def spread(w: World) -> int | None:
    bid, ask = w.market.book.best_bid(), w.market.book.best_ask()
    return None if bid is None or ask is None else ask - bid


def own_spread(bot) -> int:
    """Best ask minus best bid of one maker's own quotes."""
    orders = bot.desk.orders()
    bids = [o.price for o in orders if o.side == BUY]
    asks = [o.price for o in orders if o.side == SELL]
    return min(asks) - max(bids)


# ----------------------------------------------------------------------------- market maker
def test_market_maker_keeps_a_two_sided_book_in_calm():
    w = World(seed=1, volatility_ppm=300)
    mm = makers(w, 3, levels=5, spread_bps=10)
    w.run(200)
    book = w.market.book
    for bot in mm:
        orders = w.resting(bot.desk.account_id)
        assert {o.side for o in orders} == {BUY, SELL}
        assert len(orders) == 10
    assert book.best_bid() < w.market.index < book.best_ask()
    assert spread(w) <= START * 20 // 10_000  # about 10 bps, plus the grid


def test_market_maker_widens_then_pulls_in_a_crash_and_returns_when_calm():
    w = World(seed=2, volatility_ppm=300)
    mm = makers(w, 3)
    w.run(50)
    calm = [own_spread(b) for b in mm]
    w.oracle.move(-300_000, 100)  # 30 to 40 bps a tick: widening territory
    w.run(30)
    assert all(b.stress > 0 for b in mm)
    assert all(own_spread(b) > c for b, c in zip(mm, calm, strict=True))
    w.oracle.gap(-150_000)
    w.step()
    assert all(not w.resting(i) for i in ids(mm))  # pulled
    assert w.market.book.best_bid() is None
    w.oracle.move(0, 1)  # the glide is over: calm again
    w.run(5)
    assert all(not w.resting(i) for i in ids(mm))  # still waiting for calm
    w.run(120)
    assert all(len(w.resting(i)) == 10 for i in ids(mm))  # back


def test_market_maker_pulls_and_restores_on_the_timeline():
    w = World(seed=3)
    mm = makers(w, 2)
    w.run(5)
    for bot in mm:
        bot.pull(True)
    assert len(w.market.book) == 0
    w.run(50)
    assert len(w.market.book) == 0
    for bot in mm:
        bot.pull(False)
    w.step()
    assert len(w.market.book) == 20


def test_market_maker_skews_quotes_to_shed_inventory():
    w = World(seed=4)
    (mm,) = makers(w, 1, levels=3, spread_bps=10, skew_bps=40, max_inventory=20_000)
    w.run(2)
    calm_bid, calm_ask = w.market.book.best_bid(), w.market.book.best_ask()
    (seller,) = w.add("whale", cash=dollars(1_000_000))
    seller.command("sell", qty=5_000, ticks=1)
    w.run(3)
    assert mm.desk.size == 5_000  # it bought
    assert w.market.book.best_ask() < calm_ask  # asks come down to sell the inventory back
    assert w.market.book.best_bid() < calm_bid


def test_market_maker_stops_adding_at_max_inventory():
    w = World(seed=5)
    (mm,) = makers(w, 1, levels=2, size=5_000, max_inventory=10_000)
    (seller,) = w.add("whale", cash=dollars(1_000_000))
    seller.command("sell", qty=10_000, ticks=1)
    w.run(3)
    assert mm.desk.size == 10_000
    assert {o.side for o in w.resting(mm.desk.account_id)} == {SELL}


# ------------------------------------------------------------------------------------ noise
def test_noise_traders_trade_small_and_both_ways():
    w = World(seed=6, volatility_ppm=300)
    makers(w, 2)
    noise = w.add("noise", 20, cash=dollars(20_000), leverage=5, chance_ppm=200_000)
    w.run(200)
    fills = [f for f in w.market.trades if f.taker in ids(noise) or f.maker in ids(noise)]
    assert fills
    assert all(f.qty <= 2_000 for f in fills)
    sizes = [b.desk.size for b in noise]
    assert any(s > 0 for s in sizes) and any(s < 0 for s in sizes)
    assert all(abs(s) <= 12_000 for s in sizes)


# --------------------------------------------------------------------------------- momentum
def test_momentum_buys_rises_and_sells_falls():
    w = World(seed=7, keyframes=[(5, START), (60, START * 105 // 100)])
    makers(w, 4)
    mo = w.add("momentum", 10, cash=dollars(20_000), leverage=10)
    w.run(60)
    assert all(b.desk.size > 0 for b in mo)
    w.oracle.move(-100_000, 60)
    w.run(60)
    assert all(b.desk.size < 0 for b in mo)


def test_momentum_does_nothing_in_a_flat_market():
    w = World(seed=8)
    makers(w, 2)
    mo = w.add("momentum", 5, cash=dollars(20_000))
    w.run(100)
    assert all(b.desk.size == 0 for b in mo)


# -------------------------------------------------------------------------------------- whale
def test_whale_sell_command_moves_the_book_down_by_orders():
    w = World(seed=9)
    makers(w, 3, cooldown=1_000)
    (whale,) = w.add("whale", cash=dollars(2_000_000))
    w.run(10)
    bid_before = w.market.book.best_bid()
    whale.command("sell", qty=40_000, ticks=4)
    w.run(4)
    assert whale.desk.size == -40_000
    assert w.market.book.best_bid() < bid_before
    assert w.market.last_price < bid_before
    assert whale.plan is None


def test_whale_scheduled_buy_and_close():
    w = World(seed=10)
    makers(w, 3)
    (whale,) = w.add("whale", cash=dollars(2_000_000), side="buy", qty=20_000, at_tick=5, ticks=5)
    w.run(4)
    assert whale.desk.size == 0
    w.run(6)
    assert whale.desk.size == 20_000
    whale.command("close", ticks=2)
    w.run(3)
    assert whale.desk.size == 0


# -------------------------------------------------------------------------------- arbitrageur
def test_arbitrageur_pulls_a_displaced_book_back_to_the_index():
    def run(with_arb: bool) -> int:
        w = World(seed=11)
        makers(w, 3, fair="mid", widen_vol_bps=5_000, pull_vol_bps=9_000)
        if with_arb:
            w.add("arbitrageur", 2, cash=dollars(500_000), max_qty=20_000)
        w.run(5)
        w.oracle.gap(-50_000)  # the outside price drops 5%; these makers only watch the book
        w.run(60)
        return abs(w.market.book.mid() - w.market.index)

    assert run(with_arb=False) > START * 4 // 100
    assert run(with_arb=True) < START * 1 // 100


def test_arbitrageur_unwinds_and_stops_when_pulled():
    w = World(seed=12)
    makers(w, 3, fair="mid", widen_vol_bps=5_000, pull_vol_bps=9_000)
    (arb,) = w.add("arbitrageur", cash=dollars(500_000), max_qty=20_000, unwind_ppm=200_000)
    w.run(5)
    w.oracle.gap(30_000)  # the book is now 3% cheap: the arbitrageur buys
    w.run(10)
    peak = arb.desk.size
    assert peak > 0
    w.run(100)
    assert 0 <= arb.desk.size < peak // 2  # unwound into the book, now back near the index
    w.oracle.gap(30_000)
    arb.pull(True)
    size = arb.desk.size
    w.run(10)
    assert arb.desk.size == size
    assert w.market.book.best_ask() < w.market.index * 98 // 100  # nobody drags the book up
    arb.pull(False)
    w.run(10)
    assert arb.desk.size > size


# --------------------------------------------------------------------------------- dip buyer
def test_dip_buyer_brings_fresh_cash_after_a_dip():
    w = World(seed=13)
    makers(w, 4)
    dips = w.add("dip_buyer", 5, dip_bps=500, leverage=3)
    w.run(20)
    deposits = w.market.deposits
    assert all(b.desk.size == 0 for b in dips)
    w.oracle.move(-80_000, 20)
    w.run(40)
    assert w.market.deposits == deposits + 5 * dollars(10_000)
    assert all(b.desk.size > 0 for b in dips)
    assert len(w.of_type("deposit")) >= 5


def test_dip_buyer_waits_in_a_rally():
    w = World(seed=14)
    makers(w, 2)
    w.add("dip_buyer", 3)
    w.oracle.move(100_000, 50)
    before = w.market.deposits
    w.run(80)
    assert w.market.deposits == before


# -------------------------------------------------------------------------------- degenerate
def test_degenerate_sits_at_max_leverage_and_is_liquidated_in_a_crash():
    w = World(seed=15, max_leverage=20)
    makers(w, 4)
    w.fund_vault(dollars(1_000_000))
    degens = w.add("degenerate", 5, cash=dollars(2_000), leverage=1, jitter=5)
    w.run(20)
    for bot in degens:
        assert bot.desk.leverage == 20
        assert bot.desk.size > 0
        notional = bot.desk.size * w.market.mark
        assert notional > bot.desk.equity() * 15  # most of 20x used
    w.oracle.move(-100_000, 20)
    w.run(40)
    for bot in degens:
        assert w.of_type("liquidation", bot.desk.account_id)
        assert bot.desk.size == 0


def test_short_degenerate_and_commands():
    w = World(seed=16)
    makers(w, 2)
    (d,) = w.add("degenerate", cash=dollars(2_000), side="short", open_tick=1_000)
    w.run(5)
    assert d.desk.size == 0
    d.command("open")
    w.step()
    assert d.desk.size < 0
    d.command("close")
    assert d.desk.size == 0


# ---------------------------------------------------------------------------- vault unwinder
def test_vault_unwinder_reduces_an_inherited_position_within_its_slippage():
    w = World(seed=17, book_liquidation=False, max_leverage=20, mark_method="index")
    w.fund_vault(dollars(2_000_000))
    makers(w, 4, pull_vol_bps=200, widen_vol_bps=100)
    w.add("degenerate", 6, cash=dollars(5_000), jitter=0)
    unwinder = w.add_unwinder(slice_ppm=200_000, max_slippage_bps=100)
    w.run(5)
    w.oracle.move(-60_000, 10)
    w.run(10)
    assert w.of_type("backstop")
    inherited = max(abs(e.qty) for e in w.of_type("backstop"))
    assert w.market.vault.size > 0
    floors = []
    for _ in range(100):
        w.step()
        floors.append(w.market.index * 99 // 100)
    assert w.market.vault.size == 0
    vault_sells = [f for f in w.market.trades if f.taker == unwinder.desk.account_id]
    assert vault_sells and inherited > 0
    assert all(f.price >= min(floors) for f in vault_sells)


def test_vault_unwinder_waits_for_bids():
    w = World(seed=18, book_liquidation=False, max_leverage=20, mark_method="index")
    w.fund_vault(dollars(2_000_000))
    mm = makers(w, 2, pull_vol_bps=200, widen_vol_bps=100)
    w.add("degenerate", 3, cash=dollars(5_000), jitter=0)
    w.add_unwinder()
    w.run(5)
    for bot in mm:
        bot.pull(True)
    w.oracle.move(-60_000, 10)
    w.run(30)
    held = w.market.vault.size
    assert held > 0  # nobody to sell to: it holds rather than dump
    for bot in mm:
        bot.pull(False)
    w.run(100)
    assert w.market.vault.size < held


def test_dip_buyer_comes_in_on_liquidations_before_the_full_dip():
    def deposits(on_liquidations: bool) -> int:
        w = World(seed=19, max_leverage=20)
        makers(w, 4)
        w.fund_vault(dollars(1_000_000))
        w.add("degenerate", 5, cash=dollars(2_000), jitter=0)
        w.add("dip_buyer", 3, dip_bps=1_000, chance_ppm=1_000_000, on_liquidations=on_liquidations)
        w.run(10)
        w.oracle.move(-60_000, 20)  # -6%: past half the dip, and the degenerates go
        w.run(30)
        assert w.of_type("liquidation")
        return len(w.of_type("deposit"))  # opening deposits come before the first tick

    assert deposits(on_liquidations=False) == 0
    assert deposits(on_liquidations=True) == 3
