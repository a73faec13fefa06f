"""Noise trader: small random orders, now and then, for no reason at all.

What it does to the market: with some chance each tick it buys or sells a small random quantity,
either with a market order (taking liquidity, moving the last price a little) or with a limit
order resting near the mid (adding a little depth) that it cancels after a while. Beyond
``max_position`` it only trades to get back toward flat.

What it teaches: most volume is not informed; it keeps trades printing and the book alive, and
every one of those trades is still a transfer between two accounts.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from perpgame.engine.units import PPM
from perpgame.world.bots.base import BUY, SELL, Bot, BotParams, bps_of, leverage_param, param


@dataclass(frozen=True, slots=True)
class NoiseParams(BotParams):
    chance_ppm: int = param(50_000, lo=0, hi=PPM, doc="chance per tick that it trades, ppm")
    min_qty: int = param(100, lo=1, doc="smallest order, lots")
    max_qty: int = param(2_000, lo=1, doc="largest order, lots")
    limit_ppm: int = param(500_000, lo=0, hi=PPM, doc="share of its orders that are limit orders")
    offset_bps: int = param(30, lo=0, doc="limit orders rest up to this far from the mid, bps")
    ttl: int = param(30, lo=1, doc="ticks before an unfilled limit order is cancelled")
    max_position: int = param(10_000, lo=0, doc="lots; beyond this it only trades toward flat")
    leverage: int = leverage_param(0)


class Noise(Bot[NoiseParams]):
    """It sends small random buys and sells: uninformed volume that keeps the book busy, each trade
    still just cash moving from one account to another."""

    archetype = "noise"

    def setup(self) -> None:
        self.expiring: deque[tuple[int, int]] = deque()  # (tick to cancel at, order id)

    def act(self) -> None:
        p = self.params
        desk = self.desk
        rng = self.rng
        expiring = self.expiring
        if expiring:
            tick = desk.tick
            while expiring and expiring[0][0] <= tick:
                desk.cancel(expiring.popleft()[1])
        if not rng.chance(p.chance_ppm):
            return
        side = BUY if rng.below(2) else SELL
        qty = rng.between(p.min_qty, max(p.min_qty, p.max_qty))
        size = desk.size
        if size >= p.max_position and size > 0:
            side = SELL
        elif size <= -p.max_position and size < 0:
            side = BUY
        mid = desk.mid()
        ref = mid if mid is not None else desk.index
        if size * side >= 0 or qty > abs(size):  # adds exposure: size it from free margin
            qty = min(qty, self.affordable(ref))
        qty = desk.round_lot(qty)
        if qty <= 0:
            return
        if rng.chance(p.limit_ppm):
            away = bps_of(ref, rng.between(0, p.offset_bps))
            price = self.floor_tick(ref - away) if side == BUY else self.ceil_tick(ref + away)
            out = desk.order(side, qty, price)
            if out.resting:
                expiring.append((desk.tick + p.ttl, out.order_id))  # type: ignore[arg-type]
        elif self.can_take(side):
            desk.order(side, qty)


BOT = Noise
