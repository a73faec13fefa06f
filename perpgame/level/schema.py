"""The level file's shape: pydantic models that turn TOML tables into exact integer settings.

Money is read from human text (``"60000"``, ``"0.05%"``, ``"5bps"``) with the engine's own parsers
(:mod:`perpgame.engine.units`) and stored in engine units: prices in cents, quantities in lots of
1e-4 coin, cash in micro-dollars, rates in parts per million. A TOML float is accepted only when it
is exact in the unit (``tick_size = 0.5`` is fine, ``start_price = 0.001`` is not).

The format is documented field by field in ``docs/levels.md``. Loading (and the friendly error
messages) lives in :mod:`perpgame.level.loader`; these models only validate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from perpgame.engine.config import ADL_TRIGGERS, MARK_METHODS, MarketConfig
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
from perpgame.world.conditions import METRICS, Condition, ConditionError, parse_condition

__all__ = [
    "ACTION_KINDS",
    "LIMITS",
    "NARRATION_PLACEHOLDERS",
    "SETTINGS",
    "Accounts",
    "Command",
    "End",
    "Funding",
    "Gap",
    "Goal",
    "Keyframe",
    "Level",
    "Market",
    "Meta",
    "Move",
    "MoveTo",
    "Narrate",
    "Objectives",
    "Oracle",
    "Player",
    "Population",
    "PullLiquidity",
    "RestoreLiquidity",
    "Set",
    "Spawn",
    "TimelineEntry",
    "Traders",
    "Vault",
    "VaultDeposit",
    "Volatility",
    "Waterfall",
    "archetype_names",
    "check_command",
    "check_params",
    "policy_names",
]

# --------------------------------------------------------------------------------------------------
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

# --------------------------------------------------------------------------------------------------
# Errors that know which sub-field they are about


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


# --------------------------------------------------------------------------------------------------
# Registries of names the level may use (looked up late: other modules are written in parallel)


def policy_names() -> tuple[str, ...]:
    """Known ADL policy names (``perpgame.engine.adl.POLICIES``)."""
    from perpgame.engine.adl import POLICIES

    return tuple(POLICIES)


def _archetypes() -> dict[str, type]:
    from perpgame.world.bots import ARCHETYPES

    return dict(ARCHETYPES)


def archetype_names() -> tuple[str, ...]:
    """Known bot archetypes (``perpgame.world.bots.ARCHETYPES``); empty if bots cannot be loaded."""
    try:
        return tuple(_archetypes())
    except Exception:
        return ()


def _known(name: str, known: tuple[str, ...] | list[str], what: str) -> str:
    if name in known:
        return name
    hint = ""
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    if close:
        hint = f" (did you mean {close[0]!r}?)"
    raise ValueError(f"unknown {what} {name!r}{hint}; known: {', '.join(known)}")


def _check_archetype(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected an archetype name as text, got {_show(value)}")
    try:
        known = tuple(_archetypes())
    except Exception as exc:
        raise ValueError(
            f"cannot check archetypes: the bots module failed to load ({exc})"
        ) from None
    return _known(value, known, "archetype")


def _check_policy(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a policy name as text, got {_show(value)}")
    return _known(value, policy_names(), "ADL policy")


def _build_params(archetype: str, params: dict[str, Any]) -> object:
    return _archetypes()[archetype].make_params(params)  # type: ignore[attr-defined]


def check_params(archetype: str, params: dict[str, Any]) -> object:
    """Build the archetype's ``Params`` from a TOML table; ``FieldIssue`` names the bad key."""
    try:
        return _build_params(archetype, params)
    except (ValueError, TypeError) as exc:
        field, message = _blame_param(str(exc), archetype, params)
        raise FieldIssue(field, message) from None
    except Exception as exc:  # a bot's builder should not crash the loader
        raise FieldIssue("", f"{archetype} could not read its params: {exc!r}") from None


def _blame_param(text: str, archetype: str, params: dict[str, Any]) -> tuple[str, str]:
    """``"whale: parameter 'qty' must be at least 0"`` -> ``("qty", "must be at least 0")``."""
    if text.startswith(f"{archetype}: "):
        text = text[len(archetype) + 2 :]
    match = re.search(r"parameter '([A-Za-z_][A-Za-z0-9_]*)'", text)
    if match:
        key = match.group(1)
        if match.start() == 0:
            text = text[match.end() :].strip() or text
        return key, text
    match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*): (.+)$", text, re.S)
    if match and match.group(1) in params:
        return match.group(1), match.group(2)
    for key in params:
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(key)}(?![A-Za-z0-9_])", text):
            return key, text
    return "", text


def check_command(archetypes: list[str], name: str, args: dict[str, Any]) -> None:
    """Raise ``ValueError`` unless some bot among ``archetypes`` understands ``name`` with ``args``."""
    bots = _archetypes()
    knowing = [bots[a] for a in archetypes if a in bots and name in bots[a].commands]
    if not knowing:
        known = sorted({c for a in archetypes if a in bots for c in bots[a].commands})
        if not known:
            raise FieldIssue("group", "no bot in this group takes commands")
        raise FieldIssue(
            "name", f"no bot in this group understands {name!r}; commands: {', '.join(known)}"
        )
    for bot in knowing:
        try:
            bot.check_command(name, args)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            match = re.search(r"argument '([A-Za-z_][A-Za-z0-9_]*)'", message)
            raise FieldIssue(f"args.{match.group(1)}" if match else "args", message) from None


# --------------------------------------------------------------------------------------------------
# Field types: human text in, engine integers out


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_STRIP = re.compile(r"[,_$\s]")


def _number_text(value: object, example: str, *, rate: bool = False) -> str | int:
    """A TOML value as text the unit parsers read, refusing what they must not see."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"expected a number like {example}, got {_show(value)}")
    if isinstance(value, int):
        if abs(value) > 10**18:
            raise ValueError(f"{value} is far too large")
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"expected a finite number like {example}, got {_show(value)}")
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
        raise ValueError(f"expected a number like {example}, got {_show(value)}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number like {example}, got {_show(value)}")
    if number and number.adjusted() > 18:
        raise ValueError(f"{_show(value)} is far too large")
    if number and number.adjusted() < -18:
        raise ValueError(f"{_show(value)} has too many decimal places")
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


def _plain_price(v: int) -> str:
    return format_price(v, sep=False)


def _plain_qty(v: int) -> str:
    return format_qty(v, sep=False).rstrip("0").rstrip(".") or "0"


def _plain_cash(v: int) -> str:
    return format_cash(v, sep=False)


def _plain_rate(ppm: int) -> str:
    """500 -> ``"0.05%"``."""
    text = format_rate(ppm)[:-1]
    return text.rstrip("0").rstrip(".") + "%"


_price = _amount(parse_price, _plain_price, '"60000"', 0, MAX_PRICE, lo_open=True)
_qty = _amount(parse_qty, _plain_qty, '"0.5"', -MAX_QTY, MAX_QTY)
_positive_qty = _amount(parse_qty, _plain_qty, '"0.5"', 0, MAX_QTY, lo_open=True)
_cash = _amount(parse_cash, _plain_cash, '"10000"', 0, MAX_CASH)
_positive_cash = _amount(parse_cash, _plain_cash, '"10000"', 0, MAX_CASH, lo_open=True)
_share = _amount(parse_rate, _plain_rate, '"2.5%"', 0, PPM, rate=True)
_small_rate = _amount(parse_rate, _plain_rate, '"0.05%"', 0, PPM // 10, rate=True)
_drift = _amount(parse_rate, _plain_rate, '"0.01%"', -PPM // 10, PPM // 10, rate=True)
_change = _amount(parse_rate, _plain_rate, '"-30%"', -PPM, 10 * PPM, rate=True, lo_open=True)

Price = Annotated[int, BeforeValidator(_price)]
"""A positive price, in cents."""
Qty = Annotated[int, BeforeValidator(_qty)]
"""A signed quantity (long > 0), in lots of 1e-4 coin."""
PositiveQty = Annotated[int, BeforeValidator(_positive_qty)]
Cash = Annotated[int, BeforeValidator(_cash)]
"""A cash amount, zero or more, in micro-dollars."""
PositiveCash = Annotated[int, BeforeValidator(_positive_cash)]
Share = Annotated[int, BeforeValidator(_share)]
"""A rate from 0% to 100%, in parts per million."""
SmallRate = Annotated[int, BeforeValidator(_small_rate)]
"""A non-negative rate up to 10% (fees, funding, per-tick volatility), in ppm."""
Drift = Annotated[int, BeforeValidator(_drift)]
"""A signed rate per tick, -10% .. +10%, in ppm."""
Change = Annotated[int, BeforeValidator(_change)]
"""A signed price change: more than -100%, at most +1000%, in ppm."""


def _millis(value: object) -> int:
    text = _number_text(value, "0.5", rate=False)
    if isinstance(text, str) and re.search(r"[a-z%]", text.lower()):
        raise ValueError(f"expected a number of seconds like 0.5, got {_show(value)}")
    number = Decimal(str(text).replace(",", "").replace("_", "")) * 1000
    if number != number.to_integral_value():
        raise ValueError(f"{_show(value)} is finer than a millisecond")
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
            f"expected a whole number like 10 or a range like [2, 20], got {_show(value)}"
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
            raise ValueError(f"a range is [min, max], got [{_plain_cash(lo)}, {_plain_cash(hi)}]")
        return (lo, hi)
    one = _positive_cash(value)
    return (one, one)


CashRange = Annotated[tuple[int, int], BeforeValidator(_cash_range)]
"""Cash for each trader of a population: one amount, or a uniform [min, max] range."""


def _text(limit: int, *, required: bool = True) -> Any:
    def validate(value: object) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {_show(value)}")
        if required and not value.strip():
            raise ValueError("must not be empty")
        if len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long; the limit is {limit:,}")
        return value

    return Annotated[str, PlainValidator(validate), PlainSerializer(str)]


_WORD = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$")


def _word(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a name as text, got {_show(value)}")
    if not _WORD.match(value):
        raise ValueError(
            f"{value!r} is not a usable name: use up to 32 letters, digits, '_', '-' or '.', "
            "no spaces"
        )
    return value


Word = Annotated[str, PlainValidator(_word), PlainSerializer(str)]


def _slug(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected an id as text, got {_show(value)}")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value) or len(value) > 48:
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits and single dashes, "
            "like 'happy-path'"
        )
    return value


Slug = Annotated[str, PlainValidator(_slug), PlainSerializer(str)]


def _condition(value: object) -> Condition:
    if isinstance(value, Condition):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a condition as text like 'mark < 55000', got {_show(value)}")
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
Policy = Annotated[str, PlainValidator(_check_policy), PlainSerializer(str)]
"""A name from ``perpgame.engine.adl.POLICIES``."""
Archetype = Annotated[str, PlainValidator(_check_archetype), PlainSerializer(str)]
"""A name from ``perpgame.world.bots.ARCHETYPES``."""


def _sub(path: str, sub: str) -> str:
    return f"{path}.{sub}" if sub else path


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)


# --------------------------------------------------------------------------------------------------
# [meta]


class Meta(_Model):
    id: Slug
    title: Title
    lesson: Lesson
    order: WholeInt = Field(0, ge=0, le=10_000)
    """Position in the curriculum; 0 = not in the curriculum (sandbox, experiments)."""
    difficulty: WholeInt = Field(1, ge=1, le=5)
    summary: Line = ""
    tick_ms: Millis = Field(500, validation_alias="tick_seconds")
    """Game time per tick, in milliseconds (``tick_seconds`` in the file)."""

    @field_validator("tick_ms")
    @classmethod
    def _tick_range(cls, v: int) -> int:
        if not 10 <= v <= 60_000:
            raise ValueError(f"must be between 0.01 and 60 seconds, got {v / 1000:g}")
        return v


# --------------------------------------------------------------------------------------------------
# [market]


class Funding(_Model):
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


class Waterfall(_Model):
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


class Market(_Model):
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
                    f"{_plain_rate(self.maintenance)} is not below the initial margin at "
                    f"{self.max_leverage}x ({_plain_rate(PPM // self.max_leverage)}): "
                    f"use at most {_plain_rate(most)} or a lower max_leverage",
                )
            )
        if self.start_price % self.tick_size:
            issues.append(
                (
                    "start_price",
                    f"{_plain_price(self.start_price)} is not a multiple of the tick size "
                    f"{_plain_price(self.tick_size)}",
                )
            )
        if issues:
            raise FieldIssue.many(issues)
        return self


# --------------------------------------------------------------------------------------------------
# [vault], [player], [[accounts]]


class Vault(_Model):
    cash: Cash = 100_000 * 1_000_000
    leverage: WholeInt = Field(5, ge=1, le=MAX_LEVERAGE)
    max_notional: Cash = 0
    """A cap on the vault's position notional; 0 = no cap."""
    unwinder: bool = True
    """A ``vault_unwinder`` bot runs the vault (unless the player is the vault)."""


class Player(_Model):
    cash: PositiveCash = 10_000 * 1_000_000
    leverage: WholeInt | None = Field(None, ge=1, le=MAX_LEVERAGE)
    """Starting leverage; unset = min(10, max_leverage). Filled in by the level."""
    max_leverage: WholeInt | None = Field(None, ge=1, le=MAX_LEVERAGE)
    """The player's cap; unset = the market's max_leverage. Filled in by the level."""
    role: Literal["trader", "vault"] = "trader"
    position: Qty = 0
    entry: Price | None = None
    """Entry price of the preset position; unset = the market's start price."""


class Accounts(_Model):
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


class Population(_Model):
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
        return _build_params(self.archetype, self.params)


class Traders(Population):
    pass


# --------------------------------------------------------------------------------------------------
# [oracle]


class Keyframe(_Model):
    """The index glides to ``price`` by ``tick`` (tick 0 is the market's start price)."""

    tick: WholeInt = Field(ge=1, le=LIMITS["ticks"])
    price: Price


class Oracle(_Model):
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


# --------------------------------------------------------------------------------------------------
# [[timeline]]

NARRATION_PLACEHOLDERS: tuple[str, ...] = tuple(
    dict.fromkeys((*METRICS, "player_liq_price", "player_entry", "vault_cash"))
)


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def _narration(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {_show(value)}")
    if not value.strip():
        raise ValueError("must not be empty")
    if len(value) > 2_000:
        raise ValueError(f"is {len(value):,} characters long; the limit is 2,000")
    for name in _PLACEHOLDER.findall(value):
        if name not in NARRATION_PLACEHOLDERS:
            import difflib

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


class _Trigger(_Model):
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
            raise ValueError(f"expected a whole number, got {_show(v)}")
        if not lo <= v <= hi:
            raise ValueError(f"must be between {lo} and {hi}, got {v}")
        return v

    return parse


def _bool_setting(v: object) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"expected true or false, got {_show(v)}")
    return v


def _trigger_setting(v: object) -> str:
    if v not in ADL_TRIGGERS:
        raise ValueError(f"expected one of {', '.join(ADL_TRIGGERS)}, got {_show(v)}")
    return str(v)


def _mark_setting(v: object) -> str:
    if v not in MARK_METHODS:
        raise ValueError(f"expected one of {', '.join(MARK_METHODS)}, got {_show(v)}")
    return str(v)


# setting (as written in the level file) -> (MarketConfig field, parser of the TOML value)
SETTINGS: dict[str, tuple[str, Callable[[object], Any]]] = {
    "market.max_leverage": ("max_leverage", _int_setting(1, MAX_LEVERAGE)),
    "market.maintenance": ("maintenance_ppm", _share),
    "market.taker_fee": ("taker_fee_ppm", _small_rate),
    "market.maker_fee": ("maker_fee_ppm", _small_rate),
    "market.liquidation_fee": ("liquidation_fee_ppm", _small_rate),
    "market.mark": ("mark_method", _mark_setting),
    "market.funding.interval": ("funding_interval", _int_setting(0, LIMITS["ticks"])),
    "market.funding.interest": ("funding_interest_ppm", _small_rate),
    "market.funding.clamp": ("funding_clamp_ppm", _small_rate),
    "market.funding.cap": ("funding_cap_ppm", _small_rate),
    "market.waterfall.book": ("book_liquidation", _bool_setting),
    "market.waterfall.partial": ("partial_liquidation_ppm", _share),
    "market.waterfall.partial_min_notional": ("partial_min_notional", _cash),
    "market.waterfall.backstop_threshold": ("backstop_ppm", _share),
    "market.waterfall.adl_policy": ("adl_policy", _check_policy),
    "market.waterfall.adl_trigger": ("adl_trigger", _trigger_setting),
    "vault.leverage": ("vault_leverage", _int_setting(1, MAX_LEVERAGE)),
    "vault.max_notional": ("vault_max_notional", _cash),
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
                _known(name, list(SETTINGS), "setting")
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

# --------------------------------------------------------------------------------------------------
# [objectives]


def _goal(value: object) -> object:
    if isinstance(value, str):
        return {"when": value}
    return value


class Goal(_Model):
    """A condition with an optional human description (``text``) for the objectives panel."""

    when: Cond
    text: Line = ""

    @property
    def label(self) -> str:
        return self.text or self.when.text


GoalItem = Annotated[Goal, BeforeValidator(_goal)]


class Objectives(_Model):
    time_limit_ms: Millis = Field(300_000, validation_alias="time_limit")
    """The level ends here (``time_limit`` in seconds in the file)."""
    win: list[GoalItem] = Field(default_factory=list, max_length=LIMITS["conditions"])
    """Won as soon as all of these hold at the same tick."""
    survive: bool = False
    """Reaching the time limit without losing is a win."""
    lose: list[GoalItem] = Field(default_factory=list, max_length=LIMITS["conditions"])
    """Lost as soon as any of these holds."""
    stars: list[GoalItem] = Field(default_factory=list, max_length=LIMITS["stars"])
    """Checked at the end of a won game: stars = 1 + how many hold."""
    hint: Note = ""

    @field_validator("time_limit_ms")
    @classmethod
    def _limit(cls, v: int) -> int:
        most = LIMITS["time_limit_seconds"]
        if not 0 < v <= most * 1000:
            raise ValueError(
                f"must be more than 0 and at most {most:,} seconds (the limit), got {v / 1000:g}"
            )
        return v


# --------------------------------------------------------------------------------------------------
# The level


class Level(_Model):
    """A whole level file, validated; every amount in engine units."""

    meta: Meta
    market: Market = Field(default_factory=Market)
    vault: Vault = Field(default_factory=Vault)
    player: Player = Field(default_factory=Player)
    accounts: list[Accounts] = Field(default_factory=list, max_length=LIMITS["accounts"])
    traders: list[Traders] = Field(default_factory=list, max_length=LIMITS["populations"])
    oracle: Oracle = Field(default_factory=Oracle)
    timeline: list[TimelineEntry] = Field(default_factory=list, max_length=LIMITS["timeline"])
    objectives: Objectives = Field(default_factory=Objectives)

    _source: Any = PrivateAttr(default=None)
    _sha256: str = PrivateAttr(default="")

    # ------------------------------------------------------------ cross-section checks
    @model_validator(mode="after")
    def _whole(self) -> Level:
        issues: list[tuple[str, str]] = []
        m = self.market
        cap = m.max_leverage
        default_lev = min(DEFAULT_LEVERAGE, cap)

        # The vault's margin must stay above maintenance at its leverage
        if m.maintenance * self.vault.leverage >= PPM:
            issues.append(
                (
                    "vault.leverage",
                    f"{self.vault.leverage}x needs {_plain_rate(PPM // self.vault.leverage)} "
                    f"initial margin, not above the maintenance {_plain_rate(m.maintenance)}: "
                    f"use at most {(PPM - 1) // m.maintenance}x",
                )
            )

        # The player
        p = self.player
        if p.role == "vault":
            for name in ("cash", "leverage", "position", "entry"):
                if name in p.model_fields_set:
                    issues.append(
                        (
                            f"player.{name}",
                            'the player is the vault (role = "vault"): set [vault] instead',
                        )
                    )
        if p.max_leverage is None:
            p.max_leverage = cap
        elif p.max_leverage > cap:
            issues.append(
                ("player.max_leverage", f"{p.max_leverage}x is above market.max_leverage {cap}x")
            )
        if p.leverage is None:
            p.leverage = min(DEFAULT_LEVERAGE, p.max_leverage)
        elif p.leverage > p.max_leverage:
            issues.append(
                ("player.leverage", f"{p.leverage}x is above the player's cap {p.max_leverage}x")
            )
        if p.position == 0 and p.entry is not None:
            issues.append(("player.entry", "an entry price needs a position: set player.position"))
        if p.position and p.entry is None:
            p.entry = m.start_price

        # Preset accounts
        seen: dict[str, int] = {}
        for i, a in enumerate(self.accounts, 1):
            where = f"accounts[{i}]"
            if a.name in RESERVED_NAMES:
                issues.append((f"{where}.name", f"{a.name!r} is reserved; choose another name"))
            elif a.name in seen:
                issues.append(
                    (f"{where}.name", f"{a.name!r} is already used by accounts[{seen[a.name]}]")
                )
            seen.setdefault(a.name, i)
            if a.group is None:
                a.group = a.bot or "preset"
            if a.leverage is None:
                a.leverage = default_lev
            elif a.leverage > cap:
                issues.append(
                    (f"{where}.leverage", f"{a.leverage}x is above market.max_leverage {cap}x")
                )
            if a.position == 0 and a.entry is not None:
                issues.append((f"{where}.entry", "an entry price needs a position"))
            if a.position and a.entry is None:
                a.entry = m.start_price

        # Lot sizes and starting equity of every preset position
        presets: list[tuple[str, int, int, int]] = []  # (where, size, entry, cash)
        if p.role == "trader":
            presets.append(("player", p.position, p.entry or m.start_price, p.cash))
        presets += [
            (f"accounts[{i}]", a.position, a.entry or m.start_price, a.cash)
            for i, a in enumerate(self.accounts, 1)
        ]
        for where, size, entry, cash in presets:
            if size % m.lot_size:
                issues.append(
                    (
                        f"{where}.position",
                        f"{_plain_qty(size)} is not a multiple of the lot size "
                        f"{_plain_qty(m.lot_size)}",
                    )
                )
            equity = cash + size * (m.start_price - entry)
            if size and equity <= 0:
                issues.append(
                    (
                        f"{where}.position",
                        f"starts bankrupt: equity at the start price would be "
                        f"{format_cash(equity)} (cash {format_cash(cash)}, unrealized "
                        f"{format_cash(size * (m.start_price - entry))})",
                    )
                )
        longs = sum(s for _, s, _, _ in presets if s > 0)
        shorts = -sum(s for _, s, _, _ in presets if s < 0)
        if longs != shorts:
            more, side = (longs - shorts, "short") if longs > shorts else (shorts - longs, "long")
            issues.append(
                (
                    "accounts",
                    f"preset positions do not net to zero: longs {_plain_qty(longs)} coin, "
                    f"shorts {_plain_qty(shorts)} coin (player included); every long needs a "
                    f"short: add {_plain_qty(more)} coin {side} to some account",
                )
            )
        else:
            paid = sum(s * e for _, s, e, _ in presets if s > 0)
            received = -sum(s * e for _, s, e, _ in presets if s < 0)
            if paid != received:
                issues.append(
                    (
                        "accounts",
                        "preset positions must add up like trades between these accounts: the "
                        f"longs paid {format_cash(paid)} (position x entry) but the shorts "
                        f"received {format_cash(received)}; adjust the entry prices so both "
                        "sides match (e.g. give them all the same entry)",
                    )
                )

        # Populations
        total = 0
        for where, pop in self._populations():
            total += pop.count
            if pop.group is None:
                pop.group = pop.archetype
            if pop.leverage is None:
                pop.leverage = (default_lev, default_lev)
            elif pop.leverage[1] > cap:
                issues.append(
                    (f"{where}.leverage", f"{pop.leverage[1]}x is above market.max_leverage {cap}x")
                )
        if total > LIMITS["traders"]:
            issues.append(
                (
                    "traders",
                    f"{total:,} traders in all ([[traders]] and spawn); the limit is "
                    f"{LIMITS['traders']:,}",
                )
            )

        # Time
        ticks = self.objectives.time_limit_ms // self.meta.tick_ms
        if ticks < 1:
            issues.append(("objectives.time_limit", "is shorter than one tick"))
        elif ticks > LIMITS["ticks"]:
            issues.append(
                (
                    "objectives.time_limit",
                    f"{ticks:,} ticks of {self.meta.tick_ms / 1000:g} s; the limit is "
                    f"{LIMITS['ticks']:,} ticks: shorten time_limit or lengthen meta.tick_seconds",
                )
            )

        # The timeline
        groups = self.groups()
        config = self._config_or_issue(issues)
        for i, entry in enumerate(self.timeline, 1):
            where = f"timeline[{i}]"
            if entry.at is not None and 1 <= ticks < entry.at:
                issues.append(
                    (f"{where}.at", f"tick {entry.at} is after the level ends (tick {ticks})")
                )
            group = getattr(entry, "group", None)
            if isinstance(entry, Command | PullLiquidity | RestoreLiquidity) and group is not None:
                if group not in groups:
                    issues.append(
                        (
                            f"{where}.group",
                            f"no group {group!r} in this level; groups: "
                            f"{', '.join(sorted(groups)) or '(none)'}",
                        )
                    )
                elif isinstance(entry, Command):
                    try:
                        check_command(groups[group], entry.name, entry.args)
                    except FieldIssue as exc:
                        issues += [(_sub(where, sub), msg) for sub, msg in exc.issues]
            makers = any("market_maker" in bots for bots in groups.values())
            if isinstance(entry, PullLiquidity | RestoreLiquidity) and group is None and not makers:
                issues.append((f"{where}.group", "there are no market makers in this level"))
            if isinstance(entry, Set) and config is not None:
                try:
                    config.with_changes(**{entry.config_field: entry.value})
                except ValueError as exc:
                    issues.append((f"{where}.value", f"the market would be invalid: {exc}"))

        # Objectives
        o = self.objectives
        if self.meta.order > 0 and not o.win and not o.survive:
            issues.append(
                (
                    "objectives",
                    "a curriculum level (meta.order > 0) needs a way to win: "
                    "`win = [...]` or `survive = true`",
                )
            )

        if issues:
            raise FieldIssue.many(issues)
        return self

    def _populations(self) -> list[tuple[str, Population]]:
        pops: list[tuple[str, Population]] = [
            (f"traders[{i}]", t) for i, t in enumerate(self.traders, 1)
        ]
        pops += [
            (f"timeline[{i}]", e) for i, e in enumerate(self.timeline, 1) if isinstance(e, Spawn)
        ]
        return pops

    def _config_or_issue(self, issues: list[tuple[str, str]]) -> MarketConfig | None:
        try:
            return self.market_config(0)
        except ValueError as exc:
            issues.append(("market", str(exc)))
            return None

    # ------------------------------------------------------------ what the session uses
    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def source(self) -> Any:
        """The file this level was loaded from (a Path), or None for text."""
        return self._source

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes (hex), so a save can tell whether the level changed."""
        return self._sha256

    @property
    def tick_ms(self) -> int:
        return self.meta.tick_ms

    @property
    def tick_limit(self) -> int:
        """Ticks the level lasts: ``time_limit / tick_seconds``, rounded down."""
        return self.objectives.time_limit_ms // self.meta.tick_ms

    @property
    def player_is_vault(self) -> bool:
        return self.player.role == "vault"

    @property
    def total_traders(self) -> int:
        """Bot traders in all populations, spawned ones included."""
        return sum(p.count for _, p in self._populations())

    def ticks_for(self, seconds: float) -> int:
        """Game seconds -> ticks (rounded down)."""
        return int(Decimal(str(seconds)) * 1000) // self.meta.tick_ms

    def groups(self) -> dict[str, list[str]]:
        """Every group a timeline entry may address -> the bot archetypes in it."""
        names: dict[str, list[str]] = {}
        for a in self.accounts:
            bots = names.setdefault(a.group or a.bot or "preset", [])
            if a.bot and a.bot not in bots:
                bots.append(a.bot)
        for _, p in self._populations():
            bots = names.setdefault(p.group or p.archetype, [])
            if p.archetype not in bots:
                bots.append(p.archetype)
        if self.vault.unwinder and not self.player_is_vault:
            names.setdefault("vault", []).append("vault_unwinder")
        return names

    def market_config(self, seed: int) -> MarketConfig:
        """The engine's settings for this level (``seed`` feeds the market's own randomness)."""
        m, f, w, v = self.market, self.market.funding, self.market.waterfall, self.vault
        return MarketConfig(
            symbol=m.symbol,
            tick_size=m.tick_size,
            lot_size=m.lot_size,
            max_leverage=m.max_leverage,
            maintenance_ppm=m.maintenance,
            taker_fee_ppm=m.taker_fee,
            maker_fee_ppm=m.maker_fee,
            liquidation_fee_ppm=m.liquidation_fee,
            mark_method=m.mark,
            funding_interval=f.interval,
            funding_interest_ppm=f.interest,
            funding_clamp_ppm=f.clamp,
            funding_cap_ppm=f.cap,
            partial_liquidation_ppm=w.partial,
            partial_min_notional=w.partial_min_notional,
            backstop_ppm=w.backstop_threshold,
            adl_policy=w.adl_policy,
            adl_trigger=w.trigger,
            vault_leverage=v.leverage,
            vault_max_notional=v.max_notional,
            book_liquidation=w.book,
            seed=seed,
        )
