"""dYdX v4's ADL: a seeded random starting point, then round-robin over the offsetting positions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from perpgame.engine.adl.base import AdlPolicy, Position, check_candidates
from perpgame.engine.rng import Rng


class RandomPolicy(AdlPolicy):
    """dYdX v4: start at a random position in the list, then walk it round-robin.

    dYdX's ``OffsetSubaccountPerpetualPosition`` (``protocol/x/clob/keeper/deleveraging.go`` in
    https://github.com/dydxprotocol/v4-chain) lists the subaccounts with a position on the other
    side, starts at ``pseudoRand.Intn(numSubaccounts)`` and walks the list round-robin. Here the
    list is the candidates by account id and the start is ``rng.below(n)``, one draw from the
    market's seeded ``Rng``: the same candidates and rng state always give the same queue. The
    queue is a rotation of the id order, not a shuffle. Lights are BitMEX's on that queue, so they
    change with every draw.
    """

    name: ClassVar[str] = "random"
    description: ClassVar[str] = (
        "Closes positions on the winning side from a random starting point, in turn, like dYdX."
    )

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        check_candidates(positions)
        order = sorted(positions, key=lambda p: p.account)
        if not order:
            return order
        start = rng.below(len(order))
        return order[start:] + order[:start]
