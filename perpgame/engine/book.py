"""The order book: price-time priority matching with self-trade prevention.

A taker order walks the opposite side from the best price outwards and trades at each resting
(maker) order's own price, oldest order first within a price level. What is left of a LIMIT or a
POST_ONLY order rests; what is left of a MARKET or an IOC order is cancelled. A POST_ONLY order
that would trade on arrival is rejected whole. When a taker meets a resting order of its own
owner, that resting order is removed ("expire maker") and matching goes on, so an owner never
trades with itself.

How it is stored, for speed (every answer of the public methods is exact at all times):

* each side keeps a dict ``key -> level``; a level is a deque of ``Order`` (oldest first) that
  also carries the level's total quantity. Empty levels are deleted at once.
* the key of a price is ``price`` on the ask side and ``-price`` on the bid side, so that on both
  sides a smaller key is a better price and one min-heap of keys per side gives the best level.
* the heaps are lazy: a level deleted away from the top leaves its key in the heap (it may even
  come back and be pushed twice). Such stale keys are skipped when they reach the top, so the top
  key of a heap is always a live level, and the heap is rebuilt when stale keys pile up.
* cancelling takes the order out of its deque at once (``deque.remove`` runs in C and levels are
  short), so the matching loop never meets a dead order.
* each owner's resting orders are tallied as they come and go: how many are reduce-only, and the
  lots the others would buy and sell (:meth:`OrderBook.open_qty`). The margin check asks this on
  every order, so it is kept up to date instead of walking the owner's orders.

Everything is an integer in engine units (see ``units``); nothing here reads a clock, draws a
random number or iterates a set.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from heapq import heappop, heappush, nsmallest

from perpgame.engine.units import format_price

__all__ = [
    "BUY",
    "SELL",
    "BookFill",
    "Order",
    "OrderBook",
    "OrderType",
    "SubmitResult",
]

BUY = 1
SELL = -1


class OrderType(enum.IntEnum):
    """How an incoming order treats the book."""

    LIMIT = 0  # match what crosses, rest the remainder
    MARKET = 1  # no price; sweep until filled or the other side is empty; cancel the remainder
    IOC = 2  # limit price; match what crosses; cancel the remainder
    POST_ONLY = 3  # rejected whole (no fills, nothing rests) if it would cross on arrival


# Plain ints for the hot paths (an IntEnum compares equal to them).
_LIMIT = 0
_MARKET = 1
_IOC = 2
_POST_ONLY = 3
_PRICED_KINDS = (_LIMIT, _IOC, _POST_ONLY)
_TAKE_ONLY_KINDS = (_MARKET, _IOC)  # never rest: the remainder is cancelled

_NO_LIMIT = float("inf")  # the key bound of a market order: compares exactly with any int


@dataclass(slots=True, eq=False, repr=False)
class Order:
    """A resting order. Owned and mutated by the book: ``qty`` is what remains to be filled.

    ``orig_qty`` is the quantity at submission (``amend_down`` does not change it).
    ``reduce_only`` and ``tag`` are kept for the market layer; the book does not read them.
    Two orders are equal only if they are the same object (``deque.remove`` finds it by that).
    """

    id: int
    owner: int
    side: int
    price: int
    qty: int
    orig_qty: int
    reduce_only: bool = False
    tag: str | None = None

    def as_tuple(self) -> tuple[int, int, int, int, int, int, bool, str | None]:
        """``(id, owner, side, price, qty, orig_qty, reduce_only, tag)``, for comparisons."""
        return (
            self.id,
            self.owner,
            self.side,
            self.price,
            self.qty,
            self.orig_qty,
            self.reduce_only,
            self.tag,
        )

    def __repr__(self) -> str:
        side = "BUY" if self.side == BUY else "SELL"
        extra = " reduce_only" if self.reduce_only else ""
        extra += f" tag={self.tag!r}" if self.tag is not None else ""
        return (
            f"Order(#{self.id} owner={self.owner} {side} {self.qty}/{self.orig_qty}"
            f" @ {self.price}{extra})"
        )


@dataclass(slots=True)
class BookFill:
    """One trade between a resting maker order and an incoming taker, at the maker's price."""

    maker_order: int
    maker: int
    taker_order: int
    taker: int
    price: int
    qty: int
    taker_side: int


@dataclass(slots=True)
class SubmitResult:
    """What happened to a submitted order.

    For an accepted order, ``sum(fill.qty) + (resting.qty if resting else 0) + cancelled_qty``
    is the submitted quantity. A rejected order has no fills, nothing resting, nothing cancelled
    and a human reason in ``rejected``.
    """

    fills: list[BookFill]
    resting: Order | None
    cancelled_qty: int
    expired: list[Order]
    rejected: str | None = None


class _Level(deque):
    """The orders resting at one price, oldest first, and their total quantity."""

    __slots__ = ("qty",)


class OrderBook:
    """A limit order book for one market. See the module docstring for the rules."""

    __slots__ = ("_by_owner", "_heaps", "_levels", "_orders", "_tally")

    #: A side's heap is rebuilt (when a level is added) once it holds more than
    #: ``2 * levels + HEAP_SLACK`` keys. Tests lower it to exercise the rebuild.
    HEAP_SLACK = 64

    def __init__(self) -> None:
        # Indexed by side: [BUY] (index 1) is the bid side, [SELL] (index -1) the ask side.
        self._levels: list[dict[int, _Level]] = [{}, {}, {}]
        self._heaps: list[list[int]] = [[], [], []]
        # Every resting order by id, and by owner then id; dicts keep the order in which orders
        # came to rest, so both are oldest first.
        self._orders: dict[int, Order] = {}
        self._by_owner: dict[int, dict[int, Order]] = {}
        # Per owner: [reduce-only orders, lots the others would buy, lots they would sell]; the
        # list is indexed by side too ([BUY] is index 1, [SELL] index -1).
        self._tally: dict[int, list[int]] = {}

    # -- orders in --------------------------------------------------------------------------

    def submit(
        self,
        order_id: int,
        owner: int,
        side: int,
        qty: int,
        price: int | None,
        kind: OrderType = OrderType.LIMIT,
        *,
        reduce_only: bool = False,
        tag: str | None = None,
    ) -> SubmitResult:
        """Match an incoming order against the book, rest or cancel what is left.

        Raises ``ValueError`` for malformed input (bad side, qty <= 0, a price where none is
        allowed or none where one is needed, an id that is already resting). A post-only order
        that would cross comes back with ``rejected`` set instead.
        """
        if kind in _PRICED_KINDS:
            if price is None or price <= 0:
                raise ValueError(f"a limit order needs a positive price, not {price!r}")
            bound = side * price  # the worst opposite key this order will trade with
        elif kind == _MARKET:
            if price is not None:
                raise ValueError("a market order has no price")
            bound = _NO_LIMIT
        else:
            raise ValueError(f"unknown order type {kind!r}")
        if side != 1 and side != -1:
            raise ValueError(f"side must be BUY (1) or SELL (-1), not {side!r}")
        if qty <= 0:
            raise ValueError(f"quantity must be positive, not {qty!r}")
        if order_id in self._orders:
            raise ValueError(f"order id {order_id} is already resting in the book")

        fills: list[BookFill] = []
        expired: list[Order] = []
        heap = self._heaps[-side]
        if heap and heap[0] <= bound:
            if kind == _POST_ONLY:
                best = format_price(side * heap[0])
                return SubmitResult(
                    fills, None, 0, expired, f"post-only order would cross the book at {best}"
                )
            remaining = self._take(order_id, owner, side, qty, bound, fills, expired)
            if not remaining:
                return SubmitResult(fills, None, 0, expired)
        else:
            remaining = qty
        if kind in _TAKE_ONLY_KINDS:
            return SubmitResult(fills, None, remaining, expired)

        order = Order(order_id, owner, side, price, remaining, qty, reduce_only, tag)  # type: ignore[arg-type]
        self._rest(order)
        return SubmitResult(fills, order, 0, expired)

    def _rest(self, order: Order) -> None:
        """Rest a new order at the back of its level, and count it for its owner."""
        order_id, owner, side, remaining = order.id, order.owner, order.side, order.qty
        self._orders[order_id] = order
        mine = self._by_owner.get(owner)
        if mine is None:
            self._by_owner[owner] = {order_id: order}
        else:
            mine[order_id] = order
        tally = self._tally.get(owner)
        if tally is None:
            tally = self._tally[owner] = [0, 0, 0]
        if order.reduce_only:
            tally[0] += 1
        else:
            tally[side] += remaining
        key = -side * order.price  # bids are keyed by -price, asks by price
        levels = self._levels[side]
        level = levels.get(key)
        if level is None:
            level = levels[key] = _Level()
            level.append(order)
            level.qty = remaining
            heap = self._heaps[side]
            heappush(heap, key)
            if len(heap) > 2 * len(levels) + self.HEAP_SLACK:
                heap[:] = sorted(levels)  # drop stale keys; a sorted list is a valid heap
        else:
            level.append(order)
            level.qty += remaining

    def _take(
        self,
        taker_order: int,
        taker: int,
        side: int,
        qty: int,
        bound: float,
        fills: list[BookFill],
        expired: list[Order],
    ) -> int:
        """Trade a taker against the other side up to key ``bound``; return the quantity left."""
        heap = self._heaps[-side]
        levels = self._levels[-side]
        orders = self._orders
        by_owner = self._by_owner
        tallies = self._tally
        append_fill = fills.append
        while heap:
            key = heap[0]  # always a live level (see the module docstring)
            if key > bound:
                break
            level = levels[key]
            price = side * key
            while level:
                maker = level[0]
                maker_owner = maker.owner
                made = maker.qty
                # the maker leaves the level: expired (self-trade prevention) or filled whole
                if maker_owner == taker or made <= qty:
                    level.popleft()
                    level.qty -= made
                    del orders[maker.id]
                    _forget_owner(by_owner, tallies, maker)
                    if maker_owner == taker:
                        expired.append(maker)
                        continue
                    maker.qty = 0
                    append_fill(
                        BookFill(maker.id, maker_owner, taker_order, taker, price, made, side)
                    )
                    qty -= made
                    if not qty:
                        break
                    continue
                # the maker absorbs the rest of the taker
                maker.qty = made - qty
                level.qty -= qty
                if not maker.reduce_only:
                    tallies[maker_owner][-side] -= qty
                append_fill(BookFill(maker.id, maker_owner, taker_order, taker, price, qty, side))
                return 0
            if not level:
                heappop(heap)
                del levels[key]
                while heap and heap[0] not in levels:
                    heappop(heap)
            if not qty:
                break
        return qty

    # -- orders out ---------------------------------------------------------------------------

    def cancel(self, order_id: int, owner: int | None = None) -> Order | None:
        """Remove a resting order and return it (``qty`` is what was left); None if not resting.

        With ``owner``, only an order of that owner is removed (None if it is someone else's).
        """
        orders = self._orders
        order = orders.get(order_id)
        if order is None or (owner is not None and order.owner != owner):
            return None
        del orders[order_id]
        side = order.side
        key = -side * order.price
        levels = self._levels[side]
        level = levels[key]
        level.remove(order)
        level.qty -= order.qty
        _forget_owner(self._by_owner, self._tally, order)
        if not level:
            del levels[key]
            heap = self._heaps[side]
            if heap[0] == key:
                while heap and heap[0] not in levels:
                    heappop(heap)
        return order

    def amend_down(self, order_id: int, new_qty: int) -> Order | None:
        """Lower a resting order's quantity, keeping its time priority; ``new_qty <= 0`` cancels.

        Returns the order (the cancelled one if ``new_qty <= 0``), None if it is not resting.
        Raises ``ValueError`` if ``new_qty`` is larger than what remains.
        """
        order = self._orders.get(order_id)
        if order is None:
            return None
        if new_qty <= 0:
            return self.cancel(order_id)
        if new_qty > order.qty:
            raise ValueError(
                f"amend_down cannot raise order {order_id} from {order.qty} to {new_qty}"
            )
        self._levels[order.side][-order.side * order.price].qty -= order.qty - new_qty
        if not order.reduce_only:
            self._tally[order.owner][order.side] -= order.qty - new_qty
        order.qty = new_qty
        return order

    # -- questions ----------------------------------------------------------------------------

    def get(self, order_id: int) -> Order | None:
        """The resting order with this id, or None."""
        return self._orders.get(order_id)

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._orders

    def __len__(self) -> int:
        """The number of resting orders."""
        return len(self._orders)

    def orders_of(self, owner: int) -> list[Order]:
        """That owner's resting orders, oldest first."""
        mine = self._by_owner.get(owner)
        return list(mine.values()) if mine is not None else []

    def open_qty(self, owner: int) -> tuple[int, int]:
        """Lots that owner's resting orders, reduce-only ones aside, would buy and sell."""
        tally = self._tally.get(owner)
        return (tally[1], tally[2]) if tally is not None else (0, 0)

    def has_reduce_only(self, owner: int) -> bool:
        """Whether that owner has a reduce-only order resting."""
        tally = self._tally.get(owner)
        return tally is not None and tally[0] > 0

    def best_bid(self) -> int | None:
        """The highest bid price, or None."""
        heap = self._heaps[BUY]
        return -heap[0] if heap else None

    def best_ask(self) -> int | None:
        """The lowest ask price, or None."""
        heap = self._heaps[SELL]
        return heap[0] if heap else None

    def best(self, side: int) -> int | None:
        """The best price on ``side`` (highest bid or lowest ask), or None."""
        heap = self._heaps[_check_side(side)]
        return -side * heap[0] if heap else None

    def mid(self) -> int | None:
        """``(best bid + best ask) // 2`` when both sides have orders, else None."""
        bids, asks = self._heaps[BUY], self._heaps[SELL]
        return (asks[0] - bids[0]) // 2 if bids and asks else None

    def spread(self) -> int | None:
        """``best ask - best bid`` when both sides have orders, else None."""
        bids, asks = self._heaps[BUY], self._heaps[SELL]
        return asks[0] + bids[0] if bids and asks else None

    def depth(self, side: int, levels: int) -> list[tuple[int, int, int]]:
        """The best ``levels`` price levels of ``side``: ``(price, total qty, cumulative qty)``."""
        book = self._levels[_check_side(side)]
        out: list[tuple[int, int, int]] = []
        cumulative = 0
        for key in nsmallest(levels, book) if levels > 0 else ():
            qty = book[key].qty
            cumulative += qty
            out.append((-side * key, qty, cumulative))
        return out

    def level_qty(self, side: int, price: int) -> int:
        """Total resting quantity on ``side`` at exactly ``price`` (0 if none)."""
        level = self._levels[_check_side(side)].get(-side * price)
        return level.qty if level is not None else 0

    def level_count(self, side: int) -> int:
        """How many distinct prices ``side`` has orders at."""
        return len(self._levels[_check_side(side)])

    def total_qty(self, side: int) -> int:
        """Total resting quantity on ``side``."""
        return sum(level.qty for level in self._levels[_check_side(side)].values())

    def sweep(
        self, side: int, qty: int, limit: int | None = None, *, owner: int | None = None
    ) -> tuple[int, int]:
        """What a taker on ``side`` for ``qty`` up to price ``limit`` would get, without trading.

        Returns ``(filled qty, cash)`` where cash is the sum of ``price * qty`` over the fills.
        With ``owner``, that owner's resting orders are skipped, as self-trade prevention would.
        """
        opposite = -_check_side(side)
        levels = self._levels[opposite]
        bound = _NO_LIMIT if limit is None else side * limit
        left, cash = qty, 0
        for key in _best_first(self._heaps[opposite], levels):
            if left <= 0 or key > bound:
                break
            level = levels[key]
            if owner is None:
                available = level.qty
            else:
                available = sum(o.qty for o in level if o.owner != owner)
            take = min(available, left)
            left -= take
            cash += side * key * take
        return qty - left, cash

    def resting(self) -> list[Order]:
        """Every resting order: bids best first, then asks best first, oldest first in a level."""
        out: list[Order] = []
        for side in (BUY, SELL):
            levels = self._levels[side]
            for key in sorted(levels):
                out.extend(levels[key])
        return out

    def __repr__(self) -> str:
        return (
            f"OrderBook({len(self._orders)} orders, bid={self.best_bid()}, ask={self.best_ask()})"
        )


def _best_first(heap: list[int], levels: dict[int, _Level]) -> Iterator[int]:
    """The live keys of one side, best first: the top of the heap at once (most walks stop
    there), the others sorted only if they are asked for."""
    if heap:
        yield heap[0]
        yield from sorted(levels)[1:]


def _forget_owner(
    by_owner: dict[int, dict[int, Order]], tallies: dict[int, list[int]], order: Order
) -> None:
    """Take a resting order (with its ``qty`` still on it) out of its owner's orders and tally."""
    owner = order.owner
    mine = by_owner[owner]
    del mine[order.id]
    if not mine:
        del by_owner[owner]
    if order.reduce_only:
        tallies[owner][0] -= 1
    else:
        tallies[owner][order.side] -= order.qty


def _check_side(side: int) -> int:
    if side != 1 and side != -1:
        raise ValueError(f"side must be BUY (1) or SELL (-1), not {side!r}")
    return side
