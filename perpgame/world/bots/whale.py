"""Whale: one big trader who sends very large orders when the script says so.

What it does to the market: on ``command("sell", qty=..., ticks=...)`` (or ``"buy"``) it works a
huge order into the book, a slice each tick for ``ticks`` ticks, with market orders (or, with
``max_slippage_bps``, orders that stop that far from the index). Each slice eats through the
levels of the book, so the price falls (or rises) by real trades. It can also be scheduled in the
level file with ``qty`` and ``at_tick``. What is left unfilled when the time is up is dropped.

What it teaches: a crash is made of orders; a thin book turns one big seller into a price move
that triggers liquidations, whose forced sells deepen the move (a cascade).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from perpgame.engine.book import OrderType
from perpgame.world.bots.base import (
    BUY,
    SELL,
    Bot,
    BotParams,
    ParamError,
    leverage_param,
    param,
    side_of,
)


@dataclass(frozen=True, slots=True)
class WhaleParams(BotParams):
    side: str = param("sell", choices=("sell", "buy"), doc="side of the scheduled order")
    qty: int = param(0, lo=0, doc="lots of the scheduled order; 0 schedules nothing")
    at_tick: int = param(0, lo=0, doc="tick the scheduled order starts")
    ticks: int = param(10, lo=1, doc="ticks an order is spread over (the default for commands)")
    max_slippage_bps: int = param(
        0, lo=0, doc="never trades further than this from the index, bps; 0 = market orders"
    )
    leverage: int = leverage_param(0)


@dataclass(slots=True)
class _Plan:
    side: int
    left: int
    ticks_left: int
    reduce_only: bool
    slippage_bps: int


class Whale(Bot[WhaleParams]):
    """It sends one huge order in slices: each slice eats through the book, so one trader can move
    the price far enough to set off a cascade of liquidations."""

    archetype = "whale"
    commands: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "sell": ("qty", "ticks", "max_slippage_bps"),
        "buy": ("qty", "ticks", "max_slippage_bps"),
        "close": ("ticks", "max_slippage_bps"),
        "stop": (),
    }

    def setup(self) -> None:
        self.plan: _Plan | None = None
        self.scheduled = self.params.qty == 0

    def command(self, name: str, **args: Any) -> None:
        """``sell``/``buy`` (qty lots, ticks), ``close`` (its whole position), ``stop``."""
        if name not in self.commands:
            return
        self.check_command(name, args)
        ticks = args.get("ticks", self.params.ticks)
        slippage = args.get("max_slippage_bps", self.params.max_slippage_bps)
        if name == "stop":
            self.plan = None
        elif name == "close":
            size = self.desk.size
            self.plan = (
                _Plan(side_of(size), abs(size), max(1, ticks), True, slippage) if size else None
            )
        else:
            if "qty" not in args:
                raise ParamError(f"whale command {name!r} needs 'qty' (lots)")
            side = SELL if name == "sell" else BUY
            self.plan = _Plan(side, args["qty"], max(1, ticks), False, slippage)

    def act(self) -> None:
        p = self.params
        if not self.scheduled and self.desk.tick >= p.at_tick:
            self.scheduled = True
            self.command(p.side, qty=p.qty, ticks=p.ticks)
        plan = self.plan
        if plan is None:
            return
        desk = self.desk
        qty = desk.round_lot(-(-plan.left // plan.ticks_left)) or min(plan.left, desk.lot_size)
        plan.ticks_left -= 1
        if plan.ticks_left <= 0:
            self.plan = None
        price = self.slippage_limit(plan.side, plan.slippage_bps) if plan.slippage_bps else None
        if not plan.reduce_only:
            qty = desk.round_lot(min(qty, self.affordable(price or desk.mark)))
        if qty <= 0 or not self.can_take(plan.side):
            return
        kind = OrderType.MARKET if price is None else OrderType.IOC
        out = desk.order(plan.side, qty, price, kind, reduce_only=plan.reduce_only)
        plan.left -= out.filled
        if plan.left <= 0:
            self.plan = None


BOT = Whale
