"""Fixed-point units: the one place that knows about decimals.

Everything in the engine is an integer:

* a **price** is counted in cents (``PRICE_SCALE`` = 100 units per dollar);
* a **quantity** is counted in lots of 1e-4 coin (``QTY_SCALE`` = 10_000 lots per coin);
* **cash** is counted in micro-dollars (``CASH_SCALE`` = 1_000_000 units per dollar).

So ``price * qty`` is exactly a cash amount: 100 * 10_000 = 1_000_000. Rates (fees, margin
fractions, funding) are integers in parts per million (``PPM``). Parsing from and formatting to
human strings happens here and nowhere else.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

PRICE_SCALE = 100
QTY_SCALE = 10_000
CASH_SCALE = 1_000_000
PPM = 1_000_000

assert PRICE_SCALE * QTY_SCALE == CASH_SCALE


class UnitError(ValueError):
    """A human string could not be read as an exact amount in the unit asked for."""


def ceil_div(a: int, b: int) -> int:
    """Integer division rounding towards +infinity (``b`` may be negative)."""
    return -((-a) // b)


def _parse(text: str | int | Decimal, scale: int, what: str) -> int:
    if isinstance(text, bool):
        raise UnitError(f"{what}: expected a number, got {text!r}")
    if isinstance(text, int):
        return text * scale
    raw = str(text).strip().replace(",", "").replace("_", "").lstrip("$")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise UnitError(f"{what}: {text!r} is not a number") from None
    if not value.is_finite():
        raise UnitError(f"{what}: {text!r} is not a finite number")
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        digits = len(str(scale)) - 1
        raise UnitError(f"{what}: {text!r} has more than {digits} decimal places")
    return int(scaled)


def parse_price(text: str | int | Decimal) -> int:
    """``"61,000.5"`` -> 6_100_050 cents."""
    return _parse(text, PRICE_SCALE, "price")


def parse_qty(text: str | int | Decimal) -> int:
    """``"0.5"`` -> 5_000 lots."""
    return _parse(text, QTY_SCALE, "quantity")


def parse_cash(text: str | int | Decimal) -> int:
    """``"1,000"`` -> 1_000_000_000 micro-dollars."""
    return _parse(text, CASH_SCALE, "cash")


def parse_rate(text: str | int | Decimal) -> int:
    """A fraction as parts per million: ``"0.0005"`` -> 500; ``"5bps"`` -> 500; ``"0.05%"`` -> 500."""
    raw = str(text).strip().lower()
    if raw.endswith("bps"):
        return _parse(raw[:-3], PPM // 10_000, "rate")
    if raw.endswith("%"):
        return _parse(raw[:-1], PPM // 100, "rate")
    return _parse(raw, PPM, "rate")


def to_decimal(value: int, scale: int) -> Decimal:
    """An exact Decimal for an integer amount in ``scale`` units per whole."""
    return Decimal(value) / Decimal(scale)


def _fmt(value: int, scale: int, places: int, sep: bool) -> str:
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), scale)
    digits = len(str(scale)) - 1
    frac_text = str(frac).rjust(digits, "0")[:places] if places else ""
    whole_text = f"{whole:,}" if sep else str(whole)
    return f"{sign}{whole_text}.{frac_text}" if places else f"{sign}{whole_text}"


def format_price(value: int, *, sep: bool = True) -> str:
    """6_100_050 -> ``"61,000.50"`` (always two decimals: prices are in cents)."""
    return _fmt(value, PRICE_SCALE, 2, sep)


def format_qty(value: int, *, places: int = 4, sep: bool = True) -> str:
    """5_000 -> ``"0.5000"``; trailing digits are cut, never rounded up."""
    return _fmt(value, QTY_SCALE, places, sep)


def format_cash(value: int, *, places: int = 2, sep: bool = True) -> str:
    """1_234_567_891 -> ``"1,234.56"`` (truncated toward zero to ``places``)."""
    return _fmt(value, CASH_SCALE, places, sep)


def format_rate(ppm: int) -> str:
    """500 -> ``"0.0500%"``."""
    sign = "-" if ppm < 0 else ""
    whole, frac = divmod(abs(ppm), PPM // 100)
    return f"{sign}{whole}.{str(frac).rjust(4, '0')}%"


def notional(price: int, qty: int) -> int:
    """The exact cash value of ``qty`` lots at ``price``."""
    return price * qty


def apply_rate(amount: int, ppm: int, *, round_up: bool = True) -> int:
    """``amount * ppm / 1e6``, rounded up (the default) or down; exact for exact inputs."""
    product = amount * ppm
    return ceil_div(product, PPM) if round_up else product // PPM
