"""Orders into the book and fills onto the ledger: the one path every order takes.

The market (traders' orders) and the waterfall (liquidation orders) both call :func:`submit`,
which matches against the book and settles each fill through the :class:`Ledger` (the trade and
its fees), then trims reduce-only orders that would now exceed their position.
"""

from __future__ import annotations

from dataclasses import dataclass

from perpgame.engine.account import HOUSE
from perpgame.engine.book import BUY, SELL, OrderBook, OrderType
from perpgame.engine.config import MarketConfig
from perpgame.engine.events import Fill, OrderCancelled, OrderRejected
from perpgame.engine.ledger import Ledger
from perpgame.engine.units import apply_rate

HOUSE_ID = 0
LIQUIDATION_TAG = "liquidation"
POST_ONLY_CROSS = "post_only_would_cross"
"""Reason code: a post-only order would have traded on arrival."""


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    """What happened to one order the moment it arrived."""

    order_id: int | None
    filled: int = 0
    cash: int = 0
    resting: int = 0
    rejected: str | None = None

    def __init__(
        self,
        order_id: int | None,
        filled: int = 0,
        cash: int = 0,
        resting: int = 0,
        rejected: str | None = None,
    ) -> None:
        # One is built for every order: the slots' own setters cost less than the frozen
        # dataclass's generated ``object.__setattr__`` calls (~0.5 us against ~0.7 us).
        _set_order_id(self, order_id)
        _set_filled(self, filled)
        _set_cash(self, cash)
        _set_resting(self, resting)
        _set_rejected(self, rejected)

    @property
    def avg_price(self) -> int | None:
        return None if self.filled == 0 else self.cash // self.filled


_set_order_id, _set_filled, _set_cash, _set_resting, _set_rejected = (
    OrderOutcome.__dict__[name].__set__
    for name in ("order_id", "filled", "cash", "resting", "rejected")
)


def submit(
    ledger: Ledger,
    book: OrderBook,
    config: MarketConfig,
    account_id: int,
    side: int,
    qty: int,
    price: int | None,
    kind: OrderType,
    *,
    reduce_only: bool = False,
    tag: str | None = None,
) -> OrderOutcome:
    """Match one order (already checked) and settle its fills."""
    order_id = ledger.next_order_id  # ``ledger.new_order_id()``, inlined: one per order
    ledger.next_order_id = order_id + 1
    result = book.submit(
        order_id, account_id, side, qty, price, kind, reduce_only=reduce_only, tag=tag
    )
    if result.rejected:
        code = POST_ONLY_CROSS if result.rejected.startswith("post-only") else result.rejected
        ledger.emit(OrderRejected(ledger.tick, account_id, side, qty, price, code))
        return OrderOutcome(None, rejected=code)
    for order in result.expired:
        ledger.emit(
            OrderCancelled(ledger.tick, order.owner, order.id, order.qty, "self-trade prevention")
        )
    filled = cash = 0
    if result.fills:
        touched: dict[int, None] = {account_id: None}
        liquidation_order = tag == LIQUIDATION_TAG
        for bf in result.fills:
            _settle(ledger, config, bf, liquidation_order)
            filled += bf.qty
            cash += bf.price * bf.qty
            touched[bf.maker] = None
        for touched_id in touched:
            trim_reduce_only(ledger, book, touched_id)
    elif book.has_reduce_only(account_id):  # nothing traded: only the sender's own need a look
        trim_reduce_only(ledger, book, account_id)
    resting = result.resting.qty if result.resting is not None else 0
    return OrderOutcome(order_id, filled, cash, resting)


def _settle(ledger: Ledger, config: MarketConfig, bf, liquidation_order: bool) -> None:
    qty, price, side = bf.qty, bf.price, bf.taker_side
    ledger.trade_signed(bf.taker, bf.maker, side * qty, price)
    value = price * qty
    maker_fee = apply_rate(value, config.maker_fee_ppm)
    taker_fee = 0 if liquidation_order else apply_rate(value, config.taker_fee_ppm)
    ledger.transfer(bf.maker, HOUSE_ID, maker_fee)
    ledger.transfer(bf.taker, HOUSE_ID, taker_fee)
    ledger.record_fill(
        Fill(
            ledger.tick,
            bf.maker,
            bf.taker,
            bf.maker_order,
            bf.taker_order,
            price,
            qty,
            side,
            maker_fee,
            taker_fee,
            liquidation_order,
        )
    )


def trim_reduce_only(ledger: Ledger, book: OrderBook, account_id: int) -> None:
    """Reduce-only orders may never add up to more than the position they reduce."""
    if not book.has_reduce_only(account_id):
        return
    orders = [o for o in book.orders_of(account_id) if o.reduce_only]
    size = ledger.accounts[account_id].size
    reducing_side = SELL if size > 0 else BUY
    room = abs(size)
    for order in orders:
        if size == 0 or order.side != reducing_side:
            book.cancel(order.id)
            ledger.emit(
                OrderCancelled(ledger.tick, account_id, order.id, order.qty, "position closed")
            )
            continue
        if order.qty > room:
            trimmed = order.qty - room
            if room == 0:
                book.cancel(order.id)
            else:
                book.amend_down(order.id, room)
            ledger.emit(
                OrderCancelled(ledger.tick, account_id, order.id, trimmed, "reduce-only trimmed")
            )
            room = 0
        else:
            room -= order.qty


def cancel(ledger: Ledger, book: OrderBook, account_id: int, order_id: int, reason: str) -> bool:
    """Cancel one of the account's resting orders; False if it is not there."""
    order = book.cancel(order_id, account_id)  # one look-up: None if not resting or not its own
    if order is None:
        return False
    # the commonest event, recorded as ``ledger.emit`` would (it is never bad debt)
    ledger.events.append(OrderCancelled(ledger.tick, account_id, order_id, order.qty, reason))
    return True


def cancel_all(ledger: Ledger, book: OrderBook, account_id: int, reason: str) -> int:
    """Cancel every resting order of the account; returns how many."""
    orders = book.orders_of(account_id)
    for order in orders:
        cancel(ledger, book, account_id, order.id, reason)
    return len(orders)


__all__ = ["HOUSE", "LIQUIDATION_TAG", "OrderOutcome", "cancel", "cancel_all", "submit"]
