"""Leverage-draining water-fill (Campbell, Hey, Moallemi, Nutz, arXiv 2603.15963).

The paper proves that, for one asset under isolated margin, the optimal ADL policy minimises the
maximum leverage left among the accounts it closes against: the most levered are reduced first
and leverage is equalised downward, like water draining to one level.

Our discrete rule (docs/mechanics.md; the paper's exact leverage definition was not read):

* leverage after closing ``d`` of an account's ``n`` lots at the fill price ``P`` is
  ``L(d) = (n - d) * m / (E - d * g)`` with ``m`` the mark, ``E`` the equity at the mark and
  ``g = s_w * (m - P)`` what one closed lot costs the winner against the mark (``s_w`` its side);
* the *slow* rule: close one lot at a time from the account whose current ``L(d)`` is highest,
  ties to the lower account id, until ``qty`` lots are closed.

For an eligible account (``E > 0`` and ``E - n * g >= 0``: still solvent when fully closed at
``P``, dYdX's overlap condition) ``L`` is non-increasing in ``d``, so the slow rule takes, of all
the lots ``(account, k)`` with ``k < n``, the ``qty`` largest by ``(L(k) desc, account, k)``. The
fast rule finds the level ``L`` of the last lot taken by bisection and exact counting (each
account's lots above a level are a prefix, counted by one integer division), then fixes the
boundary exactly with a heap. ``tests/engine/test_water_fill.py`` checks fast == slow.

Candidates: eligible winners (unrealised profit > 0) first; only if they cannot cover ``qty`` is
the rest taken from everyone else, walked in the order of their leverage at the mark (equity <= 0
counts as infinite), ties to the lower account id. The queue (and the lights) is that order:
eligible winners by leverage at the mark, then the others, so the accounts hit are always a prefix.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

from perpgame.engine.adl.base import (
    AdlPolicy,
    Allocation,
    Position,
    check_candidates,
    lot_cost,
    sort_scored,
)
from perpgame.engine.rng import Rng


def is_eligible(position: Position, g: int) -> bool:
    """A winner with finite leverage that stays solvent when fully closed at the fill price."""
    return (
        position.pnl > 0 and position.equity > 0 and position.equity - abs(position.size) * g >= 0
    )


def leverage_after(position: Position, d: int, g: int) -> Fraction:
    """``L(d) = (n - d) * m / (E - d * g)``, exact (0 once fully closed)."""
    n = abs(position.size)
    if d >= n:
        return Fraction(0)
    return Fraction((n - d) * position.mark, position.equity - d * g)


def _above(position: Position, g: int, p: int, q: int) -> int:
    """How many of the account's lots have ``L(k) > p/q`` (a prefix ``k = 0 .. c-1``), exactly.

    ``(n - k) * m * q > p * (E - k * g)``  <=>  ``a + k * s > 0`` with ``a = q*n*m - p*E`` and
    ``s = p*g - q*m``; ``L`` non-increasing means ``s <= 0`` whenever ``a > 0`` matters.
    """
    n = abs(position.size)
    a = q * n * position.mark - p * position.equity
    if a <= 0:
        return 0
    s = p * g - q * position.mark
    if s >= 0:
        return n
    return min(n, -(-a // -s))


def _level_estimate(pool: Sequence[tuple[Position, int]], qty: int) -> tuple[int, int]:
    """A level ``p/q`` near the leverage of the ``qty``-th lot, by float bisection (a hint only)."""
    hi = max(float(leverage_after(p, 0, g)) for p, g in pool)
    lo = 0.0
    for _ in range(64):
        mid = (lo + hi) / 2
        count = 0
        for p, g in pool:
            n = abs(p.size)
            m, e = p.mark, p.equity
            # (n - k) m > mid (e - k g)  <=>  k (mid g - m) > mid e - n m
            a = n * m - mid * e
            if a <= 0:
                continue
            s = mid * g - m
            count += n if s >= 0 else min(n, int(-(-a // -s)))
        if count > qty:
            lo = mid
        else:
            hi = mid
        if hi - lo <= hi * 1e-9:  # close enough: the heap below makes it exact
            break
    level = Fraction(hi).limit_denominator(1 << 40)
    return level.numerator, level.denominator


def water_fill(positions: Sequence[Position], qty: int, g_of: Sequence[int]) -> dict[int, int]:
    """Lots to close per account (eligible ones only, all ``qty`` of them): the fast rule."""
    pool = list(zip(positions, g_of, strict=True))
    total = sum(abs(p.size) for p, _ in pool)
    if qty >= total:
        return {p.account: abs(p.size) for p, _ in pool}
    if qty == 0:
        return {}
    p_num, q_den = _level_estimate(pool, qty)
    taken = {p.account: _above(p, g, p_num, q_den) for p, g in pool}
    count = sum(taken.values())
    by_account = {p.account: (p, g) for p, g in pool}
    if count > qty:
        # give back the worst lots taken: lowest L(k), then highest account id
        heap = [
            (leverage_after(p, taken[p.account] - 1, g), -p.account)
            for p, g in pool
            if taken[p.account]
        ]
        heapq.heapify(heap)
        while count > qty:
            _, neg = heapq.heappop(heap)
            account = -neg
            taken[account] -= 1
            count -= 1
            if taken[account]:
                p, g = by_account[account]
                heapq.heappush(heap, (leverage_after(p, taken[account] - 1, g), neg))
    elif count < qty:
        # take the best lots left: highest L(k), then lowest account id
        heap = [
            (-leverage_after(p, taken[p.account], g), p.account)
            for p, g in pool
            if taken[p.account] < abs(p.size)
        ]
        heapq.heapify(heap)
        while count < qty:
            _, account = heapq.heappop(heap)
            taken[account] += 1
            count += 1
            p, g = by_account[account]
            if taken[account] < abs(p.size):
                heapq.heappush(heap, (-leverage_after(p, taken[account], g), account))
    return {a: d for a, d in taken.items() if d}


def _leverage_key(p: Position) -> tuple[int, int, int]:
    """Leverage at the mark as (tier, num, den): equity <= 0 is +infinity."""
    if p.equity <= 0:
        return (1, 0, 1)
    return (0, abs(p.size) * p.mark, p.equity)


class WaterFillPolicy(AdlPolicy):
    """Campbell et al.: minimise the highest leverage left among the winners closed against.

    See the module docstring for the rule, the eligibility and the order of the rest.
    ``fill_price`` (the bankruptcy price the waterfall fills at) sets ``g``; without it the
    leverage after the fill is taken at the mark (``g = 0``).
    """

    proportional: ClassVar[bool] = True
    closes_losers: ClassVar[bool] = False
    name: ClassVar[str] = "water_fill"
    description: ClassVar[str] = (
        "Closes the most levered winners first, just enough to bring everyone down to one "
        "leverage level, as Campbell, Hey, Moallemi and Nutz prove optimal."
    )

    def rank(
        self, positions: Sequence[Position], rng: Rng, fill_price: int | None = None
    ) -> list[Position]:
        check_candidates(positions)
        eligible = [p for p in positions if is_eligible(p, lot_cost(p, fill_price))]
        chosen = {p.account for p in eligible}
        rest = [p for p in positions if p.account not in chosen]
        return sort_scored(eligible, [_leverage_key(p) for p in eligible]) + sort_scored(
            rest, [_leverage_key(p) for p in rest]
        )

    def allocate(
        self, positions: Sequence[Position], qty: int, rng: Rng, fill_price: int | None = None
    ) -> list[Allocation]:
        return self.allocate_ranked(self.rank(positions, rng, fill_price), qty, fill_price)

    def allocate_ranked(
        self, ranked: Sequence[Position], qty: int, fill_price: int | None = None
    ) -> list[Allocation]:
        if qty < 0:
            raise ValueError(f"qty must be >= 0, got {qty}")
        g_of = [lot_cost(p, fill_price) for p in ranked]
        eligible = [(p, g) for p, g in zip(ranked, g_of, strict=True) if is_eligible(p, g)]
        lots = water_fill([p for p, _ in eligible], qty, [g for _, g in eligible])
        need = qty - sum(lots.values())
        out: list[Allocation] = []
        for rank, p in enumerate(ranked, start=1):
            take = lots.get(p.account, 0)
            if p.account not in lots and need > 0 and not is_eligible(p, lot_cost(p, fill_price)):
                take = min(need, abs(p.size))
                need -= take
            if take:
                out.append(Allocation(p.account, take, rank))
        return out
