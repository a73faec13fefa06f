"""Typed records of everything that happens on the exchange.

Each event is a frozen dataclass with a ``type`` string (what the JSON report and the TUI key on)
and the ``tick`` it happened in. Amounts are integers in engine units (see ``units``).
The waterfall's three stages are exactly ``liquidation``, ``backstop`` and ``deleverage``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Event:
    """Base class: every event knows its tick."""

    type: ClassVar[str] = "event"
    tick: int

    def to_dict(self) -> dict:
        """A plain dict with ``type`` first, for JSON reports."""
        return {"type": self.type, **asdict(self)}


@dataclass(frozen=True, slots=True)
class Deposit(Event):
    type: ClassVar[str] = "deposit"
    account: int
    amount: int


@dataclass(frozen=True, slots=True)
class Withdrawal(Event):
    type: ClassVar[str] = "withdrawal"
    account: int
    amount: int


@dataclass(frozen=True, slots=True)
class OrderRejected(Event):
    type: ClassVar[str] = "order_rejected"
    account: int
    side: int
    qty: int
    price: int | None
    reason: str
    """A reason code (``margin``, ``beyond_bankruptcy``, ...; docs/mechanics.md lists them): the
    session's storyteller words it with the numbers below."""
    need: int = 0
    """``margin``: the initial margin the order needs."""
    available: int = 0
    """``margin``: the equity left after the fills' costs and fee."""
    step: int = 0
    """``qty_not_lot_multiple``: the lot size; ``price_not_tick_multiple``: the tick size."""
    leverage: int = 0
    """``margin``: the account's leverage."""


@dataclass(frozen=True, slots=True)
class OrderCancelled(Event):
    type: ClassVar[str] = "order_cancelled"
    account: int
    order: int
    qty: int
    reason: str

    def __init__(self, tick: int, account: int, order: int, qty: int, reason: str) -> None:
        # The commonest event (market makers re-quote every tick): the slots' own setters cost
        # less than the frozen dataclass's generated ``object.__setattr__`` calls.
        _CANCELLED_SET[0](self, tick)
        _CANCELLED_SET[1](self, account)
        _CANCELLED_SET[2](self, order)
        _CANCELLED_SET[3](self, qty)
        _CANCELLED_SET[4](self, reason)


_CANCELLED_SET = (
    Event.__dict__["tick"].__set__,
    *(OrderCancelled.__dict__[name].__set__ for name in ("account", "order", "qty", "reason")),
)


@dataclass(frozen=True, slots=True)
class Fill(Event):
    """A trade in the book: ``taker_side`` is +1 when the taker bought."""

    type: ClassVar[str] = "fill"
    maker: int
    taker: int
    maker_order: int
    taker_order: int
    price: int
    qty: int
    taker_side: int
    maker_fee: int
    taker_fee: int
    liquidation: bool = False


@dataclass(frozen=True, slots=True)
class Liquidation(Event):
    """Stage 1: the engine took an account's position into the book.

    ``qty`` is the signed size it tried to close, ``filled`` what the book took, ``reason`` the
    numbers that triggered it (equity below maintenance at the mark).
    """

    type: ClassVar[str] = "liquidation"
    account: int
    qty: int
    filled: int
    avg_price: int | None
    mark: int
    equity: int
    maintenance: int
    bankruptcy_price: int
    fee: int
    reason: str


@dataclass(frozen=True, slots=True)
class Backstop(Event):
    """Stage 2: the vault took over ``qty`` (signed, as the account held it) at ``price``."""

    type: ClassVar[str] = "backstop"
    account: int
    vault: int
    qty: int
    price: int
    collateral: int
    reason: str


@dataclass(frozen=True, slots=True)
class Deleverage(Event):
    """Stage 3: ``account`` (a winner on the other side) was closed by ``qty`` at ``price``.

    ``size_before`` is the winner's signed position before, ``qty`` the lots closed.
    ``rank`` is its 1-based place in the ADL queue, ``lost_pnl`` the paper profit above what the
    close at ``price`` paid it (what the mark promised and the pile never held).
    """

    type: ClassVar[str] = "deleverage"
    account: int
    counterparty: int
    size_before: int
    qty: int
    price: int
    rank: int
    policy: str
    mark: int
    lost_pnl: int
    lights: int = 0
    """The winner's ADL lights in the queue walked (0: closed only as a last resort)."""
    entry_cost: int = 0
    """Score input: the winner's signed entry cost (size times average entry) before the close."""
    equity: int = 0
    """Score input: the winner's equity at the mark before the close."""
    counterparty_equity: int = 0
    """The bankrupt account's equity at the mark when ADL began (below zero under ``deficit``)."""


@dataclass(frozen=True, slots=True)
class Haircut(Event):
    """Socialised loss: ``amount`` of ``account``'s unrealised profit paid toward a deficit."""

    type: ClassVar[str] = "haircut"
    account: int
    counterparty: int
    amount: int


@dataclass(frozen=True, slots=True)
class BadDebt(Event):
    """An account's equity went below zero: ``amount`` of deficit, and who absorbed it."""

    type: ClassVar[str] = "bad_debt"
    account: int
    amount: int
    absorbed_by: str
    absorbers: tuple[int, ...] = field(default=())
    reason: str = ""
    """A code when the deficit did not come from a liquidation: ``flat_deficit``."""


@dataclass(frozen=True, slots=True)
class Funding(Event):
    """Funding paid between longs and shorts: ``rate_ppm`` > 0 means longs paid shorts."""

    type: ClassVar[str] = "funding"
    rate_ppm: int
    price: int
    paid: int
    payers: int
    receivers: int


@dataclass(frozen=True, slots=True)
class LeverageSet(Event):
    type: ClassVar[str] = "leverage"
    account: int
    leverage: int


WATERFALL_TYPES = ("liquidation", "backstop", "deleverage")
