"""Largest-first ADL: the biggest notional first, winning or not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from perpgame.engine.adl.base import AdlPolicy, Position, check_candidates
from perpgame.engine.rng import Rng


class LargestFirstPolicy(AdlPolicy):
    """Biggest notional ``|size * mark|`` first, whatever its profit; ties by account id."""

    name: ClassVar[str] = "largest_first"
    description: ClassVar[str] = (
        "Closes the biggest positions first, whether they are winning or not."
    )

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        check_candidates(positions)
        return sorted(positions, key=lambda p: (-abs(p.size) * p.mark, p.account))
