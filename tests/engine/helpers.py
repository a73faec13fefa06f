"""Small builders for engine tests: set a state, act, assert the exact new state."""

from __future__ import annotations

from perpgame.engine.account import Account
from perpgame.engine.config import MarketConfig
from perpgame.engine.market import Market
from perpgame.engine.units import parse_cash, parse_price, parse_qty


def market(start: str = "60000", **cfg) -> Market:
    cfg.setdefault("taker_fee_ppm", 0)
    cfg.setdefault("maker_fee_ppm", 0)
    cfg.setdefault("mark_method", "index")
    return Market(MarketConfig(**cfg), start_price=parse_price(start))


def trader(m: Market, name: str, cash: str, leverage: int = 10, kind: str = "bot") -> Account:
    return m.open_account(
        kind, name.rstrip("0123456789") or name, name, cash=parse_cash(cash), leverage=leverage
    )


def hold(long: Account, short: Account, qty: str, price: str) -> None:
    """Give ``long`` and ``short`` matched positions as if they had traded with each other."""
    q, p = parse_qty(qty), parse_price(price)
    long.apply_trade(q, p)
    short.apply_trade(-q, p)


def tick(m: Market, index: str | None = None):
    """One tick with no orders: index moves, then mark, funding and the waterfall."""
    m.begin_tick()
    if index is not None:
        m.set_index(parse_price(index))
    events = m.end_tick()
    report = m.check_pile()
    assert report.ok, report.explain()
    return events


def of_type(events, kind: str) -> list:
    return [e for e in events if e.type == kind]
