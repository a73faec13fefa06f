"""What every part of the level schema shares.

The limits that protect the machine (a level file is data from anywhere), the strict base model
every table is read with, the error that names a sub-field, and how a bad value is shown in a
message.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from perpgame.engine.units import parse_cash, parse_price, parse_qty

# Limits that protect the machine (a level file is data from anywhere)
LIMITS = {
    "traders": 2_000,  # bot traders in all: every [[traders]] population and every spawn
    "population": 500,
    "accounts": 500,
    "time_limit_seconds": 3_600,
    "ticks": 100_000,
    "timeline": 1_000,
    "keyframes": 1_000,
    "conditions": 20,
    "stars": 2,
    "populations": 100,
}

MAX_PRICE = parse_price("100000000")  # $100M a coin
MAX_QTY = parse_qty("1000000000")  # 1e9 coins
MAX_CASH = parse_cash("1000000000000")  # $1T
MAX_LEVERAGE = 1_000
DEFAULT_LEVERAGE = 10
RESERVED_NAMES = ("player", "house", "vault")


class FieldIssue(ValueError):
    """A validation error about ``path`` below the field being validated (or several of them).

    The loader appends ``path`` to the pydantic location, so a check run on ``traders[2]`` can blame
    ``traders[2].params.spread_bps``. ``issues`` holds ``(path, message)`` pairs.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.issues: list[tuple[str, str]] = [(path, message)]

    @classmethod
    def many(cls, issues: list[tuple[str, str]]) -> FieldIssue:
        err = cls(*issues[0])
        err.issues = list(issues)
        return err


def show_value(value: object) -> str:
    """A value as an error message names it (``a table``, ``true``, a clipped repr)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# A table of the level file: unknown keys refused, no type coercion. (No docstring: pydantic would
# put it in the JSON schema of every table.)
class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)
