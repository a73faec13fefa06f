"""Arbitrageur: keeps the book's prices near the index.

What it does to the market: when the best ask is more than ``threshold_bps`` below the index it
buys those cheap asks; when the best bid is that far above the index it sells into those rich
bids (immediate-or-cancel orders that never go past the threshold). While the book is back near
the index it unwinds what it bought or sold, a slice per tick, at prices still on the right side
of the index. The timeline can pull it like a market maker.

What it teaches: the book follows the outside price only because someone gets paid to drag it
there; take the arbitrageurs away and the book's price can wander far from the index.
"""

from __future__ import annotations

from dataclasses import dataclass

from perpgame.engine.book import OrderType
from perpgame.engine.units import PPM
from perpgame.world.bots.base import BUY, SELL, Bot, BotParams, bps_of, leverage_param, param


@dataclass(frozen=True, slots=True)
class ArbitrageurParams(BotParams):
    threshold_bps: int = param(20, lo=1, doc="trades when the book is this far from the index, bps")
    max_qty: int = param(5_000, lo=1, doc="largest trade per tick, lots")
    max_position: int = param(50_000, lo=1, doc="largest position it takes on, lots")
    unwind_ppm: int = param(
        100_000, lo=0, hi=PPM, doc="share of its position it unwinds per tick once the book is back"
    )
    leverage: int = leverage_param(5)


class Arbitrageur(Bot[ArbitrageurParams]):
    """It buys when the book is cheaper than the index and sells when it is dearer, pulling the
    book's price back to the outside price; without it the book can drift away."""

    archetype = "arbitrageur"
    pulled = False

    def pull(self, pulled: bool) -> None:
        """Pulled: it stops trading (it rests no orders, so there is nothing to cancel)."""
        self.pulled = pulled

    def act(self) -> None:
        if self.pulled:
            return
        p = self.params
        desk = self.desk
        index = desk.index
        edge = bps_of(index, p.threshold_bps)
        size = desk.size
        ask = desk.best_ask()
        if ask is not None and ask < index - edge and size < p.max_position:
            self._take(BUY, self.floor_tick(index - edge), p.max_position - size)
            return
        bid = desk.best_bid()
        if bid is not None and bid > index + edge and -size < p.max_position:
            self._take(SELL, self.ceil_tick(index + edge), p.max_position + size)
            return
        if size == 0 or p.unwind_ppm == 0:
            return
        qty = max(desk.lot_size, desk.round_lot(abs(size) * p.unwind_ppm // PPM))
        if size > 0:
            limit = self.ceil_tick(index - edge // 2)
            if bid is not None and bid >= limit:
                desk.order(SELL, qty, limit, OrderType.IOC, reduce_only=True)
        else:
            limit = self.floor_tick(index + edge // 2)
            if ask is not None and ask <= limit:
                desk.order(BUY, qty, limit, OrderType.IOC, reduce_only=True)

    def _take(self, side: int, limit: int, room: int) -> None:
        qty = self.desk.round_lot(min(self.params.max_qty, room, self.affordable(limit)))
        if qty > 0:
            self.desk.order(side, qty, limit, OrderType.IOC)


BOT = Arbitrageur
