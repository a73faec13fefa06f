"""Reading a game: the metrics conditions test, the pile by group, and the Frame.

Every reader takes a :class:`ReadableGame`, what a game shows of itself; the session is one, and
this module never imports it (the session imports these readers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from perpgame.engine.adl import Position
from perpgame.engine.book import BUY, SELL
from perpgame.engine.risk import bankruptcy_price, initial_margin, liquidation_price
from perpgame.engine.units import PPM, format_cash, format_price
from perpgame.session.frame import (
    BookLevel,
    ChartMarker,
    ChartPoint,
    Frame,
    Goal,
    MoneyRow,
    OpenOrder,
    OrderAnswer,
    PileShare,
    PileView,
    PositionView,
    WaterfallView,
)
from perpgame.session.numbers import coin_size, format_coin, side_word

if TYPE_CHECKING:
    from perpgame.engine.account import Account
    from perpgame.engine.market import Market, OrderOutcome
    from perpgame.level.schema import Level
    from perpgame.session.chronicle import Chronicle
    from perpgame.session.frame import WhyView
    from perpgame.session.inputs import PlayerInput

BOOK_LEVELS = 20
BIG = 10**12

__all__ = [
    "ChartMarker",
    "ChartPoint",
    "ReadableGame",
    "build_frame",
    "group_equity",
    "metrics",
    "money_table",
    "order_answer",
    "pinned_cents",
    "your_row",
]


class ReadableGame(Protocol):
    """What the readers read of a game (read only): its level, market and player, the seat's
    numbers the table keeps, the chronicle of what happened, and how the game stands."""

    level: Level
    market: Market
    player: Account
    chronicle: Chronicle
    groups_of: dict[int, str]
    """Account id -> group, where the table named one."""
    role: str
    deposited: int
    max_leverage: int
    vault_start: int
    player_margin_added: int
    status: str
    end_reason: str
    stars: int
    metrics: dict[str, int]
    adl: tuple[int | None, int, int]
    why_view: WhyView | None
    answers: list[OrderAnswer]

    @property
    def seconds(self) -> float: ...

    def why(self) -> str: ...

    def player_liq_price(self) -> int | None: ...


PLAIN_REASONS = {
    "house_does_not_trade": "the house account does not trade",
    "bad_side": "an order is a buy or a sell",
    "qty_not_positive": "the size must be more than zero",
    "qty_not_lot_multiple": "the size must be a whole number of lots",
    "market_has_price": "a market order takes no price",
    "limit_needs_price": "a limit order needs a price",
    "price_not_tick_multiple": "the price must be a whole number of ticks",
    "reduce_only_would_not_reduce": "it would not make your position smaller",
    "reduce_only_covered": "your other reduce-only orders already close the whole position",
    "no_liquidity": "the book is empty on the other side right now",
    "margin": "your cash does not cover its margin",
    "in_liquidation": "you are being liquidated: only orders that shrink the position",
    "beyond_bankruptcy": "it would fill past your bankruptcy price, where your cash runs out",
    "post_only_would_cross": "it would have traded at once",
}
"""The engine's refusal codes (``engine.risk.REFUSAL_CODES``) in a newcomer's words."""


def lose_reason(session: ReadableGame, label: str) -> str:
    """A lost goal with its cause: ``Getting liquidated: liquidated at 57,120.00: equity 312.00 <
    maintenance 430.00`` when a liquidation of the player in this tick is what ended it."""
    view = session.why_view
    if view is None or view.tick != session.market.tick:
        return label
    for fact in view.facts:
        if fact.label == "Liquidated":
            return f"{label}: liquidated, {fact.detail}"
    return label


def time_out_reason(session: ReadableGame) -> str:
    """``time ran out``, with the goals still unmet and the position still open."""
    metrics = session.metrics
    unmet = [g.label for g in session.level.objectives.win if not g.when.holds(metrics)]
    text = "time ran out"
    if unmet:
        text += " before: " + "; ".join(unmet)
    size = session.player.size
    if size:
        base = session.market.config.symbol.split("-")[0] or "coin"
        text += f" (with {coin_size(size)} {base} still open, {side_word(size)})"
    return text


def plain_reason(code: str) -> str:
    """The engine's refusal code in a newcomer's words (an unknown code as it is)."""
    return PLAIN_REASONS.get(code, code)


def order_answer(
    action: PlayerInput, outcome: OrderOutcome, tick: int, *, closing: bool = False
) -> OrderAnswer:
    """What became of one order in the tick it arrived: filled, partly filled, resting, refused."""
    side = "buy" if action.side == BUY else "sell"
    what = (
        "close" if closing else (f"limit {side}" if action.price is not None else f"market {side}")
    )
    qty = format_coin(action.qty)
    if outcome.rejected:
        return OrderAnswer(
            tick, "refused", f"× {what} {qty} refused: {plain_reason(outcome.rejected)}"
        )
    filled = format_coin(outcome.filled)
    avg = outcome.avg_price
    if outcome.filled and outcome.filled >= action.qty:
        return OrderAnswer(tick, "filled", f"✓ {what} {qty} filled, avg {format_price(avg)}")
    if outcome.filled:
        rest = (
            f"{format_coin(outcome.resting)} resting"
            if outcome.resting
            else "no one in the book for the rest"
        )
        text = f"◐ {what} {qty}: {filled} filled, avg {format_price(avg or 0)}; {rest}"
        return OrderAnswer(tick, "partial", text)
    if outcome.resting:
        at = f" at {format_price(action.price)}" if action.price is not None else ""
        return OrderAnswer(tick, "resting", f"… {what} {qty} resting{at}, not filled yet")
    return OrderAnswer(
        tick, "refused", f"× {what} {qty}: nothing filled, nobody in the book took it"
    )


MONEY_GROUPS_LAST = ("vault", "house")


def group_label(group: str, accounts: int, role: str) -> str:
    """A group as the debrief names it."""
    if group == "player":
        return "you"
    if group == "vault":
        return "the vault (you)" if role == "vault" else "the vault"
    if group == "house":
        return "the house (fees)"
    if group == "preset":
        return f"{accounts} other trader{'s' if accounts != 1 else ''}"
    return f"{group} ({accounts})"


def money_table(session: ReadableGame, label=group_label) -> list[MoneyRow]:
    """Where the money went: every group (the vault and the house included), what it paid into
    the pile and what it holds at the end. The changes sum to exactly zero: every gain is
    someone's loss. Deposits and withdrawals during the level are not counted as gains or losses.
    """
    history = session.chronicle.group_history
    last = history[-1][1] if history else group_equity(session)
    first: dict[str, int] = dict(session.chronicle.paid_in)
    for _, groups in history:
        for group, equity in groups.items():
            first.setdefault(group, equity)
    counts: dict[str, int] = {}
    for group in session.groups_of.values():
        counts[group] = counts.get(group, 0) + 1
    groups = set(last) | {"vault", "house"}
    middle = sorted(g for g in groups if g not in ("player", *MONEY_GROUPS_LAST))
    order = [g for g in ("player", *middle, *MONEY_GROUPS_LAST) if g in groups]
    funding = session.chronicle.funding_by_group
    return [
        MoneyRow(
            g,
            label(g, counts.get(g, 0), session.role),
            first.get(g, 0),
            last.get(g, 0),
            counts.get(g, 0),
            funding.get(g, 0),
        )
        for g in order
    ]


def cents(amounts: list[int], unit: int) -> list[int]:
    """``amounts`` rounded to whole ``unit``s so that the rounded values keep the exact sum.

    Largest remainder: each rounds down, then the units the sum lost go to the amounts
    that lost most. With an exact total of zero the rounded rows still add up to zero.
    """
    total = sum(amounts)
    base = [a // unit for a in amounts]
    short = total // unit - sum(base)
    order = sorted(range(len(amounts)), key=lambda i: (-(amounts[i] - base[i] * unit), i))
    for i in order[:short]:
        base[i] += 1
    return [b * unit for b in base]


def pinned_cents(amounts: list[int], unit: int, pin: int | None) -> list[int]:
    """``amounts`` in whole ``unit``s that keep the exact sum, with the row ``pin`` (the
    player's) cut toward zero as every other screen shows it (``You: PnL +175.79`` above a
    ``you +175.80`` row was a cent out). What the cut leaves goes to the largest other row
    before rounding, so the rows still add up to the exact total."""
    if pin is None or len(amounts) < 2:
        return cents(amounts, unit)
    exact = amounts[pin]
    kept = (abs(exact) // unit) * unit * (1 if exact >= 0 else -1)
    others = [a for i, a in enumerate(amounts) if i != pin]
    biggest = max(range(len(others)), key=lambda i: abs(others[i]))
    others[biggest] += exact - kept
    rounded = cents(others, unit)
    return [*rounded[:pin], kept, *rounded[pin:]]


def your_row(rows: list[MoneyRow], role: str) -> int | None:
    """Which row of the money table is the player's: ``you``, or the vault when they run it."""
    mine = "vault" if role == "vault" else "player"
    return next((i for i, r in enumerate(rows) if r.group == mine), None)


def group_equity(session: ReadableGame) -> dict[str, int]:
    """Equity at the mark of every group (player, each trader group, vault, house).

    Runs twice a tick over every account (a sixth of a headless tick once was), so the members
    of each group are listed once per account count and each equity is summed inline: the same
    integers as ``Account.equity(mark)`` (``cash + size * mark - cost``).
    """
    mark = session.market.mark
    out: dict[str, int] = {}
    for group, members in session.chronicle.members_by_group():
        total = 0
        for a in members:
            total += a.cash + a.size * mark - a.cost
        out[group] = total
    return out


def adl_spot(session: ReadableGame) -> tuple[int | None, int, int]:
    """The player's (rank, queue length, lights) in the ADL queue of its side.

    The queue is the policy's own: only the positions it counts as candidates (a policy whose
    venue closes only winners leaves losers out), so the rank shown is the one it acts on.
    """
    m = session.market
    me = session.player
    if me.size == 0:
        return None, 0, 0
    mark = m.mark
    side = 1 if me.size > 0 else -1
    positions = [
        Position(a.id, a.size, a.open_cost, a.equity(mark), mark)
        for a in m.accounts.values()
        if a.size * side > 0 and a.kind != "house"
    ]
    positions = [p for p in positions if m.policy.eligible(p)]
    queue = m.policy.queue(positions, m.rng.fork(m.tick))
    spot = queue.get(me.id)
    if spot is None:
        return None, len(positions), 0
    return spot.rank, len(positions), spot.lights


def metrics(session: ReadableGame) -> dict[str, int]:
    """Every metric the condition language knows, in engine units."""
    m = session.market
    me = session.player
    mark = m.mark
    equity = me.equity(mark)
    maintenance = m.maintenance(me)
    book = m.book
    bid, ask = book.best_bid(), book.best_ask()
    _, _, lights = session.adl
    c = session.chronicle
    long_oi = sum(a.size for a in m.accounts.values() if a.size > 0)
    return {
        "tick": m.tick,
        "seconds": m.tick * session.level.tick_ms // 1000,
        "mark": mark,
        "index": m.index,
        "last": m.last_price or mark,
        "mid": book.mid() or mark,
        "spread": (ask - bid) if bid is not None and ask is not None else BIG,
        "book_depth": book.total_qty(BUY) + book.total_qty(SELL),
        "player_size": me.size,
        "player_abs_size": abs(me.size),
        "player_equity": equity,
        "player_pnl": equity - session.deposited,
        "player_cash": me.cash,
        "player_leverage": me.leverage,
        "player_margin_ratio": (maintenance * PPM // equity) if equity > 0 else BIG,
        "player_trades": c.player_trades,
        "player_liquidations": c.player_counts["liquidation"],
        "player_backstops": c.player_counts["backstop"],
        "player_deleverages": c.player_counts["deleverage"],
        "player_adl_lights": lights,
        "player_margin_added": session.player_margin_added,
        "player_funding": c.player_funding,
        "player_filled_liquidations": c.player_filled_liquidations,
        "vault_cash": m.vault.cash,
        "vault_equity": m.vault.equity(mark),
        "vault_size": m.vault.size,
        "liquidations": c.counts["liquidation"],
        "backstops": c.counts["backstop"],
        "deleverages": c.counts["deleverage"],
        "bad_debt": c.bad_debt,
        "open_interest": long_oi,
    }


def placeholder_values(session: ReadableGame) -> dict[str, str]:
    """Narration placeholders, formatted the way the screen shows numbers."""
    from perpgame.world.conditions import METRICS

    out = {}
    for name, value in session.metrics.items():
        unit = METRICS[name][0]
        if unit == "price":
            out[name] = format_price(value)
        elif unit == "cash":
            out[name] = format_cash(value)
        elif unit == "qty":
            out[name] = format_coin(value)
        elif unit == "ppm":
            out[name] = f"{value / 10_000:.1f}%"
        else:
            out[name] = f"{value:,}"
    liq = session.player_liq_price()
    entry = session.player.entry_price()
    out["player_liq_price"] = format_price(liq) if liq else "none"
    out["player_entry"] = format_price(entry) if entry else "none"
    out["vault_cash"] = format_cash(session.market.vault.cash)
    return out


def _book_side(session: ReadableGame, side: int) -> tuple[BookLevel, ...]:
    m = session.market
    mine: dict[int, int] = {}
    for o in m.book.orders_of(session.player.id):
        if o.side == side:
            mine[o.price] = mine.get(o.price, 0) + o.qty
    return tuple(
        BookLevel(price, qty, cum, mine.get(price, 0))
        for price, qty, cum in m.book.depth(side, BOOK_LEVELS)
    )


def _position(session: ReadableGame) -> PositionView:
    m = session.market
    me = session.player
    mark = m.mark
    equity = me.equity(mark)
    notional = abs(me.size) * mark
    maintenance = m.maintenance(me)
    liq = liquidation_price(me, m.config.maintenance_ppm)
    distance = None
    if liq is not None and mark:
        distance = abs(mark - liq) * PPM // mark
    rank, queue_len, lights = session.adl
    if me.unrealized(mark) <= 0:  # ADL closes winners only: a losing position is not in line
        rank, lights = None, 0
    in_use = m.margin_in_use(me)
    position_margin = initial_margin(me.size, mark, me.leverage)
    return PositionView(
        account_id=me.id,
        size=me.size,
        entry=me.entry_price(),
        mark=mark,
        unrealized=me.unrealized(mark),
        realized=me.realized(),
        equity=equity,
        deposited=session.deposited,
        pnl=equity - session.deposited,
        leverage=me.leverage,
        max_leverage=session.max_leverage,
        effective_leverage_ppm=(notional * PPM // equity) if equity > 0 and notional else 0,
        initial_margin=position_margin,
        maintenance_margin=maintenance,
        margin_ratio_ppm=(maintenance * PPM // equity) if equity > 0 else (BIG if me.size else 0),
        free_margin=equity - in_use,
        liquidation_price=liq,
        bankruptcy_price=bankruptcy_price(me),
        distance_to_liquidation_ppm=distance,
        adl_rank=rank,
        adl_queue=queue_len,
        adl_lights=lights,
        orders=tuple(
            OpenOrder(o.id, o.side, o.price, o.qty, o.reduce_only) for o in m.book.orders_of(me.id)
        ),
        order_margin=in_use - position_margin,
    )


def _pile(session: ReadableGame) -> PileView:
    m = session.market
    report = m.check_pile()
    now = session.chronicle.groups_now or group_equity(session)
    before = session.chronicle.groups_before or now
    counts: dict[str, int] = {}
    for acct in m.accounts.values():
        g = session.groups_of.get(acct.id, acct.group)
        counts[g] = counts.get(g, 0) + 1
    order = [
        "player",
        *sorted(g for g in now if g not in ("player", "vault", "house")),
        "vault",
        "house",
    ]
    shares = tuple(
        PileShare(g, now[g], now[g] - before.get(g, 0), counts.get(g, 0)) for g in order if g in now
    )
    equity_sum = sum(now.values())
    long_oi = sum(a.size for a in m.accounts.values() if a.size > 0)
    short_oi = -sum(a.size for a in m.accounts.values() if a.size < 0)
    return PileView(
        total=report.expected,
        equity_sum=equity_sum,
        created=equity_sum - report.expected,
        shares=shares,
        long_oi=long_oi,
        short_oi=short_oi,
        law_ok=session.chronicle.pile_ok and report.ok,
        checks=session.chronicle.pile_checks,
    )


def _waterfall(session: ReadableGame) -> WaterfallView:
    m = session.market
    v = m.vault
    c = session.chronicle
    return WaterfallView(
        stage=m.stage,
        deepest=c.deepest,
        vault_cash=v.cash,
        vault_equity=v.equity(m.mark),
        vault_start=session.vault_start,
        vault_size=v.size,
        vault_entry=v.entry_price(),
        liquidations=c.counts["liquidation"],
        backstops=c.counts["backstop"],
        deleverages=c.counts["deleverage"],
        bad_debt=c.bad_debt,
        policy=m.policy.name,
        policy_text=m.policy.description,
    )


def _goals(session: ReadableGame) -> tuple[Goal, ...]:
    o = session.level.objectives
    metrics = session.metrics
    goals = [Goal(g.label, g.when.holds(metrics), "win") for g in o.win]
    if o.survive:
        goals.append(Goal("Survive to the end", session.status == "won", "win"))
    goals += [Goal(g.label, g.when.holds(metrics), "lose") for g in o.lose]
    goals += [Goal(g.label, g.when.holds(metrics), "star") for g in o.stars]
    return tuple(goals)


def build_frame(session: ReadableGame) -> Frame:
    """Everything the screen shows of the game now, as one immutable Frame."""
    m = session.market
    cfg = m.config
    c = session.chronicle
    bid, ask = m.book.best_bid(), m.book.best_ask()
    interval = cfg.funding_interval
    return Frame(
        level_id=session.level.id,
        title=session.level.title,
        tick=m.tick,
        seconds=session.seconds,
        time_limit=session.level.objectives.time_limit_ms / 1000,
        status=session.status,
        end_reason=session.end_reason,
        stars=session.stars,
        symbol=cfg.symbol,
        index=m.index,
        mark=m.mark,
        last=m.last_price,
        best_bid=bid,
        best_ask=ask,
        spread=(ask - bid) if bid is not None and ask is not None else None,
        funding_rate_ppm=m.funding_rate() if interval else 0,
        next_funding_tick=((m.tick // interval) + 1) * interval if interval else None,
        bids=_book_side(session, BUY),
        asks=_book_side(session, SELL),
        tape=tuple(c.tape),
        stories=tuple(c.stories),
        narration=tuple(c.narration),
        why=session.why(),
        why_view=session.why_view,
        answers=tuple(session.answers),
        narration_ms=tuple(t * session.level.tick_ms for t in c.narration_ticks),
        position=_position(session),
        pile=_pile(session),
        waterfall=_waterfall(session),
        goals=_goals(session),
        chart=tuple(c.chart),
        markers=tuple(c.markers),
        role=session.role,
        lot_size=cfg.lot_size,
        tick_size=cfg.tick_size,
    )
