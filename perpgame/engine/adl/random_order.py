"""dYdX v4's ADL: a seeded random order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from perpgame.engine.adl.base import AdlPolicy, Position, check_candidates
from perpgame.engine.rng import Rng


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
        check_candidates(positions)
        order = sorted(positions, key=lambda p: p.account)
        rng.shuffle(order)
        return order
