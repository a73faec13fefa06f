"""Largest-first ADL: the biggest winning position first (no venue's rule: a paper's extreme)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from perpgame.engine.adl.base import AdlPolicy, Position, check_candidates
from perpgame.engine.rng import Rng


class LargestFirstPolicy(AdlPolicy):
    """Biggest notional ``|size * mark|`` first among the winners, ties by account id.

    The extreme "haircut the largest winners first" of Chitra (arXiv 2512.01112, Prop. "Queue
    Maximizes Damage to Top Winner"). Like the venues and the papers it takes only positions in
    profit: losers are no candidates in the waterfall (``closes_losers``) and come after every
    winner, biggest first, when the policy is asked to rank them.
    """

    name: ClassVar[str] = "largest_first"
    closes_losers: ClassVar[bool] = False
    description: ClassVar[str] = "Closes the biggest winning positions first."

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        check_candidates(positions)
        return sorted(positions, key=lambda p: (p.pnl <= 0, -abs(p.size) * p.mark, p.account))
