"""Socialised loss: nobody is closed; the deficit is charged to profits, pro rata."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from perpgame.engine.adl.base import (
    AdlPolicy,
    Allocation,
    Position,
    QueueSpot,
    check_candidates,
    lights_for_percentile,
    pro_rata_haircut,
)
from perpgame.engine.rng import Rng


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
    closes_losers: ClassVar[bool] = False
    description: ClassVar[str] = (
        "Closes nobody: every winner on the other side pays a share of the loss out of profit."
    )

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        check_candidates(positions)
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
        check_candidates(positions)
        return pro_rata_haircut(positions, deficit)
