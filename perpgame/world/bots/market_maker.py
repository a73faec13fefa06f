"""Market maker: a ladder of resting bids and asks around fair value.

What it does to the market: it *is* the book in calm times. It quotes ``levels`` prices on each
side of fair value (the index, the book's mid or the mark), leans its quotes away from the
inventory it has piled up (and stops adding to it at ``max_inventory``), and earns the spread.
When the index starts jumping, or it starts losing money, it first widens its quotes, then pulls
them altogether, and only comes back after ``cooldown`` calm ticks. It only ever makes: its
orders are post-only, and in a fast market it sits just behind other makers' stale quotes rather
than trading with them.

What it teaches: the depth that liquidations count on belongs to people who can leave, and they
leave exactly when a crash needs them; a liquidation then slips through an empty book.

Cheap by design: its quotes sit on a fixed price grid, so a small move of fair value changes
nothing, and a move of one grid step cancels one order and places one per side. It re-reads its
own resting orders only when its position or cash changed (a fill, a liquidation, funding) or
every ``resync`` ticks.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

from perpgame.engine.book import OrderType
from perpgame.engine.units import PPM
from perpgame.world.bots.base import BPS, BUY, SELL, Bot, BotParams, ParamError, param

_QTY = itemgetter(1)  # a quote's (order id, qty) -> qty

STEPS = 4
"""Widening comes in this many steps; stress at ``STEPS`` means the quotes are pulled."""


@dataclass(frozen=True, slots=True)
class MarketMakerParams(BotParams):
    levels: int = param(5, lo=1, hi=50, doc="price levels quoted on each side")
    spread_bps: int = param(10, lo=1, doc="calm gap from best bid to best ask, bps of fair value")
    step_bps: int = param(5, lo=1, doc="gap between the levels of the ladder, bps of fair value")
    size: int = param(2_000, lo=1, doc="lots per level (10,000 lots = 1 coin)")
    fair: str = param(
        "index", choices=("index", "mid", "mark"), doc="what it quotes around: index, mid or mark"
    )
    max_inventory: int = param(20_000, lo=1, doc="lots; at this position it stops adding to it")
    skew_bps: int = param(10, lo=0, doc="quote shift at max inventory, bps, to shed inventory")
    vol_window: int = param(10, lo=1, doc="ticks its volatility average spans")
    widen_vol_bps: int = param(15, lo=0, doc="average index move per tick (bps) where it widens")
    pull_vol_bps: int = param(50, lo=1, doc="average index move per tick (bps) where it pulls")
    widen_loss_bps: int = param(
        100, lo=0, doc="equity drawdown from its peak (bps) where it widens"
    )
    pull_loss_bps: int = param(300, lo=1, doc="equity drawdown from its peak (bps) where it pulls")
    max_widen: int = param(4, lo=1, hi=100, doc="spread multiplier at the last step before pulling")
    cooldown: int = param(20, lo=0, doc="calm ticks it waits before quoting again after a pull")
    resync: int = param(25, lo=1, doc="ticks between full re-reads of its own resting orders")
    leverage: int = param(0, lo=0, doc="leverage it sets at start; 0 keeps the account's")

    def check(self) -> None:
        if self.pull_vol_bps <= self.widen_vol_bps:
            raise ParamError("parameter 'pull_vol_bps' must be above 'widen_vol_bps'")
        if self.pull_loss_bps <= self.widen_loss_bps:
            raise ParamError("parameter 'pull_loss_bps' must be above 'widen_loss_bps'")


def _ramp(value: int, lo: int, hi: int) -> int:
    """0 at or below ``lo``, ``STEPS`` at or above ``hi``, steps in between."""
    if value <= lo:
        return 0
    if value >= hi:
        return STEPS
    return (value - lo) * STEPS // (hi - lo)


class MarketMaker(Bot[MarketMakerParams]):
    """It fills the book with bids and asks around fair value, and pulls them when prices jump or it
    loses money: liquidity disappears exactly when liquidations need it."""

    archetype = "market_maker"

    def setup(self) -> None:
        self.bids: dict[int, tuple[int, int]] = {}  # price -> (order id, qty)
        self.asks: dict[int, tuple[int, int]] = {}
        self.vol_ppm = 0  # average absolute index move per tick
        self.last_index = self.desk.index
        self.peak = self.desk.equity()
        self.stress = 0
        self.pulled = False
        self.forced = False
        self.calm = 0
        self.grid = 0
        self.grid_fair = 0
        self.seen: tuple[int, int] | None = None  # (size, cash) after its last act
        self.next_sync = 0

    # ------------------------------------------------------------------ timeline
    def pull(self, pulled: bool) -> None:
        """Liquidity pulled by the script: cancel everything now; restored: quote when calm."""
        self.forced = pulled
        if pulled:
            self._cancel_all()
            self.pulled = True
        else:
            self.calm = self.params.cooldown

    # ---------------------------------------------------------------------- tick
    def act(self) -> None:
        p = self.params
        desk = self.desk
        index = desk.index
        move = abs(index - self.last_index) * PPM // self.last_index
        self.last_index = index
        self.vol_ppm += (move - self.vol_ppm) // p.vol_window
        vol_stress = _ramp(self.vol_ppm // 100, p.widen_vol_bps, p.pull_vol_bps)
        equity = desk.equity()
        if self.pulled:
            self.calm = self.calm + 1 if vol_stress < STEPS - 1 else 0
            if self.forced or self.calm < p.cooldown:
                return
            self.pulled = False
            self.peak = equity  # a fresh start: old losses no longer count
        self.peak = max(self.peak, equity)
        loss_bps = (self.peak - equity) * BPS // self.peak if self.peak > 0 else BPS
        stress = max(vol_stress, _ramp(loss_bps, p.widen_loss_bps, p.pull_loss_bps))
        if stress >= STEPS:
            self._cancel_all()
            self.pulled = True
            self.calm = 0
            return
        self.stress = stress
        self._quote()

    def _fair(self) -> int:
        desk = self.desk
        fair = self.params.fair
        if fair == "mid":
            mid = desk.mid()
            return mid if mid is not None else desk.index
        if fair == "mark":
            return desk.mark
        return desk.index

    def _quote(self) -> None:
        p = self.params
        desk = self.desk
        size = desk.size
        if self.seen != (size, desk.cash) or desk.tick >= self.next_sync:
            self._sync()
        fair = self._fair()
        inventory = max(-p.max_inventory, min(size, p.max_inventory))
        fair -= fair * p.skew_bps * inventory // (p.max_inventory * BPS)  # lean away from it
        spread = p.spread_bps * (STEPS - 1 + (p.max_widen - 1) * self.stress) // (STEPS - 1)
        half = max(desk.tick_size, fair * spread // (2 * BPS))
        grid = self._grid(fair)
        top_bid = (fair - half) // grid * grid
        top_ask = -(-(fair + half) // grid) * grid
        bids = self._ladder(top_bid, -grid) if size < p.max_inventory else []
        asks = self._ladder(top_ask, grid) if size > -p.max_inventory else []
        self._cancel_unwanted(self.bids, bids)
        self._cancel_unwanted(self.asks, asks)
        # In a fast market other makers' quotes are stale: sit just behind them, never take them.
        best_ask, best_bid = desk.best_ask(), desk.best_bid()
        if bids and best_ask is not None and bids[0] >= best_ask:
            bids = self._ladder((best_ask - 1) // grid * grid, -grid)
            self._cancel_unwanted(self.bids, bids)
        if asks and best_bid is not None and asks[0] <= best_bid:
            asks = self._ladder(best_bid // grid * grid + grid, grid)
            self._cancel_unwanted(self.asks, asks)
        self._place(self.bids, BUY, bids)
        self._place(self.asks, SELL, asks)
        self.seen = (desk.size, desk.cash)

    def _ladder(self, top: int, step: int) -> list[int]:
        levels = self.params.levels
        last = top + (levels - 1) * step
        if top > 0 and last > 0:  # the usual case: every price of the ladder is positive
            return list(range(top, last + step, step))
        return [price for i in range(levels) if (price := top + i * step) > 0]

    def _grid(self, fair: int) -> int:
        """The ladder's price step; fixed until fair value drifts 10% from where it was set."""
        if not self.grid or abs(fair - self.grid_fair) * 10 > self.grid_fair:
            t = self.desk.tick_size
            self.grid = max(t, fair * self.params.step_bps // BPS // t * t)
            self.grid_fair = fair
        return self.grid

    def _cancel_unwanted(self, quotes: dict[int, tuple[int, int]], want: list[int]) -> None:
        """Cancel the quotes whose price is no longer wanted, oldest quoted first."""
        gone = quotes.keys() - want  # a set, in C: usually empty or one price
        if not gone:
            return
        if len(gone) > 1:
            gone = [pr for pr in quotes if pr in gone]  # the quotes' own order
        for price in gone:
            self.desk.cancel(quotes.pop(price)[0])

    def _place(self, quotes: dict[int, tuple[int, int]], side: int, want: list[int]) -> None:
        """Place the wanted quotes that are missing, post-only, as far as margin allows."""
        missing = [pr for pr in want if pr not in quotes]
        if not missing:
            return
        desk = self.desk
        room = self._room(side)
        for price in missing:
            qty = desk.round_lot(min(self.params.size, room))
            if qty <= 0:
                return
            out = desk.order(side, qty, price, OrderType.POST_ONLY)
            if out.rejected is not None:
                return
            room -= qty
            if out.resting:
                quotes[price] = (out.order_id, out.resting)  # type: ignore[assignment]

    def _room(self, side: int) -> int:
        """Lots it may still rest on ``side`` within its margin (worst case: all of it fills)."""
        desk = self.desk
        cap = desk.equity() * desk.leverage * 9 // 10 // max(1, desk.mark)
        if side == BUY:
            return cap - desk.size - sum(map(_QTY, self.bids.values()))
        return cap + desk.size - sum(map(_QTY, self.asks.values()))

    def _sync(self) -> None:
        """Re-read its resting orders from the book (after fills, liquidations, funding)."""
        self.bids.clear()
        self.asks.clear()
        for o in self.desk.orders():
            quotes = self.bids if o.side == BUY else self.asks
            if o.price is None or o.reduce_only or o.price in quotes:
                self.desk.cancel(o.id)
            else:
                quotes[o.price] = (o.id, o.qty)
        self.next_sync = self.desk.tick + self.params.resync

    def _cancel_all(self) -> None:
        if self.bids or self.asks:
            self.desk.cancel_all()
        self.bids.clear()
        self.asks.clear()
        self.seen = None


BOT = MarketMaker
