"""The level file's shape: pydantic models that turn TOML tables into exact integer settings.

Money is read from human text (``"60000"``, ``"0.05%"``, ``"5bps"``) with the engine's own parsers
(:mod:`perpgame.engine.units`) and stored in engine units: prices in cents, quantities in lots of
1e-4 coin, cash in micro-dollars, rates in parts per million. A TOML float is accepted only when it
is exact in the unit (``tick_size = 0.5`` is fine, ``start_price = 0.001`` is not).

The format is documented field by field in ``docs/levels.md``. Loading (and the friendly error
messages) lives in :mod:`perpgame.level.loader`; these models only validate. The package's parts:

- :mod:`~perpgame.level.schema.base`: limits, the strict base model, :class:`FieldIssue`;
- :mod:`~perpgame.level.schema.names`: bot archetypes, ADL policies, params and commands;
- :mod:`~perpgame.level.schema.fields`: field types (amounts, seconds, ranges, names, conditions);
- :mod:`~perpgame.level.schema.sections`: [meta], [market], [vault], [player], [[accounts]],
  [[traders]], [oracle];
- :mod:`~perpgame.level.schema.timeline` and :mod:`~perpgame.level.schema.objectives`;
- :mod:`~perpgame.level.schema.level`: the :class:`Level`, checked across sections by
  :mod:`~perpgame.level.schema.checks`, then completed by :mod:`~perpgame.level.schema.defaults`.

What other modules import is exported here.
"""

from perpgame.level.schema.base import (
    LIMITS,
    MAX_LEVERAGE,
    MAX_PRICE,
    MAX_QTY,
    FieldIssue,
    StrictModel,
    show_value,
)
from perpgame.level.schema.fields import (
    PositiveCash,
    PositiveQty,
    Price,
    WholeInt,
    plain_price,
    plain_qty,
)
from perpgame.level.schema.level import Level
from perpgame.level.schema.names import Policy, policy_names
from perpgame.level.schema.sections import GAME_SPEEDS
from perpgame.level.schema.timeline import (
    ACTION_KINDS,
    NARRATION_PLACEHOLDERS,
    SETTINGS,
    Command,
    End,
    Gap,
    Move,
    MoveTo,
    Narrate,
    PullLiquidity,
    RestoreLiquidity,
    Set,
    Spawn,
    VaultDeposit,
    Volatility,
)

__all__ = [
    "ACTION_KINDS",
    "GAME_SPEEDS",
    "LIMITS",
    "MAX_LEVERAGE",
    "MAX_PRICE",
    "MAX_QTY",
    "NARRATION_PLACEHOLDERS",
    "SETTINGS",
    "Command",
    "End",
    "FieldIssue",
    "Gap",
    "Level",
    "Move",
    "MoveTo",
    "Narrate",
    "Policy",
    "PositiveCash",
    "PositiveQty",
    "Price",
    "PullLiquidity",
    "RestoreLiquidity",
    "Set",
    "Spawn",
    "StrictModel",
    "VaultDeposit",
    "Volatility",
    "WholeInt",
    "plain_price",
    "plain_qty",
    "policy_names",
    "show_value",
]
