"""The quick-order line: ``b 0.5 x10``, ``s 1 @ 61000``, ``x`` (close), ``c`` (cancel), ``lev 5``.

``parse_command(text, tick)`` turns what a player types into a PlayerInput, or raises
``CommandError`` with a message that says what was wrong and what would work. It never raises
anything else: every number is bounded (in length before it is converted, in value after), and
what the player typed is echoed cut to about 80 characters.

The one-letter words agree with the game's hotkeys: ``c`` cancels the resting orders and ``x``
closes the position, as the keys ``c`` and ``x`` do.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from perpgame.session.inputs import PlayerInput
from perpgame.session.limits import MAX_ADDED_MARGIN, MAX_LEVERAGE, MAX_PRICE, MAX_QTY, clip
from perpgame.session.numbers import (
    BUY,
    SELL,
    UnitError,
    format_cash,
    format_coin,
    format_price,
    parse_cash,
    parse_price,
    parse_qty,
)

HELP = (
    "b QTY [@ PRICE] [xLEV] buy · s QTY [@ PRICE] [xLEV] sell · close · cancel · "
    "lev N · margin +CASH / -CASH"
)
CLOSE_WORDS = ("x", "close", "flat")
CANCEL_WORDS = ("c", "cancel", "cancel all", "ca")
MAX_NUMBER_CHARS = 20
"""No number on the line is longer than this (``1,000,000,000.0001`` is 18): longer is refused
before it is converted."""
MAX_LINE_CHARS = 1_000

_NUM = r"[0-9][0-9.,_]*"
_ORDER = re.compile(
    rf"^(?P<side>b|buy|long|s|sell|short)\s+(?P<qty>{_NUM})"
    rf"(?:\s*@\s*(?P<price>{_NUM}))?"
    r"(?:\s*x\s*(?P<lev>[0-9]+))?"
    r"(?:\s+(?P<ro>ro|reduce))?$"
)
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]+")
_NOT_DECIMAL = re.compile(r"\b(?:nan|inf(?:inity)?)\b|\b[0-9.]+e[+-]?[0-9]+|\b0x[0-9a-f]+")
"""Numbers a programming language reads and a trader does not type: ``nan``, ``1e309``, ``0x10``."""


class CommandError(ValueError):
    """What the player typed cannot be read; the message says how to write it."""


def parse_command(text: str, tick: int = 0) -> PlayerInput:
    """One line typed by the player -> one PlayerInput for ``tick``."""
    if len(text) > MAX_LINE_CHARS:
        raise CommandError(
            f"that line is {len(text):,} characters long; an order is a few words, like 'b 0.5 x10'"
        )
    line = " ".join(text.strip().lower().split())
    if not line:
        raise CommandError(f"type an order, e.g. 'b 0.5 x10' or 's 1 @ 61000' ({HELP})")
    if line in CLOSE_WORDS:
        return PlayerInput(tick, "close")
    if line in CANCEL_WORDS:
        return PlayerInput(tick, "cancel_all")
    if odd := _NOT_DECIMAL.search(line):
        raise CommandError(
            f"write numbers as plain decimals like 0.5 or 61000, not {clip(odd.group(0), 12)}"
        )
    match = re.fullmatch(r"(?:lev|leverage)\s*x?\s*([0-9]+)x?", line)
    if match:
        return PlayerInput(tick, "leverage", leverage=_leverage(match.group(1)))
    match = re.fullmatch(rf"(?:margin|m)\s*([+-])\s*({_NUM})", line)
    if match:
        sign, amount = match.groups()
        cash = _number(amount, parse_cash, "margin amount", MAX_ADDED_MARGIN, _dollars)
        return PlayerInput(tick, "add_margin" if sign == "+" else "remove_margin", amount=cash)
    match = _ORDER.match(line)
    if match is None:
        raise CommandError(f"cannot read {clip(repr(text.strip()), 60)}: {HELP}")
    side = BUY if match["side"] in ("b", "buy", "long") else SELL
    qty = _number(match["qty"], parse_qty, "quantity", MAX_QTY, _coins)
    price = _number(match["price"], parse_price, "price", MAX_PRICE, format_price)
    leverage = _leverage(match["lev"]) if match["lev"] else None
    return PlayerInput.order(
        tick, side, qty, price or None, leverage=leverage, reduce_only=bool(match["ro"])
    )


def _leverage(digits: str) -> int:
    if len(digits) > len(str(MAX_LEVERAGE)):
        raise CommandError(
            f"leverage {clip(digits, 12)} ({len(digits):,} digits) is far too high: "
            f"at most {MAX_LEVERAGE}x"
        )
    value = int(digits)
    if not 1 <= value <= MAX_LEVERAGE:
        raise CommandError(f"leverage must be from 1x to {MAX_LEVERAGE}x, not {value}x")
    return value


def _number(
    raw: str | None,
    parse: Callable[[str], int],
    what: str,
    limit: int,
    show: Callable[[int], str],
) -> int:
    """A positive amount no larger than ``limit``, read exactly; 0 when ``raw`` is None."""
    if raw is None:
        return 0
    if len(raw) > MAX_NUMBER_CHARS:
        raise CommandError(
            f"the {what} {clip(raw, 12)} ({len(raw):,} characters) is far too large: "
            f"at most {show(limit)}"
        )
    text = _decimal_point(raw, what)
    try:
        value = parse(text)
    except UnitError as exc:
        reason = str(exc).split(": ", 1)[-1]
        raise CommandError(f"the {what} {reason}") from None
    if value <= 0:
        raise CommandError(f"the {what} must be more than zero")
    if value > limit:
        raise CommandError(f"the {what} {raw} is too large: at most {show(limit)}")
    return value


def _decimal_point(raw: str, what: str) -> str:
    """Commas as the game shows them (``61,000.5``) or a decimal comma (``0,5``); else refused.

    A quantity like ``1,500`` could be 1.5 or 1,500 coins: it is refused rather than guessed.
    """
    if "," not in raw:
        return raw
    if _THOUSANDS.fullmatch(raw):
        if what == "quantity" and "." not in raw:
            plain = raw.replace(",", "")
            raise CommandError(
                f"the quantity {raw} could mean {raw.replace(',', '.')} or {plain} coins: "
                f"write {raw.replace(',', '.')} or {plain}"
            )
        return raw.replace(",", "")
    if _DECIMAL_COMMA.fullmatch(raw):
        return raw.replace(",", ".")
    raise CommandError(f"cannot read the {what} {raw!r}: write decimals with a point, like 0.5")


def _coins(lots: int) -> str:
    return format_coin(lots) + " coins"


def _dollars(cash: int) -> str:
    return "$" + format_cash(cash, places=0)
