"""Numbers for people, and people's numbers for the game: what the TUI uses instead of the engine."""

from perpgame.engine.book import BUY, SELL
from perpgame.engine.units import (
    CASH_SCALE,
    PPM,
    PRICE_SCALE,
    QTY_SCALE,
    UnitError,
    format_cash,
    format_price,
    format_qty,
    format_rate,
    parse_cash,
    parse_price,
    parse_qty,
)


def format_coin(lots: int) -> str:
    """Lots as coins without trailing zeros: 5_000 -> ``"0.5"``."""
    text = format_qty(abs(lots), places=4)
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return ("-" if lots < 0 else "") + text


def coin_size(lots: int) -> str:
    """How many coins, whatever the side: -5_000 -> ``"0.5"`` (:func:`side_word` says the side)."""
    return format_coin(abs(lots))


def side_word(lots: int) -> str:
    """The side of a size: ``"long"`` above zero, else ``"short"``."""
    return "long" if lots > 0 else "short"


def format_pct(ppm: int, places: int = 1) -> str:
    """Parts per million as a percentage: 12_345 -> ``"1.2%"``."""
    return f"{ppm / 10_000:.{places}f}%"


__all__ = [
    "BUY",
    "CASH_SCALE",
    "PPM",
    "PRICE_SCALE",
    "QTY_SCALE",
    "SELL",
    "UnitError",
    "coin_size",
    "format_cash",
    "format_coin",
    "format_pct",
    "format_price",
    "format_qty",
    "format_rate",
    "parse_cash",
    "parse_price",
    "parse_qty",
    "side_word",
]
