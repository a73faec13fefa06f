"""The player's scripted inputs for a headless run (``perpgame sim --actions FILE``).

An actions file is TOML, one ``[[action]]`` table per input::

    [[action]]
    tick = 10
    do = "buy"          # buy | sell | close | cancel_all | cancel | leverage | add_margin | remove_margin
                        # | pick_policy (with policy = "water_fill": the ADL rule, where the level
                        #   lets the player pick it)
    qty = "0.5"         # coin
    price = "59000"     # optional: a limit order; without it a market order
    leverage = 10       # optional: set leverage first

Each becomes a :class:`PlayerInput` in engine units. A session records the player's inputs as the
same records (``to_dict``/``from_dict``), so a saved game can be replayed or turned back into an
actions file (:func:`inputs_to_toml`). The format is documented in ``docs/levels.md``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from perpgame.engine.units import format_cash
from perpgame.level import Level
from perpgame.level.errors import LevelError
from perpgame.level.loader import read_file_bytes, read_toml, validation_problems
from perpgame.level.schema import (
    LIMITS,
    MAX_LEVERAGE,
    Policy,
    PositiveCash,
    PositiveQty,
    Price,
    StrictModel,
    WholeInt,
    plain_price,
    plain_qty,
    policy_names,
)

__all__ = [
    "KINDS",
    "SEAT_NAME",
    "SOLO_SEAT",
    "PlayerInput",
    "inputs_to_toml",
    "load_inputs",
    "load_inputs_text",
    "solution_path",
]

BUY, SELL = 1, -1

KINDS = (
    "order",
    "close",
    "cancel_all",
    "cancel",
    "leverage",
    "add_margin",
    "remove_margin",
    "pick_policy",
)
"""``PlayerInput.kind`` values; ``buy``/``sell`` in a file are kind ``order`` with a side."""

MAX_ACTIONS = 100_000

SOLO_SEAT = "you"
"""The seat of the one player of an ordinary game (every save and level before tables)."""
SEAT_NAME = re.compile(r"[A-Za-z0-9_-]{1,24}")


@dataclass(frozen=True, slots=True)
class PlayerInput:
    """One player input, in engine units, applied at the start of ``tick``.

    * ``order``: ``side`` (1 buy / -1 sell), ``qty`` lots, ``price`` cents for a limit order (None
      for a market order), ``leverage`` to set first (or None), ``reduce_only``;
    * ``close``: close the whole position (market, or a reduce-only limit at ``price``);
    * ``cancel_all``; ``cancel``: ``order_id``;
    * ``leverage``: ``leverage``;
    * ``add_margin`` / ``remove_margin``: ``amount`` in cash units (micro-dollars);
    * ``pick_policy``: ``policy``, the ADL policy the player picks before the crash (levels that
      list ``market.waterfall.adl_choices`` only).
    """

    tick: int
    kind: str
    side: int = 0
    qty: int = 0
    price: int | None = None
    leverage: int | None = None
    amount: int = 0
    order_id: int | None = None
    reduce_only: bool = False
    seat: str = SOLO_SEAT
    """Whose input this is: ``"you"`` in a one-player game; a seat's name at a shared table."""
    policy: str | None = None
    """``pick_policy``: an ADL policy's name (``perpgame.engine.adl.POLICIES``)."""

    def __post_init__(self) -> None:
        self._check_types()
        self._check_values()

    def _check_types(self) -> None:
        """Every field holds the type it is declared with (a save or a table may send anything)."""
        for name in ("tick", "side", "qty", "amount"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be a whole number, got {value!r}")
        for name in ("price", "leverage", "order_id"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"{name} must be a whole number or None, got {value!r}")
        if not isinstance(self.reduce_only, bool):
            raise ValueError(f"reduce_only must be true or false, got {self.reduce_only!r}")
        if not isinstance(self.seat, str) or not SEAT_NAME.fullmatch(self.seat):
            raise ValueError(f"seat must be 1-24 letters, digits, '-' or '_', got {self.seat!r}")

    def _check_values(self) -> None:
        """A known kind at a tick not below 0, with the fields that kind needs."""
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; known: {', '.join(KINDS)}")
        if self.tick < 0:
            raise ValueError(f"tick must not be negative, got {self.tick}")
        if self.kind == "order":
            if self.side not in (BUY, SELL):
                raise ValueError(f"an order's side is 1 (buy) or -1 (sell), got {self.side}")
            if self.qty <= 0:
                raise ValueError(f"an order's qty must be positive, got {self.qty}")
        if self.price is not None and self.price <= 0:
            raise ValueError(f"price must be positive, got {self.price}")
        if self.kind == "leverage" and self.leverage is None:
            raise ValueError("a leverage action needs leverage")
        if self.kind == "cancel" and self.order_id is None:
            raise ValueError("a cancel action needs order_id")
        if self.kind in ("add_margin", "remove_margin") and self.amount <= 0:
            raise ValueError(f"{self.kind} needs a positive amount, got {self.amount}")
        if (self.kind == "pick_policy") != (self.policy is not None):
            raise ValueError("policy goes with a pick_policy input, and only there")
        if self.policy is not None and self.policy not in policy_names():
            raise ValueError(
                f"unknown ADL policy {self.policy!r}; known: {', '.join(policy_names())}"
            )

    # ------------------------------------------------------------ constructors
    @classmethod
    def order(
        cls,
        tick: int,
        side: int,
        qty: int,
        price: int | None = None,
        *,
        leverage: int | None = None,
        reduce_only: bool = False,
    ) -> PlayerInput:
        return cls(tick, "order", side, qty, price, leverage, reduce_only=reduce_only)

    # ------------------------------------------------------------ records for saves
    def to_dict(self) -> dict[str, Any]:
        """``tick`` and ``kind`` plus every field that is not at its default (JSON-ready)."""
        out: dict[str, Any] = {"tick": self.tick, "kind": self.kind}
        for f in fields(self):
            if f.name in out:
                continue
            value = getattr(self, f.name)
            if value != f.default:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Any) -> PlayerInput:
        """The inverse of :meth:`to_dict`; ``ValueError`` names an unknown or bad field."""
        if not isinstance(data, dict):
            raise ValueError(f"a player action is a mapping, got {type(data).__name__}")
        names = {f.name for f in fields(cls)}
        for key in data:
            if key not in names:
                raise ValueError(f"unknown field {key!r} in a player action")
        for key in ("tick", "kind"):
            if key not in data:
                raise ValueError(f"a player action needs {key!r}")
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        """Every field, defaults included."""
        return asdict(self)


# --------------------------------------------------------------------------------------------------
# The file format


class _Action(StrictModel):
    tick: WholeInt = Field(ge=0, le=LIMITS["ticks"])


class _Order(_Action):
    qty: PositiveQty
    price: Price | None = None
    leverage: WholeInt | None = Field(None, ge=1, le=MAX_LEVERAGE)
    reduce_only: bool = False


class _Buy(_Order):
    do: Literal["buy"]


class _Sell(_Order):
    do: Literal["sell"]


class _Close(_Action):
    do: Literal["close"]
    price: Price | None = None


class _CancelAll(_Action):
    do: Literal["cancel_all"]


class _Cancel(_Action):
    do: Literal["cancel"]
    order: WholeInt = Field(ge=1)


class _Leverage(_Action):
    do: Literal["leverage"]
    value: WholeInt = Field(ge=1, le=MAX_LEVERAGE)


class _AddMargin(_Action):
    do: Literal["add_margin"]
    cash: PositiveCash


class _RemoveMargin(_Action):
    do: Literal["remove_margin"]
    cash: PositiveCash


class _PickPolicy(_Action):
    do: Literal["pick_policy"]
    policy: Policy


_Entry = Annotated[
    _Buy
    | _Sell
    | _Close
    | _CancelAll
    | _Cancel
    | _Leverage
    | _AddMargin
    | _RemoveMargin
    | _PickPolicy,
    Field(discriminator="do"),
]

ACTION_DO = ("buy", "sell", *(kind for kind in KINDS if kind != "order"))
"""The ``do`` words of an actions file: the kinds, with ``order`` spelled ``buy`` or ``sell``."""


class ActionsFile(StrictModel):
    action: list[_Entry] = Field(default_factory=list, max_length=MAX_ACTIONS)


def _to_player_action(entry: Any) -> PlayerInput:
    if isinstance(entry, _Buy | _Sell):
        side = BUY if entry.do == "buy" else SELL
        return PlayerInput.order(
            entry.tick,
            side,
            entry.qty,
            entry.price,
            leverage=entry.leverage,
            reduce_only=entry.reduce_only,
        )
    if isinstance(entry, _Close):
        return PlayerInput(entry.tick, "close", price=entry.price)
    if isinstance(entry, _CancelAll):
        return PlayerInput(entry.tick, "cancel_all")
    if isinstance(entry, _Cancel):
        return PlayerInput(entry.tick, "cancel", order_id=entry.order)
    if isinstance(entry, _Leverage):
        return PlayerInput(entry.tick, "leverage", leverage=entry.value)
    if isinstance(entry, _AddMargin):
        return PlayerInput(entry.tick, "add_margin", amount=entry.cash)
    if isinstance(entry, _PickPolicy):
        return PlayerInput(entry.tick, "pick_policy", policy=entry.policy)
    return PlayerInput(entry.tick, "remove_margin", amount=entry.cash)


def load_inputs(path: str | Path) -> list[PlayerInput]:
    """Read an actions file; LevelError (same style as level files) lists every problem."""
    return _load(read_file_bytes(path, "an actions file"), str(path))


def solution_path(level: Level) -> Path | None:
    """The level's solution, ``solutions/<stem>.toml`` beside its file, if there is one."""
    source = level.source
    if source is None:
        return None
    path = Path(source).parent / "solutions" / f"{Path(source).stem}.toml"
    return path if path.is_file() else None


def load_inputs_text(text: str | bytes, source: str = "<text>") -> list[PlayerInput]:
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return _load(data, source)


def _load(data: bytes, name: str) -> list[PlayerInput]:
    if not data.strip():
        return []  # a player who does nothing
    raw = read_toml(data, name)
    try:
        parsed = ActionsFile.model_validate(raw)
        actions = [_to_player_action(e) for e in parsed.action]
    except ValidationError as exc:
        raise LevelError(
            validation_problems(exc, name, ActionsFile, {"action": ACTION_DO})
        ) from None
    except Exception as exc:  # never a traceback
        raise LevelError.single(
            name, "", f"internal error while checking the actions: {type(exc).__name__}"
        ) from None
    # In tick order; actions of the same tick keep the order of the file.
    return sorted(actions, key=lambda a: a.tick)


def actions_sha256(actions: list[PlayerInput]) -> str:
    """A short fingerprint of a list of actions (for reports)."""
    return hashlib.sha256(inputs_to_toml(actions).encode()).hexdigest()


def _dollars(cash: int) -> str:
    return format_cash(cash, places=6, sep=False).rstrip("0").rstrip(".")


def inputs_to_toml(actions: list[PlayerInput]) -> str:
    """An actions file that :func:`load_inputs_text` reads back as the same actions."""
    out: list[str] = []
    for a in actions:
        lines = ["[[action]]", f"tick = {a.tick}"]
        if a.kind == "order":
            lines.append(f'do = "{"buy" if a.side == BUY else "sell"}"')
            lines.append(f'qty = "{plain_qty(a.qty)}"')
            if a.price is not None:
                lines.append(f'price = "{plain_price(a.price)}"')
            if a.leverage is not None:
                lines.append(f"leverage = {a.leverage}")
            if a.reduce_only:
                lines.append("reduce_only = true")
        elif a.kind == "close":
            lines.append('do = "close"')
            if a.price is not None:
                lines.append(f'price = "{plain_price(a.price)}"')
        elif a.kind == "cancel":
            lines += ['do = "cancel"', f"order = {a.order_id}"]
        elif a.kind == "leverage":
            lines += ['do = "leverage"', f"value = {a.leverage}"]
        elif a.kind in ("add_margin", "remove_margin"):
            lines += [f'do = "{a.kind}"', f'cash = "{_dollars(a.amount)}"']
        elif a.kind == "pick_policy":
            lines += ['do = "pick_policy"', f'policy = "{a.policy}"']
        else:
            lines.append(f'do = "{a.kind}"')
        out.append("\n".join(lines))
    return "\n\n".join(out) + ("\n" if out else "")
