"""The shared part of every ADL policy: the data in and out, exact ordering, and the base class.

A policy module imports from here; :mod:`perpgame.engine.adl` registers it by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from perpgame.engine.rng import Rng

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


def check_candidates(positions: Sequence[Position]) -> None:
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


def exact_keys(scores: Sequence[tuple[int, int, int]]) -> list[int]:
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


def sort_scored(
    positions: Sequence[Position], scores: Sequence[tuple[int, int, int]]
) -> list[Position]:
    """Sort by ``(tier, num/den)`` highest first, ties to the lower account id.

    For speed the three keys are packed into one non-negative integer per position,
    ``((top - tier) * span + key - lo) * width + account - first``, whose ascending order is the
    queue (sorting plain ints is several times faster than sorting tuples of big ints).
    """
    if not positions:
        return []
    keys = exact_keys(scores)
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


def lot_cost(position: Position, fill_price: int | None) -> int:
    """``g = s_w * (m - P)``: what closing one lot at ``P`` costs the winner against the mark."""
    if fill_price is None:
        return 0
    side = 1 if position.size > 0 else -1
    return side * (position.mark - fill_price)


def solvent_at(position: Position, fill_price: int | None) -> bool:
    """dYdX v4's overlap condition: still solvent when fully closed at ``fill_price``.

    ``E - |n| * g >= 0`` with ``g`` = :func:`lot_cost`; always true without a fill price or when
    the fill is at or better than the mark for the winner (``g <= 0``: the ``takeover`` trigger).
    """
    g = lot_cost(position, fill_price)
    return g <= 0 or position.equity - abs(position.size) * g >= 0


def queue_spots(ranked: Sequence[Position]) -> dict[int, QueueSpot]:
    """BitMEX lights: percentile = ceil(100 * cumulative size through this position / total)."""
    total = sum(abs(p.size) for p in ranked)
    spots: dict[int, QueueSpot] = {}
    cumulative = 0
    for rank, p in enumerate(ranked, start=1):
        cumulative += abs(p.size)
        percentile = -((-100 * cumulative) // total)
        spots[p.account] = QueueSpot(rank, 5 - (percentile - 1) // 20, percentile)
    return spots


def walk(ranked: Sequence[Position], qty: int) -> list[Allocation]:
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


def to_score(raw: tuple[int, int, int]) -> Score:
    tier, num, den = raw
    return Score(Fraction(0), tier) if tier else Score(Fraction(num, den))


# --------------------------------------------------------------------------------------------------
# The base class


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
    closes_losers: ClassVar[bool] = True
    """False when the venue closes only positions in profit: losers are then no candidates (they
    get no rank or lights) and are closed only if the winners cannot cover the need."""

    def eligible(self, position: Position, fill_price: int | None = None) -> bool:
        """Whether the policy counts ``position`` as an ADL candidate (see ``closes_losers``).

        With a ``fill_price``, also whether it stays solvent when fully closed there
        (:func:`solvent_at`, dYdX v4's overlap condition); the waterfall closes the others only
        as a last resort, and never below zero.
        """
        return (self.closes_losers or position.pnl > 0) and solvent_at(position, fill_price)

    @abstractmethod
    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        """The queue: first = deleveraged first."""

    def allocate(
        self, positions: Sequence[Position], qty: int, rng: Rng, fill_price: int | None = None
    ) -> list[Allocation]:
        """Who loses how many lots to cover ``qty``: the sum is ``min(qty, total size)``.

        ``fill_price`` is the price the waterfall closes them at (the bankruptcy price), for a
        policy that weighs what the fill does to a winner; the queue policies ignore it.
        """
        return self.allocate_ranked(self.rank(positions, rng), qty)

    def allocate_ranked(self, ranked: Sequence[Position], qty: int) -> list[Allocation]:
        """:meth:`allocate` on a queue already ranked by this policy: walk it in order."""
        return walk(ranked, qty)

    def queue(self, positions: Sequence[Position], rng: Rng) -> dict[int, QueueSpot]:
        """Every position's spot in the queue, by account, in queue order."""
        return self.queue_ranked(self.rank(positions, rng))

    def queue_ranked(self, ranked: Sequence[Position]) -> dict[int, QueueSpot]:
        """:meth:`queue` on a queue already ranked by this policy (BitMEX lights)."""
        return queue_spots(ranked)

    def haircut(self, positions: Sequence[Position], deficit: int) -> list[tuple[int, int]]:
        """Only ``socialized_loss`` charges profits instead of closing positions."""
        raise NotImplementedError(f"{self.name} closes positions; only socialized_loss haircuts")


class ScoredPolicy(AdlPolicy):
    """A queue ordered by one exact score per position: highest first, ties by account id.

    A subclass gives :meth:`raw_score`, the score as ``(tier, num, den)`` (see :func:`sort_scored`).
    """

    @staticmethod
    @abstractmethod
    def raw_score(position: Position) -> tuple[int, int, int]:
        """The position's score: ``tier`` first (+1/-1 for +/-infinity), then ``num / den``."""

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        check_candidates(positions)
        score = self.raw_score
        return sort_scored(positions, [score(p) for p in positions])
