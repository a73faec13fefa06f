"""The immutable picture of a game at one tick: everything the screen shows, nothing it can change."""

# OpenOrder is the record a trader's desk shows for a resting order; the snapshot reuses it.

from __future__ import annotations

from dataclasses import dataclass

from perpgame.session.stories import Story
from perpgame.world.desk import OpenOrder


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: int
    qty: int
    cumulative: int
    mine: int
    """How much of this level is the player's own orders."""


@dataclass(frozen=True, slots=True)
class PositionView:
    """The player's account as a trader reads it."""

    account_id: int
    size: int
    entry: int | None
    mark: int
    unrealized: int
    realized: int
    equity: int
    deposited: int
    pnl: int
    """Equity minus everything the player deposited."""
    leverage: int
    max_leverage: int
    effective_leverage_ppm: int
    """Notional / equity, in ppm (0 when flat)."""
    initial_margin: int
    maintenance_margin: int
    margin_ratio_ppm: int
    """Maintenance / equity in ppm: at 1,000,000 the position is liquidated."""
    free_margin: int
    liquidation_price: int | None
    bankruptcy_price: int | None
    distance_to_liquidation_ppm: int | None
    """How far the mark may move against the position before liquidation, in ppm of the mark."""
    adl_rank: int | None
    adl_queue: int
    """How many positions are in the player's ADL queue."""
    adl_lights: int
    """0 when flat or losing, else 1-5 (5 = deleveraged first)."""
    orders: tuple[OpenOrder, ...]
    order_margin: int = 0
    """Initial margin the resting orders hold beyond what the position needs (venues reserve it:
    Binance's ``openOrderInitialMargin``, BitMEX's order margin)."""


@dataclass(frozen=True, slots=True)
class PileShare:
    group: str
    equity: int
    change: int
    """Change in this group's equity this tick: the cash that moved to or from it."""
    accounts: int


@dataclass(frozen=True, slots=True)
class PileView:
    total: int
    """Deposits minus withdrawals: the only way the pile ever changes."""
    equity_sum: int
    """Sum of every account's equity at the mark: always equal to ``total``."""
    created: int
    """``equity_sum - total``: the created/destroyed meter. It is always zero."""
    shares: tuple[PileShare, ...]
    long_oi: int
    short_oi: int
    law_ok: bool
    checks: int


@dataclass(frozen=True, slots=True)
class WaterfallView:
    stage: str
    """This tick's deepest stage: calm, book, vault or adl."""
    deepest: str
    """The deepest stage reached so far in this game."""
    vault_cash: int
    vault_equity: int
    vault_start: int
    vault_size: int
    vault_entry: int | None
    liquidations: int
    backstops: int
    deleverages: int
    bad_debt: int
    policy: str
    policy_text: str


@dataclass(frozen=True, slots=True)
class Goal:
    text: str
    done: bool
    kind: str
    """win, lose or star."""


@dataclass(frozen=True, slots=True)
class ChartPoint:
    tick: int
    index: int
    mark: int
    last: int | None


@dataclass(frozen=True, slots=True)
class ChartMarker:
    tick: int
    price: int
    kind: str
    player: bool


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame of the game."""

    level_id: str
    title: str
    tick: int
    seconds: float
    time_limit: float
    status: str
    """playing, won or lost."""
    end_reason: str
    stars: int
    symbol: str
    index: int
    mark: int
    last: int | None
    best_bid: int | None
    best_ask: int | None
    spread: int | None
    funding_rate_ppm: int
    next_funding_tick: int | None
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    tape: tuple[Story, ...]
    """Recent trades and waterfall events, newest last."""
    stories: tuple[Story, ...]
    """What happened this tick, explained."""
    narration: tuple[str, ...]
    """The lesson voice and the player's own events, newest last."""
    why: str
    """An explanation, with numbers, of the last event that touched the player."""
    why_view: WhyView | None
    position: PositionView
    pile: PileView
    waterfall: WaterfallView
    goals: tuple[Goal, ...]
    chart: tuple[ChartPoint, ...]
    markers: tuple[ChartMarker, ...]
    role: str
    lot_size: int
    tick_size: int
    speed_hint: str = ""
    answers: tuple[OrderAnswer, ...] = ()
    """What became of the player's orders this tick (filled, resting, refused and why)."""
    narration_ms: tuple[int, ...] = ()
    """The game time (ms) each ``narration`` line was said at: its numbers are of that moment."""


@dataclass(frozen=True, slots=True)
class WhyLine:
    """One line of a why? explanation: a fact, or an amount that moved the player's equity."""

    label: str
    amount: int | None = None
    """Cash units added to (or taken from) the player's equity; None for a fact without money."""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class WhyView:
    """Everything that touched the player in one tick, with the numbers that add up.

    The ``amount`` of the lines sum exactly to ``equity_after - equity_before``: every trade is
    valued at the tick's final mark, every cash transfer counted once, and the move of the mark
    on the position held before the tick is a line of its own.
    """

    tick: int
    seconds: float
    headlines: tuple[str, ...]
    """What happened, in words (the tick's stories that touched the player)."""
    facts: tuple[WhyLine, ...]
    """The numbers behind it: mark, equity against maintenance, bankruptcy price, queue rank..."""
    lines: tuple[WhyLine, ...]
    """The money: each amount that moved the player's equity this tick."""
    equity_before: int
    equity_after: int

    @property
    def total(self) -> int:
        return self.equity_after - self.equity_before


@dataclass(frozen=True, slots=True)
class OrderAnswer:
    """What became of one order the player sent, decided in the tick it arrived."""

    tick: int
    kind: str
    """filled, partial, resting or refused."""
    text: str


@dataclass(frozen=True, slots=True)
class MoneyRow:
    """One row of "where the money went": a group's start, end and change over the level."""

    group: str
    label: str
    start: int
    end: int
    accounts: int
    funding: int = 0
    """Funding received (> 0) or paid (< 0) by the group: part of its change."""

    @property
    def change(self) -> int:
        return self.end - self.start
