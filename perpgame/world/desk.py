"""What one trader sees and can do: a read-only view of the market plus its own order ticket.

Bots (and the player's session) never touch the engine's objects directly: they read prices,
the book and their own account here, and act only by sending or cancelling orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

from perpgame.engine.book import BUY, SELL, OrderType
from perpgame.engine.events import Fill
from perpgame.engine.market import Market, OrderOutcome
from perpgame.engine.risk import Refusal, bankruptcy_price, liquidation_price


@dataclass(frozen=True, slots=True)
class OpenOrder:
    id: int
    side: int
    price: int | None
    qty: int
    reduce_only: bool

    def __init__(self, id: int, side: int, price: int | None, qty: int, reduce_only: bool) -> None:
        # Market makers re-read their orders often: the slots' own setters cost less than the
        # frozen dataclass's generated ``object.__setattr__`` calls (same fields, eq and hash).
        _set_id(self, id)
        _set_side(self, side)
        _set_price(self, price)
        _set_qty(self, qty)
        _set_reduce_only(self, reduce_only)


_set_id, _set_side, _set_price, _set_qty, _set_reduce_only = (
    OpenOrder.__dict__[name].__set__ for name in ("id", "side", "price", "qty", "reduce_only")
)


class Desk:
    """One account's window onto the market: look, then place or cancel orders."""

    __slots__ = ("_account", "_book", "_ledger", "_market", "account_id")

    def __init__(self, market: Market, account_id: int) -> None:
        self._market = market
        self.account_id = account_id
        # The account, the book and the ledger are never replaced: read on every look (bots ask
        # hundreds of thousands of times a game), so kept at hand rather than through the market.
        self._account = market.accounts[account_id]
        self._book = market.book
        self._ledger = market.ledger

    # ---------------------------------------------------------------- the market
    # Read-only properties whose getter is an attrgetter, in C: bots read these hundreds of
    # thousands of times a game, and a Python getter costs a frame each time.
    tick = property(attrgetter("_ledger.tick"))
    index = property(attrgetter("_market.index"), doc="The external spot price (the oracle).")
    mark = property(attrgetter("_market.mark"))
    last_price = property(attrgetter("_ledger.last_price"))
    lot_size = property(attrgetter("_market.config.lot_size"))
    tick_size = property(attrgetter("_market.config.tick_size"))
    max_leverage = property(attrgetter("_market.config.max_leverage"))

    def best_bid(self) -> int | None:
        return self._book.best_bid()

    def best_ask(self) -> int | None:
        return self._book.best_ask()

    def mid(self) -> int | None:
        return self._book.mid()

    def depth(self, side: int, levels: int = 10) -> list[tuple[int, int, int]]:
        """(price, qty, cumulative qty), best first."""
        return self._book.depth(side, levels)

    def recent_trades(self, n: int = 20) -> Sequence[Fill]:
        """The last ``n`` public trades, oldest first."""
        trades = self._market.trades
        return list(trades)[-n:] if n < len(trades) else list(trades)

    # ------------------------------------------------------------- own account
    cash = property(attrgetter("_account.cash"))
    size = property(attrgetter("_account.size"))
    leverage = property(attrgetter("_account.leverage"))

    def equity(self) -> int:
        a = self._account  # Account.equity inlined: bots ask this several times a tick
        return a.cash + a.size * self._market.mark - a.cost

    def unrealized(self) -> int:
        return self._account.unrealized(self._market.mark)

    def entry_price(self) -> int | None:
        return self._account.entry_price()

    def liquidation_price(self) -> int | None:
        return liquidation_price(self._account, self._market.config.maintenance_ppm)

    def bankruptcy_price(self) -> int | None:
        return bankruptcy_price(self._account)

    def free_margin(self) -> int:
        """Equity not tied up as initial margin by the position and open orders."""
        return self.equity() - self._market.margin_in_use(self._account)

    def orders(self) -> list[OpenOrder]:
        return [
            OpenOrder(o.id, o.side, o.price, o.qty, o.reduce_only)
            for o in self._book.orders_of(self.account_id)
        ]

    # ------------------------------------------------------------------ actions
    def buy(self, qty: int, price: int | None = None, **kw) -> OrderOutcome:
        """A limit buy at ``price``, or a market buy when ``price`` is None."""
        return self.order(BUY, qty, price, **kw)

    def sell(self, qty: int, price: int | None = None, **kw) -> OrderOutcome:
        return self.order(SELL, qty, price, **kw)

    def order(
        self,
        side: int,
        qty: int,
        price: int | None = None,
        kind: OrderType | None = None,
        *,
        reduce_only: bool = False,
    ) -> OrderOutcome:
        if kind is None:
            kind = OrderType.MARKET if price is None else OrderType.LIMIT
        return self._market.place_order(
            self.account_id, side, qty, price, kind, reduce_only=reduce_only
        )

    def cancel(self, order_id: int) -> bool:
        return self._market.cancel(self.account_id, order_id)

    def cancel_all(self) -> int:
        return self._market.cancel_all(self.account_id)

    def close(self) -> OrderOutcome | None:
        """Close the whole position with a reduce-only market order."""
        size = self._account.size
        if size == 0:
            return None
        return self.order(SELL if size > 0 else BUY, abs(size), None, reduce_only=True)

    def deposit(self, amount: int) -> None:
        """Bring fresh cash into the pile (a new trader's money arriving)."""
        self._market.deposit(self.account_id, amount)

    def withdraw(self, amount: int) -> Refusal | None:
        """Take cash out; refused (a reason code and its numbers) below initial margin."""
        return self._market.withdraw(self.account_id, amount)

    def set_leverage(self, leverage: int) -> Refusal | None:
        """Choose leverage; refused (a reason code and its numbers) if it would not cover the
        position."""
        return self._market.set_leverage(self.account_id, leverage)

    def round_lot(self, qty: int) -> int:
        """``qty`` rounded down to the lot size."""
        lot = self._market.config.lot_size
        return qty - qty % lot

    def round_tick(self, price: int) -> int:
        """``price`` rounded to the nearest tick, never below one tick."""
        t = self._market.config.tick_size
        return max(t, (price + t // 2) // t * t)
