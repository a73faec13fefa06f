"""What the player's resting orders hold of their margin, told in words.

The engine's margin check counts the worst case of the position plus every open order filling
(docs/mechanics.md, "The margin check"), as venues do: Binance reports an account's
``openOrderInitialMargin`` beside the positions' margin, BitMEX shows "order margin". A resting
bid that adds exposure therefore takes margin the moment it rests, and a newcomer saw only their
free margin shrink. These say so when it happens, and say why a later order is refused for margin
when resting orders already hold part of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perpgame.engine.book import BUY
from perpgame.engine.risk import initial_margin
from perpgame.engine.units import format_cash
from perpgame.session.frame import OrderAnswer

if TYPE_CHECKING:
    from perpgame.engine.account import Account
    from perpgame.engine.market import Market


def held_by_orders(market: Market, acct: Account) -> int:
    """Initial margin the open orders hold beyond what the position itself needs."""
    return market.margin_in_use(acct) - initial_margin(acct.size, market.mark, acct.leverage)


def resting_note(side: int, held: int, free: int) -> str:
    """The narrator's line when a resting order took ``held`` of margin."""
    order = "buy" if side == BUY else "sell"
    return (
        f"Your resting {order} holds {format_cash(held)} of margin until it fills or you cancel it "
        f"(c), as on every venue. Free margin now {format_cash(free)}."
    )


def refused_note(held: int) -> str:
    """The narrator's line when an order is refused for margin that resting orders hold."""
    return (
        f"Refused for margin: your resting orders already hold {format_cash(held)} of it; "
        "cancel them (c) to free it."
    )


def with_held(answer: OrderAnswer, held: int) -> OrderAnswer:
    """A resting order's answer with the margin it holds: ``… resting at 57,000.00, holds
    5,700.00 margin``."""
    if answer.kind != "resting" or held <= 0:
        return answer
    text = answer.text.replace(", not filled yet", "")
    return OrderAnswer(answer.tick, answer.kind, f"{text}, holds {format_cash(held)} margin")


def refused_answer(answer: OrderAnswer, held: int) -> OrderAnswer:
    """A margin refusal's answer naming what resting orders hold: ``× market buy 0.3 refused:
    your resting orders hold 9,999.33 of the margin``."""
    what = answer.text.split(" refused:")[0]
    text = f"{what} refused: your resting orders hold {format_cash(held)} of the margin"
    return OrderAnswer(answer.tick, answer.kind, text)
