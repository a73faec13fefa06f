"""What every trader robot shares: a desk to look and act through, parameters, a seeded rng.

A bot is a small class: ``act()`` runs once per tick after the oracle moved, looks at the market
through its :class:`~perpgame.world.desk.Desk` and acts only by sending or cancelling orders.
Its parameters are a frozen dataclass of integers in engine units (lots, cents, micro-dollars)
or in ppm / basis points, each declared with :func:`param` so that a level file can be checked
field by field (:meth:`Bot.make_params`) and documented (:meth:`Bot.describe`).

A bot says each thing once: its parameters as the type argument (``class Noise(Bot[NoiseParams])``
makes ``Noise.Params`` that class and types ``self.params``), what it teaches as its class
docstring (``teaches`` is that text on one line), and what it remembers between ticks in
:meth:`Bot.setup`, which runs once the desk, the parameters and the rng are in place.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from perpgame.engine.book import BUY, SELL
from perpgame.engine.rng import Rng
from perpgame.engine.units import PPM
from perpgame.world.desk import Desk
from perpgame.world.state import attributes

BPS = 10_000
"""Basis points in a whole."""

SAFETY_PPM = 900_000
"""Bots size new exposure to 90% of what their free margin allows, so most orders go through."""


class ParamError(ValueError):
    """A bot parameter is unknown or out of range; the message names the field."""


class ParamTypeError(ParamError, TypeError):
    """A bot parameter has the wrong type; the message names the field."""


def param(
    default: Any,
    *,
    lo: int | None = None,
    hi: int | None = None,
    choices: tuple[str, ...] = (),
    doc: str = "",
) -> Any:
    """A Params field: its default, its allowed range or choices, and what it means (with units)."""
    meta = {"lo": lo, "hi": hi, "choices": choices, "doc": doc}
    return dataclasses.field(default=default, metadata=meta)


def leverage_param(
    default: int, doc: str = "leverage it sets at start; 0 keeps the account's"
) -> Any:
    """The ``leverage`` field: :class:`Bot` sets it on the account at start unless it is 0."""
    return param(default, lo=0, doc=doc)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _check_field(obj: object, f: dataclasses.Field, hint: Any) -> None:
    name, value, meta = f.name, getattr(obj, f.name), f.metadata
    if hint is bool:
        if not isinstance(value, bool):
            raise ParamTypeError(f"parameter {name!r} must be true or false, got {value!r}")
        return
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamTypeError(
                f"parameter {name!r} must be a whole number (engine units), got {value!r}"
            )
        lo, hi = meta.get("lo"), meta.get("hi")
        if lo is not None and value < lo:
            raise ParamError(f"parameter {name!r} must be at least {lo}, got {value}")
        if hi is not None and value > hi:
            raise ParamError(f"parameter {name!r} must be at most {hi}, got {value}")
        return
    if hint is str:
        if not isinstance(value, str):
            raise ParamTypeError(f"parameter {name!r} must be text, got {value!r}")
        choices = meta.get("choices") or ()
        if choices and value not in choices:
            known = ", ".join(repr(c) for c in choices)
            raise ParamError(f"parameter {name!r} must be one of {known}, got {value!r}")


@dataclass(frozen=True, slots=True)
class BotParams:
    """Base of every bot's parameters: checks types and ranges when built."""

    def __post_init__(self) -> None:
        hints = _hints(type(self))
        for f in dataclasses.fields(self):
            _check_field(self, f, hints[f.name])
        self.check()

    def check(self) -> None:
        """Checks between fields; raise :class:`ParamError` naming them."""


@dataclass(frozen=True, slots=True)
class NoParams(BotParams):
    """For a bot that has no parameters."""


def build_params(cls: type[BotParams], raw: Mapping[str, object], archetype: str) -> Any:
    """``cls(**raw)``, with errors that name the archetype and the field."""
    if not isinstance(raw, Mapping):
        raise ParamTypeError(
            f"parameters for {archetype} must be a table of name = value, got {raw!r}"
        )
    names = [f.name for f in dataclasses.fields(cls)]
    for key in raw:
        if key not in names:
            known = ", ".join(names) or "(none)"
            raise ParamError(f"unknown parameter {key!r} for {archetype}; known: {known}")
    try:
        return cls(**raw)  # type: ignore[arg-type]
    except ParamTypeError as exc:
        raise ParamTypeError(f"{archetype}: {exc}") from None
    except ParamError as exc:
        raise ParamError(f"{archetype}: {exc}") from None


P = TypeVar("P", bound=BotParams)


class Bot(Generic[P]):
    """A trader robot. Subclasses set ``archetype``, write ``act`` and may write ``setup``.

    ``class X(Bot[XParams])`` sets ``X.Params`` to ``XParams`` (a bot without parameters
    subclasses plain ``Bot`` and gets :class:`NoParams`).
    """

    archetype: ClassVar[str] = "bot"
    teaches: ClassVar[str] = ""
    """What a player learns from it: the subclass's docstring, on one line."""
    Params: ClassVar[type[BotParams]] = NoParams
    commands: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    """Timeline commands it understands: name -> the argument names it accepts."""
    params: P

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__doc__ and "teaches" not in cls.__dict__:
            cls.teaches = " ".join(cls.__doc__.split())
        for base in cls.__dict__.get("__orig_bases__", ()):
            if typing.get_origin(base) is Bot:
                (params,) = typing.get_args(base)
                if isinstance(params, type):
                    cls.Params = params

    def __init__(self, desk: Desk, params: P, rng: Rng) -> None:
        if not isinstance(params, self.Params):
            raise TypeError(f"{self.archetype} needs {self.Params.__name__}, got {params!r}")
        self.desk = desk
        self.params = params
        self.rng = rng
        leverage = getattr(params, "leverage", 0)
        if leverage:
            desk.set_leverage(min(leverage, desk.max_leverage))
        self.setup()

    # ------------------------------------------------------------ the contract
    def setup(self) -> None:
        """Once, at the end of ``__init__``: set up what the bot remembers. Default: nothing."""

    def act(self) -> None:
        """Once per tick, after the oracle moved: look through the desk, act by orders."""
        raise NotImplementedError

    def pull(self, pulled: bool) -> None:
        """The timeline pulls liquidity (True) or restores it (False). Default: ignored."""

    def command(self, name: str, **args: Any) -> None:
        """A timeline order to this bot's group. Default: ignored (groups mix archetypes)."""

    def state_form(self) -> str:
        """Everything this bot remembers between ticks (its rng stream too), as canonical text."""
        return f"{self.archetype}@{self.desk.account_id}:" + attributes(self, skip=("desk",))

    @classmethod
    def make_params(cls, raw: Mapping[str, object] | None = None) -> Any:
        """Params from a level file's table; ``ParamError`` names any unknown or bad field."""
        return build_params(cls.Params, raw or {}, cls.archetype)

    @classmethod
    def check_command(cls, name: str, args: Mapping[str, object]) -> None:
        """Raise ``ParamError`` if this archetype knows ``name`` but not one of ``args``."""
        accepted = cls.commands.get(name)
        if accepted is None:
            return
        for key in args:
            if key not in accepted:
                known = ", ".join(accepted) or "(none)"
                raise ParamError(
                    f"unknown argument {key!r} for {cls.archetype} command {name!r}; known: {known}"
                )
        for key, value in args.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ParamTypeError(
                    f"{cls.archetype} command {name!r}: argument {key!r} must be a whole "
                    f"number >= 0, got {value!r}"
                )

    @classmethod
    def describe(cls) -> list[tuple[str, object, str]]:
        """``(name, default, meaning)`` for each parameter, for docs and error help."""
        return [
            (f.name, f.default, f.metadata.get("doc", "")) for f in dataclasses.fields(cls.Params)
        ]

    # ---------------------------------------------------------------- helpers
    def affordable(self, price: int) -> int:
        """Lots of new exposure its free margin carries at ``price`` (with a safety cut)."""
        desk = self.desk
        free = desk.free_margin()
        if free <= 0 or price <= 0:
            return 0
        return desk.round_lot(free * desk.leverage * SAFETY_PPM // PPM // price)

    def best_against(self, side: int) -> int | None:
        """The best price an order on ``side`` would trade with: the best ask for a buy."""
        desk = self.desk
        return desk.best_ask() if side == BUY else desk.best_bid()

    def can_take(self, side: int) -> bool:
        """True if a market order on ``side`` would find someone on the other side of the book."""
        return self.best_against(side) is not None

    def slippage_limit(self, side: int, bps: int) -> int:
        """The worst price an order on ``side`` may reach: ``bps`` past the index, on the tick."""
        index = self.desk.index
        away = bps_of(index, bps)
        return self.floor_tick(index + away) if side == BUY else self.ceil_tick(index - away)

    def floor_tick(self, price: int) -> int:
        """``price`` rounded down to the tick size (never below one tick)."""
        t = self.desk.tick_size
        return max(t, price // t * t)

    def ceil_tick(self, price: int) -> int:
        """``price`` rounded up to the tick size."""
        t = self.desk.tick_size
        return max(t, -(-price // t) * t)


def bps_of(price: int, bps: int) -> int:
    """``price * bps / 10_000``, rounded down (toward zero for positive prices)."""
    return price * bps // BPS


def side_of(size: int) -> int:
    """The side that closes a position of signed ``size`` (SELL for a long)."""
    return SELL if size > 0 else BUY


__all__ = [
    "BPS",
    "BUY",
    "SELL",
    "Bot",
    "BotParams",
    "NoParams",
    "ParamError",
    "ParamTypeError",
    "bps_of",
    "build_params",
    "leverage_param",
    "param",
    "side_of",
]
