"""ADL measures: one episode worked by hand, then the orderings ADL-LAB.md section 3 predicts on a
scenario of our own (a low-leverage whale and a crowd of 10x winners), under every policy.

Units as in the engine: price in cents, size in lots, cash = price * lots.
"""

from fractions import Fraction

import pytest

from perpgame.engine.adl import POLICIES, Position, get_policy
from perpgame.engine.rng import Rng
from perpgame.session.measures import (
    Episode,
    Hit,
    gini,
    inversions,
    lost_upside,
    max_leverage_after,
    max_leverage_before,
    max_profit_seized,
    measure,
    summarise,
    top_one,
)

MARK, FILL = 100, 95  # a bankrupt short at P_b = 95 under a mark of 100: winners are longs


def long(account: int, size: int, entry: int, equity: int) -> Position:
    return Position(account, size, size * entry, equity, MARK)


WHALE = long(1, 100, 5, 10_500)
"""pnl 100*100 - 500 = 9,500; equity 10,500: leverage 10,000 / 10,500 = 0.95x."""
CROWD = [long(a, 20, 90, 200) for a in range(2, 7)]
"""Each: pnl 2,000 - 1,800 = 200; equity 200: leverage 2,000 / 200 = 10x."""
BOOK = [WHALE, *CROWD]
Q = 20
D = Q * (MARK - FILL)  # the bankrupt's deficit at the mark: 20 * 5 = 100


def test_one_episode_by_hand():
    """Two winners, 6 lots closed at 95 under mark 100 (g = 5 a lot):

    acct  n   u     E     d  h = 5d  u - h  lev before      lev after
    1     10  500   600   2  10      490    1000/600=5/3    800/590 = 80/59
    2     10  100   250   4  20      80     1000/250 = 4    600/230 = 60/23
    3     5   -50   100   0  0       -      (a loser: not in W)

    D = 30 = cash taken, overshoot 0; top-1: acct 2 with 20 of 30 = 2/3; Gini over W of (10, 20):
    |10-20| * 2 / (2 * 2 * 30) = 1/6; max profit seized 20/100 = 1/5; lost upside at 110:
    6 * (110 - 100) = 60; no inversions (490 > 80).
    """
    a = Position(1, 10, 10 * 50, 600, MARK)
    b = Position(2, 10, 10 * 90, 250, MARK)
    c = Position(3, 5, 5 * 110, 100, MARK)
    ep = Episode(7, 9, MARK, 30, True, 1, (a, b, c), (Hit(1, 2, 10), Hit(2, 4, 20)))
    m = measure(ep, later_price=110)
    assert (m.deficit, m.cash_taken, m.overshoot, m.accounts_hit) == (30, 30, 0, 2)
    assert m.closed_notional == 6 * 100
    assert (m.top1_account, m.top1_amount, m.top1_share) == (2, 20, Fraction(2, 3))
    assert m.gini == Fraction(1, 6)
    assert m.max_profit_seized == Fraction(1, 5)
    assert m.max_leverage_before == 4 and m.max_leverage_after == Fraction(60, 23)
    assert m.lost_upside_later == 60
    assert m.lost_upside_up10 == 6 * 10 and m.lost_upside_down10 == -60
    assert m.inversions == 0 and m.winners == 2


def test_small_formulas():
    assert gini([0, 0, 0, 10]) == Fraction(3, 4)  # one pays all of four: (n-1)/n
    assert gini([5, 5]) == 0 and gini([]) == 0
    assert top_one([Hit(4, 0, 7), Hit(2, 0, 7)]) == (2, 7, Fraction(1, 2))  # tie: lower id
    ep = Episode(1, 9, 100, 0, True, -1, (Position(1, -10, -1200, 50, 100),), (Hit(1, 10, 0),))
    assert max_leverage_before(ep) == 20 and max_leverage_after(ep) == 0
    assert lost_upside(ep, 90) == 10 * 10  # short winners lose the fall they were closed out of
    # a winner left below zero equity has infinite leverage (None)
    broke = Episode(1, 9, 100, 0, True, -1, (Position(1, -10, -1200, 50, 100),), (Hit(1, 5, 60),))
    assert max_leverage_after(broke) is None
    assert max_profit_seized(broke) == Fraction(60, 200)


def episode(name: str) -> Episode:
    """The whale-and-crowd book, Q lots, allocated by ``name`` and filled at ``FILL``."""
    policy = get_policy(name)
    if not policy.closes_positions:
        charges = policy.haircut(BOOK, D)
        hits = tuple(Hit(a, 0, amount) for a, amount in charges)
        return Episode(1, 99, MARK, D, False, 1, tuple(BOOK), hits)
    kwargs = {"fill_price": FILL} if name == "water_fill" else {}
    allocations = policy.allocate(BOOK, Q, Rng(3), **kwargs)
    hits = tuple(Hit(a.account, a.qty, a.qty * (MARK - FILL)) for a in allocations)
    return Episode(1, 99, MARK, D, True, 1, tuple(BOOK), hits)


CONTRACT = [n for n, cls in POLICIES.items() if cls.closes_positions]
QUEUES = ["pnl_leverage", "hyperliquid", "binance", "largest_first"]


@pytest.mark.parametrize("name", QUEUES)
def test_queues_put_it_all_on_the_whale(name):
    """Every queue ranks the whale first (BitMEX 19 * 0.95 vs 1/9 * 10; Hyperliquid 20 * 0.95
    vs 10/9 * 10; Binance pnl/wallet 9.5 vs 1; largest first 100 lots vs 20): it pays all 20."""
    m = measure(episode(name), later_price=MARK)
    assert (m.top1_account, m.top1_share, m.accounts_hit) == (1, 1, 1)


def test_water_fill_spreads_it_over_the_crowd_by_leverage():
    """Crowd L(d) = (20 - d) * 100 / (200 - 5d): 10, 9.74, 9.47, ... all five drain together:
    4 lots each (top-1 share 1/5); the whale at 0.95x is never touched."""
    ep = episode("water_fill")
    assert sorted((h.account, h.lots) for h in ep.hits) == [(a, 4) for a in range(2, 7)]
    ms = {name: measure(episode(name), later_price=MARK) for name in CONTRACT}
    wf = ms["water_fill"]
    assert wf.top1_share == Fraction(1, 5)
    for name, m in ms.items():
        assert wf.max_leverage_after <= m.max_leverage_after, name
        assert wf.top1_share <= m.top1_share, name


def test_totals_do_not_depend_on_the_allocation():
    """Closed notional, cash taken and lost upside are the same for every exact contract policy."""
    totals = set()
    for name in CONTRACT:
        ep = episode(name)
        m = measure(ep, later_price=130)
        totals.add((m.closed_notional, m.cash_taken, m.overshoot, m.lost_upside_later))
    assert totals == {(Q * MARK, D, 0, Q * 30)}


def test_pro_rata_by_profit_has_no_inversions_and_loads_the_biggest_profit():
    """Haircut 100 over profits 9,500 and 5 x 200 (total 10,500). Floors: whale 950,000 // 10,500
    = 90 (remainder 5,000), crowd 20,000 // 10,500 = 1 each (remainder 9,500); the 5 cents left go
    to the larger remainders, the crowd: 90 + 5 * 2 = 100. Fair by Chitra's axioms, not spread."""
    m = measure(episode("socialized_loss"), later_price=MARK)
    assert m.inversions == 0 and m.closed_notional == 0 and m.cash_taken == D
    assert m.burdens == {1: 90, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2}
    assert m.top1_account == 1 and m.top1_share == Fraction(9, 10)
    assert inversions(episode("socialized_loss")) == 0


def test_run_summary_adds_money_and_takes_maxima():
    a = measure(episode("water_fill"), later_price=MARK)
    b = measure(episode("pnl_leverage"), later_price=MARK)
    s = summarise([a, b], group_of=lambda acct: "whale" if acct == 1 else "crowd")
    assert s["episodes"] == 2 and s["deficit"] == 2 * D and s["cash_taken"] == 2 * D
    assert s["paid_by_group"] == {"whale": D, "crowd": D}
    assert s["top1_account"] == 1 and s["top1_share"] == 0.5
    assert s["accounts_hit"] == 6


def test_episodes_from_events_update_the_winners_for_earlier_episodes_in_the_tick():
    """One ranking at event 0, then two bankrupt shorts (ids 8, 9) absorbed by the same longs.

    Episode 1 closes 4 of acct 1's 10 lots at 90 under mark 100 (h = 4 * 10 = 40): before episode 2
    acct 1 holds 6 lots, equity 600 - 40 = 560, entry cost 10 * 50 = 500 scaled to 6/10 = 300.
    """
    from types import SimpleNamespace as Ev

    from perpgame.session.lab import EpisodeCollector

    a = Position(1, 10, 500, 600, MARK)
    b = Position(2, 5, 250, 300, MARK)
    events = [
        Ev(
            type="deleverage",
            account=1,
            counterparty=8,
            qty=4,
            lost_pnl=40,
            mark=MARK,
            size_before=10,
        ),
        Ev(type="bad_debt", account=8, amount=40),
        Ev(type="fill"),
        Ev(
            type="deleverage",
            account=1,
            counterparty=9,
            qty=2,
            lost_pnl=20,
            mark=MARK,
            size_before=6,
        ),
        Ev(
            type="deleverage",
            account=2,
            counterparty=9,
            qty=1,
            lost_pnl=10,
            mark=MARK,
            size_before=5,
        ),
    ]
    collector = EpisodeCollector()
    collector.collect(5, events, [(0, (a, b))])
    first, second = collector.episodes
    assert (first.bankrupt, first.deficit, first.hits) == (8, 40, (Hit(1, 4, 40),))
    assert second.bankrupt == 9 and second.deficit == 0  # no bad_debt: the bankrupt was solvent
    assert second.candidates == (Position(1, 6, 300, 560, MARK), b)
    assert [h.account for h in second.hits] == [1, 2] and second.side == 1
