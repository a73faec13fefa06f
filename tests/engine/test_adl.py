"""ADL policies: hand-worked queues, allocations, lights and haircuts, then properties.

Units as in the engine: price in cents, size in lots, cash = price * lots. The small set ``SET``
below (four longs, mark 200) is worked by hand once here and reused by every policy:

    acct  size  entry  entry_cost  equity  mark_value  pnl     pnl_pct  eff_lev  pnl_leverage
    1     10    100    1000        1000    2000        +1000   1        2        1 * 2   = 2
    2     40    150    6000        4000    8000        +2000   1/3      2        1/3 * 2 = 2/3
    3     20    250    5000        2000    4000        -1000   -1/5     2        -1/5 / 2 = -1/10
    4      5    150     750         250    1000        +250    1/3      4        1/3 * 4 = 4/3

Total size 75.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perpgame.engine.adl import (
    POLICIES,
    AdlPolicy,
    Allocation,
    Position,
    QueueSpot,
    Score,
    UnknownPolicyError,
    get_policy,
    hyperliquid_index,
    largest_remainder,
    lights_for_percentile,
    pnl_leverage_score,
    pro_rata_haircut,
)
from perpgame.engine.rng import Rng


def long(account: int, size: int, entry: int, equity: int, mark: int = 200) -> Position:
    """A long of ``size`` lots bought at ``entry`` cents."""
    return Position(account, size, size * entry, equity, mark)


def short(account: int, size: int, entry: int, equity: int, mark: int) -> Position:
    """A short of ``size`` lots sold at ``entry`` cents (size and entry_cost negative)."""
    return Position(account, -size, -size * entry, equity, mark)


SET = [
    long(1, 10, 100, 1000),
    long(2, 40, 150, 4000),
    long(3, 20, 250, 2000),
    long(4, 5, 150, 250),
]


def order(policy: AdlPolicy, positions: list[Position], seed: int = 0) -> list[int]:
    return [p.account for p in policy.rank(positions, Rng(seed))]


def lights(spots: dict[int, QueueSpot]) -> list[tuple[int, int, int, int]]:
    """(account, rank, lights, percentile) in queue order."""
    return [(a, s.rank, s.lights, s.percentile) for a, s in spots.items()]


def allocs(allocations: list[Allocation]) -> list[tuple[int, int, int]]:
    return [(a.account, a.qty, a.rank) for a in allocations]


# --------------------------------------------------------------------------------------------------
# The BitMEX worked example (MECHANICS.md)


def bitmex_longs() -> list[Position]:
    """Six longs, (qty, score) 1:(10,3) 2:(10,6) 3:(20,1) 4:(30,4) 5:(20,5) 6:(10,2).

    All bought at 60_000 and marked at 120_000: pnl = qty * 60_000, pnl_pct = 1, so the score is
    eff_lev = 120_000 * qty / equity. Equity = 120_000 * qty / score:
    1: 1_200_000/3 = 400_000   2: 1_200_000/6 = 200_000   3: 2_400_000/1 = 2_400_000
    4: 3_600_000/4 = 900_000   5: 2_400_000/5 = 480_000   6: 1_200_000/2 = 600_000
    """
    qty_score = {1: (10, 3), 2: (10, 6), 3: (20, 1), 4: (30, 4), 5: (20, 5), 6: (10, 2)}
    return [long(a, q, 60_000, 120_000 * q // s, mark=120_000) for a, (q, s) in qty_score.items()]


def test_bitmex_example_scores_are_exact() -> None:
    scores = {p.account: pnl_leverage_score(p) for p in bitmex_longs()}
    assert scores == {
        a: Score(Fraction(s)) for a, s in [(1, 3), (2, 6), (3, 1), (4, 4), (5, 5), (6, 2)]
    }


def test_bitmex_example_queue_and_lights() -> None:
    policy = get_policy("pnl_leverage")
    spots = policy.queue(bitmex_longs(), Rng(0))
    # Sorted 2, 5, 4, 1, 6, 3. Cumulative qty 10, 30, 60, 70, 80, 100 of 100, so the exact
    # percentiles are 10/30/60/70/80/100, in the 20% bands BitMEX prints: 20/40/60/80/80/100.
    assert lights(spots) == [
        (2, 1, 5, 10),
        (5, 2, 4, 30),
        (4, 3, 3, 60),
        (1, 4, 2, 70),
        (6, 5, 2, 80),
        (3, 6, 1, 100),
    ]
    assert [s.band for s in spots.values()] == [20, 40, 60, 80, 80, 100]


def test_bitmex_example_short_of_20_liquidated() -> None:
    # A short of 20 is liquidated: account 2 loses all 10, account 5 loses 10 of its 20.
    policy = get_policy("pnl_leverage")
    assert allocs(policy.allocate(bitmex_longs(), 20, Rng(0))) == [(2, 10, 1), (5, 10, 2)]


# --------------------------------------------------------------------------------------------------
# pnl_leverage


def test_pnl_leverage_on_set() -> None:
    policy = get_policy("pnl_leverage")
    # Scores 2, 2/3, -1/10, 4/3 -> order 1, 4, 2, 3. Cumulative 10, 15, 55, 75 of 75:
    # ceil(1000/75) = 14, ceil(1500/75) = 20, ceil(5500/75) = 74, 100 -> lights 5, 5, 2, 1.
    assert order(policy, SET) == [1, 4, 2, 3]
    assert lights(policy.queue(SET, Rng(0))) == [
        (1, 1, 5, 14),
        (4, 2, 5, 20),
        (2, 3, 2, 74),
        (3, 4, 1, 100),
    ]
    # 12 lots: all 10 of account 1, then 2 of account 4's 5.
    assert allocs(policy.allocate(SET, 12, Rng(0))) == [(1, 10, 1), (4, 2, 2)]
    # More than the whole side: everything, 75 lots.
    assert sum(a.qty for a in policy.allocate(SET, 1000, Rng(0))) == 75
    assert policy.allocate(SET, 0, Rng(0)) == []


def test_pnl_leverage_shorts() -> None:
    # Mark 100. Short A: 10 sold at 200, equity 500: pnl 1000, pnl_pct 1000/2000 = 1/2,
    # eff_lev 1000/500 = 2, score 1. Short B: 10 sold at 150, equity 250: pnl 500,
    # pnl_pct 1/3, eff_lev 4, score 4/3. B first.
    shorts = [short(1, 10, 200, 500, mark=100), short(2, 10, 150, 250, mark=100)]
    assert pnl_leverage_score(shorts[0]) == Score(Fraction(1))
    assert pnl_leverage_score(shorts[1]) == Score(Fraction(4, 3))
    assert order(get_policy("pnl_leverage"), shorts) == [2, 1]


def test_pnl_leverage_equity_at_or_below_zero() -> None:
    # Accounts 8 and 9 are in profit with equity <= 0: infinite leverage, +infinity, first,
    # tied with each other -> account id. Account 7 loses with equity < 0: -1/5 / infinity = 0,
    # so after every winner but before account 3 (-1/10).
    extra = [long(9, 1, 100, 0), long(8, 1, 100, -5), long(7, 10, 250, -100)]
    assert pnl_leverage_score(extra[0]) == Score(Fraction(0), 1)
    assert pnl_leverage_score(extra[2]) == Score(Fraction(0))
    assert order(get_policy("pnl_leverage"), SET + extra) == [8, 9, 1, 4, 2, 7, 3]


def test_pnl_leverage_zero_cost_basis() -> None:
    # entry_cost 0: pnl_pct is infinite -> +infinity in profit.
    p = Position(1, 10, 0, 1000, 200)
    assert pnl_leverage_score(p) == Score(Fraction(0), 1)
    # A short with entry_cost 0 marked at 200 loses 2000 on a zero basis: -infinity, last.
    q = Position(2, -10, 0, 1000, 200)
    r = Position(3, -10, -3000, 1000, 200)  # sold at 300: profit
    assert pnl_leverage_score(q) == Score(Fraction(0), -1)
    assert order(get_policy("pnl_leverage"), [q, r]) == [3, 2]


def test_order_is_exact_where_floats_tie() -> None:
    # Same position, equities 10**17 and 10**17 + 1: the scores differ by about 1e-17 relative,
    # below a float's precision. The exact order still puts the smaller equity (more leverage)
    # first although its account id is higher.
    a = long(1, 10, 100, 10**17 + 1)
    b = long(2, 10, 100, 10**17)
    sa, sb = pnl_leverage_score(a).value, pnl_leverage_score(b).value
    assert float(sa) == float(sb) and sb > sa
    assert order(get_policy("pnl_leverage"), [a, b]) == [2, 1]
    assert order(get_policy("hyperliquid"), [a, b]) == [2, 1]


def test_equal_scores_tie_to_lower_account() -> None:
    # Score 2 both: 10 lots equity 1000, and 20 lots equity 2000 (same pnl_pct, same leverage).
    a = long(5, 20, 100, 2000)
    b = long(3, 10, 100, 1000)
    assert order(get_policy("pnl_leverage"), [a, b]) == [3, 5]
    assert order(get_policy("hyperliquid"), [a, b]) == [3, 5]


# --------------------------------------------------------------------------------------------------
# hyperliquid


def test_hyperliquid_on_set() -> None:
    policy = get_policy("hyperliquid")
    # index = (mark / entry) * (notional / equity):
    #   1: 200/100 * 2000/1000 = 4        2: 200/150 * 8000/4000 = 8/3
    #   3: 200/250 * 4000/2000 = 8/5 (a loss)   4: 200/150 * 1000/250 = 16/3
    # Order 4, 1, 2, 3 (unlike pnl_leverage, 4 beats 1). Cumulative 5, 15, 55, 75 of 75:
    # ceil(500/75) = 7, 20, 74, 100 -> lights 5, 5, 2, 1.
    assert hyperliquid_index(SET[3]) == Score(Fraction(16, 3))
    assert hyperliquid_index(SET[2]) == Score(Fraction(8, 5))
    assert order(policy, SET) == [4, 1, 2, 3]
    assert lights(policy.queue(SET, Rng(0))) == [
        (4, 1, 5, 7),
        (1, 2, 5, 20),
        (2, 3, 2, 74),
        (3, 4, 1, 100),
    ]
    # 12 lots: all 5 of account 4, then 7 of account 1's 10.
    assert allocs(policy.allocate(SET, 12, Rng(0))) == [(4, 5, 1), (1, 7, 2)]


def test_hyperliquid_winners_before_losers() -> None:
    # Account 5 is at a loss but at 20x: 200/250 * 2000/100 = 16, above every winner's index.
    # The docs rank users in profit, so it still comes after all of them, before loser 3 (8/5).
    loser = long(5, 10, 250, 100)
    assert hyperliquid_index(loser) == Score(Fraction(16))
    assert order(get_policy("hyperliquid"), [*SET, loser]) == [4, 1, 2, 5, 3]


def test_hyperliquid_shorts_use_entry_over_mark() -> None:
    # Mark 100. Short A sold at 200, equity 500: 200/100 * 1000/500 = 4.
    # Short B sold at 150, equity 250: 150/100 * 1000/250 = 6. B first.
    shorts = [short(1, 10, 200, 500, mark=100), short(2, 10, 150, 250, mark=100)]
    assert hyperliquid_index(shorts[0]) == Score(Fraction(4))
    assert hyperliquid_index(shorts[1]) == Score(Fraction(6))
    assert order(get_policy("hyperliquid"), shorts) == [2, 1]


def test_hyperliquid_equity_at_or_below_zero_is_first() -> None:
    bankrupt_winner = long(9, 1, 100, -1)  # ratio 2, leverage infinite -> +infinity
    assert hyperliquid_index(bankrupt_winner) == Score(Fraction(0), 1)
    assert order(get_policy("hyperliquid"), [*SET, bankrupt_winner])[0] == 9


# --------------------------------------------------------------------------------------------------
# pro_rata


def test_pro_rata_on_set() -> None:
    policy = get_policy("pro_rata")
    # Only winners are candidates (account 3 is at a loss): a loser is no candidate in the
    # waterfall, and the policy asked directly numbers it after the winners.
    assert not policy.eligible(SET[2]) and all(policy.eligible(p) for p in SET if p.account != 3)
    # The queue is only a numbering (winners by id, then losers); all at the front: 5 lights.
    assert order(policy, SET) == [1, 2, 4, 3]
    assert lights(policy.queue(SET, Rng(0))) == [
        (1, 1, 5, 1),
        (2, 2, 5, 1),
        (4, 3, 5, 1),
        (3, 4, 5, 1),
    ]
    # 30 over the winners' 10 + 40 + 5 = 55 lots: 300/55 = 5 r25, 1200/55 = 21 r45,
    # 150/55 = 2 r40. Floors sum to 28; the 2 left go to remainders 45 (2) and 40 (4).
    assert allocs(policy.allocate(SET, 30, Rng(0))) == [(1, 5, 1), (2, 22, 2), (4, 3, 3)]
    # 60 is more than the winners' 55: all of them, then 5 of the loser's 20.
    assert allocs(policy.allocate(SET, 60, Rng(0))) == [
        (1, 10, 1),
        (2, 40, 2),
        (4, 5, 3),
        (3, 5, 4),
    ]


def test_pro_rata_remainder() -> None:
    # 7 over the winners' 55: 70/55 = 1 r15, 280/55 = 5 r5, 35/55 = 0 r35.
    # Floors sum to 6; the 1 left goes to the largest remainder, 35 (account 4).
    policy = get_policy("pro_rata")
    assert allocs(policy.allocate(SET, 7, Rng(0))) == [(1, 1, 1), (2, 5, 2), (4, 1, 3)]


def test_pro_rata_remainder_ties_to_lower_account() -> None:
    # Three of 10 lots, 2 to close: 20/30 = 0 r20 each; the 2 lots go to accounts 4 and 6.
    three = [long(9, 10, 100, 1000), long(4, 10, 100, 1000), long(6, 10, 100, 1000)]
    assert allocs(get_policy("pro_rata").allocate(three, 2, Rng(0))) == [(4, 1, 1), (6, 1, 2)]


def test_largest_remainder_directly() -> None:
    # 10 over 10/10/10: 100/30 = 3 r10 each; the 1 left goes to the lowest account, 1.
    assert largest_remainder(10, [(3, 10), (1, 10), (2, 10)]) == [3, 4, 3]
    assert largest_remainder(0, [(1, 5)]) == [0]
    assert largest_remainder(0, []) == []
    for amount, weights in [(11, [(1, 10)]), (5, []), (-1, [(1, 10)])]:
        with pytest.raises(ValueError):
            largest_remainder(amount, weights)


# --------------------------------------------------------------------------------------------------
# largest_first


def test_largest_first_on_set() -> None:
    policy = get_policy("largest_first")
    # Winners by size 40 (2), 10 (1), 5 (4), then the loser 3 (20 lots, bigger than 1 and 4):
    # only winners are candidates. Cumulative 40, 50, 55, 75 of 75: ceil(4000/75) = 54,
    # ceil(5000/75) = 67, ceil(5500/75) = 74, 100 -> lights 3, 2, 2, 1.
    assert not policy.eligible(SET[2])
    assert order(policy, SET) == [2, 1, 4, 3]
    assert lights(policy.queue(SET, Rng(0))) == [
        (2, 1, 3, 54),
        (1, 2, 2, 67),
        (4, 3, 2, 74),
        (3, 4, 1, 100),
    ]
    # 50 lots: all 40 of account 2, then all 10 of account 1; the loser keeps its 20.
    assert allocs(policy.allocate(SET, 50, Rng(0))) == [(2, 40, 1), (1, 10, 2)]


# --------------------------------------------------------------------------------------------------
# random


def test_random_on_set() -> None:
    policy = get_policy("random")
    # dYdX v4: the list by account [1, 2, 3, 4], a random start, then round-robin. Rng(2024)
    # draws below(4) = 1: start at slot 1 -> [2, 3, 4, 1] (a rotation, never a shuffle).
    # Cumulative 40, 60, 65, 75 of 75: ceil(4000/75) = 54, 80, ceil(6500/75) = 87, 100
    # -> lights 3, 2, 1, 1.
    assert Rng(2024).below(4) == 1
    assert order(policy, SET, seed=2024) == [2, 3, 4, 1]
    assert lights(policy.queue(SET, Rng(2024))) == [
        (2, 1, 3, 54),
        (3, 2, 2, 80),
        (4, 3, 1, 87),
        (1, 4, 1, 100),
    ]
    # 45 lots: all 40 of account 2, then 5 of account 3's 20 (whatever its profit: dYdX takes
    # every offsetting position).
    assert allocs(policy.allocate(SET, 45, Rng(2024))) == [(2, 40, 1), (3, 5, 2)]
    # The input order does not matter, only the accounts and the rng state.
    assert order(policy, SET[::-1], seed=2024) == [2, 3, 4, 1]
    # Rng(0) draws below(4) = 3: start at account 4, then wrap round to 1, 2, 3.
    assert Rng(0).below(4) == 3
    assert order(policy, SET, seed=0) == [4, 1, 2, 3]


def test_random_is_a_rotation_of_the_id_order() -> None:
    # Whatever the seed, the queue is the id order started somewhere: every start is reachable.
    policy = get_policy("random")
    ids = [1, 2, 3, 4]
    starts = set()
    for seed in range(40):
        got = order(policy, SET, seed=seed)
        start = ids.index(got[0])
        assert got == ids[start:] + ids[:start]
        starts.add(start)
    assert starts == {0, 1, 2, 3}


def test_random_draws_from_the_rng() -> None:
    policy = get_policy("random")
    rng = Rng(2024)
    ranked = policy.rank(SET, rng)
    assert rng.state != Rng(2024).state
    # Ranking once and reusing the queue keeps lights and allocation in step.
    spots = policy.queue_ranked(ranked)
    first = policy.allocate_ranked(ranked, 1)[0]
    assert spots[first.account].rank == first.rank == 1


def test_dydx_example_single_counterparty() -> None:
    # MECHANICS.md, dYdX: A deposits $100 and goes long 500 coins at $1; B is short the other side.
    # At $2, B (equity -$400) is deleveraged against A, the only candidate: all 500 coins
    # (5_000_000 lots) close against B. A's equity at the mark: $100 + $500 = 600_000_000.
    # (The price, B's bankruptcy price $1.20, is the waterfall's business, not the ranking's.)
    a = long(1, 5_000_000, 100, 600_000_000, mark=200)
    assert a.pnl == 500_000_000  # $500 of paper profit
    assert allocs(get_policy("random").allocate([a], 5_000_000, Rng(1))) == [(1, 5_000_000, 1)]
    assert allocs(get_policy("pnl_leverage").allocate([a], 5_000_000, Rng(1))) == [
        (1, 5_000_000, 1)
    ]


# --------------------------------------------------------------------------------------------------
# socialized_loss


def test_socialized_loss_haircut_remainder() -> None:
    policy = get_policy("socialized_loss")
    assert policy.closes_positions is False
    # Profits 1000 (1), 2000 (2), 250 (4); account 3 is at a loss and pays nothing. Total 3250.
    # Deficit 1000: 1_000_000/3250 = 307 r2250, 2_000_000/3250 = 615 r1250,
    # 250_000/3250 = 76 r3000. Floors sum to 998; the 2 left go to remainders 3000 (4), 2250 (1).
    assert policy.haircut(SET, 1000) == [(1, 308), (2, 615), (4, 77)]
    # A deficit above all the profit takes all of it, and no more.
    assert policy.haircut(SET, 5000) == [(1, 1000), (2, 2000), (4, 250)]
    assert policy.haircut(SET, 0) == []


def test_socialized_loss_haircut_ties_to_lower_account() -> None:
    # Three profits of 100, deficit 100: 33 r100 each (10_000 = 33*300 + 100), 1 left -> account 2.
    three = [long(7, 1, 100, 1000), long(2, 1, 100, 1000), long(5, 1, 100, 1000)]
    assert pro_rata_haircut(three, 100) == [(2, 34), (5, 33), (7, 33)]


def test_socialized_loss_queue_is_share_of_profit() -> None:
    policy = get_policy("socialized_loss")
    # Order by profit: 2 (2000), 1 (1000), 4 (250), 3 (none).
    # Shares: floor(200000/3250) = 61% -> percentile 39 -> 4 lights;
    # floor(100000/3250) = 30% -> 70 -> 2; floor(25000/3250) = 7% -> 93 -> 1; 0% -> 100 -> 1.
    assert lights(policy.queue(SET, Rng(0))) == [
        (2, 1, 4, 39),
        (1, 2, 2, 70),
        (4, 3, 1, 93),
        (3, 4, 1, 100),
    ]
    # A sole winner holds 100% of the profit: percentile clamps to 1, 5 lights.
    assert policy.queue([SET[0]], Rng(0)) == {1: QueueSpot(1, 5, 1)}
    with pytest.raises(NotImplementedError):
        policy.allocate(SET, 10, Rng(0))


# --------------------------------------------------------------------------------------------------
# Registry, validation, lights


def test_registry() -> None:
    assert list(POLICIES) == [
        "pnl_leverage",
        "hyperliquid",
        "pro_rata",
        "largest_first",
        "random",
        "socialized_loss",
        "water_fill",
        "binance",
    ]
    for name, cls in POLICIES.items():
        policy = get_policy(name)
        assert isinstance(policy, cls) and policy.name == name
        assert policy.description.endswith(".")
        assert policy.closes_positions is (name != "socialized_loss")
        if name != "socialized_loss":
            with pytest.raises(NotImplementedError):
                policy.haircut(SET, 10)


def test_unknown_policy() -> None:
    with pytest.raises(UnknownPolicyError) as info:
        get_policy("bitmex")
    assert isinstance(info.value, ValueError) and isinstance(info.value, KeyError)
    assert "pnl_leverage" in str(info.value) and "'bitmex'" in str(info.value)


def test_lights_for_percentile() -> None:
    assert [lights_for_percentile(p) for p in (1, 20, 21, 40, 41, 60, 61, 80, 81, 100)] == [
        5, 5, 4, 4, 3, 3, 2, 2, 1, 1,
    ]  # fmt: skip


@pytest.mark.parametrize(
    "bad",
    [
        [long(1, 10, 100, 1000), short(2, 10, 100, 1000, mark=200)],  # both sides
        [Position(1, 0, 0, 1000, 200)],  # nothing to close
        [long(1, 10, 100, 1000), long(1, 5, 100, 1000)],  # same account twice
        [Position(1, 10, 1000, 1000, 0)],  # no mark
    ],
)
@pytest.mark.parametrize("name", list(POLICIES))
def test_bad_candidates_are_rejected(name: str, bad: list[Position]) -> None:
    with pytest.raises(ValueError):
        get_policy(name).rank(bad, Rng(0))


def test_empty_and_negative() -> None:
    for name in POLICIES:
        policy = get_policy(name)
        assert policy.rank([], Rng(0)) == []
        assert policy.queue([], Rng(0)) == {}
        if policy.closes_positions:
            assert policy.allocate([], 10, Rng(0)) == []
            with pytest.raises(ValueError):
                policy.allocate(SET, -1, Rng(0))
    with pytest.raises(ValueError):
        get_policy("socialized_loss").haircut(SET, -1)


# --------------------------------------------------------------------------------------------------
# Properties


@st.composite
def candidates(draw: st.DrawFn) -> list[Position]:
    """One side of one market: distinct accounts, a shared mark, any equity (some <= 0)."""
    side = draw(st.sampled_from([1, -1]))
    mark = draw(st.integers(1, 10_000_000))
    accounts = draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=25, unique=True))
    out = []
    for account in accounts:
        # Small pools as well as wide ranges, so that equal scores (ties) are common.
        size = draw(st.integers(1, 10**6) | st.sampled_from([1, 2, 10]))
        if draw(st.booleans()):
            cost = side * size * draw(st.integers(1, 10_000_000) | st.sampled_from([100, 200]))
        else:  # any cost basis, even zero or of the wrong sign
            cost = draw(st.integers(-(10**14), 10**14))
        equity = draw(st.integers(-(10**13), 10**13) | st.integers(-3, 3) | st.just(size * 100))
        out.append(Position(account, side * size, cost, equity, mark))
    return out


CLOSING = [name for name, cls in POLICIES.items() if cls.closes_positions]


def _reference_key(p: Position, index: Score, profit_first: bool) -> tuple:
    group = 1 if (profit_first and p.pnl > 0) else 0
    return (-group, -index.infinite, -index.value, p.account)


@settings(max_examples=150, deadline=None)
@given(candidates())
def test_exact_order_matches_fractions(positions: list[Position]) -> None:
    """The integer-key sort agrees with a slow sort on Fractions (the obviously-correct one)."""
    rng = Rng(0)
    slow = sorted(positions, key=lambda p: _reference_key(p, pnl_leverage_score(p), False))
    assert get_policy("pnl_leverage").rank(positions, rng) == slow
    slow = sorted(positions, key=lambda p: _reference_key(p, hyperliquid_index(p), True))
    assert get_policy("hyperliquid").rank(positions, rng) == slow


@settings(max_examples=60, deadline=None)
@given(candidates(), st.integers(0, 3 * 10**6), st.integers(0, 2**64 - 1))
def test_allocation_properties(positions: list[Position], qty: int, seed: int) -> None:
    total = sum(abs(p.size) for p in positions)
    sizes = {p.account: abs(p.size) for p in positions}
    for name in CLOSING:
        policy = get_policy(name)
        result = policy.allocate(positions, qty, Rng(seed))
        assert result == policy.allocate(positions, qty, Rng(seed))  # deterministic
        assert sum(a.qty for a in result) == min(qty, total)
        assert all(0 < a.qty <= sizes[a.account] for a in result)
        assert len({a.account for a in result}) == len(result)
        spots = policy.queue(positions, Rng(seed))
        assert sorted(s.rank for s in spots.values()) == list(range(1, len(positions) + 1))
        assert all(spots[a.account].rank == a.rank for a in result)
        ranked = [p.account for p in policy.rank(positions, Rng(seed))]
        if name != "pro_rata":  # the accounts hit are a prefix of the queue
            assert [a.account for a in result] == ranked[: len(result)]
        if not policy.proportional:  # a walk: all but the last closed in full
            assert all(a.qty == sizes[a.account] for a in result[:-1])


@settings(max_examples=60, deadline=None)
@given(candidates(), st.integers(0, 2**64 - 1))
def test_queue_properties(positions: list[Position], seed: int) -> None:
    for name in POLICIES:
        policy = get_policy(name)
        ranked = policy.rank(positions, Rng(seed))
        assert sorted(p.account for p in ranked) == sorted(p.account for p in positions)
        spots = policy.queue(positions, Rng(seed))
        assert list(spots) == [p.account for p in ranked]
        assert [s.rank for s in spots.values()] == list(range(1, len(positions) + 1))
        for spot in spots.values():
            assert 1 <= spot.percentile <= 100
            assert spot.lights == lights_for_percentile(spot.percentile)
        if name not in ("pro_rata", "socialized_loss"):
            percentiles = [s.percentile for s in spots.values()]
            assert percentiles == sorted(percentiles) and percentiles[-1] == 100


@settings(max_examples=150, deadline=None)
@given(candidates(), st.integers(0, 10**15))
def test_haircut_properties(positions: list[Position], deficit: int) -> None:
    charges = get_policy("socialized_loss").haircut(positions, deficit)
    profit = {p.account: p.pnl for p in positions if p.pnl > 0}
    total = sum(profit.values())
    assert sum(amount for _, amount in charges) == min(deficit, total)
    assert [a for a, _ in charges] == sorted(a for a, _ in charges)
    for account, amount in charges:
        assert 0 < amount <= profit[account]
        # Within one unit of the exact pro-rata share.
        assert abs(amount - Fraction(min(deficit, total) * profit[account], total)) < 1
