"""What a seat sees: plain JSON-ready dicts built from (session, seat), once per tick.

Money is in engine units, as integers: prices in cents, quantities in lots of 1/10,000 coin, cash
in micro-dollars (``UNITS``). The market part is the same for every seat and is built once.
"""

from __future__ import annotations

from typing import Any

from perpgame.engine.adl import Position
from perpgame.engine.book import BUY, SELL
from perpgame.engine.risk import liquidation_price
from perpgame.engine.units import CASH_SCALE, PRICE_SCALE, QTY_SCALE
from perpgame.level.schema import Level
from perpgame.session import GameSession

BOOK_LEVELS = 10
UNITS = {"price": PRICE_SCALE, "qty": QTY_SCALE, "cash": CASH_SCALE}
"""How many units make one dollar (price, cash) or one coin (qty)."""
WATERFALL = ("liquidation", "backstop", "deleverage")
UNPLAYED = "no_seat"
"""The pile group (in a seat's copy) and the debrief's name of the level's one-player account,
which a table keeps, idle, so that the table plays the level's own game: nobody plays it."""


def names(session: GameSession) -> dict[int, str]:
    """Account id -> the name shown at a table: seats by their seat name, bots by theirs."""
    return {acct.id: acct.name for acct in session.market.accounts.values()}


def market_view(session: GameSession, events: list | None = None) -> dict[str, Any]:
    """The market every seat sees this tick: prices, the book, the tape and the waterfall.

    The tape and the waterfall are of ``events`` (by default the last tick's)."""
    m = session.market
    name = names(session)
    tape = []
    waterfall = []
    for e in session.tick_events if events is None else events:
        if e.type == "fill":
            buyer, seller = (e.taker, e.maker) if e.taker_side == BUY else (e.maker, e.taker)
            tape.append(
                {
                    "price": e.price,
                    "qty": e.qty,
                    "buyer": name.get(buyer, f"#{buyer}"),
                    "seller": name.get(seller, f"#{seller}"),
                    "liquidation": e.liquidation,
                }
            )
        elif e.type in WATERFALL:
            item = {"kind": e.type, "account": name.get(e.account, f"#{e.account}")}
            if e.type == "deleverage":
                item["against"] = name.get(e.counterparty, f"#{e.counterparty}")
                item["qty"] = e.qty
                item["price"] = e.price
            waterfall.append(item)
    return {
        "tick": m.tick,
        "status": session.status,
        "mark": m.mark,
        "index": m.index,
        "last": m.last_price,
        "bids": [[p, q] for p, q, _ in m.book.depth(BUY, BOOK_LEVELS)],
        "asks": [[p, q] for p, q, _ in m.book.depth(SELL, BOOK_LEVELS)],
        "tape": tape,
        "waterfall": waterfall,
        "stage": m.stage,
    }


def seat_view(session: GameSession, seat: str) -> dict[str, Any]:
    """One seat's account: cash, position, equity at mark, leverage, liquidation price, orders."""
    m = session.market
    acct = m.accounts[session.seats[seat]]
    return {
        "seat": seat,
        "cash": acct.cash,
        "size": acct.size,
        "cost": acct.cost,
        "equity": acct.equity(m.mark),
        "leverage": acct.leverage,
        "liq_price": liquidation_price(acct, m.config.maintenance_ppm),
        "orders": [
            {"id": o.id, "side": o.side, "price": o.price, "qty": o.qty}
            for o in m.book.orders_of(acct.id)
        ],
    }


def profit(session: GameSession, account_id: int) -> int:
    """A seat's profit: its equity at the mark less the starting cash and the margin it added."""
    acct = session.market.accounts[account_id]
    paid_in = session.level.player.cash + session.margin_added.get(account_id, 0)
    return acct.equity(session.market.mark) - paid_in


def standings(
    session: GameSession, seats: list[str], names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The seats' board (seat, name, profit), best first, ties by seat name: what every seat is
    sent every ten ticks, and what a seat's own copy of the game works out every tick."""
    rows = [
        {"seat": s, "name": (names or {}).get(s, ""), "pnl": profit(session, session.seats[s])}
        for s in seats
    ]
    rows.sort(key=lambda r: (-r["pnl"], r["seat"]))
    return rows


def leaderboard(
    session: GameSession, seats: list[str], names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every seat by profit (equity less the starting cash and the margin it added since), best
    first; ties by seat name.

    With each: size, leverage in hundredths (notional / equity; None when equity <= 0), the
    liquidation price, the distance to it in basis points of the mark, and the seat's ADL rank,
    queue length and lights (0-5) on its side, as the one-player screen shows them.
    """
    m = session.market
    mark = m.mark
    queues = {side: _adl_queue(session, side) for side in (BUY, SELL)}
    rows = []
    for seat in seats:
        acct = m.accounts[session.seats[seat]]
        equity = acct.equity(mark)
        liq = liquidation_price(acct, m.config.maintenance_ppm) if acct.size else None
        spot = queues[BUY if acct.size > 0 else SELL].get(acct.id) if acct.size else None
        rows.append(
            {
                "seat": seat,
                "name": (names or {}).get(seat, ""),
                "equity": equity,
                "pnl": profit(session, acct.id),
                "size": acct.size,
                "leverage": abs(acct.size) * mark * 100 // equity if equity > 0 else None,
                "liq_price": liq,
                "liq_distance_bps": abs(mark - liq) * 10_000 // mark if liq and mark else None,
                "adl_rank": spot.rank if spot else None,
                "adl_lights": spot.lights if spot else 0,
            }
        )
    rows.sort(key=lambda r: (-r["pnl"], r["seat"]))
    return rows


def _adl_queue(session: GameSession, side: int) -> dict[int, Any]:
    """The ADL queue of the positions on ``side``, by account (read-only: the rng is forked)."""
    m = session.market
    positions = [
        Position(a.id, a.size, a.open_cost, a.equity(m.mark), m.mark)
        for a in m.accounts.values()
        if a.size * side > 0 and a.kind != "house"
    ]
    return m.policy.queue(positions, m.rng.fork(m.tick)) if positions else {}


def timeline_view(level: Level) -> list[dict[str, Any]]:
    """The level's timeline entries an instructor can fire: index, what it does, when it is due."""
    out = []
    for i, entry in enumerate(level.timeline):
        change = getattr(entry, "change", None)
        what = entry.do + (f" {change / 10_000:+g}%" if isinstance(change, int) else "")
        due = f"tick {entry.at}" if entry.at is not None else "when a condition holds"
        out.append({"index": i, "do": entry.do, "what": what, "due": due})
    return out
