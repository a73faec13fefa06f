"""Momentum trader: buys what went up, sells what went down, usually with high leverage.

What it does to the market: it compares the mark now with the mark ``lookback`` ticks ago. A
rise beyond ``threshold_bps`` makes it buy (closing a short first), a fall makes it sell (closing
a long first), adding up to ``max_position``. Its orders push the price further the way it was
already going, and its leverage puts its liquidation price close behind it.

What it teaches: trend followers pile onto moves and make them bigger; when the trend turns,
their leveraged positions become the next liquidations, which push the price further still.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from perpgame.engine.units import PPM
from perpgame.world.bots.base import BPS, BUY, SELL, Bot, BotParams, leverage_param, param


@dataclass(frozen=True, slots=True)
class MomentumParams(BotParams):
    lookback: int = param(20, lo=1, doc="ticks between the two marks it compares")
    threshold_bps: int = param(50, lo=1, doc="move over the lookback that counts as a trend, bps")
    qty: int = param(2_000, lo=1, doc="lots it adds per trade")
    max_position: int = param(10_000, lo=1, doc="largest position it builds, lots")
    chance_ppm: int = param(200_000, lo=0, hi=PPM, doc="chance per tick it acts on a trend, ppm")
    leverage: int = leverage_param(10)


class Momentum(Bot[MomentumParams]):
    """It buys rises and sells falls of the mark at high leverage: it makes moves bigger, and when
    the trend turns its positions are the next to be liquidated."""

    archetype = "momentum"

    def setup(self) -> None:
        self.marks: deque[int] = deque(maxlen=self.params.lookback + 1)

    def act(self) -> None:
        p = self.params
        desk = self.desk
        marks = self.marks
        mark = desk.mark
        marks.append(mark)
        if len(marks) <= p.lookback:
            return
        change_bps = (mark - marks[0]) * BPS // marks[0]
        if change_bps >= p.threshold_bps:
            side = BUY
        elif change_bps <= -p.threshold_bps:
            side = SELL
        else:
            return
        if not self.rng.chance(p.chance_ppm) or not self.can_take(side):
            return
        size = desk.size
        if size * side < 0:
            desk.close()  # the trend turned against it: out first
            return
        qty = min(p.qty, p.max_position - abs(size))
        if qty > 0:
            qty = desk.round_lot(min(qty, self.affordable(mark)))
            if qty > 0:
                desk.order(side, qty)


BOT = Momentum
