"""Degenerate: opens a long (or short) at maximum leverage early on, and holds it.

What it does to the market: at ``open_tick`` (plus a random delay up to ``jitter`` ticks, so a
crowd of them does not hit the book on the same tick) it spends nearly all its buying power on
one market order at the market's maximum leverage, then never touches it again. Its liquidation
price sits only a few percent away.

What it teaches: this is liquidation fuel. A small move against it wipes it out, and its forced
close is one more market order in the direction of the move: the start of a cascade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from perpgame.engine.units import PPM
from perpgame.world.bots.base import BUY, SELL, Bot, BotParams, leverage_param, param


@dataclass(frozen=True, slots=True)
class DegenerateParams(BotParams):
    side: str = param("long", choices=("long", "short"), doc="the side it bets on")
    leverage: int = leverage_param(0, doc="its leverage; 0 = the market's maximum")
    open_tick: int = param(1, lo=0, doc="earliest tick it opens its position")
    jitter: int = param(10, lo=0, doc="opens at a random tick up to this many after open_tick")
    use_ppm: int = param(900_000, lo=1, hi=PPM, doc="share of its buying power it spends, ppm")


class Degenerate(Bot[DegenerateParams]):
    """It opens one position at maximum leverage and holds it: a small move wipes it out, and its
    forced close pushes the price further: liquidation fuel."""

    archetype = "degenerate"
    commands: ClassVar[Mapping[str, tuple[str, ...]]] = {"open": (), "close": ()}

    def setup(self) -> None:
        p = self.params
        if p.leverage == 0:
            self.desk.set_leverage(self.desk.max_leverage)
        self.side = BUY if p.side == "long" else SELL
        self.open_at: int | None = p.open_tick + self.rng.between(0, p.jitter)
        self.use_ppm = p.use_ppm

    def command(self, name: str, **args: Any) -> None:
        """``open``: open now (again, if it was wiped out); ``close``: close the position."""
        if name == "open":
            self.open_at = self.desk.tick
            self.use_ppm = self.params.use_ppm
        elif name == "close":
            self.open_at = None
            self.desk.close()

    def act(self) -> None:
        desk = self.desk
        if self.open_at is None or desk.tick < self.open_at or not self.can_take(self.side):
            return
        if desk.size:
            self.open_at = None
            return
        qty = desk.round_lot(self.affordable(desk.mark) * self.use_ppm // PPM)
        out = desk.order(self.side, qty) if qty > 0 else None
        if out is not None and out.filled:
            self.open_at = None
        elif out is not None and out.rejected and "margin" in out.rejected:
            self.use_ppm //= 2  # too greedy for the book's prices: try half next tick


BOT = Degenerate
