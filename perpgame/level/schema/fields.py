"""Field types: human text in, engine integers out.

Money is read from human text (``"60000"``, ``"0.05%"``, ``"5bps"``) with the engine's own parsers
(:mod:`perpgame.engine.units`) and stored in engine units: prices in cents, quantities in lots of
1e-4 coin, cash in micro-dollars, rates in parts per million. A TOML float is accepted only when it
is exact in the unit (``tick_size = 0.5`` is fine, ``start_price = 0.001`` is not). Seconds,
ranges, names, ids, texts and conditions are read here too; the ``plain_*`` helpers write an
amount back the way a message shows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, PlainValidator

from perpgame.engine.units import (
    PPM,
    UnitError,
    format_cash,
    format_price,
    format_qty,
    format_rate,
    parse_cash,
    parse_price,
    parse_qty,
    parse_rate,
)
from perpgame.level.schema.base import MAX_CASH, MAX_LEVERAGE, MAX_PRICE, MAX_QTY, show_value
from perpgame.world.conditions import Condition, ConditionError, parse_condition

_STRIP = re.compile(r"[,_$\s]")


def _number_text(value: object, example: str, *, rate: bool = False) -> str | int:
    """A TOML value as text the unit parsers read, refusing what they must not see."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"expected a number like {example}, got {show_value(value)}")
    if isinstance(value, int):
        if abs(value) > 10**18:
            raise ValueError(f"{value} is far too large")
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"expected a finite number like {example}, got {show_value(value)}")
        text = repr(value)
    else:
        text = str(value)
    if len(text) > 40:
        raise ValueError(f"expected a number like {example}, got a {len(text)}-character text")
    raw = _STRIP.sub("", text).lower()
    if rate:
        for suffix in ("bps", "%"):
            if raw.endswith(suffix):
                raw = raw[: -len(suffix)]
                break
    try:
        number = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise ValueError(f"expected a number like {example}, got {show_value(value)}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number like {example}, got {show_value(value)}")
    if number and number.adjusted() > 18:
        raise ValueError(f"{show_value(value)} is far too large")
    if number and number.adjusted() < -18:
        raise ValueError(f"{show_value(value)} has too many decimal places")
    return text


def _unit_message(exc: UnitError) -> str:
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def _amount(
    parse: Callable[[Any], int],
    fmt: Callable[[int], str],
    example: str,
    lo: int | None,
    hi: int | None,
    *,
    rate: bool = False,
    lo_open: bool = False,
) -> Callable[[object], int]:
    """A validator: a TOML number or string -> engine units, within [lo, hi] (or (lo, hi])."""

    def validate(value: object) -> int:
        text = _number_text(value, example, rate=rate)
        try:
            units = parse(text)
        except UnitError as exc:
            raise ValueError(_unit_message(exc)) from None
        if lo is not None and (units <= lo if lo_open else units < lo):
            word = "more than" if lo_open else "at least"
            raise ValueError(f"must be {word} {fmt(lo)}, got {fmt(units)}")
        if hi is not None and units > hi:
            raise ValueError(f"must be at most {fmt(hi)}, got {fmt(units)}")
        return units

    return validate


def plain_price(v: int) -> str:
    return format_price(v, sep=False)


def plain_qty(v: int) -> str:
    return format_qty(v, sep=False).rstrip("0").rstrip(".") or "0"


def plain_cash(v: int) -> str:
    return format_cash(v, sep=False)


def plain_rate(ppm: int) -> str:
    """500 -> ``"0.05%"``."""
    text = format_rate(ppm)[:-1]
    return text.rstrip("0").rstrip(".") + "%"


_price = _amount(parse_price, plain_price, '"60000"', 0, MAX_PRICE, lo_open=True)
_qty = _amount(parse_qty, plain_qty, '"0.5"', -MAX_QTY, MAX_QTY)
_positive_qty = _amount(parse_qty, plain_qty, '"0.5"', 0, MAX_QTY, lo_open=True)
read_cash = _amount(parse_cash, plain_cash, '"10000"', 0, MAX_CASH)
_positive_cash = _amount(parse_cash, plain_cash, '"10000"', 0, MAX_CASH, lo_open=True)
read_share = _amount(parse_rate, plain_rate, '"2.5%"', 0, PPM, rate=True)
read_small_rate = _amount(parse_rate, plain_rate, '"0.05%"', 0, PPM // 10, rate=True)
_drift = _amount(parse_rate, plain_rate, '"0.01%"', -PPM // 10, PPM // 10, rate=True)
_change = _amount(parse_rate, plain_rate, '"-30%"', -PPM, 10 * PPM, rate=True, lo_open=True)

Price = Annotated[int, BeforeValidator(_price)]
"""A positive price, in cents."""
Qty = Annotated[int, BeforeValidator(_qty)]
"""A signed quantity (long > 0), in lots of 1e-4 coin."""
PositiveQty = Annotated[int, BeforeValidator(_positive_qty)]
Cash = Annotated[int, BeforeValidator(read_cash)]
"""A cash amount, zero or more, in micro-dollars."""
PositiveCash = Annotated[int, BeforeValidator(_positive_cash)]
Share = Annotated[int, BeforeValidator(read_share)]
"""A rate from 0% to 100%, in parts per million."""
SmallRate = Annotated[int, BeforeValidator(read_small_rate)]
"""A non-negative rate up to 10% (fees, funding, per-tick volatility), in ppm."""
Drift = Annotated[int, BeforeValidator(_drift)]
"""A signed rate per tick, -10% .. +10%, in ppm."""
Change = Annotated[int, BeforeValidator(_change)]
"""A signed price change: more than -100%, at most +1000%, in ppm."""


def _millis(value: object) -> int:
    text = _number_text(value, "0.5", rate=False)
    if isinstance(text, str) and re.search(r"[a-z%]", text.lower()):
        raise ValueError(f"expected a number of seconds like 0.5, got {show_value(value)}")
    number = Decimal(str(text).replace(",", "").replace("_", "")) * 1000
    if number != number.to_integral_value():
        raise ValueError(f"{show_value(value)} is finer than a millisecond")
    return int(number)


Millis = Annotated[int, BeforeValidator(_millis)]
"""Seconds in the file (``0.5``, ``"90"``), milliseconds in the model."""

WholeInt = Annotated[int, Field(strict=True)]


def _leverage_range(value: object) -> tuple[int, int]:
    return _int_range(value, "leverage", 1, MAX_LEVERAGE)


def _int_range(value: object, what: str, lo: int, hi: int) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        pair = (value, value)
    elif (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        pair = (value[0], value[1])
    else:
        raise ValueError(
            f"expected a whole number like 10 or a range like [2, 20], got {show_value(value)}"
        )
    for v in pair:
        if not lo <= v <= hi:
            raise ValueError(f"{what} must be between {lo} and {hi}, got {v}")
    if pair[0] > pair[1]:
        raise ValueError(f"a range is [min, max], got [{pair[0]}, {pair[1]}]")
    return pair


LeverageRange = Annotated[tuple[int, int], BeforeValidator(_leverage_range)]


def _cash_range(value: object) -> tuple[int, int]:
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError(
                f'expected an amount like "10000" or a range like ["5000", "20000"], '
                f"got a list of {len(value)}"
            )
        lo, hi = _positive_cash(value[0]), _positive_cash(value[1])
        if lo > hi:
            raise ValueError(f"a range is [min, max], got [{plain_cash(lo)}, {plain_cash(hi)}]")
        return (lo, hi)
    one = _positive_cash(value)
    return (one, one)


CashRange = Annotated[tuple[int, int], BeforeValidator(_cash_range)]
"""Cash for each trader of a population: one amount, or a uniform [min, max] range."""


def _text(limit: int, *, required: bool = True) -> Any:
    def validate(value: object) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {show_value(value)}")
        if required and not value.strip():
            raise ValueError("must not be empty")
        if len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long; the limit is {limit:,}")
        return value

    return Annotated[str, PlainValidator(validate), PlainSerializer(str)]


def _name(noun: str, fits: Callable[[str], bool], rule: str) -> Any:
    """Text that names a thing (``noun``, with its article) when ``fits`` it; ``rule`` says how."""

    def validate(value: object) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected {noun} as text, got {show_value(value)}")
        if not fits(value):
            raise ValueError(f"{value!r} is not {rule}")
        return value

    return Annotated[str, PlainValidator(validate), PlainSerializer(str)]


_WORD = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

Word = _name(
    "a name",
    lambda v: _WORD.match(v) is not None,
    "a usable name: use up to 32 letters, digits, '_', '-' or '.', no spaces",
)
Slug = _name(
    "an id",
    lambda v: _SLUG.fullmatch(v) is not None and len(v) <= 48,
    "a valid id: use lowercase letters, digits and single dashes, like 'happy-path'",
)


def _condition(value: object) -> Condition:
    if isinstance(value, Condition):
        return value
    if not isinstance(value, str):
        raise ValueError(
            f"expected a condition as text like 'mark < 55000', got {show_value(value)}"
        )
    if len(value) > 1_000:
        raise ValueError("a condition is at most 1,000 characters")
    try:
        return parse_condition(value)
    except ConditionError as exc:
        raise ValueError(str(exc)) from None
    except Exception as exc:
        raise ValueError(f"cannot read this condition: {exc}") from None


Cond = Annotated[
    Condition, PlainValidator(_condition), PlainSerializer(lambda c: c.text, return_type=str)
]
"""A condition in the mini-language of :mod:`perpgame.world.conditions`, parsed at load."""


Title = _text(80)
Lesson = _text(10_000)
Line = _text(200, required=False)
Note = _text(2_000, required=False)
