"""The level file's sections as they are: [meta], [market] (with its funding and waterfall),
[vault], [player], [[accounts]], [[traders]] and [oracle].

Each model checks what it can alone (the market's margin against its leverage, keyframes in
order); checks across sections and the defaults one section takes from another live in
:mod:`perpgame.level.schema.checks` and :mod:`perpgame.level.schema.defaults`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from perpgame.engine.units import PPM
from perpgame.level.schema.base import LIMITS, MAX_LEVERAGE, FieldIssue, StrictModel
from perpgame.level.schema.fields import (
    Cash,
    CashRange,
    Drift,
    Lesson,
    LeverageRange,
    Line,
    Millis,
    PositiveCash,
    PositiveQty,
    Price,
    Qty,
    Share,
    Slug,
    SmallRate,
    Title,
    WholeInt,
    Word,
    plain_price,
    plain_rate,
)
from perpgame.level.schema.names import Archetype, Policy, build_params, check_params

# --------------------------------------------------------------------------------------------------
# [meta]


GAME_SPEEDS = (1, 2, 5, 10)
"""The speeds the game plays at, in times the level's own pace (the keys 1 to 4)."""


class Meta(StrictModel):
    id: Slug
    title: Title
    lesson: Lesson
    order: WholeInt = Field(0, ge=0, le=10_000)
    """Position in the curriculum; 0 = not in the curriculum (sandbox, experiments)."""
    difficulty: WholeInt = Field(1, ge=1, le=5)
    summary: Line = ""
    tick_ms: Millis = Field(500, validation_alias="tick_seconds")
    """Game time per tick, in milliseconds (``tick_seconds`` in the file)."""
    max_speed: WholeInt = GAME_SPEEDS[-1]
    """The fastest speed the game offers on this level: a level whose lesson is acting in time
    (a window of seconds) sets 2 or 5, where 10x would pass the moment before a newcomer acts."""

    @field_validator("tick_ms")
    @classmethod
    def _tick_range(cls, v: int) -> int:
        if not 10 <= v <= 60_000:
            raise ValueError(f"must be between 0.01 and 60 seconds, got {v / 1000:g}")
        return v

    @field_validator("max_speed")
    @classmethod
    def _a_game_speed(cls, v: int) -> int:
        if v not in GAME_SPEEDS:
            speeds = ", ".join(str(s) for s in GAME_SPEEDS[:-1]) + f" or {GAME_SPEEDS[-1]}"
            raise ValueError(f"must be a speed the game offers: {speeds} (times), got {v}")
        return v


# --------------------------------------------------------------------------------------------------
# [market]


class Funding(StrictModel):
    interval: WholeInt = Field(0, ge=0, le=LIMITS["ticks"])
    """Ticks between funding payments; 0 = no funding."""
    interest: SmallRate = 100
    clamp: SmallRate = 500
    cap: SmallRate = 40_000


VENUE_TRIGGERS: dict[str, str] = {
    "hyperliquid": "deficit",
    "dydx": "deficit",
    "bitmex": "takeover",
    "binance": "takeover",
}
"""The venue a level follows, and the ADL trigger that venue runs (docs/mechanics.md)."""


class Waterfall(StrictModel):
    book: bool = True
    partial: Share = 0
    partial_min_notional: Cash = 0
    backstop_threshold: Share = 666_667
    adl_policy: Policy = "pnl_leverage"
    venue: Literal["hyperliquid", "dydx", "bitmex", "binance"] | None = None
    """The venue whose waterfall rules the level follows; it sets ``adl_trigger``."""
    adl_trigger: Literal["deficit", "takeover"] | None = None
    """``deficit``: ADL only against equity below zero; ``takeover``: whatever the book and the
    vault cannot take at the bankruptcy price. Default: the venue's, else ``deficit``."""
    adl_choices: list[Policy] = Field(default_factory=list, max_length=50)
    """The ADL policies the player may pick before the crash (empty: no pick in this level)."""

    @model_validator(mode="after")
    def _venue_rule(self) -> Waterfall:
        if self.venue and self.adl_trigger and self.adl_trigger != VENUE_TRIGGERS[self.venue]:
            raise FieldIssue(
                "adl_trigger",
                f"{self.venue} runs the {VENUE_TRIGGERS[self.venue]!r} trigger, not "
                f"{self.adl_trigger!r}: drop venue or adl_trigger",
            )
        twice = sorted({p for p in self.adl_choices if self.adl_choices.count(p) > 1})
        if twice:
            raise FieldIssue("adl_choices", f"each policy once, got {', '.join(twice)} twice")
        return self

    @property
    def trigger(self) -> str:
        """The ADL trigger in force: as given, else the venue's, else ``deficit``."""
        if self.adl_trigger:
            return self.adl_trigger
        return VENUE_TRIGGERS[self.venue] if self.venue else "deficit"


class Market(StrictModel):
    symbol: Word = "BTC-PERP"
    start_price: Price = 6_000_000
    tick_size: Price = 50
    lot_size: PositiveQty = 10
    max_leverage: WholeInt = Field(20, ge=1, le=MAX_LEVERAGE)
    maintenance: Share = 25_000
    taker_fee: SmallRate = 500
    maker_fee: SmallRate = 100
    liquidation_fee: SmallRate = 5_000
    mark: Literal["median", "index", "mid", "last"] = "median"
    funding: Funding = Field(default_factory=Funding)
    waterfall: Waterfall = Field(default_factory=Waterfall)

    @model_validator(mode="after")
    def _coherent(self) -> Market:
        issues: list[tuple[str, str]] = []
        if self.maintenance <= 0:
            issues.append(("maintenance", "must be more than 0%"))
        elif self.maintenance * self.max_leverage >= PPM:
            most = (PPM - 1) // self.max_leverage
            issues.append(
                (
                    "maintenance",
                    f"{plain_rate(self.maintenance)} is not below the initial margin at "
                    f"{self.max_leverage}x ({plain_rate(PPM // self.max_leverage)}): "
                    f"use at most {plain_rate(most)} or a lower max_leverage",
                )
            )
        if self.start_price % self.tick_size:
            issues.append(
                (
                    "start_price",
                    f"{plain_price(self.start_price)} is not a multiple of the tick size "
                    f"{plain_price(self.tick_size)}",
                )
            )
        if issues:
            raise FieldIssue.many(issues)
        return self


# --------------------------------------------------------------------------------------------------
# [vault], [player], [[accounts]]


class Vault(StrictModel):
    cash: Cash = 100_000 * 1_000_000
    leverage: WholeInt = Field(5, ge=1, le=MAX_LEVERAGE)
    max_notional: Cash = 0
    """A cap on the vault's position notional; 0 = no cap."""
    unwinder: bool = True
    """A ``vault_unwinder`` bot runs the vault (unless the player is the vault)."""


class Player(StrictModel):
    cash: PositiveCash = 10_000 * 1_000_000
    leverage: WholeInt | None = Field(None, ge=1, le=MAX_LEVERAGE)
    """Starting leverage; unset = min(10, max_leverage). Filled in by the level."""
    max_leverage: WholeInt | None = Field(None, ge=1, le=MAX_LEVERAGE)
    """The player's cap; unset = the market's max_leverage. Filled in by the level."""
    role: Literal["trader", "vault"] = "trader"
    position: Qty = 0
    entry: Price | None = None
    """Entry price of the preset position; unset = the market's start price."""


class Accounts(StrictModel):
    """One exact account, set up before the first tick."""

    name: Word
    cash: PositiveCash
    group: Word | None = None
    """Unset = the bot archetype if there is one, else ``preset``. Filled in by the level."""
    position: Qty = 0
    entry: Price | None = None
    leverage: WholeInt | None = Field(None, ge=1, le=MAX_LEVERAGE)
    bot: Archetype | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _params(cls, v: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if "bot" in info.data and info.data["bot"] is not None:
            check_params(info.data["bot"], v)
        elif v and "bot" in info.data:
            raise ValueError("params are for a bot: set `bot = ARCHETYPE` too, or remove them")
        return v


class Population(StrictModel):
    """Fields of a trader population (``[[traders]]`` and the timeline's ``spawn``)."""

    archetype: Archetype
    count: WholeInt = Field(1, ge=1, le=LIMITS["population"])
    group: Word | None = None
    """Unset = the archetype's name. Filled in by the level."""
    cash: CashRange = (10_000 * 1_000_000, 10_000 * 1_000_000)
    leverage: LeverageRange | None = None
    """Unset = min(10, max_leverage) for all. Filled in by the level."""
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _params(cls, v: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if "archetype" in info.data:
            check_params(info.data["archetype"], v)
        return v

    def build_params(self) -> object:
        """The archetype's ``Params`` object, built from ``params``."""
        return build_params(self.archetype, self.params)


class Traders(Population):
    pass


# --------------------------------------------------------------------------------------------------
# [oracle]


class Keyframe(StrictModel):
    """The index glides to ``price`` by ``tick`` (tick 0 is the market's start price)."""

    tick: WholeInt = Field(ge=1, le=LIMITS["ticks"])
    price: Price


class Oracle(StrictModel):
    volatility: SmallRate = 0
    """Standard deviation of the index's move per tick."""
    drift: Drift = 0
    """Average move of the index per tick (signed)."""
    keyframes: list[Keyframe] = Field(default_factory=list, max_length=LIMITS["keyframes"])

    @field_validator("keyframes")
    @classmethod
    def _increasing(cls, v: list[Keyframe]) -> list[Keyframe]:
        for i in range(1, len(v)):
            if v[i].tick <= v[i - 1].tick:
                raise FieldIssue(
                    f"[{i + 1}].tick",
                    f"keyframes must be in increasing tick order: tick {v[i].tick} comes after "
                    f"tick {v[i - 1].tick}",
                )
        return v
