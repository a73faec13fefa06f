"""The water-fill ADL policy (Campbell, Hey, Moallemi, Nutz): hand-worked allocations, then the
fast rule against the slow one-lot-at-a-time rule it must equal exactly.

Units as in the engine: price in cents, size in lots, cash = price * lots.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from perpgame.engine.adl import Position, get_policy
from perpgame.engine.adl.base import lot_cost
from perpgame.engine.adl.water_fill import is_eligible, leverage_after
from perpgame.engine.rng import Rng


def long(account: int, size: int, equity: int, mark: int = 100, entry: int = 50) -> Position:
    return Position(account, size, size * entry, equity, mark)


def allocs(policy, positions, qty, fill_price=None):
    return [
        (a.account, a.qty, a.rank)
        for a in policy.allocate(positions, qty, Rng(0), fill_price=fill_price)
    ]


def slow(positions: list[Position], qty: int, fill_price: int | None) -> dict[int, int]:
    """The definition: one lot at a time to the highest L(d), ties to the lower account id."""
    pool = [p for p in positions if is_eligible(p, lot_cost(p, fill_price))]
    taken = {p.account: 0 for p in pool}
    for _ in range(min(qty, sum(abs(p.size) for p in pool))):
        best = max(
            (p for p in pool if taken[p.account] < abs(p.size)),
            key=lambda p: (
                leverage_after(p, taken[p.account], lot_cost(p, fill_price)),
                -p.account,
            ),
        )
        taken[best.account] += 1
    return {a: d for a, d in taken.items() if d}


def test_filled_at_the_mark_the_most_levered_drains_to_the_next():
    """g = 0 (no fill price): L(d) = (n - d) * 100 / E.

        acct  n   E     L(0)   L(d)
        1     10  100   10     10 - d
        2     20  1000  2      (20 - d) / 10
        3     6   120   5      (6 - d) * 5 / 6

    Lots 1-5 come from acct 1 (L = 10, 9, 8, 7, 6). Lot 6: acct 1 at L(5) = 5 ties acct 3 at
    L(0) = 5: the lower id, acct 1 (now L = 4). Lot 7: acct 3 (5 > 4); lot 8: acct 3 at
    L(1) = 25/6 = 4.17 > 4. So acct 1 gives 6, acct 3 gives 2; the highest leverage left is 4.
    The queue is leverage at the mark: 1 (10x), 3 (5x), 2 (2x).
    """
    book = [long(1, 10, 100), long(2, 20, 1000), long(3, 6, 120)]
    policy = get_policy("water_fill")
    assert allocs(policy, book, 8) == [(1, 6, 1), (3, 2, 2)]
    assert [p.account for p in policy.rank(book, Rng(0))] == [1, 3, 2]
    assert slow(book, 8, None) == {1: 6, 3: 2}


def test_at_the_bankruptcy_price_and_an_account_that_would_go_under_is_skipped():
    """Fill at P = 90 under a mark of 100: a long winner loses g = 100 - 90 = 10 a lot.

        acct  n   E    eligible: E - n*g >= 0     L(d) = (n - d) * 100 / (E - 10 d)
        1     10  200  200 - 100 = 100  yes       5, 4.737, 4.444, 4.118, 3.75, 3.333, ...
        2     4   100  100 - 40 = 60    yes       4, 3.333, 2.5, ...
        3     5   40   40 - 50 = -10    no        (12.5x at the mark, but would end below zero)

    qty 6: lots 1-4 from acct 1 (5 .. 4.118); lot 5 acct 2 (4 > 3.75); lot 6 acct 1 (3.75 >
    3.333). Both end at 10/3 = 3.333. qty 15: the eligible 14 lots, then 1 from acct 3.
    """
    book = [long(1, 10, 200), long(2, 4, 100), long(3, 5, 40)]
    policy = get_policy("water_fill")
    assert allocs(policy, book, 6, fill_price=90) == [(1, 5, 1), (2, 1, 2)]
    assert leverage_after(book[0], 5, 10) == leverage_after(book[1], 1, 10) == Fraction(10, 3)
    assert allocs(policy, book, 15, fill_price=90) == [(1, 10, 1), (2, 4, 2), (3, 1, 3)]
    assert slow(book, 6, 90) == {1: 5, 2: 1}


def test_losers_are_taken_only_after_every_winner():
    """acct 2 is at a loss (entry 150 > mark 100) though at 10x: winners first, 1 then 3."""
    book = [long(1, 4, 200), Position(2, 10, 1500, 100, 100), long(3, 4, 100)]
    policy = get_policy("water_fill")
    assert [p.account for p in policy.rank(book, Rng(0))] == [3, 1, 2]
    # 3 at 4x drains to 2x (2 lots: L = 4, 3), then both at 2x: ties to acct 1 first.
    assert allocs(policy, book, 3) == [(3, 2, 1), (1, 1, 2)]
    assert allocs(policy, book, 9) == [(3, 4, 1), (1, 4, 2), (2, 1, 3)]


@st.composite
def winners(draw: st.DrawFn) -> tuple[list[Position], int, int | None]:
    side = draw(st.sampled_from([1, -1]))
    mark = draw(st.integers(50, 5000))
    fill = draw(st.none() | st.integers(max(1, mark - 200), mark + 200))
    accounts = draw(st.lists(st.integers(0, 60), min_size=1, max_size=8, unique=True))
    out = []
    for account in accounts:
        size = draw(st.integers(1, 30))
        entry = draw(st.integers(1, 2 * mark))
        equity = draw(st.integers(-50, 40 * mark) | st.just(size * mark // 4))
        out.append(Position(account, side * size, side * size * entry, equity, mark))
    qty = draw(st.integers(0, sum(abs(p.size) for p in out) + 5))
    return out, qty, fill


@settings(max_examples=300, deadline=None)
@given(winners())
def test_fast_equals_slow(case):
    positions, qty, fill = case
    policy = get_policy("water_fill")
    got = policy.allocate(positions, qty, Rng(0), fill_price=fill)
    eligible = {p.account for p in positions if is_eligible(p, lot_cost(p, fill))}
    fast = {a.account: a.qty for a in got if a.account in eligible}
    assert fast == slow(positions, qty, fill)
    total = sum(abs(p.size) for p in positions)
    assert sum(a.qty for a in got) == min(qty, total)
