"""An autopilot for demo mode: plays any level through a Snapshot, the way a sensible trader would.

It sells short early at the level's own leverage (the crash is coming) and rests a ladder of bids
under the market to catch the liquidations; it adds margin when its margin ratio gets hot, takes
profit into the fall, cuts a loss, and starts again after a short rest, so there is always
something of its own on the screen. It reads only the Snapshot and answers with PlayerActions,
exactly like a person at the keyboard, so the demo exercises the same session and screens as real
play (and a game taken over from it replays exactly).
"""

from __future__ import annotations

from perpgame.level.actions import PlayerAction
from perpgame.session.fmt import BUY, SELL
from perpgame.session.snapshot import Snapshot

HOT_MARGIN_PPM = 600_000
"""Add margin when maintenance is 60% of equity."""
MAX_LEVERAGE = 10
"""The most leverage the autopilot uses, whatever the level allows."""
LADDER_PCT = (2, 3, 5)
"""Its bids rest this many percent under the best bid."""
TAKE_PROFIT = 20
"""Close when the open profit is 1/20 (5%) of the cash deposited..."""
STOP_LOSS = 8
"""...or the open loss 1/8 (12.5%) of it."""
REST_TICKS = 20
"""Ticks to wait after closing before opening again."""


class Autopilot:
    """Callable: ``autopilot(snapshot) -> list[PlayerAction]``; one decision every few ticks."""

    def __init__(self, every: int = 6) -> None:
        self.every = every
        self._rest_until = 0

    def __call__(self, snap: Snapshot) -> list[PlayerAction]:
        if snap.status != "playing" or snap.tick % self.every:
            return []
        if snap.role == "vault":
            return self._vault(snap)
        pos = snap.position
        tick = snap.tick
        late = snap.seconds >= snap.time_limit * 0.85
        if pos.size:
            if pos.margin_ratio_ppm > HOT_MARGIN_PPM:
                return [PlayerAction(tick, "add_margin", amount=max(pos.deposited // 10, 1))]
            deposited = max(pos.deposited, 1)
            if (
                late
                or pos.unrealized > deposited // TAKE_PROFIT
                or pos.unrealized < -(deposited // STOP_LOSS)
            ):
                self._rest_until = tick + REST_TICKS
                actions = [PlayerAction(tick, "close")]
                if pos.orders:
                    actions.append(PlayerAction(tick, "cancel_all"))
                return actions
            return []
        if pos.orders:
            if late or self._stale(snap):
                return [PlayerAction(tick, "cancel_all")]
            return []
        if late or tick < self._rest_until or not snap.mark or not snap.best_bid:
            return []
        return self._open(snap)

    def _open(self, snap: Snapshot) -> list[PlayerAction]:
        """A short at the level's leverage (capped), and bids under the market to buy it back."""
        pos = snap.position
        lot = max(1, snap.lot_size)
        leverage = max(1, min(pos.leverage, pos.max_leverage, MAX_LEVERAGE))
        size = pos.equity * leverage // snap.mark // 4 // lot * lot
        if size < lot:
            return []
        tick = snap.tick
        actions = [PlayerAction.order(tick, SELL, size, leverage=leverage)]
        step = size // len(LADDER_PCT) // lot * lot
        best_bid = snap.best_bid or snap.mark
        tick_size = max(1, snap.tick_size)
        left = size  # the bids add up to the short: when they all fill, it is flat again
        for i, pct in enumerate(LADDER_PCT):
            qty = left if i == len(LADDER_PCT) - 1 else step
            if qty <= 0:
                continue
            left -= qty
            price = best_bid * (100 - pct) // 100 // tick_size * tick_size
            actions.append(PlayerAction.order(tick, BUY, qty, price))
        return actions

    @staticmethod
    def _stale(snap: Snapshot) -> bool:
        """Its bids rest too far under a market that has risen away from them."""
        prices = [o.price for o in snap.position.orders if o.side == BUY and o.price]
        return bool(prices and snap.best_bid and max(prices) * 100 < snap.best_bid * 96)

    def _vault(self, snap: Snapshot) -> list[PlayerAction]:
        pos = snap.position
        if not pos.size:
            return []
        # unwind a fifth of what the vault inherited, reduce-only, at the market
        qty = max(snap.lot_size, abs(pos.size) // 5 // snap.lot_size * snap.lot_size)
        side = SELL if pos.size > 0 else BUY
        return [PlayerAction.order(snap.tick, side, qty, reduce_only=True)]
