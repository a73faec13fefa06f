"""An autopilot for demo mode: reads the level's objectives and plays to win them.

It reads only the Frame (and, once, the level's objectives) and answers with PlayerInputs,
exactly like a person at the keyboard, so the demo exercises the same session and screens as real
play, and a game taken over from it replays exactly. Its plan follows what the level asks:

- **catch** (a goal on ``player_filled_liquidations``: "be the bid"): a ladder of bids under the
  market before the crash, at modest leverage, held to the end: it buys what the liquidations
  sell, below the price the market comes back to. It never shorts.
- **deleverage** (a win goal on ``player_deleverages``): a big short at high leverage early, so
  that it is the most profitable, most levered winner when the longs go bust; once deleveraged,
  short again for the rest of the slide.
- **crash** (otherwise): a short a quarter of the way in, while the book is still deep, at
  moderate leverage, with a reduce-only take-profit bid under it: the crash's sellers fill it, and
  a flat account cannot be deleveraged.
- **vault** (the player is the vault): unwinds what it inherits, a fifth at a time, once the
  market has turned up.
"""

from __future__ import annotations

from collections import deque

from perpgame.level.schema import Level
from perpgame.session.frame import Frame
from perpgame.session.inputs import PlayerInput
from perpgame.session.numbers import BUY, SELL

LADDER_PCT = (1, 2, 3, 4, 5)
"""The catch plan's bids rest this many percent under the best bid."""
CATCH_TICK = 30
"""When the catch plan lays its ladder (the crash levels start after it)."""
EARLY_SHARE = 25
"""The crash plan shorts a quarter of the way into the level, while the book is still deep."""
TAKE_PROFIT_PCT = 4
"""The crash plan's reduce-only bid rests this far under its entry."""
HOT_MARGIN_PPM = 700_000
"""Add margin when maintenance is 70% of equity."""


def plan_for(level: Level | None) -> str:
    """The plan that wins ``level``'s objectives (see the module docstring)."""
    if level is None:
        return "crash"
    if level.player_is_vault:
        return "vault"
    o = level.objectives
    metrics = {c.metric for goal in (*o.win, *o.stars) for c in goal.when.clauses}
    wins = {c.metric for goal in o.win for c in goal.when.clauses}
    if "player_filled_liquidations" in metrics:
        return "catch"
    if "player_deleverages" in wins:
        return "deleverage"
    return "crash"


class Autopilot:
    """Callable: ``autopilot(snapshot) -> list[PlayerInput]``; one decision every few ticks."""

    def __init__(self, level: Level | None = None, every: int = 5) -> None:
        self.every = every
        self.plan = plan_for(level)
        self.max_leverage = level.player.max_leverage if level is not None else 10
        self._laid = False
        self._highs: deque[int] = deque(maxlen=60)
        self._shorted = 0
        self._deleveraged_seen = 0

    def __call__(self, snap: Frame) -> list[PlayerInput]:
        self._highs.append(snap.mark)
        if snap.status != "playing" or snap.tick % self.every:
            return []
        pos = snap.position
        if pos.size and pos.margin_ratio_ppm > HOT_MARGIN_PPM:
            return [PlayerInput(snap.tick, "add_margin", amount=max(pos.deposited // 10, 1))]
        return getattr(self, f"_{self.plan}")(snap)

    # -------------------------------------------------------------------- plans
    def _catch(self, snap: Frame) -> list[PlayerInput]:
        if self._laid or snap.tick < CATCH_TICK or not snap.best_bid:
            return []
        self._laid = True
        pos = snap.position
        leverage = max(1, min(5, pos.max_leverage))
        lot = max(1, snap.lot_size)
        budget = pos.equity * leverage * 8 // 10 // snap.mark  # room for fees: no refusals
        step = budget // len(LADDER_PCT) // lot * lot
        if step < lot:
            return []
        tick = snap.tick
        actions = [PlayerInput(tick, "leverage", leverage=leverage)]
        tick_size = max(1, snap.tick_size)
        for pct in LADDER_PCT:
            price = snap.best_bid * (100 - pct) // 100 // tick_size * tick_size
            actions.append(PlayerInput.order(tick, BUY, step, price))
        return actions

    def _deleverage(self, snap: Frame) -> list[PlayerInput]:
        pos = snap.position
        if pos.size or pos.orders or not snap.best_bid:
            return []
        if self._shorted and snap.tick < 20:
            return []
        self._shorted += 1
        leverage = max(1, min(20, pos.max_leverage))
        return self._short(snap, leverage, share=90)

    def _crash(self, snap: Frame) -> list[PlayerInput]:
        pos = snap.position
        late = snap.seconds >= snap.time_limit * 0.9
        if pos.size:
            if late and pos.unrealized > 0:
                return [PlayerInput(snap.tick, "close"), PlayerInput(snap.tick, "cancel_all")]
            return []
        if pos.orders:
            return [PlayerInput(snap.tick, "cancel_all")]  # the take-profit filled: flat
        if late or self._shorted or not snap.best_bid:
            return []
        if snap.seconds < snap.time_limit * EARLY_SHARE // 100:
            return []
        self._shorted += 1
        leverage = max(1, min(10, pos.max_leverage))
        actions = self._short(snap, leverage, share=60)
        if actions:
            qty = actions[-1].qty
            tick_size = max(1, snap.tick_size)
            price = snap.mark * (100 - TAKE_PROFIT_PCT) // 100 // tick_size * tick_size
            actions.append(PlayerInput.order(snap.tick, BUY, qty, price, reduce_only=True))
        return actions

    def _vault(self, snap: Frame) -> list[PlayerInput]:
        pos = snap.position
        if not pos.size or len(self._highs) < 10:
            return []
        low = min(self._highs)
        rising = snap.mark * 1_000 > low * 1_006  # 0.6% off the recent low: the bounce
        if not rising and snap.seconds < snap.time_limit * 0.8:
            return []
        lot = max(1, snap.lot_size)
        qty = max(lot, abs(pos.size) // 3 // lot * lot)
        side = SELL if pos.size > 0 else BUY
        return [PlayerInput.order(snap.tick, side, qty, reduce_only=True)]

    # ------------------------------------------------------------------ helpers
    def _short(self, snap: Frame, leverage: int, share: int) -> list[PlayerInput]:
        pos = snap.position
        lot = max(1, snap.lot_size)
        size = pos.equity * leverage * share // 100 // snap.mark // lot * lot
        if size < lot:
            return []
        return [PlayerInput.order(snap.tick, SELL, size, leverage=leverage)]

    def describe(self) -> str:
        """The plan in words (the demo's banner can say what the autopilot is doing)."""
        return {
            "catch": "be the bid: a ladder of bids under the market to buy the liquidations",
            "deleverage": "a big short at high leverage, to be first in the ADL queue",
            "crash": "short early while the book is deep, with a take-profit bid under it",
            "vault": "unwind what the vault inherits into the bounce",
        }[self.plan]


__all__ = ["Autopilot", "plan_for"]
