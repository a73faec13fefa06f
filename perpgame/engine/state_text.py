"""A canonical text form of the whole exchange state, and its inverse.

The same state always prints the same bytes, so two games can be compared by their text or by
``Market.state_hash()``. The text holds the state, not the rules: loading needs the
``MarketConfig`` too. Accounts are listed in id order and resting orders in arrival (id) order,
which keeps both each price level's time priority and each account's own order list when the
text is loaded again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from perpgame.engine.account import Account
from perpgame.engine.book import BUY, SELL, OrderBook, OrderType
from perpgame.engine.rng import Rng

if TYPE_CHECKING:
    from perpgame.engine.config import MarketConfig

HEADER = "perpgame-state 1"


class MarketState(Protocol):
    """The pieces of a market the text holds (``Market`` has them; this module never imports it,
    so the market can print and read its own text without an import circle)."""

    tick: int
    index: int
    mark: int
    last_price: int | None
    deposits: int
    withdrawals: int
    next_order_id: int
    rng: Rng
    stage: str
    accounts: dict[int, Account]
    book: OrderBook


M = TypeVar("M", bound=MarketState)


class StateFormatError(ValueError):
    """The text is not a state this version can read; the message names the line."""


def dump_state(market: MarketState) -> str:
    """Every number that decides what happens next, one record a line."""
    last = "-" if market.last_price is None else str(market.last_price)
    lines = [
        HEADER,
        f"tick {market.tick}",
        f"prices index={market.index} mark={market.mark} last={last}",
        f"ledger deposits={market.deposits} withdrawals={market.withdrawals}",
        f"next_order_id {market.next_order_id}",
        f"rng {market.rng.state}",
        f"stage {market.stage}",
    ]
    for a in market.accounts.values():
        lines.append(
            f"account {a.id} {a.kind} {a.group} {a.name} cash={a.cash} size={a.size} "
            f"cost={a.cost} open_cost={a.open_cost} leverage={a.leverage}"
        )
    for o in sorted(market.book.resting(), key=lambda order: order.id):
        side = "B" if o.side == BUY else "S"
        tag = o.tag or "-"
        lines.append(
            f"order {o.id} {o.owner} {side} {o.price} {o.qty} {o.orig_qty} "
            f"{int(o.reduce_only)} {tag}"
        )
    return "\n".join(lines) + "\n"


def _fields(parts: list[str], lineno: int) -> dict[str, int]:
    out = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep:
            raise StateFormatError(f"line {lineno}: expected key=value, got {part!r}")
        out[key] = None if value == "-" else int(value)
    return out


def load_state(make: Callable[..., M], text: str, config: MarketConfig) -> M:
    """Rebuild the market that ``dump_state`` printed; ``make(config, start_price=...)`` builds
    the empty market (``Market`` itself)."""
    lines = text.splitlines()
    if not lines or lines[0] != HEADER:
        raise StateFormatError(f"line 1: expected {HEADER!r}")
    try:
        head, body_start = _head(lines)
        market = _market_of(make, head, config)
        for lineno, line in enumerate(lines[body_start:], start=body_start + 1):
            word, *parts = line.split()
            if word == "account":
                acct = _account(parts, lineno)
                market.accounts[acct.id] = acct
            elif word == "order":
                _rest_order(market.book, parts, lineno)
            else:
                raise StateFormatError(f"line {lineno}: unknown record {word!r}")
    except (KeyError, ValueError, IndexError) as exc:
        if isinstance(exc, StateFormatError):
            raise
        raise StateFormatError(f"malformed state: {exc!r}") from None
    return market


def _head(lines: list[str]) -> tuple[dict[str, list[str]], int]:
    """The header records by their first word, and the index of the first account or order."""
    head: dict[str, list[str]] = {}
    body_start = 1
    for i, line in enumerate(lines[1:], start=2):
        word, _, rest = line.partition(" ")
        if word in ("account", "order"):
            body_start = i - 1
            break
        head[word] = rest.split()
    return head, body_start


def _market_of(make: Callable[..., M], head: dict[str, list[str]], config: MarketConfig) -> M:
    """An empty market (no accounts) with the header's tick, prices, ledger totals and rng."""
    prices = _fields(head["prices"], 3)
    market = make(config, start_price=prices["index"])
    market.accounts.clear()
    market.tick = int(head["tick"][0])
    market.index = prices["index"]
    market.mark = prices["mark"]
    market.last_price = prices["last"]
    ledger = _fields(head["ledger"], 4)
    market.deposits = ledger["deposits"]
    market.withdrawals = ledger["withdrawals"]
    market.next_order_id = int(head["next_order_id"][0])
    market.rng = Rng(int(head["rng"][0]))
    market.stage = head["stage"][0]
    return market


def _account(parts: list[str], lineno: int) -> Account:
    acct_id, kind, group, name, *rest = parts
    f = _fields(rest, lineno)
    return Account(
        int(acct_id),
        kind,
        group,
        name,
        f["cash"],
        f["size"],
        f["cost"],
        f["open_cost"],
        f["leverage"],
    )


def _rest_order(book: OrderBook, parts: list[str], lineno: int) -> None:
    """Put one printed order back in the book (orders come in id order, none may cross)."""
    oid, owner, side, price, qty, orig, reduce_only, tag = parts
    result = book.submit(
        int(oid),
        int(owner),
        BUY if side == "B" else SELL,
        int(qty),
        int(price),
        OrderType.LIMIT,
        reduce_only=reduce_only == "1",
        tag=None if tag == "-" else tag,
    )
    if result.fills or result.resting is None:
        raise StateFormatError(f"line {lineno}: order {oid} crosses the book")
    result.resting.orig_qty = int(orig)
