"""Vault unwinder: sells (or buys back) what the backstop vault inherited, a slice at a time.

What it does to the market: it trades on the vault's own account. When the vault holds a
position (taken over from liquidated traders the book could not absorb) it offers a slice of it
each tick with a reduce-only, immediate-or-cancel order, never at a price more than
``max_slippage_bps`` worse than the index. So it does not dump into an empty book; it waits for
bids (or asks) to come back.

What it teaches: the vault is not magic. It is one more trader with finite cash who now holds a
losing position and has to get out of it through the same book, and its selling weighs on price.
"""

from __future__ import annotations

from dataclasses import dataclass

from perpgame.engine.book import OrderType
from perpgame.engine.units import PPM
from perpgame.world.bots.base import BUY, Bot, BotParams, param, side_of


@dataclass(frozen=True, slots=True)
class VaultUnwinderParams(BotParams):
    slice_ppm: int = param(100_000, lo=1, hi=PPM, doc="share of the vault's position per tick")
    min_slice: int = param(100, lo=1, doc="smallest slice, lots")
    max_slippage_bps: int = param(
        100, lo=0, doc="never trades worse than this far from the index, bps"
    )
    delay: int = param(0, lo=0, doc="ticks it waits after the vault starts holding a position")


class VaultUnwinder(Bot[VaultUnwinderParams]):
    """It sells what the backstop vault inherited back into the book, slice by slice and never below
    a limit: the vault is one more trader that must get out the normal way."""

    archetype = "vault_unwinder"
    since: int | None = None

    def act(self) -> None:
        desk = self.desk
        size = desk.size
        if size == 0:
            self.since = None
            return
        p = self.params
        if self.since is None:
            self.since = desk.tick
        if desk.tick - self.since < p.delay:
            return
        side = side_of(size)
        limit = self.slippage_limit(side, p.max_slippage_bps)
        best = self.best_against(side)
        if best is None or (best > limit if side == BUY else best < limit):
            return  # the book is worse than its limit: it waits
        qty = min(abs(size), max(p.min_slice, abs(size) * p.slice_ppm // PPM))
        qty = desk.round_lot(qty) or desk.lot_size
        desk.order(side, qty, limit, OrderType.IOC, reduce_only=True)


BOT = VaultUnwinder
