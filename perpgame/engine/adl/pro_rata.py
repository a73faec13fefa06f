"""Pro-rata ADL: every winner closed in proportion to its size (contracts pro-rata)."""

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
    """Every winner is closed in proportion to its size; nobody is ahead of anybody.

    Chitra's "contracts-pro-rata" (arXiv 2512.01112, corrected, sections 2.4 and 9; see
    docs/mechanics.md). Allocation over the winners (unrealised profit > 0):
    ``floor(qty * |size| / total)`` each, the lots left over by largest remainder (Hamilton),
    ties to the lower account id. Like
    the venues and the papers it takes only positions in profit: losers are no candidates in the
    waterfall (``closes_losers``); asked directly, the policy splits what the winners cannot cover
    over the losers the same way. The queue order is winners by account id, then losers (it only
    numbers the list). Lights: every ADL, however small, touches every winner at once, so all
    share the front of the queue: every spot has 5 lights and percentile 1.
    """

    proportional: ClassVar[bool] = True
    closes_losers: ClassVar[bool] = False
    name: ClassVar[str] = "pro_rata"
    description: ClassVar[str] = (
        "Closes a slice of every winning position on the other side, in proportion to its size."
    )

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        check_candidates(positions)
        return sorted(positions, key=lambda p: (p.pnl <= 0, p.account))

    def allocate_ranked(self, ranked: Sequence[Position], qty: int) -> list[Allocation]:
        if qty < 0:
            raise ValueError(f"qty must be >= 0, got {qty}")
        out: list[Allocation] = []
        for winners in (True, False):
            group = [(rank, p) for rank, p in enumerate(ranked, start=1) if (p.pnl > 0) is winners]
            weights = [(p.account, abs(p.size)) for _, p in group]
            amount = min(qty, sum(w for _, w in weights))
            shares = largest_remainder(amount, weights)
            out += [
                Allocation(p.account, share, rank)
                for (rank, p), share in zip(group, shares, strict=True)
                if share
            ]
            qty -= amount
        return out

    def queue_ranked(self, ranked: Sequence[Position]) -> dict[int, QueueSpot]:
        return {p.account: QueueSpot(rank, 5, 1) for rank, p in enumerate(ranked, start=1)}
