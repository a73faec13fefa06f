"""The messages of a table, both ways, as JSON text over a websocket; every one is validated.

Client to table (``type`` says which)::

    {"type": "hello", "seat": "seat-1", "token": "..."}            first, once
    {"type": "order", "id": 7, "side": "buy", "qty": "0.5", "price": "59000"}
    {"type": "close", "id": 8}      {"type": "cancel", "order": 42}     {"type": "cancel_all"}
    {"type": "leverage", "value": 10}
    {"type": "add_margin", "amount": "500"}     {"type": "remove_margin", "amount": "250.50"}
    instructor only (the host's token):
    {"type": "start"}  {"type": "pause"}  {"type": "speed", "ticks_per_second": 5}
    {"type": "step", "ticks": 1}  {"type": "fire", "event": 3}  {"type": "claim"}

``qty``, ``price``, ``amount`` are written as in level files ("0.5" coin, "59000" dollars). ``id`` is the
client's own number for the message, echoed in the answer. Table to client: ``welcome``, ``ack``
(``id`` and the ``tick`` the input applies at), ``error`` (``id`` when known, ``error``: why),
and a ``frame`` every tick (:mod:`perpgame.table.views`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from perpgame.level.schema import MAX_LEVERAGE, PositiveCash, PositiveQty, Price
from perpgame.session.inputs import BUY, SELL, PlayerInput

MAX_MESSAGE_BYTES = 2048
"""A longer message is refused unread."""
RATE_PER_SECOND = 20
"""Messages a connection may send per second, on average ..."""
RATE_BURST = 40
"""... and at most this many at once."""

MAX_STEP = 50
"""Ticks one ``step`` may play: each sends a frame to every seat, and a client that falls more
than a few hundred frames behind is cut off (a seat's own copy of the game needs every one)."""

SeatName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,24}$")]
MessageId = Annotated[int, Field(strict=True, ge=0, le=2**53)]


class _Msg(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    id: MessageId | None = None


DisplayName = Annotated[str, Field(pattern=r"^[\w][\w .'-]{0,23}$")]
"""What a player is called at the table: 1-24 letters, digits, spaces, . ' - _."""


class Hello(_Msg):
    type: Literal["hello"]
    seat: SeatName
    token: Annotated[str, Field(min_length=1, max_length=64)]
    name: DisplayName | None = None


class Order(_Msg):
    type: Literal["order"]
    side: Literal["buy", "sell"]
    qty: PositiveQty
    price: Price | None = None
    leverage: Annotated[int, Field(strict=True, ge=1, le=MAX_LEVERAGE)] | None = None
    reduce_only: bool = False


class Close(_Msg):
    type: Literal["close"]
    price: Price | None = None


class Cancel(_Msg):
    type: Literal["cancel"]
    order: Annotated[int, Field(strict=True, ge=1, le=2**53)]


class CancelAll(_Msg):
    type: Literal["cancel_all"]


class Leverage(_Msg):
    type: Literal["leverage"]
    value: Annotated[int, Field(strict=True, ge=1, le=MAX_LEVERAGE)]


class AddMargin(_Msg):
    """Fresh cash into the seat's account (the pile grows), in dollars as in level files."""

    type: Literal["add_margin"]
    amount: PositiveCash


class RemoveMargin(_Msg):
    """Cash out of the seat's account; refused below initial margin."""

    type: Literal["remove_margin"]
    amount: PositiveCash


class Start(_Msg):
    type: Literal["start"]


class Pause(_Msg):
    type: Literal["pause"]


class Speed(_Msg):
    type: Literal["speed"]
    ticks_per_second: Annotated[float, Field(gt=0, le=100)]


class Step(_Msg):
    type: Literal["step"]
    ticks: Annotated[int, Field(strict=True, ge=1, le=MAX_STEP)] = 1


class Fire(_Msg):
    type: Literal["fire"]
    event: Annotated[int, Field(strict=True, ge=0, le=10_000)]


class Claim(_Msg):
    """A free seat and its token, for a booth that puts each visitor on a seat of the table."""

    type: Literal["claim"]


SeatMessage = Order | Close | Cancel | CancelAll | Leverage | AddMargin | RemoveMargin
InstructorMessage = Start | Pause | Speed | Step | Fire | Claim
Message = Annotated[Hello | SeatMessage | InstructorMessage, Field(discriminator="type")]
_MESSAGE = TypeAdapter(Message)


class BadMessage(Exception):
    """A message the table cannot read; the text says why (and never echoes the message)."""


def parse(raw: str | bytes) -> Hello | SeatMessage | InstructorMessage:
    """Validate one message; :class:`BadMessage` when it is too long, not JSON or not a message."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise BadMessage(f"a message is at most {MAX_MESSAGE_BYTES} bytes")
    try:
        return _MESSAGE.validate_json(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "the message"
        more = exc.error_count() - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        raise BadMessage(f"{where}: {first['msg']}{tail}") from None


def to_action(msg: SeatMessage) -> PlayerInput:
    """A seat's message as the session's input (its tick and seat are set by the table)."""
    if isinstance(msg, Order):
        side = BUY if msg.side == "buy" else SELL
        return PlayerInput.order(
            0, side, msg.qty, msg.price, leverage=msg.leverage, reduce_only=msg.reduce_only
        )
    if isinstance(msg, Close):
        return PlayerInput(0, "close", price=msg.price)
    if isinstance(msg, Cancel):
        return PlayerInput(0, "cancel", order_id=msg.order)
    if isinstance(msg, Leverage):
        return PlayerInput(0, "leverage", leverage=msg.value)
    if isinstance(msg, AddMargin | RemoveMargin):
        return PlayerInput(0, msg.type, amount=msg.amount)
    return PlayerInput(0, "cancel_all")


class RateLimit:
    """A token bucket: ``allow(now)`` is False once a connection sends faster than the rate."""

    def __init__(self, rate: float = RATE_PER_SECOND, burst: int = RATE_BURST) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.last: float | None = None

    def allow(self, now: float) -> bool:
        if self.last is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
