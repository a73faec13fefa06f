"""The quick-order line: ``b 0.5 x10``, ``s 1 @ 61000``, ``close``, ``lev 5``, ``margin +500``.

``parse_command(text, tick)`` turns what a player types into a PlayerAction, or raises
``CommandError`` with a message that says what was wrong and what would work.
"""

from __future__ import annotations

import re

from perpgame.level.actions import PlayerAction
from perpgame.session.fmt import BUY, SELL, UnitError, parse_cash, parse_price, parse_qty

HELP = (
    "b QTY [@ PRICE] [xLEV] buy · s QTY [@ PRICE] [xLEV] sell · close · cancel · "
    "lev N · margin +CASH / -CASH"
)

_ORDER = re.compile(
    r"^(?P<side>b|buy|long|s|sell|short)\s+(?P<qty>[0-9][0-9.,_]*)"
    r"(?:\s*@\s*(?P<price>[0-9][0-9.,_]*))?"
    r"(?:\s*x\s*(?P<lev>[0-9]+))?"
    r"(?:\s+(?P<ro>ro|reduce))?$"
)


class CommandError(ValueError):
    """What the player typed cannot be read; the message says how to write it."""


def parse_command(text: str, tick: int = 0) -> PlayerAction:
    """One line typed by the player -> one PlayerAction for ``tick``."""
    line = " ".join(text.strip().lower().split())
    if not line:
        raise CommandError(f"type an order, e.g. 'b 0.5 x10' or 's 1 @ 61000' ({HELP})")
    if line in ("close", "c", "flat"):
        return PlayerAction(tick, "close")
    if line in ("cancel", "cancel all", "ca", "x"):
        return PlayerAction(tick, "cancel_all")
    match = re.fullmatch(r"(?:lev|leverage)\s*x?\s*([0-9]+)x?", line)
    if match:
        value = int(match.group(1))
        if value < 1:
            raise CommandError("leverage must be at least 1x")
        return PlayerAction(tick, "leverage", leverage=value)
    match = re.fullmatch(r"(?:margin|m)\s*([+-])\s*([0-9][0-9.,_]*)", line)
    if match:
        sign, amount = match.groups()
        cash = _read(parse_cash, amount, "margin")
        if cash <= 0:
            raise CommandError("the margin amount must be positive")
        return PlayerAction(tick, "add_margin" if sign == "+" else "remove_margin", amount=cash)
    match = _ORDER.match(line)
    if match is None:
        raise CommandError(f"cannot read {text.strip()!r}: {HELP}")
    side = BUY if match["side"] in ("b", "buy", "long") else SELL
    qty = _read(parse_qty, match["qty"], "quantity")
    if qty <= 0:
        raise CommandError("the quantity must be more than zero")
    price = _read(parse_price, match["price"], "price") if match["price"] else None
    if price is not None and price <= 0:
        raise CommandError("the price must be more than zero")
    leverage = int(match["lev"]) if match["lev"] else None
    if leverage is not None and leverage < 1:
        raise CommandError("leverage must be at least 1x")
    return PlayerAction.order(
        tick, side, qty, price, leverage=leverage, reduce_only=bool(match["ro"])
    )


def _read(parse, raw: str, what: str) -> int:
    try:
        return parse(raw)
    except UnitError as exc:
        raise CommandError(str(exc)) from None
