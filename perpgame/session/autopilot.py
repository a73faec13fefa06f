"""An autopilot for demo mode: plays any level through a Snapshot, the way a sensible trader would.

It opens a modest position early, rests bids under the market to catch liquidations, adds margin
when its margin ratio gets hot, and takes profit into strength. It reads only the Snapshot and
answers with PlayerActions, exactly like a person at the keyboard, so the demo exercises the
same session and screens as real play.
"""

from __future__ import annotations

from perpgame.level.actions import PlayerAction
from perpgame.session.fmt import BUY, SELL
from perpgame.session.snapshot import Snapshot

HOT_MARGIN_PPM = 600_000
"""Add margin when maintenance is 60% of equity."""


class Autopilot:
    """Callable: ``autopilot(snapshot) -> list[PlayerAction]``; one decision every few ticks."""

    def __init__(self, every: int = 6) -> None:
        self.every = every
        self._bid_price: int | None = None

    def __call__(self, snap: Snapshot) -> list[PlayerAction]:
        if snap.status != "playing" or snap.tick % self.every:
            return []
        pos = snap.position
        tick = snap.tick
        lot = snap.lot_size
        actions: list[PlayerAction] = []
        if snap.role == "vault":
            return self._vault(snap)
        if pos.margin_ratio_ppm > HOT_MARGIN_PPM and pos.size:
            actions.append(PlayerAction(tick, "add_margin", amount=max(pos.deposited // 10, 1)))
            return actions
        notional_cap = pos.equity * min(3, pos.max_leverage)
        mark = snap.mark or 1
        size_lots = max(lot, (notional_cap // mark) // 4 // lot * lot)
        if pos.size == 0 and snap.seconds < snap.time_limit / 2 and not pos.orders:
            # open a small short early (the crash is coming) and rest a bid under the market
            leverage = min(3, pos.max_leverage)
            actions.append(PlayerAction.order(tick, SELL, size_lots, leverage=leverage))
            if snap.best_bid:
                bid = snap.best_bid * 97 // 100 // snap.tick_size * snap.tick_size
                actions.append(PlayerAction.order(tick, BUY, size_lots, bid))
                self._bid_price = bid
        elif pos.size and pos.unrealized > pos.deposited // 20:
            actions.append(PlayerAction(tick, "close"))  # take profit: 5% of deposits
        return actions

    def _vault(self, snap: Snapshot) -> list[PlayerAction]:
        pos = snap.position
        if not pos.size:
            return []
        # unwind a fifth of what the vault inherited, reduce-only, at the market
        qty = max(snap.lot_size, abs(pos.size) // 5 // snap.lot_size * snap.lot_size)
        side = SELL if pos.size > 0 else BUY
        return [PlayerAction.order(snap.tick, side, qty, reduce_only=True)]
