"""Auto-deleveraging (ADL) policies: who on the winning side is closed, in what order, and how much.

When the liquidation waterfall cannot place a bankrupt position anywhere else, it closes positions
on the other side of the market against it. Each policy here reproduces one venue's rule (see
``MECHANICS.md``) and is looked up by name with :func:`get_policy`:

* ``pnl_leverage`` - BitMEX, Binance, Bybit, OKX: profit percentage times effective leverage.
* ``hyperliquid`` - Hyperliquid's ``(mark / entry) * (notional / account value)`` index.
* ``pro_rata`` - every candidate closed in proportion to its size.
* ``largest_first`` - biggest notional first.
* ``random`` - dYdX v4: a seeded random order.
* ``socialized_loss`` - nobody is closed; the deficit is charged to profits, pro rata.

Every comparison that decides an order is exact: scores are rationals compared through integer keys
(see :func:`_exact_keys`), infinities are explicit tiers, and ties go to the lower account id, so an
order is total and the same on every machine. The only randomness comes from the :class:`Rng`
passed in by the market.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from perpgame.engine.rng import Rng

__all__ = [
    "POLICIES",
    "AdlPolicy",
    "Allocation",
    "HyperliquidPolicy",
    "LargestFirstPolicy",
    "PnlLeveragePolicy",
    "Position",
    "ProRataPolicy",
    "QueueSpot",
    "RandomPolicy",
    "Score",
    "SocializedLossPolicy",
    "UnknownPolicyError",
    "get_policy",
    "hyperliquid_index",
    "largest_remainder",
    "lights_for_percentile",
    "pnl_leverage_score",
    "pro_rata_haircut",
]


# --------------------------------------------------------------------------------------------------
# Data in and out


@dataclass(frozen=True, slots=True)
class Position:
    """One ADL candidate, as the waterfall sees it at the mark.

    ``size`` is signed lots (long > 0), ``entry_cost`` the signed cash ``size * average entry``,
    ``equity`` the account's equity at the mark (may be <= 0), ``mark`` the mark price in cents.
    """

    account: int
    size: int
    entry_cost: int
    equity: int
    mark: int

    @property
    def mark_value(self) -> int:
        """Signed cash value at the mark: ``size * mark``."""
        return self.size * self.mark

    @property
    def notional(self) -> int:
        """Unsigned cash value at the mark: ``|size * mark|``."""
        return abs(self.size) * self.mark

    @property
    def pnl(self) -> int:
        """Unrealised profit at the mark: ``size * mark - entry_cost``."""
        return self.size * self.mark - self.entry_cost


@dataclass(frozen=True, slots=True)
class QueueSpot:
    """Where a position stands in the ADL queue, for the five lights in the UI.

    For queue policies ``percentile`` is BitMEX's cumulative-size percentile. ``pro_rata`` and
    ``socialized_loss`` have no real queue: their policy docstrings say what the number means there.
    """

    rank: int
    lights: int
    percentile: int

    @property
    def band(self) -> int:
        """The top of the lights' 20% band (20, 40, ..., 100): the figure BitMEX prints."""
        return 20 * (6 - self.lights)


@dataclass(frozen=True, slots=True)
class Allocation:
    """``qty`` lots (positive, at most ``|size|``) to close on ``account``, its queue ``rank``."""

    account: int
    qty: int
    rank: int


@dataclass(frozen=True, slots=True)
class Score:
    """An exact score for display and tests: ``value``, or +/-infinity if ``infinite`` is +1/-1."""

    value: Fraction
    infinite: int = 0


class UnknownPolicyError(KeyError, ValueError):
    """No ADL policy has that name (both a ``KeyError`` and a ``ValueError``)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown ADL policy"


# --------------------------------------------------------------------------------------------------
# Shared arithmetic


def lights_for_percentile(percentile: int) -> int:
    """BitMEX's five lights in 20% steps: 1..20 -> 5, 21..40 -> 4, ..., 81..100 -> 1."""
    return 5 - (percentile - 1) // 20


def _check(positions: Sequence[Position]) -> None:
    """Reject candidates that cannot be ranked: the caller filters, this catches its bugs.

    Every size must be non-zero and on the same side, every mark positive, every account once.
    """
    if not positions:
        return
    side = positions[0].size > 0
    seen: set[int] = set()
    for p in positions:
        if p.size == 0:
            raise ValueError(f"account {p.account}: an ADL candidate needs a non-zero size")
        if (p.size > 0) is not side:
            raise ValueError("ADL candidates must all be on one side (all long or all short)")
        if p.mark <= 0:
            raise ValueError(f"account {p.account}: mark must be positive, got {p.mark}")
        seen.add(p.account)
    if len(seen) != len(positions):
        raise ValueError("ADL candidates must have distinct account ids")


def _exact_keys(scores: Sequence[tuple[int, int, int]]) -> list[int]:
    """Integer keys that order the rationals ``num / den`` exactly, highest rational first.

    Key = ``floor(-num * 2**k / den)`` (``den`` > 0) with ``2**k`` >= ``D**2``, ``D`` the largest
    denominator. Two different rationals with denominators <= D differ by at least ``1 / D**2``
    >= ``2**-k``, so scaled by ``2**k`` they lie at least 1 apart and their floors differ; equal
    rationals have equal floors. Floor is monotone, so ascending keys are descending rationals,
    exactly: one big-int division per position instead of a ``Fraction`` comparison per pair.
    """
    if not scores:
        return []
    shift = 2 * max(den for _, _, den in scores).bit_length()
    return [(-num << shift) // den for _, num, den in scores]


def _sort_scored(
    positions: Sequence[Position], scores: Sequence[tuple[int, int, int]]
) -> list[Position]:
    """Sort by ``(tier, num/den)`` highest first, ties to the lower account id.

    For speed the three keys are packed into one non-negative integer per position,
    ``((top - tier) * span + key - lo) * width + account - first``, whose ascending order is the
    queue (sorting plain ints is several times faster than sorting tuples of big ints).
    """
    if not positions:
        return []
    keys = _exact_keys(scores)
    lo, span = min(keys), max(keys) - min(keys) + 1
    top = max(tier for tier, _, _ in scores)
    accounts = [p.account for p in positions]
    first = min(accounts)
    width = max(accounts) - first + 1
    packed = sorted(
        ((top - score[0]) * span + key - lo) * width + account - first
        for score, key, account in zip(scores, keys, accounts, strict=True)
    )
    by_account = dict(zip(accounts, positions, strict=True))
    return [by_account[code % width + first] for code in packed]


def largest_remainder(amount: int, weights: Sequence[tuple[int, int]]) -> list[int]:
    """Split ``amount`` over ``(account, weight)`` pairs pro rata, exactly.

    Each share is ``floor(amount * weight / total)``; the lots left over go one each to the largest
    fractional remainders, ties to the lower account id. Needs ``0 <= amount <= total`` so that no
    share exceeds its weight. Returns the shares in the order of ``weights``.
    """
    total = sum(w for _, w in weights)
    if amount == 0:
        return [0] * len(weights)
    if not 0 < amount <= total:
        raise ValueError(f"cannot split {amount} over weights totalling {total}")
    shares: list[int] = []
    remainders: list[tuple[int, int, int]] = []
    for i, (account, weight) in enumerate(weights):
        share, rem = divmod(amount * weight, total)
        shares.append(share)
        if rem:
            remainders.append((-rem, account, i))
    left = amount - sum(shares)
    if left:
        remainders.sort()
        for _, _, i in remainders[:left]:
            shares[i] += 1
    return shares


def pro_rata_haircut(positions: Sequence[Position], deficit: int) -> list[tuple[int, int]]:
    """Charge ``deficit`` to positive unrealised profit, pro rata, exactly.

    Returns ``(account, amount)`` for every account charged (amount > 0), by account id. Each
    amount is at most that account's profit; they sum to ``min(deficit, total positive profit)``;
    the remainder of the division goes by largest remainder, ties to the lower account id.
    """
    if deficit < 0:
        raise ValueError(f"deficit must be >= 0, got {deficit}")
    winners = sorted((p.account, p.pnl) for p in positions if p.pnl > 0)
    total = sum(pnl for _, pnl in winners)
    amount = min(deficit, total)
    shares = largest_remainder(amount, winners)
    return [(account, share) for (account, _), share in zip(winners, shares, strict=True) if share]


def _queue_spots(ranked: Sequence[Position]) -> dict[int, QueueSpot]:
    """BitMEX lights: percentile = ceil(100 * cumulative size through this position / total)."""
    total = sum(abs(p.size) for p in ranked)
    spots: dict[int, QueueSpot] = {}
    cumulative = 0
    for rank, p in enumerate(ranked, start=1):
        cumulative += abs(p.size)
        percentile = -((-100 * cumulative) // total)
        spots[p.account] = QueueSpot(rank, 5 - (percentile - 1) // 20, percentile)
    return spots


def _walk(ranked: Sequence[Position], qty: int) -> list[Allocation]:
    """Take ``min(remaining, |size|)`` from each position in queue order until ``qty`` is met."""
    if qty < 0:
        raise ValueError(f"qty must be >= 0, got {qty}")
    out: list[Allocation] = []
    remaining = qty
    for rank, p in enumerate(ranked, start=1):
        if remaining <= 0:
            break
        take = min(remaining, abs(p.size))
        out.append(Allocation(p.account, take, rank))
        remaining -= take
    return out


# --------------------------------------------------------------------------------------------------
# Scores (tier, numerator, denominator): higher tier first, then the rational, highest first.
# Tier 1 is +infinity, tier -1 is -infinity (their rational is 0/1 and unused).


def _pnl_leverage_raw(p: Position) -> tuple[int, int, int]:
    mark_value = p.size * p.mark
    notional = abs(mark_value)
    cost = abs(p.entry_cost)
    pnl = mark_value - p.entry_cost
    equity = p.equity
    if pnl > 0:
        # pnl_pct * eff_lev = (pnl / cost) * (notional / equity). Equity <= 0 is infinite
        # leverage and cost == 0 an infinite pnl_pct: both make the score +infinity.
        if equity <= 0 or cost == 0:
            return (1, 0, 1)
        return (0, pnl * notional, cost * equity)
    if pnl == 0 or equity <= 0:
        # Zero profit scores 0; a loss over infinite leverage tends to 0 (from below): also 0.
        return (0, 0, 1)
    if cost == 0:
        return (-1, 0, 1)  # a loss on a zero cost basis: -infinity percent, finite leverage
    # pnl_pct / eff_lev = (pnl / cost) / (notional / equity); notional > 0 as size, mark != 0.
    return (0, pnl * equity, cost * notional)


def _hyperliquid_ratio(p: Position) -> tuple[int, int, int]:
    """The profit ratio: mark/entry for a long, entry/mark for a short, as (tier, num, den)."""
    if p.size > 0:
        # mark / entry = size*mark / entry_cost. A cost basis <= 0 (entry price <= 0) is
        # infinitely profitable for a long.
        if p.entry_cost <= 0:
            return (1, 0, 1)
        return (0, p.size * p.mark, p.entry_cost)
    # entry / mark = entry_cost / (size*mark) = -entry_cost / notional (both signs flipped).
    return (0, -p.entry_cost, -p.size * p.mark)


def _hyperliquid_raw(p: Position) -> tuple[int, int, int]:
    tier, num, den = _hyperliquid_ratio(p)
    notional = abs(p.size) * p.mark
    if p.equity <= 0:
        # notional / account value is infinite: the index takes the ratio's sign.
        index = 1 if tier == 1 or num > 0 else (-1 if num < 0 else 0)
        return (index, 0, 1)
    if tier == 1:
        return (1, 0, 1)
    return (0, num * notional, den * p.equity)


def _hyperliquid_key(p: Position) -> tuple[int, int, int]:
    """Profitable positions (pnl > 0) form the upper group; the index orders within each group."""
    tier, num, den = _hyperliquid_raw(p)
    group = 3 if p.size * p.mark - p.entry_cost > 0 else 0
    return (group + tier, num, den)


def _to_score(raw: tuple[int, int, int]) -> Score:
    tier, num, den = raw
    return Score(Fraction(0), tier) if tier else Score(Fraction(num, den))


def pnl_leverage_score(position: Position) -> Score:
    """BitMEX's exact score: ``pnl_pct * eff_lev`` in profit, ``pnl_pct / eff_lev`` otherwise."""
    return _to_score(_pnl_leverage_raw(position))


def hyperliquid_index(position: Position) -> Score:
    """Hyperliquid's exact index ``profit_ratio * notional / account_value``."""
    return _to_score(_hyperliquid_raw(position))


# --------------------------------------------------------------------------------------------------
# Policies


class AdlPolicy(ABC):
    """An ADL rule: a queue of candidates on one side, and how much each one gives up.

    ``positions`` are the candidates on the side opposite the bankrupt position (the caller
    filters): non-zero sizes, all one side, distinct accounts, or a ``ValueError``. Policies that
    draw from ``rng`` do so deterministically: same inputs and same rng state, same answer. Each
    call of :meth:`rank` (and so of :meth:`allocate` and :meth:`queue`) draws afresh; to show the
    lights of the very queue that was deleveraged, rank once and use :meth:`allocate_ranked` and
    :meth:`queue_ranked`.
    """

    name: ClassVar[str]
    closes_positions: ClassVar[bool] = True
    proportional: ClassVar[bool] = False
    """True when allocation is not a walk down the queue (the waterfall then calls ``allocate``)."""
    description: ClassVar[str]

    @abstractmethod
    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        """The queue: first = deleveraged first."""

    def allocate(self, positions: Sequence[Position], qty: int, rng: Rng) -> list[Allocation]:
        """Who loses how many lots to cover ``qty``: the sum is ``min(qty, total size)``."""
        return self.allocate_ranked(self.rank(positions, rng), qty)

    def allocate_ranked(self, ranked: Sequence[Position], qty: int) -> list[Allocation]:
        """:meth:`allocate` on a queue already ranked by this policy: walk it in order."""
        return _walk(ranked, qty)

    def queue(self, positions: Sequence[Position], rng: Rng) -> dict[int, QueueSpot]:
        """Every position's spot in the queue, by account, in queue order."""
        return self.queue_ranked(self.rank(positions, rng))

    def queue_ranked(self, ranked: Sequence[Position]) -> dict[int, QueueSpot]:
        """:meth:`queue` on a queue already ranked by this policy (BitMEX lights)."""
        return _queue_spots(ranked)

    def haircut(self, positions: Sequence[Position], deficit: int) -> list[tuple[int, int]]:
        """Only ``socialized_loss`` charges profits instead of closing positions."""
        raise NotImplementedError(f"{self.name} closes positions; only socialized_loss haircuts")


class PnlLeveragePolicy(AdlPolicy):
    """BitMEX (and Binance, Bybit, OKX): highest ``pnl_pct * eff_lev`` first.

    ``pnl_pct = pnl / |entry_cost|``, ``eff_lev = |size * mark| / equity``; a position at a loss
    scores ``pnl_pct / eff_lev``, so losers come after every winner, least-losing first.
    Division by zero, explicitly: equity <= 0 is infinite leverage, so a profitable position there
    scores +infinity and goes first (ties among infinities by account id), and a losing one
    scores 0 (a loss divided by infinity). A zero cost basis is an infinite pnl_pct: +infinity in
    profit, -infinity at a loss.
    """

    name: ClassVar[str] = "pnl_leverage"
    description: ClassVar[str] = (
        "Closes the most profitable, most levered positions first, like BitMEX and Binance."
    )

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        _check(positions)
        return _sort_scored(positions, [_pnl_leverage_raw(p) for p in positions])


class HyperliquidPolicy(AdlPolicy):
    """Hyperliquid: highest ``profit_ratio * notional / account_value`` first.

    Our reading of the docs (trading/auto-deleveraging): they give one sorting index,
    ``(mark_price / entry_price) * (notional_position / account_value)``, "to determine the
    affected users in profit", ranked "by unrealized pnl and leverage used". Taken literally
    ``mark / entry`` would put the best short last, so the ratio is ``mark / entry`` for a long and
    ``entry / mark`` for a short (above 1 exactly when in profit). ``account_value`` is the
    account's equity. Because the docs rank users in profit, positions with pnl > 0 all come
    before the others, each group ordered by the index; without this a loser at high leverage
    would be closed before a winner at low leverage. Equity <= 0 makes the leverage infinite:
    the index is then +infinity (first in its group, ties by account id) whenever the ratio is
    positive. A long whose entry price is <= 0 has an infinite ratio.
    """

    name: ClassVar[str] = "hyperliquid"
    description: ClassVar[str] = (
        "Closes winners first, ranked by profit ratio times leverage on the whole account, "
        "like Hyperliquid."
    )

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        _check(positions)
        return _sort_scored(positions, [_hyperliquid_key(p) for p in positions])


class ProRataPolicy(AdlPolicy):
    """Every candidate is closed in proportion to its size; nobody is ahead of anybody.

    Allocation: ``floor(qty * |size| / total)`` each, the lots left over by largest remainder, ties
    to the lower account id. The queue order is account id (it only numbers the list). Lights:
    every ADL, however small, touches every position at once, so all share the front of the
    queue: every spot has 5 lights and percentile 1.
    """

    proportional: ClassVar[bool] = True
    name: ClassVar[str] = "pro_rata"
    description: ClassVar[str] = (
        "Closes a slice of every position on the winning side, in proportion to its size."
    )

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        _check(positions)
        return sorted(positions, key=lambda p: p.account)

    def allocate_ranked(self, ranked: Sequence[Position], qty: int) -> list[Allocation]:
        if qty < 0:
            raise ValueError(f"qty must be >= 0, got {qty}")
        weights = [(p.account, abs(p.size)) for p in ranked]
        amount = min(qty, sum(w for _, w in weights))
        shares = largest_remainder(amount, weights)
        return [
            Allocation(p.account, share, rank)
            for rank, (p, share) in enumerate(zip(ranked, shares, strict=True), start=1)
            if share
        ]

    def queue_ranked(self, ranked: Sequence[Position]) -> dict[int, QueueSpot]:
        return {p.account: QueueSpot(rank, 5, 1) for rank, p in enumerate(ranked, start=1)}


class LargestFirstPolicy(AdlPolicy):
    """Biggest notional ``|size * mark|`` first, whatever its profit; ties by account id."""

    name: ClassVar[str] = "largest_first"
    description: ClassVar[str] = (
        "Closes the biggest positions first, whether they are winning or not."
    )

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        _check(positions)
        return sorted(positions, key=lambda p: (-abs(p.size) * p.mark, p.account))


class RandomPolicy(AdlPolicy):
    """dYdX v4: a random order, drawn from the market's seeded ``Rng``.

    The candidates are sorted by account id, then shuffled with Fisher-Yates (``Rng.shuffle``):
    the same candidates and rng state always give the same queue. Lights are BitMEX's on that
    queue, so they change with every draw.
    """

    name: ClassVar[str] = "random"
    description: ClassVar[str] = (
        "Closes positions on the winning side in a random order, like dYdX."
    )

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        _check(positions)
        order = sorted(positions, key=lambda p: p.account)
        rng.shuffle(order)
        return order


class SocializedLossPolicy(AdlPolicy):
    """Socialised loss: positions stay open; the deficit is charged to profits, pro rata.

    :meth:`haircut` does the charge (see :func:`pro_rata_haircut`). The queue is ordered by positive
    unrealised profit, largest first (ties by account id). Lights show each account's share of
    the total positive profit, which is its share of any loss: ``percentile = 100 - floor(100 *
    share)`` clamped to 1..100, then BitMEX's 20% steps, so a share of 80% or more lights 5, under
    20% (or no profit at all) lights 1.
    """

    name: ClassVar[str] = "socialized_loss"
    closes_positions: ClassVar[bool] = False
    description: ClassVar[str] = (
        "Closes nobody: every winner on the other side pays a share of the loss out of profit."
    )

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        _check(positions)
        return sorted(positions, key=lambda p: (-max(p.pnl, 0), p.account))

    def allocate_ranked(self, ranked: Sequence[Position], qty: int) -> list[Allocation]:
        raise NotImplementedError("socialized_loss closes no positions: use haircut()")

    def queue_ranked(self, ranked: Sequence[Position]) -> dict[int, QueueSpot]:
        profits = [max(p.pnl, 0) for p in ranked]
        total = sum(profits)
        spots: dict[int, QueueSpot] = {}
        for rank, (p, profit) in enumerate(zip(ranked, profits, strict=True), start=1):
            share_pct = 100 * profit // total if total else 0
            percentile = min(100, max(1, 100 - share_pct))
            spots[p.account] = QueueSpot(rank, lights_for_percentile(percentile), percentile)
        return spots

    def haircut(self, positions: Sequence[Position], deficit: int) -> list[tuple[int, int]]:
        """``(account, amount)`` pro rata to positive profit; see :func:`pro_rata_haircut`."""
        _check(positions)
        return pro_rata_haircut(positions, deficit)


POLICIES: dict[str, type[AdlPolicy]] = {
    cls.name: cls
    for cls in (
        PnlLeveragePolicy,
        HyperliquidPolicy,
        ProRataPolicy,
        LargestFirstPolicy,
        RandomPolicy,
        SocializedLossPolicy,
    )
}


def get_policy(name: str) -> AdlPolicy:
    """A fresh policy by name; an unknown name raises :class:`UnknownPolicyError` listing them."""
    try:
        return POLICIES[name]()
    except KeyError:
        known = ", ".join(POLICIES)
        raise UnknownPolicyError(f"unknown ADL policy {name!r}; known: {known}") from None
