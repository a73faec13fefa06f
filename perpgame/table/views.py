"""What a seat sees: plain JSON-ready dicts built from (session, seat), once per tick.

Money is in engine units, as integers: prices in cents, quantities in lots of 1/10,000 coin, cash
in micro-dollars (``UNITS``). The market part is the same for every seat and is built once.
"""

from __future__ import annotations

from typing import Any

from perpgame.engine.account import liquidation_price
from perpgame.engine.book import BUY, SELL
from perpgame.engine.units import CASH_SCALE, PRICE_SCALE, QTY_SCALE
from perpgame.session import GameSession

BOOK_LEVELS = 10
UNITS = {"price": PRICE_SCALE, "qty": QTY_SCALE, "cash": CASH_SCALE}
"""How many units make one dollar (price, cash) or one coin (qty)."""
WATERFALL = ("liquidation", "backstop", "deleverage")


def names(session: GameSession) -> dict[int, str]:
    """Account id -> the name shown at a table: seats by their seat name, bots by theirs."""
    return {acct.id: acct.name for acct in session.market.accounts.values()}


def market_view(session: GameSession) -> dict[str, Any]:
    """The market every seat sees this tick: prices, the book, the tape and the waterfall."""
    m = session.market
    name = names(session)
    tape = []
    waterfall = []
    for e in session.tick_events:
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


def leaderboard(session: GameSession, seats: list[str]) -> list[dict[str, Any]]:
    """Every seat by profit (equity less the starting cash), best first; ties by seat name."""
    m = session.market
    start = session.level.player.cash
    rows = []
    for seat in seats:
        acct = m.accounts[session.seats[seat]]
        equity = acct.equity(m.mark)
        rows.append({"seat": seat, "equity": equity, "pnl": equity - start, "size": acct.size})
    rows.sort(key=lambda r: (-r["pnl"], r["seat"]))
    return rows
