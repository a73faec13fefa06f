"""Dip buyer: fresh cash that arrives after a fall.

What it does to the market: it waits, flat and holding little, watching the mark's highest point
over the last ``window`` ticks. Once the mark has fallen ``dip_bps`` below it (or, with
``on_liquidations``, half that once liquidation trades have printed since the high) it
*deposits* ``cash`` of new money and buys a long with it at ``leverage``. It closes at ``take_profit_bps`` above its entry;
if it is liquidated instead, it may come back with more fresh cash (up to ``entries`` times).

What it teaches: every liquidated long has to be replaced by someone: either a new trader on the
same side with fresh cash (this bot), or a trader on the other side closing. The pile of cash
grows only when someone like this deposits.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from perpgame.engine.units import CASH_SCALE, PPM
from perpgame.world.bots.base import BPS, BUY, Bot, BotParams, leverage_param, param

WAITING, BUYING, HOLDING, DONE = "waiting", "buying", "holding", "done"


@dataclass(frozen=True, slots=True)
class DipBuyerParams(BotParams):
    dip_bps: int = param(500, lo=1, doc="fall from the recent high that brings it in, bps")
    window: int = param(100, lo=1, doc="ticks over which the recent high is taken")
    on_liquidations: bool = param(True, doc="comes in at half the dip once liquidations print")
    cash: int = param(10_000 * CASH_SCALE, lo=1, doc="fresh cash it deposits, micro-dollars")
    leverage: int = leverage_param(3, doc="leverage of its long; 0 keeps the account's")
    chance_ppm: int = param(250_000, lo=1, hi=PPM, doc="chance per tick to act once triggered")
    take_profit_bps: int = param(300, lo=0, doc="closes this far above its entry, bps; 0 = holds")
    entries: int = param(1, lo=1, doc="how many times it brings fresh cash")


class DipBuyer(Bot[DipBuyerParams]):
    """It waits for a fall, then deposits new cash and buys: the fresh trader on the long side that
    replaces a liquidated one and makes the pile of cash bigger."""

    archetype = "dip_buyer"

    def setup(self) -> None:
        self.highs: deque[tuple[int, int]] = deque()  # (tick, mark), marks falling: a running max
        self.state = WAITING
        self.entered = 0
        self.liquidations_seen = -1  # last tick it saw liquidation trades print

    def act(self) -> None:
        p = self.params
        desk = self.desk
        tick, mark = desk.tick, desk.mark
        highs = self.highs
        while highs and highs[-1][1] <= mark:
            highs.pop()
        highs.append((tick, mark))
        while highs[0][0] <= tick - p.window:
            highs.popleft()
        state = self.state
        if state == WAITING:
            if self._triggered(*highs[0], mark) and self.rng.chance(p.chance_ppm):
                desk.deposit(p.cash)
                self.entered += 1
                self.state = BUYING
                self._buy(mark)
        elif state == BUYING:
            self._buy(mark)
        elif state == HOLDING:
            if desk.size and p.take_profit_bps:
                entry = desk.entry_price() or mark
                if mark * BPS >= entry * (BPS + p.take_profit_bps):
                    desk.close()
            if desk.size == 0:  # took profit, or was liquidated (or deleveraged)
                self.state = WAITING if self.entered < p.entries else DONE

    def _triggered(self, high_tick: int, high: int, mark: int) -> bool:
        dip = self.params.dip_bps
        fall_bps = (high - mark) * BPS // high
        if fall_bps >= dip:
            return True
        if not self.params.on_liquidations or fall_bps * 4 < dip:
            return False  # (only a real fall is worth reading the tape for)
        tick = self.desk.tick
        if any(f.liquidation and f.tick >= tick - 1 for f in self.desk.recent_trades(10)):
            self.liquidations_seen = tick
        return fall_bps * 2 >= dip and self.liquidations_seen >= high_tick

    def _buy(self, mark: int) -> None:
        if not self.can_take(BUY):
            return  # nobody selling yet: it waits with its cash
        qty = self.affordable(mark)
        if qty <= 0:
            self.state = HOLDING if self.desk.size else WAITING
            return
        out = self.desk.order(BUY, qty)
        if out.filled or self.desk.size:
            self.state = HOLDING


BOT = DipBuyer
