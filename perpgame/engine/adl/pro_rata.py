"""Pro-rata ADL: every candidate closed in proportion to its size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from perpgame.engine.adl.base import (
    AdlPolicy,
    Allocation,
    Position,
    QueueSpot,
    check_candidates,
    largest_remainder,
)
from perpgame.engine.rng import Rng


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
        check_candidates(positions)
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
