"""The ledger: the only writer of cash and positions, and the record of what happened.

Every change to an account's ``cash``, ``size`` or ``cost`` goes through one of five verbs here:
:meth:`Ledger.trade` (one account buys from another at a price), :meth:`Ledger.transfer` (cash
from one account to another), :meth:`Ledger.settle` (a zero-sum set of cash moves, as funding
pays), :meth:`Ledger.deposit` and :meth:`Ledger.withdraw` (cash in and out of the pile). Each
keeps the pile law by construction; :meth:`Ledger.emit` records the events that explain them.
The market, the matching code and the liquidation waterfall all write through one ledger.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from perpgame.engine.account import Account
from perpgame.engine.events import BadDebt, Deposit, Event, Fill, Withdrawal

RECENT_TRADES = 200
VAULT_ID = 1


class Ledger:
    """Accounts by id, the pile's inflow and outflow, the tick's events and the trade tape."""

    def __init__(self) -> None:
        self.accounts: dict[int, Account] = {}
        self.deposits = 0
        self.withdrawals = 0
        self.tick = 0
        self.events: list[Event] = []
        self.next_order_id = 1
        self.last_price: int | None = None
        self.trades: deque[Fill] = deque(maxlen=RECENT_TRADES)
        self.held: set[int] = set()
        """Accounts held in liquidation under the ``deficit`` trigger at the end of the last
        tick (only decides which liquidation events are worth telling again; not state)."""
        self.vault_bad_debt = 0
        """All bad debt the vault was named as absorbing (the most its equity may be below zero)."""

    # ----------------------------------------------------------------- writers
    def add(self, acct: Account) -> None:
        """A new, empty account (its id must be the next one)."""
        if acct.id in self.accounts or acct.cash or acct.size or acct.cost:
            raise ValueError("a new account starts empty, with a fresh id")
        self.accounts[acct.id] = acct

    def trade(self, buyer: int, seller: int, qty: int, price: int) -> None:
        """``buyer`` buys ``qty`` lots from ``seller`` at ``price``: sizes and costs move together."""
        if qty <= 0:
            raise ValueError(f"a trade needs a positive quantity, got {qty}")
        if buyer == seller:
            raise ValueError("an account cannot trade with itself")
        self.accounts[buyer].apply_trade(qty, price)
        self.accounts[seller].apply_trade(-qty, price)

    def trade_signed(self, account: int, other: int, signed_qty: int, price: int) -> None:
        """``account`` trades ``signed_qty`` (> 0 bought) with ``other`` at ``price``."""
        if signed_qty > 0:
            self.trade(account, other, signed_qty, price)
        elif signed_qty < 0:
            self.trade(other, account, -signed_qty, price)

    def transfer(self, source: int, dest: int, amount: int) -> None:
        """Move ``amount`` of cash from ``source`` to ``dest`` (negative moves it back)."""
        if amount:
            self.accounts[source].cash -= amount
            self.accounts[dest].cash += amount

    def settle(self, moves: Iterable[tuple[int, int]]) -> None:
        """Apply ``(account, delta)`` cash moves that sum to zero (funding's payers and receivers)."""
        moves = list(moves)
        if sum(delta for _, delta in moves):
            raise ValueError("cash moves must sum to zero")
        for account, delta in moves:
            self.accounts[account].cash += delta

    def deposit(self, account: int, amount: int) -> None:
        """New cash enters the pile."""
        if amount <= 0:
            raise ValueError("a deposit must be positive")
        self.accounts[account].cash += amount
        self.deposits += amount
        self.emit(Deposit(self.tick, account, amount))

    def withdraw(self, account: int, amount: int) -> None:
        """Cash leaves the pile (the caller has checked the margin)."""
        if amount <= 0:
            raise ValueError("a withdrawal must be positive")
        self.accounts[account].cash -= amount
        self.withdrawals += amount
        self.emit(Withdrawal(self.tick, account, amount))

    # ------------------------------------------------------------------ record
    def emit(self, event: Event) -> None:
        """Record an event of this tick."""
        self.events.append(event)
        if isinstance(event, BadDebt) and VAULT_ID in event.absorbers:
            self.vault_bad_debt += event.amount

    def new_order_id(self) -> int:
        """The next order id (ids are never reused)."""
        order_id = self.next_order_id
        self.next_order_id += 1
        return order_id

    def record_fill(self, fill: Fill) -> None:
        """A trade in the book: the tape, the last price and the event."""
        self.last_price = fill.price
        self.trades.append(fill)
        self.emit(fill)
