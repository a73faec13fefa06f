"""Conditions a level can wait for, written as text and parsed without ``eval``.

A condition is ``METRIC OP NUMBER`` (``mark < 55000``, ``player_liquidations >= 1``); several can be
joined with ``and``. Numbers are plain decimals in human units; ``parse_condition`` converts each to
the engine's integer unit for its metric. Metrics are read from a mapping that the game session fills
every tick (``METRICS`` lists them all with their units and meaning).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from perpgame.engine.units import parse_cash, parse_price, parse_qty

_NUMBER = r"-?[0-9][0-9_,]*(?:\.[0-9]+)?"
_CLAUSE = re.compile(rf"^\s*([a-z_][a-z0-9_]*)\s*(<=|>=|==|!=|<|>)\s*({_NUMBER})\s*$")

OPERATORS: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

# metric name -> (unit, meaning). Units: price, cash, qty, count, ppm, tick.
METRICS: dict[str, tuple[str, str]] = {
    "tick": ("count", "ticks since the level started"),
    "seconds": ("count", "game seconds since the level started"),
    "mark": ("price", "the mark price"),
    "index": ("price", "the index (external spot) price"),
    "last": ("price", "the last trade price"),
    "mid": ("price", "the middle of the order book"),
    "spread": ("price", "best ask minus best bid"),
    "book_depth": ("qty", "coins resting on both sides of the book"),
    "player_size": ("qty", "the player's position, long > 0"),
    "player_abs_size": ("qty", "the size of the player's position, long or short"),
    "player_equity": ("cash", "the player's equity at the mark"),
    "player_pnl": ("cash", "the player's equity minus all they deposited"),
    "player_cash": ("cash", "the player's cash (deposits and transfers)"),
    "player_leverage": ("count", "the player's chosen leverage"),
    "player_margin_ratio": ("ppm", "maintenance margin / equity, in ppm"),
    "player_trades": ("count", "fills the player took part in"),
    "player_liquidations": ("count", "times the player was liquidated"),
    "player_backstops": ("count", "times the vault took over the player's position"),
    "player_deleverages": ("count", "times the player was auto-deleveraged"),
    "player_adl_lights": ("count", "the player's ADL indicator, 0-5"),
    "player_margin_added": ("cash", "margin the player added during the level"),
    "player_funding": ("cash", "funding the player received (negative if paid)"),
    "player_filled_liquidations": ("qty", "liquidation orders the player's orders absorbed"),
    "vault_cash": ("cash", "the vault's cash"),
    "vault_equity": ("cash", "the vault's equity at the mark"),
    "vault_size": ("qty", "the vault's position"),
    "liquidations": ("count", "liquidation events so far"),
    "backstops": ("count", "backstop events so far"),
    "deleverages": ("count", "deleverage events so far"),
    "bad_debt": ("cash", "negative equity absorbed so far"),
    "open_interest": ("qty", "total long size (always equal to total short size)"),
}

_PARSERS: dict[str, Callable[[str], int]] = {
    "price": parse_price,
    "cash": parse_cash,
    "qty": parse_qty,
}


class ConditionError(ValueError):
    """A condition's text could not be read; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Clause:
    metric: str
    op: str
    value: int

    def holds(self, metrics: Mapping[str, int]) -> bool:
        return OPERATORS[self.op](metrics[self.metric], self.value)

    def describe(self, metrics: Mapping[str, int] | None = None) -> str:
        return f"{self.metric} {self.op} {self.value}"


@dataclass(frozen=True, slots=True)
class Condition:
    """Clauses that must all hold; ``text`` is what the level file said."""

    text: str
    clauses: tuple[Clause, ...]

    def holds(self, metrics: Mapping[str, int]) -> bool:
        return all(c.holds(metrics) for c in self.clauses)


def _to_unit(metric: str, raw: str) -> int:
    unit = METRICS[metric][0]
    parser = _PARSERS.get(unit)
    if parser is not None:
        return parser(raw)
    text = raw.replace(",", "").replace("_", "")
    if "." in text:
        raise ConditionError(f"{metric} is a whole number, got {raw}")
    return int(text)


def parse_condition(text: str) -> Condition:
    """``"mark < 55000 and player_size > 0"`` -> a Condition, or ConditionError naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("a condition must be text like 'mark < 55000'")
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _CLAUSE.match(part)
        if match is None:
            raise ConditionError(
                f"cannot read {part.strip()!r}: expected METRIC OP NUMBER, e.g. 'mark < 55000'"
            )
        metric, op, raw = match.groups()
        if metric not in METRICS:
            raise ConditionError(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")
        try:
            value = _to_unit(metric, raw)
        except ValueError as exc:
            raise ConditionError(str(exc)) from None
        clauses.append(Clause(metric, op, value))
    return Condition(text.strip(), tuple(clauses))
