"""The [[timeline]]: what happens when, one model per ``do`` (narrate, gap, move, spawn, set...).

Every entry has a trigger (``at`` a tick or ``when`` a condition, ``once`` or ``every``); ``set``
changes one market setting mid-game, read with the parsers of :data:`SETTINGS`. Whether a group
or a command exists is a cross-check of the whole level (:mod:`perpgame.level.schema.checks`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer, PlainValidator, model_validator

from perpgame.engine.config import ADL_TRIGGERS, MARK_METHODS
from perpgame.level.schema.base import LIMITS, MAX_LEVERAGE, FieldIssue, StrictModel, show_value
from perpgame.level.schema.fields import (
    Change,
    Cond,
    Note,
    PositiveCash,
    Price,
    SmallRate,
    WholeInt,
    Word,
    read_cash,
    read_share,
    read_small_rate,
)
from perpgame.level.schema.names import check_policy, known_name
from perpgame.level.schema.sections import Population
from perpgame.world.conditions import METRICS

NARRATION_PLACEHOLDERS: tuple[str, ...] = tuple(
    dict.fromkeys((*METRICS, "player_liq_price", "player_entry", "vault_cash"))
)


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def _narration(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {show_value(value)}")
    if not value.strip():
        raise ValueError("must not be empty")
    if len(value) > 2_000:
        raise ValueError(f"is {len(value):,} characters long; the limit is 2,000")
    for name in _PLACEHOLDER.findall(value):
        if name not in NARRATION_PLACEHOLDERS:
            close = difflib.get_close_matches(name, NARRATION_PLACEHOLDERS, n=1)
            hint = f" (did you mean {{{close[0]}}}?)" if close else ""
            raise ValueError(
                f"unknown placeholder {{{name}}}{hint}; known: {', '.join(NARRATION_PLACEHOLDERS)}"
            )
    rest = _PLACEHOLDER.sub("", value)
    if "{" in rest or "}" in rest:
        bad = re.search(r"\{[^{}]*\}?|\}", rest)
        shown = bad.group(0) if bad else "{"
        raise ValueError(
            f"braces are only for placeholders like {{mark}} (lowercase name, no spaces); "
            f"cannot read {shown!r}"
        )
    return value


class _Trigger(StrictModel):
    at: WholeInt | None = Field(None, ge=0, le=LIMITS["ticks"])
    when: Cond | None = None
    once: bool = True
    every: WholeInt | None = Field(None, ge=1, le=LIMITS["ticks"])

    @model_validator(mode="after")
    def _one_trigger(self) -> _Trigger:
        if self.at is None and self.when is None:
            raise ValueError('needs a trigger: `at = TICK` or `when = "CONDITION"`')
        if self.at is not None and self.when is not None:
            raise FieldIssue("when", "give either `at` or `when`, not both")
        if self.every is not None:
            if "once" in self.model_fields_set and self.once:
                raise FieldIssue("once", "`once = true` contradicts `every`: drop one of them")
            self.once = False
        return self

    @property
    def repeats(self) -> bool:
        """True when the entry can fire more than once."""
        return self.every is not None or (self.when is not None and not self.once)


class Narrate(_Trigger):
    do: Literal["narrate"]
    text: Annotated[str, PlainValidator(_narration), PlainSerializer(str)]

    @property
    def placeholders(self) -> list[str]:
        """The ``{names}`` in ``text``, in order."""
        return _PLACEHOLDER.findall(self.text)


class Gap(_Trigger):
    """The index jumps by ``change`` at once (a shock)."""

    do: Literal["gap"]
    change: Change


class Move(_Trigger):
    """The index glides by ``change`` over ``ticks`` ticks."""

    do: Literal["move"]
    change: Change
    ticks: WholeInt = Field(ge=1, le=LIMITS["ticks"])


class MoveTo(_Trigger):
    """The index glides to ``price`` over ``ticks`` ticks."""

    do: Literal["move_to"]
    price: Price
    ticks: WholeInt = Field(ge=1, le=LIMITS["ticks"])


class Volatility(_Trigger):
    do: Literal["volatility"]
    value: SmallRate


class PullLiquidity(_Trigger):
    """Market makers in ``group`` (unset: every market maker) cancel their quotes and stop."""

    do: Literal["pull_liquidity"]
    group: Word | None = None


class RestoreLiquidity(_Trigger):
    do: Literal["restore_liquidity"]
    group: Word | None = None


class Spawn(_Trigger, Population):
    """A new population arrives with fresh cash."""

    do: Literal["spawn"]


class Command(_Trigger):
    """Tell the bots of ``group`` to do ``name`` (e.g. a whale's ``sell``) with ``args``."""

    do: Literal["command"]
    group: Word
    name: Word
    args: dict[str, Any] = Field(default_factory=dict)


def _int_setting(lo: int, hi: int) -> Callable[[object], int]:
    def parse(v: object) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"expected a whole number, got {show_value(v)}")
        if not lo <= v <= hi:
            raise ValueError(f"must be between {lo} and {hi}, got {v}")
        return v

    return parse


def _bool_setting(v: object) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"expected true or false, got {show_value(v)}")
    return v


def _trigger_setting(v: object) -> str:
    if v not in ADL_TRIGGERS:
        raise ValueError(f"expected one of {', '.join(ADL_TRIGGERS)}, got {show_value(v)}")
    return str(v)


def _mark_setting(v: object) -> str:
    if v not in MARK_METHODS:
        raise ValueError(f"expected one of {', '.join(MARK_METHODS)}, got {show_value(v)}")
    return str(v)


# setting (as written in the level file) -> (MarketConfig field, parser of the TOML value)
SETTINGS: dict[str, tuple[str, Callable[[object], Any]]] = {
    "market.max_leverage": ("max_leverage", _int_setting(1, MAX_LEVERAGE)),
    "market.maintenance": ("maintenance_ppm", read_share),
    "market.taker_fee": ("taker_fee_ppm", read_small_rate),
    "market.maker_fee": ("maker_fee_ppm", read_small_rate),
    "market.liquidation_fee": ("liquidation_fee_ppm", read_small_rate),
    "market.mark": ("mark_method", _mark_setting),
    "market.funding.interval": ("funding_interval", _int_setting(0, LIMITS["ticks"])),
    "market.funding.interest": ("funding_interest_ppm", read_small_rate),
    "market.funding.clamp": ("funding_clamp_ppm", read_small_rate),
    "market.funding.cap": ("funding_cap_ppm", read_small_rate),
    "market.waterfall.book": ("book_liquidation", _bool_setting),
    "market.waterfall.partial": ("partial_liquidation_ppm", read_share),
    "market.waterfall.partial_min_notional": ("partial_min_notional", read_cash),
    "market.waterfall.backstop_threshold": ("backstop_ppm", read_share),
    "market.waterfall.adl_policy": ("adl_policy", check_policy),
    "market.waterfall.adl_trigger": ("adl_trigger", _trigger_setting),
    "vault.leverage": ("vault_leverage", _int_setting(1, MAX_LEVERAGE)),
    "vault.max_notional": ("vault_max_notional", read_cash),
}


class Set(_Trigger):
    """Change one market setting mid-game. ``value`` is stored in engine units."""

    do: Literal["set"]
    setting: str
    value: Any

    @model_validator(mode="after")
    def _known_setting(self) -> Set:
        name = self.setting
        if name not in SETTINGS:
            # a short name works when it is unambiguous: "adl_policy", "funding.interval"
            matches = [full for full in SETTINGS if full.endswith(f".{name}")]
            if len(matches) == 1:
                name = matches[0]
        if name not in SETTINGS:
            try:
                known_name(name, list(SETTINGS), "setting")
            except ValueError as exc:
                raise FieldIssue("setting", str(exc)) from None
        try:
            value = SETTINGS[name][1](self.value)
        except ValueError as exc:
            raise FieldIssue("value", f"{exc} (for {name})") from None
        self.setting = name
        self.value = value
        return self

    @property
    def config_field(self) -> str:
        """The :class:`MarketConfig` attribute this changes."""
        return SETTINGS[self.setting][0]


class VaultDeposit(_Trigger):
    """Fresh cash enters the vault (a new deposit to the pile)."""

    do: Literal["vault_deposit"]
    cash: PositiveCash


class End(_Trigger):
    do: Literal["end"]
    result: Literal["win", "lose"]
    text: Note = ""


TimelineEntry = Annotated[
    Narrate
    | Gap
    | Move
    | MoveTo
    | Volatility
    | PullLiquidity
    | RestoreLiquidity
    | Spawn
    | Command
    | Set
    | VaultDeposit
    | End,
    Field(discriminator="do"),
]

ACTION_KINDS: tuple[str, ...] = (
    "narrate",
    "gap",
    "move",
    "move_to",
    "volatility",
    "pull_liquidity",
    "restore_liquidity",
    "spawn",
    "command",
    "set",
    "vault_deposit",
    "end",
)
