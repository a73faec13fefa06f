"""The order book: hand-written cases (state in -> action -> exact state out), then a stateful
hypothesis test that drives the real book and a slow, obviously-right reference book with the same
random operations and asserts they agree after every step."""

from __future__ import annotations

from dataclasses import astuple, dataclass

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from perpgame.engine.book import BUY, SELL, BookFill, Order, OrderBook, OrderType, SubmitResult

LIMIT, MARKET, IOC, POST_ONLY = (
    OrderType.LIMIT,
    OrderType.MARKET,
    OrderType.IOC,
    OrderType.POST_ONLY,
)
ALICE, BOB, CAROL = 1, 2, 3


class Ids:
    """Fresh order ids for hand-written tests."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> int:
        self.n += 1
        return self.n


def make_book(*orders: tuple[int, int, int, int]) -> tuple[OrderBook, Ids]:
    """A book with resting limit orders ``(owner, side, price, qty)``, ids 1, 2, ... in order."""
    book, ids = OrderBook(), Ids()
    for owner, side, price, qty in orders:
        result = book.submit(ids(), owner, side, qty, price)
        assert result.resting is not None and not result.fills
    return book, ids


def fills_of(result: SubmitResult) -> list[tuple[int, int, int, int, int, int, int]]:
    return [astuple(f) for f in result.fills]


def snapshot(book: OrderBook) -> list[tuple]:
    return [o.as_tuple() for o in book.resting()]


# -- resting and best prices ------------------------------------------------------------------


def test_empty_book() -> None:
    book = OrderBook()
    assert (book.best_bid(), book.best_ask(), book.mid(), book.spread()) == (None,) * 4
    assert book.depth(BUY, 5) == [] and book.depth(SELL, 5) == []
    assert len(book) == 0 and book.resting() == []
    assert book.sweep(BUY, 10) == (0, 0)
    assert book.total_qty(BUY) == book.total_qty(SELL) == 0


def test_limit_orders_rest_and_set_best_prices() -> None:
    book, _ = make_book(
        (ALICE, BUY, 99_00, 5),
        (ALICE, BUY, 98_00, 7),
        (BOB, SELL, 101_00, 3),
        (BOB, SELL, 102_00, 4),
    )
    assert book.best_bid() == 99_00
    assert book.best_ask() == 101_00
    assert book.best(BUY) == 99_00 and book.best(SELL) == 101_00
    assert book.spread() == 2_00
    assert book.mid() == 100_00
    assert len(book) == 4
    assert book.total_qty(BUY) == 12 and book.total_qty(SELL) == 7
    assert book.level_qty(BUY, 98_00) == 7 and book.level_qty(BUY, 97_00) == 0
    assert book.level_count(BUY) == 2


def test_mid_rounds_down() -> None:
    book, _ = make_book((ALICE, BUY, 100, 1), (BOB, SELL, 103, 1))
    assert book.mid() == 101 and book.spread() == 3


def test_one_sided_book_has_no_mid_or_spread() -> None:
    book, _ = make_book((ALICE, BUY, 100, 1))
    assert book.mid() is None and book.spread() is None and book.best_ask() is None


def test_resting_is_canonical_order() -> None:
    book, _ = make_book(
        (ALICE, SELL, 102, 1),
        (ALICE, BUY, 98, 1),
        (BOB, SELL, 101, 2),
        (BOB, BUY, 99, 2),
        (CAROL, BUY, 99, 3),
        (CAROL, SELL, 101, 3),
    )
    assert [o.id for o in book.resting()] == [4, 5, 2, 3, 6, 1]


def test_resting_order_fields() -> None:
    book = OrderBook()
    result = book.submit(7, ALICE, SELL, 25, 100, reduce_only=True, tag="liq")
    assert result == SubmitResult([], result.resting, 0, [], None)
    assert result.resting is book.get(7)
    assert result.resting.as_tuple() == (7, ALICE, SELL, 100, 25, 25, True, "liq")
    assert "#7" in repr(result.resting) and "reduce_only" in repr(result.resting)
    assert 7 in book and 8 not in book


def test_depth_aggregates_levels_with_cumulative_sizes() -> None:
    book, _ = make_book(
        (ALICE, BUY, 100, 1),
        (BOB, BUY, 100, 2),
        (ALICE, BUY, 98, 4),
        (CAROL, BUY, 99, 3),
        (ALICE, SELL, 103, 5),
        (BOB, SELL, 101, 6),
        (CAROL, SELL, 101, 1),
    )
    assert book.depth(BUY, 10) == [(100, 3, 3), (99, 3, 6), (98, 4, 10)]
    assert book.depth(BUY, 2) == [(100, 3, 3), (99, 3, 6)]
    assert book.depth(SELL, 10) == [(101, 7, 7), (103, 5, 12)]
    assert book.depth(SELL, 0) == []


# -- matching ---------------------------------------------------------------------------------


def test_price_time_priority() -> None:
    # asks: 101 (id 1, then id 3), 100 (id 2): best price first, then oldest first
    book, ids = make_book((ALICE, SELL, 101, 5), (BOB, SELL, 100, 5), (CAROL, SELL, 101, 5))
    result = book.submit(ids(), 9, BUY, 12, 101)
    assert fills_of(result) == [
        (2, BOB, 4, 9, 100, 5, BUY),
        (1, ALICE, 4, 9, 101, 5, BUY),
        (3, CAROL, 4, 9, 101, 2, BUY),
    ]
    assert result.resting is None and result.cancelled_qty == 0
    assert snapshot(book) == [(3, CAROL, SELL, 101, 3, 5, False, None)]


def test_fills_are_at_the_makers_price() -> None:
    book, ids = make_book((ALICE, BUY, 105, 2), (ALICE, BUY, 104, 2))
    result = book.submit(ids(), BOB, SELL, 3, 90)  # a seller willing to go down to 90
    assert [(f.price, f.qty) for f in result.fills] == [(105, 2), (104, 1)]
    assert result.fills[0] == BookFill(1, ALICE, 3, BOB, 105, 2, SELL)


def test_partial_fill_of_the_maker_keeps_its_place() -> None:
    book, ids = make_book((ALICE, SELL, 100, 10), (BOB, SELL, 100, 10))
    result = book.submit(ids(), CAROL, BUY, 4, 100)
    assert fills_of(result) == [(1, ALICE, 3, CAROL, 100, 4, BUY)]
    assert book.get(1).qty == 6 and book.get(1).orig_qty == 10
    assert book.depth(SELL, 1) == [(100, 16, 16)]
    result = book.submit(ids(), CAROL, BUY, 7, 100)
    assert fills_of(result) == [(1, ALICE, 4, CAROL, 100, 6, BUY), (2, BOB, 4, CAROL, 100, 1, BUY)]
    assert book.get(1) is None and book.get(2).qty == 9


def test_partial_fill_of_the_taker_rests_the_remainder() -> None:
    book, ids = make_book((ALICE, SELL, 100, 3), (ALICE, SELL, 102, 3))
    result = book.submit(ids(), BOB, BUY, 10, 101)
    assert fills_of(result) == [(1, ALICE, 3, BOB, 100, 3, BUY)]
    assert result.resting is not None and result.resting.as_tuple() == (
        3,
        BOB,
        BUY,
        101,
        7,
        10,
        False,
        None,
    )
    assert (book.best_bid(), book.best_ask()) == (101, 102)


def test_filled_maker_is_gone_and_zeroed() -> None:
    book, ids = make_book((ALICE, SELL, 100, 3))
    maker = book.get(1)
    book.submit(ids(), BOB, BUY, 3, None, MARKET)
    assert maker.qty == 0 and book.get(1) is None and book.orders_of(ALICE) == []
    assert book.cancel(1) is None


def test_market_order_sweeps_and_cancels_the_rest() -> None:
    book, ids = make_book((ALICE, SELL, 100, 2), (BOB, SELL, 150, 2), (ALICE, BUY, 90, 5))
    result = book.submit(ids(), CAROL, BUY, 10, None, MARKET)
    assert fills_of(result) == [(1, ALICE, 4, CAROL, 100, 2, BUY), (2, BOB, 4, CAROL, 150, 2, BUY)]
    assert result.resting is None and result.cancelled_qty == 6 and result.rejected is None
    assert book.best_ask() is None and book.best_bid() == 90 and book.get(4) is None


def test_market_order_on_an_empty_side() -> None:
    book, ids = make_book((ALICE, BUY, 90, 5))
    result = book.submit(ids(), BOB, BUY, 3, None, MARKET)
    assert result == SubmitResult([], None, 3, [], None)


def test_ioc_takes_what_crosses_and_cancels_the_rest() -> None:
    book, ids = make_book((ALICE, BUY, 100, 2), (ALICE, BUY, 99, 2), (ALICE, BUY, 98, 2))
    result = book.submit(ids(), BOB, SELL, 5, 99, IOC)
    assert [(f.price, f.qty) for f in result.fills] == [(100, 2), (99, 2)]
    assert result.resting is None and result.cancelled_qty == 1
    assert book.best_bid() == 98 and book.best_ask() is None and book.get(4) is None


def test_ioc_that_does_not_cross_cancels_everything() -> None:
    book, ids = make_book((ALICE, SELL, 100, 2))
    result = book.submit(ids(), BOB, BUY, 5, 99, IOC)
    assert result == SubmitResult([], None, 5, [], None)
    assert len(book) == 1


def test_post_only_rests_when_it_does_not_cross() -> None:
    book, ids = make_book((ALICE, SELL, 100, 2))
    result = book.submit(ids(), BOB, BUY, 5, 99, POST_ONLY)
    assert result.rejected is None and result.fills == []
    assert result.resting is not None and result.resting.qty == 5
    assert book.best_bid() == 99


def test_post_only_rejected_if_it_would_cross() -> None:
    book, ids = make_book((ALICE, SELL, 6_100_000, 2), (ALICE, SELL, 6_100_500, 2))
    before = snapshot(book)
    result = book.submit(ids(), BOB, BUY, 5, 6_101_000, POST_ONLY)
    assert result == SubmitResult(
        [], None, 0, [], "post-only order would cross the book at 61,000.00"
    )
    assert snapshot(book) == before and book.get(3) is None


def test_post_only_rejected_even_against_own_orders() -> None:
    book, ids = make_book((ALICE, BUY, 6_000_000, 2))
    result = book.submit(ids(), ALICE, SELL, 1, 6_000_000, POST_ONLY)
    assert result.rejected == "post-only order would cross the book at 60,000.00"
    assert result.expired == [] and len(book) == 1


# -- self-trade prevention --------------------------------------------------------------------


def test_self_trade_prevention_expires_the_maker_and_goes_on() -> None:
    book, ids = make_book((BOB, SELL, 100, 2), (ALICE, SELL, 100, 3), (CAROL, SELL, 100, 4))
    own = book.get(2)
    result = book.submit(ids(), ALICE, BUY, 5, 100)
    assert fills_of(result) == [(1, BOB, 4, ALICE, 100, 2, BUY), (3, CAROL, 4, ALICE, 100, 3, BUY)]
    assert result.expired == [own] and own.qty == 3  # the expired order keeps its remainder
    assert book.get(2) is None and book.orders_of(ALICE) == []
    assert book.depth(SELL, 5) == [(100, 1, 1)]


def test_self_trade_prevention_against_only_own_orders_rests_the_taker() -> None:
    book, ids = make_book((ALICE, SELL, 100, 2), (ALICE, SELL, 101, 2), (BOB, SELL, 102, 2))
    result = book.submit(ids(), ALICE, BUY, 3, 101)
    assert result.fills == [] and [o.id for o in result.expired] == [1, 2]
    assert result.resting is not None and result.resting.qty == 3
    assert (book.best_bid(), book.best_ask()) == (101, 102)


def test_self_trade_prevention_with_a_market_order() -> None:
    book, ids = make_book((ALICE, BUY, 100, 2), (BOB, BUY, 99, 2))
    result = book.submit(ids(), ALICE, SELL, 5, None, MARKET)
    assert [o.id for o in result.expired] == [1]
    assert fills_of(result) == [(2, BOB, 3, ALICE, 99, 2, SELL)]
    assert result.cancelled_qty == 3 and len(book) == 0


# -- cancel and amend -------------------------------------------------------------------------


def test_cancel() -> None:
    book, _ = make_book((ALICE, BUY, 100, 2), (BOB, BUY, 100, 3), (ALICE, BUY, 99, 4))
    order = book.cancel(1)
    assert order is not None and order.id == 1 and order.qty == 2
    assert book.cancel(1) is None and book.cancel(42) is None
    assert book.depth(BUY, 5) == [(100, 3, 3), (99, 4, 7)]
    assert book.orders_of(ALICE) == [book.get(3)]
    assert book.cancel(2) is not None
    assert book.best_bid() == 99 and len(book) == 1


def test_cancel_for_an_owner_leaves_another_owners_order() -> None:
    book, _ = make_book((ALICE, BUY, 100, 2), (BOB, BUY, 100, 3))
    assert book.cancel(2, ALICE) is None  # Bob's order: Alice may not cancel it
    assert book.depth(BUY, 5) == [(100, 5, 5)] and book.open_qty(BOB) == (3, 0)
    order = book.cancel(2, BOB)
    assert order is not None and order.qty == 3
    assert book.depth(BUY, 5) == [(100, 2, 2)] and book.open_qty(BOB) == (0, 0)


def test_cancel_levels_away_from_the_top_then_reuse_the_price() -> None:
    book, ids = make_book((ALICE, BUY, 100, 1), (ALICE, BUY, 99, 1), (ALICE, BUY, 98, 1))
    book.cancel(2)  # the 99 level dies away from the top of the heap
    assert book.depth(BUY, 5) == [(100, 1, 1), (98, 1, 2)]
    book.submit(ids(), BOB, BUY, 5, 99)  # and comes back
    book.cancel(1)
    assert book.best_bid() == 99 and book.depth(BUY, 5) == [(99, 5, 5), (98, 1, 6)]
    book.cancel(4)
    assert book.best_bid() == 98
    book.cancel(3)
    assert book.best_bid() is None and book.mid() is None


def test_many_dead_levels_stay_exact() -> None:
    book, ids = make_book((ALICE, SELL, 1_000, 1))
    for price in range(2_000, 2_500):
        oid = ids()
        book.submit(oid, BOB, SELL, 1, price)
        book.cancel(oid)
        assert book.best_ask() == 1_000 and book.level_count(SELL) == 1
    book.submit(ids(), BOB, SELL, 1, 2_250)
    assert book.depth(SELL, 5) == [(1_000, 1, 1), (2_250, 1, 2)]
    book.cancel(1)
    assert book.best_ask() == 2_250 and book.level_count(SELL) == 1


def test_amend_down_keeps_time_priority() -> None:
    book, ids = make_book((ALICE, SELL, 100, 10), (BOB, SELL, 100, 5))
    order = book.amend_down(1, 4)
    assert order is book.get(1) and order.qty == 4 and order.orig_qty == 10
    assert book.level_qty(SELL, 100) == 9
    result = book.submit(ids(), CAROL, BUY, 6, 100)
    assert fills_of(result) == [(1, ALICE, 3, CAROL, 100, 4, BUY), (2, BOB, 3, CAROL, 100, 2, BUY)]


def test_amend_down_to_zero_cancels() -> None:
    book, _ = make_book((ALICE, SELL, 100, 10))
    order = book.amend_down(1, 0)
    assert order is not None and order.qty == 10
    assert book.get(1) is None and book.best_ask() is None
    assert book.amend_down(1, 3) is None


def test_amend_down_to_the_same_qty_is_a_no_op_and_up_is_refused() -> None:
    book, _ = make_book((ALICE, SELL, 100, 10))
    assert book.amend_down(1, 10) is book.get(1)
    with pytest.raises(ValueError):
        book.amend_down(1, 11)
    assert book.level_qty(SELL, 100) == 10


def test_orders_of_oldest_first() -> None:
    book, ids = make_book((ALICE, SELL, 105, 1), (BOB, SELL, 100, 1), (ALICE, BUY, 90, 1))
    book.submit(ids(), ALICE, SELL, 1, 101)
    assert [o.id for o in book.orders_of(ALICE)] == [1, 3, 4]
    assert book.orders_of(CAROL) == []
    book.amend_down(1, 0)
    assert [o.id for o in book.orders_of(ALICE)] == [3, 4]


# -- sweep ------------------------------------------------------------------------------------


def test_sweep_does_not_mutate_and_matches_a_real_submit() -> None:
    book, ids = make_book(
        (ALICE, SELL, 100, 2), (BOB, SELL, 101, 3), (CAROL, SELL, 101, 1), (ALICE, SELL, 104, 8)
    )
    before = snapshot(book)
    assert book.sweep(BUY, 5) == (5, 2 * 100 + 3 * 101)
    assert book.sweep(BUY, 100) == (14, 2 * 100 + 4 * 101 + 8 * 104)
    assert book.sweep(BUY, 100, 101) == (6, 2 * 100 + 4 * 101)
    assert book.sweep(BUY, 100, 99) == (0, 0)
    assert book.sweep(SELL, 5) == (0, 0)
    assert book.sweep(BUY, 100, owner=ALICE) == (4, 4 * 101)
    assert snapshot(book) == before
    for limit in (None, 99, 100, 101, 104):
        trial, _ = make_book(
            (ALICE, SELL, 100, 2),
            (BOB, SELL, 101, 3),
            (CAROL, SELL, 101, 1),
            (ALICE, SELL, 104, 8),
        )
        kind = MARKET if limit is None else IOC
        result = trial.submit(99, BOB, BUY, 9, limit, kind)
        filled = sum(f.qty for f in result.fills)
        cash = sum(f.price * f.qty for f in result.fills)
        assert book.sweep(BUY, 9, limit, owner=BOB) == (filled, cash)


def test_sweep_sell_side() -> None:
    book, _ = make_book((ALICE, BUY, 100, 2), (BOB, BUY, 98, 3))
    assert book.sweep(SELL, 4) == (4, 2 * 100 + 2 * 98)
    assert book.sweep(SELL, 4, 99) == (2, 200)


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "qty", "price", "kind"),
    [
        (BUY, 0, 100, LIMIT),
        (BUY, -3, 100, LIMIT),
        (BUY, 1, None, LIMIT),
        (BUY, 1, 0, LIMIT),
        (BUY, 1, -5, IOC),
        (BUY, 1, None, POST_ONLY),
        (BUY, 1, 100, MARKET),
        (0, 1, 100, LIMIT),
        (2, 1, 100, LIMIT),
        (BUY, 1, 100, 7),
    ],
)
def test_malformed_orders_raise(side: int, qty: int, price: int | None, kind: int) -> None:
    book, _ = make_book((ALICE, SELL, 100, 1))
    with pytest.raises(ValueError):
        book.submit(50, BOB, side, qty, price, kind)  # type: ignore[arg-type]
    assert len(book) == 1 and book.get(50) is None


def test_duplicate_live_id_raises() -> None:
    book, _ = make_book((ALICE, SELL, 100, 1))
    with pytest.raises(ValueError):
        book.submit(1, BOB, BUY, 1, 90)


def test_bad_side_in_queries_raises() -> None:
    book = OrderBook()
    for call in (
        lambda: book.depth(0, 5),
        lambda: book.level_qty(3, 100),
        lambda: book.total_qty(0),
        lambda: book.sweep(0, 1),
    ):
        with pytest.raises(ValueError):
            call()


# -- the reference book and the stateful comparison --------------------------------------------


@dataclass
class RefOrder:
    id: int
    owner: int
    side: int
    price: int
    qty: int
    orig_qty: int
    reduce_only: bool
    tag: str | None

    def as_tuple(self) -> tuple:
        return astuple(self)


class ReferenceBook:
    """Slow and obviously right: one list of resting orders in arrival order, scanned every time."""

    def __init__(self) -> None:
        self.orders: list[RefOrder] = []

    def find(self, order_id: int) -> RefOrder | None:
        return next((o for o in self.orders if o.id == order_id), None)

    def _crossing(self, side: int, price: int | None) -> list[RefOrder]:
        """Opposite orders this taker may trade with, best price first, then oldest first."""
        if side == BUY:
            ok = [o for o in self.orders if o.side == SELL and (price is None or o.price <= price)]
            return sorted(ok, key=lambda o: o.price)  # sorted() is stable: arrival order in a tie
        ok = [o for o in self.orders if o.side == BUY and (price is None or o.price >= price)]
        return sorted(ok, key=lambda o: -o.price)

    def submit(self, oid, owner, side, qty, price, kind, reduce_only=False, tag=None) -> tuple:
        fills: list[tuple] = []
        expired: list[tuple] = []
        if kind == POST_ONLY and self._crossing(side, price):
            best = self._crossing(side, price)[0].price
            text = f"{best // 100:,}.{best % 100:02d}"
            return [], None, 0, [], f"post-only order would cross the book at {text}"
        left = qty
        while left > 0:
            crossing = self._crossing(side, None if kind == MARKET else price)
            if not crossing:
                break
            maker = crossing[0]
            if maker.owner == owner:
                self.orders.remove(maker)
                expired.append(maker.as_tuple())
                continue
            traded = min(left, maker.qty)
            fills.append((maker.id, maker.owner, oid, owner, maker.price, traded, side))
            maker.qty -= traded
            left -= traded
            if maker.qty == 0:
                self.orders.remove(maker)
        resting = None
        cancelled = 0
        if left and kind in (LIMIT, POST_ONLY):
            order = RefOrder(oid, owner, side, price, left, qty, reduce_only, tag)
            self.orders.append(order)
            resting = order.as_tuple()
        elif left:
            cancelled = left
        return fills, resting, cancelled, expired, None

    def cancel(self, oid: int) -> tuple | None:
        order = self.find(oid)
        if order is None:
            return None
        self.orders.remove(order)
        return order.as_tuple()

    def amend_down(self, oid: int, new_qty: int) -> tuple | None:
        order = self.find(oid)
        if order is None:
            return None
        if new_qty <= 0:
            return self.cancel(oid)
        if new_qty > order.qty:
            raise ValueError("up")
        order.qty = new_qty
        return order.as_tuple()

    def resting(self) -> list[tuple]:
        bids = sorted((o for o in self.orders if o.side == BUY), key=lambda o: -o.price)
        asks = sorted((o for o in self.orders if o.side == SELL), key=lambda o: o.price)
        return [o.as_tuple() for o in bids + asks]

    def best(self, side: int) -> int | None:
        prices = [o.price for o in self.orders if o.side == side]
        if not prices:
            return None
        return max(prices) if side == BUY else min(prices)

    def depth(self, side: int) -> list[tuple[int, int, int]]:
        levels: dict[int, int] = {}
        for o in self.orders:
            if o.side == side:
                levels[o.price] = levels.get(o.price, 0) + o.qty
        out, cumulative = [], 0
        for price in sorted(levels, reverse=side == BUY):
            cumulative += levels[price]
            out.append((price, levels[price], cumulative))
        return out

    def sweep(self, side: int, qty: int, limit: int | None, owner: int | None) -> tuple[int, int]:
        left, cash = qty, 0
        for o in self._crossing(side, limit):
            if o.owner == owner:
                continue
            take = min(left, o.qty)
            left -= take
            cash += take * o.price
        return qty - left, cash


def result_tuple(result: SubmitResult) -> tuple:
    resting = result.resting.as_tuple() if result.resting is not None else None
    expired = [o.as_tuple() for o in result.expired]
    return fills_of(result), resting, result.cancelled_qty, expired, result.rejected


OWNERS = st.integers(1, 3)
SIDES = st.sampled_from([BUY, SELL])
PRICES = st.integers(95, 105)  # a narrow band, so orders cross and levels are shared
QTYS = st.integers(1, 12)


class BookVersusReference(RuleBasedStateMachine):
    """Random op sequences on both books; everything observable must agree after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.book = OrderBook()
        self.ref = ReferenceBook()
        self.next_id = 1
        self.issued: list[int] = []

    @initialize(slack=st.sampled_from([-1000, 0, OrderBook.HEAP_SLACK]))
    def heap_slack(self, slack: int) -> None:
        """A small slack rebuilds the heaps often (-1000: at every new level), so the rebuild
        is exercised too."""
        self.book = type("Book", (OrderBook,), {"HEAP_SLACK": slack})()

    def _submit(self, owner, side, qty, price, kind, reduce_only=False, tag=None) -> None:
        oid = self.next_id
        self.next_id += 1
        self.issued.append(oid)
        got = self.book.submit(oid, owner, side, qty, price, kind, reduce_only=reduce_only, tag=tag)
        want = self.ref.submit(oid, owner, side, qty, price, kind, reduce_only, tag)
        assert result_tuple(got) == want
        assert all(f.maker != f.taker for f in got.fills)

    @rule(
        owner=OWNERS,
        side=SIDES,
        qty=QTYS,
        price=PRICES,
        reduce_only=st.booleans(),
        tag=st.sampled_from([None, "liq"]),
    )
    def limit(self, owner, side, qty, price, reduce_only, tag) -> None:
        self._submit(owner, side, qty, price, LIMIT, reduce_only, tag)

    @rule(owner=OWNERS, side=SIDES, qty=QTYS, away=st.integers(1, 12))
    def passive_limit(self, owner, side, qty, away) -> None:
        """A limit away from the middle of the band: builds depth over many levels."""
        self._submit(owner, side, qty, 100 - side * away, LIMIT)

    @rule(owner=OWNERS, side=SIDES, qty=st.integers(1, 40))
    def market(self, owner, side, qty) -> None:
        self._submit(owner, side, qty, None, MARKET)

    @rule(owner=OWNERS, side=SIDES, qty=st.integers(1, 40), price=PRICES)
    def ioc(self, owner, side, qty, price) -> None:
        self._submit(owner, side, qty, price, IOC)

    @rule(owner=OWNERS, side=SIDES, qty=QTYS, price=PRICES)
    def post_only(self, owner, side, qty, price) -> None:
        self._submit(owner, side, qty, price, POST_ONLY)

    @precondition(lambda self: self.issued)
    @rule(data=st.data())
    def cancel(self, data) -> None:
        oid = data.draw(st.sampled_from(self.issued))
        got = self.book.cancel(oid)
        want = self.ref.cancel(oid)
        assert (got.as_tuple() if got is not None else None) == want

    @precondition(lambda self: self.ref.orders)
    @rule(data=st.data())
    def cancel_live(self, data) -> None:
        oid = data.draw(st.sampled_from([o.id for o in self.ref.orders]))
        got = self.book.cancel(oid)
        assert got is not None and got.as_tuple() == self.ref.cancel(oid)

    @precondition(lambda self: self.issued)
    @rule(data=st.data(), new_qty=st.integers(-1, 12), live=st.booleans())
    def amend_down(self, data, new_qty, live) -> None:
        pool = [o.id for o in self.ref.orders] if live and self.ref.orders else self.issued
        oid = data.draw(st.sampled_from(pool))
        try:
            want = self.ref.amend_down(oid, new_qty)
        except ValueError:
            with pytest.raises(ValueError):
                self.book.amend_down(oid, new_qty)
            return
        got = self.book.amend_down(oid, new_qty)
        assert (got.as_tuple() if got is not None else None) == want

    @rule(
        owner=st.one_of(st.none(), OWNERS),
        side=SIDES,
        qty=st.integers(1, 60),
        limit=st.one_of(st.none(), PRICES),
    )
    def sweep(self, owner, side, qty, limit) -> None:
        before = [o.as_tuple() for o in self.book.resting()]
        assert self.book.sweep(side, qty, limit, owner=owner) == self.ref.sweep(
            side, qty, limit, owner
        )
        assert [o.as_tuple() for o in self.book.resting()] == before

    @invariant()
    def same_state(self) -> None:
        book, ref = self.book, self.ref
        assert [o.as_tuple() for o in book.resting()] == ref.resting()
        assert len(book) == len(ref.orders)
        bid, ask = ref.best(BUY), ref.best(SELL)
        assert (book.best_bid(), book.best_ask()) == (bid, ask)
        both = bid is not None and ask is not None
        assert book.mid() == ((bid + ask) // 2 if both else None)
        assert book.spread() == (ask - bid if both else None)
        for side in (BUY, SELL):
            depth = ref.depth(side)
            assert book.depth(side, 100) == depth
            assert book.depth(side, 2) == depth[:2]
            assert book.total_qty(side) == (depth[-1][2] if depth else 0)
            assert book.level_count(side) == len(depth)
            for price, qty, _ in depth:
                assert book.level_qty(side, price) == qty
        for owner in (1, 2, 3):
            want = [o.as_tuple() for o in ref.orders if o.owner == owner]
            assert [o.as_tuple() for o in book.orders_of(owner)] == want
            # the running tallies agree with a walk over the owner's orders
            mine = [o for o in ref.orders if o.owner == owner]
            buys = sum(o.qty for o in mine if not o.reduce_only and o.side == BUY)
            sells = sum(o.qty for o in mine if not o.reduce_only and o.side == SELL)
            assert book.open_qty(owner) == (buys, sells)
            assert book.has_reduce_only(owner) == any(o.reduce_only for o in mine)
        for o in ref.orders:
            got = book.get(o.id)
            assert got is not None and got.as_tuple() == o.as_tuple()


BookVersusReference.TestCase.settings = settings(
    max_examples=250,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_book_matches_reference = BookVersusReference.TestCase


def test_order_is_a_slots_class() -> None:
    order = Order(1, 2, BUY, 100, 5, 5)
    assert not hasattr(order, "__dict__")
    assert order.as_tuple() == (1, 2, BUY, 100, 5, 5, False, None)
