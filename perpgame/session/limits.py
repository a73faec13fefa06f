"""What one player input may ask for: the bounds the quick-order line, the session and replays share.

A number a person types (or a replay file claims) is checked against these before the game acts on
it, so a 400-digit quantity or a $10^40 deposit is a refusal in words, never a traceback or a
pile of cash nobody could have.
"""

from __future__ import annotations

from perpgame.engine.units import format_cash, format_price, format_qty
from perpgame.level.schema import MAX_LEVERAGE, MAX_PRICE, MAX_QTY
from perpgame.session.inputs import PlayerInput

__all__ = [
    "MAX_ADDED_MARGIN",
    "MAX_LEVERAGE",
    "MAX_ORDER_ID",
    "MAX_PRICE",
    "MAX_QTY",
    "clip",
    "input_problem",
]

MAX_ADDED_MARGIN = 10_000_000 * 1_000_000
"""The most margin ($10,000,000 in cash units) a player may add in one game, net of withdrawals."""
MAX_ORDER_ID = 1 << 62
"""No order id is larger (the engine counts orders from 1)."""


def clip(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis), for echoing what someone typed."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def input_problem(action: PlayerInput) -> str | None:
    """Why no player could have made this input (a number out of bounds), or None when it is fine."""
    if action.qty > MAX_QTY:
        return f"a quantity above {format_qty(MAX_QTY, places=0)}"
    if action.price is not None and action.price > MAX_PRICE:
        return f"a price above {format_price(MAX_PRICE)}"
    if action.leverage is not None and not 1 <= action.leverage <= MAX_LEVERAGE:
        return f"leverage outside 1x to {MAX_LEVERAGE}x"
    if action.amount > MAX_ADDED_MARGIN:
        return f"a margin amount above {format_cash(MAX_ADDED_MARGIN, places=0)}"
    if action.order_id is not None and not 1 <= action.order_id <= MAX_ORDER_ID:
        return "an order number no order has"
    return None
