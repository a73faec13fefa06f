"""The liquidation waterfall, stage by stage, with the arithmetic worked by hand."""

from perpgame.engine.book import BUY
from perpgame.engine.units import parse_cash, parse_price, parse_qty

from .helpers import hold, market, of_type, tick, trader


def setup(vault_cash: str = "0", **cfg):
    # long 1 BTC at 60,000 with 6,000 cash (10x); maintenance 2.5%; bankruptcy price 54,000
    m = market(liquidation_fee_ppm=5_000, **cfg)
    if vault_cash != "0":
        m.deposit(m.vault.id, parse_cash(vault_cash))
    player = trader(m, "player", "6000", kind="player")
    short = trader(m, "short", "100000")
    hold(player, short, "1", "60000")
    return m, player, short


def test_stage_1_book_fills_the_liquidation_at_a_fair_price():
    m, player, short = setup()
    bidder = trader(m, "bidder", "1000000")
    m.begin_tick()
    m.place_order(bidder.id, BUY, parse_qty("10"), parse_price("55000"))
    m.end_tick()
    events = tick(m, "55300")
    # mark 55,300: equity = 6,000 - 4,700 = 1,300 < maintenance 55,300 * 2.5% = 1,382.50
    # 1,300 / 1,382.50 = 94% of maintenance: above the 2/3 backstop threshold -> the book
    (liq,) = of_type(events, "liquidation")
    assert liq.account == player.id
    assert liq.reason == "below_maintenance"
    # the event carries the numbers that triggered it, not the flat account's after the sale
    # (the narrator said "below maintenance margin 0.00" before)
    assert (liq.mark, liq.equity) == (parse_price("55300"), parse_cash("1300"))
    assert liq.maintenance == parse_cash("1382.50")
    assert (liq.qty, liq.filled, liq.avg_price) == (10_000, 10_000, parse_price("55000"))
    assert liq.bankruptcy_price == 0  # flat afterwards
    # sold at 55,000: equity 6,000 - 5,000 = 1,000; fee 0.5% of 55,000 = 275 to the vault
    assert liq.fee == parse_cash("275")
    assert player.size == 0
    assert player.equity(m.mark) == parse_cash("725")
    assert m.vault.cash == parse_cash("275")
    assert bidder.size == 10_000  # the bidder replaced the liquidated long
    assert not of_type(events, "backstop") and not of_type(events, "deleverage")
    assert m.stage == "book"


def test_stage_2_vault_takes_what_the_book_cannot_at_the_bankruptcy_price():
    m, player, short = setup(vault_cash="100000")
    bidder = trader(m, "bidder", "1000000")
    m.begin_tick()
    m.place_order(bidder.id, BUY, parse_qty("10"), parse_price("53000"))  # below B = 54,000
    m.end_tick()
    events = tick(m, "55300")
    (liq,) = of_type(events, "liquidation")
    assert liq.filled == 0  # the book never fills beyond the bankruptcy price
    (bs,) = of_type(events, "backstop")
    assert (bs.account, bs.vault, bs.qty, bs.price) == (player.id, m.vault.id, 10_000, 5_400_000)
    # at B the player's equity is exactly 0; the vault holds 1 BTC from 54,000: +1,300 at the mark,
    # which is the buffer (the player's equity) it keeps, as on Hyperliquid
    assert player.size == 0 and player.equity(m.mark) == 0
    assert m.vault.size == 10_000
    assert m.vault.equity(m.mark) == parse_cash("101300")
    assert bidder.size == 0
    assert not of_type(events, "deleverage") and not of_type(events, "bad_debt")
    assert m.stage == "vault"


def test_backstop_threshold_skips_the_book():
    # equity below 2/3 of maintenance goes straight to the vault, even with bids in the book
    m, player, short = setup(vault_cash="100000")
    bidder = trader(m, "bidder", "1000000")
    m.begin_tick()
    m.place_order(bidder.id, BUY, parse_qty("10"), parse_price("54500"))
    m.end_tick()
    # mark 54,700: equity 700 < 2/3 * 1,367.50 = 911.67
    events = tick(m, "54700")
    assert of_type(events, "liquidation")[0].filled == 0
    assert of_type(events, "liquidation")[0].reason == "below_backstop"
    assert of_type(events, "backstop")[0].price == parse_price("54000")
    assert bidder.size == 0


def test_vault_takes_only_what_its_margin_covers_then_adl():
    # vault with 2,000 at 5x: taking q coins at 54,000 with mark 55,300 needs q * 55,300 / 5 of
    # margin and adds q * 1,300 of equity: 2,000 + 1,300 q >= 11,060 q -> q <= 0.20491 -> 0.2049
    m, player, short = setup(vault_cash="2000", vault_leverage=5)
    events = tick(m, "55300")
    (bs,) = of_type(events, "backstop")
    assert bs.qty == 2_049
    (adl,) = of_type(events, "deleverage")
    # the rest, 0.7951 BTC, closes the only short at the bankruptcy price
    assert (adl.account, adl.counterparty, adl.qty, adl.price, adl.rank) == (
        short.id,
        player.id,
        7_951,
        5_400_000,
        1,
    )
    assert adl.size_before == -10_000
    assert player.size == 0 and m.stage == "adl"
    assert m.vault.equity(m.mark) >= 2_049 * 5_530_000 // 5


def test_stage_3_dydx_deleveraging_example():
    # dYdX docs, scaled by 100 (prices are whole cents): A deposits $100 and goes long 5 at $100;
    # B deposits $100 and goes short 5 at $100. Price jumps to $200.
    m = market("100")
    a, b = trader(m, "a", "100"), trader(m, "b", "100")
    hold(a, b, "5", "100")
    events = tick(m, "200")
    # B's equity = 100 - 5 * 100 = -400; bankruptcy price = 100 + 100 / 5 = $120.
    # No book, no vault: A is closed at $120. A gains 5 * 20 = $100; B ends at exactly $0.
    (adl,) = of_type(events, "deleverage")
    assert (adl.account, adl.counterparty, adl.price, adl.qty) == (a.id, b.id, 12_000, 50_000)
    assert a.size == 0 and a.equity(m.mark) == parse_cash("200")
    assert b.size == 0 and b.equity(m.mark) == 0
    # A's "missing" $400 of paper profit never existed in the pile
    assert adl.lost_pnl == parse_cash("400")
    (debt,) = of_type(events, "bad_debt")
    assert (debt.account, debt.amount, debt.absorbed_by, debt.absorbers) == (
        b.id,
        parse_cash("400"),
        "adl",
        (a.id,),
    )
    assert m.check_pile().pile == parse_cash("200")


def test_socialized_loss_keeps_winners_open_and_haircuts_their_profit():
    m = market("100", adl_policy="socialized_loss")
    a, b = trader(m, "a", "100"), trader(m, "b", "100")
    hold(a, b, "5", "100")
    events = tick(m, "200")
    # B's deficit at the mark is $400; the vault takes B's short at the mark ($200) and A, the
    # only winner ($500 of paper profit), pays the $400. A keeps its position open.
    (cut,) = of_type(events, "haircut")
    assert (cut.account, cut.counterparty, cut.amount) == (a.id, b.id, parse_cash("400"))
    assert a.size == 50_000 and a.equity(m.mark) == parse_cash("200")
    assert b.size == 0 and b.equity(m.mark) == 0
    assert m.vault.size == -50_000
    assert not of_type(events, "deleverage")
    # the vault now holds a short it has no margin for: it is the exchange's pool under this
    # policy, so it stays open (below maintenance) and any deficit it runs is socialised too
    events = tick(m, "210")
    # vault: 0 + 5 * (200 - 210) = -50; A's profit at 210 is 5 * 110 = 550 -> A pays 50
    (cut,) = of_type(events, "haircut")
    assert (cut.account, cut.counterparty, cut.amount) == (a.id, m.vault.id, parse_cash("50"))
    assert m.vault.size == -50_000 and m.vault.equity(m.mark) == 0
    assert not of_type(events, "deleverage")


def test_partial_liquidation_sends_slices():
    # 20% slices: the first slice of 0.2 BTC lifts the account back above maintenance
    m, player, short = setup(partial_liquidation_ppm=200_000)
    bidder = trader(m, "bidder", "1000000")
    m.begin_tick()
    m.place_order(bidder.id, BUY, parse_qty("10"), parse_price("55300"))
    m.end_tick()
    events = tick(m, "55300")
    liqs = of_type(events, "liquidation")
    assert [e.qty for e in liqs] == [2_000]
    # after selling 0.2 at 55,300: equity 1,300 - fee 0.5% * 11,060 = 55.30 -> 1,244.70;
    # maintenance on 0.8 BTC = 1,106 -> safe
    assert player.size == 8_000
    assert player.equity(m.mark) == parse_cash("1244.70")
    assert not m.liquidatable(player)


def test_vault_is_liquidated_like_anyone_and_deleveraged_when_bankrupt():
    # the vault inherits a long, then the price keeps falling: the vault itself goes to ADL
    m, player, short = setup(vault_cash="12000", vault_leverage=5)
    tick(m, "55300")  # 12,000 + 1,300 q >= 11,060 q -> all 1 BTC fits
    assert m.vault.size == 10_000
    events = tick(m, "40000")
    # vault: 12,000 + 1 * (40,000 - 54,000) = -2,000 -> bankrupt; no book, so ADL against the short
    (adl,) = of_type(events, "deleverage")
    assert adl.counterparty == m.vault.id and adl.account == short.id
    assert m.vault.size == 0
    (debt,) = of_type(events, "bad_debt")
    assert debt.account == m.vault.id and debt.amount == parse_cash("2000")


def test_adl_reaches_positions_opened_during_the_tick():
    # Found while writing docs/mechanics.md: the ADL queue is ranked once per tick, so a short
    # the vault took over later in the same tick was not in it; once the ranked winners ran out
    # the waterfall never settled. Mark 50,000, maintenance 2.5%, largest_first, takeover, a
    # vault with 100 that may run 39x (50x is refused now: its margin would be below maintenance).
    m = market("50000", adl_policy="largest_first", vault_leverage=39)
    m.deposit(m.vault.id, parse_cash("100"))
    long1 = trader(m, "long1", "1000")  # 1.5 long from 60,000: equity 1,000 - 15,000 < 0
    short1 = trader(m, "short1", "100000")
    near = trader(m, "near", "1200")  # 1 short from 60,000 whose cash went elsewhere
    long2 = trader(m, "long2", "1000")  # 1 long from 60,000: bankrupt too
    other = trader(m, "other", "1")
    hold(long1, short1, "1.5", "60000")
    hold(long2, near, "1", "60000")
    m.transfer(near.id, other.id, parse_cash("10000"))  # near: equity 1,200 < maintenance 1,250
    events = tick(m)
    # long1: the vault takes a sliver, short1 is deleveraged for the rest. near: the vault takes
    # part of its short, long2 (the only long left) is deleveraged for the rest. long2: the rest of
    # short1 and the vault's new short (ranked afresh) are deleveraged against it, as far as their
    # equity goes at long2's bankruptcy price; the vault is forced to take the remainder.
    assert [e.account for e in of_type(events, "backstop")] == [long1.id, near.id, long2.id]
    adl = of_type(events, "deleverage")
    assert (m.vault.id, long2.id) in [(e.account, e.counterparty) for e in adl]
    assert long1.size == long2.size == near.size == 0
    assert all(not m.liquidatable(a) for a in m.accounts.values())
    # no winner was left below zero; the vault's deficit is the bad debt it was named for
    for e in adl:
        assert e.equity - e.lost_pnl >= min(e.equity, 0)
    vault_debt = sum(e.amount for e in of_type(events, "bad_debt") if e.absorbed_by == "vault")
    assert 0 < -m.vault.equity(m.mark) <= vault_debt
    assert m.check() == []


def test_a_proportional_policy_is_told_the_fill_price():
    # the dYdX example again (B bankrupt at $120), under a pro-rata policy that records what the
    # waterfall tells it: it allocates the fill at B's bankruptcy price, not at the $200 mark
    from perpgame.engine.adl.pro_rata import ProRataPolicy

    told = []

    class Spy(ProRataPolicy):
        def allocate(self, positions, qty, rng, fill_price=None):
            told.append(fill_price)
            return super().allocate(positions, qty, rng, fill_price)

    m = market("100", adl_policy="pro_rata")
    m.policy = Spy()
    a, b = trader(m, "a", "100"), trader(m, "b", "100")
    hold(a, b, "5", "100")
    events = tick(m, "200")
    (adl,) = of_type(events, "deleverage")
    assert told == [12_000] and adl.price == 12_000
