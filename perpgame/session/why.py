"""why?: every event of one tick that touched the player, as numbers that add up.

The explanation is built from the events' fields (never from their sentences). Each trade the
player took part in (a fill, the vault's takeover, an auto-deleverage) is valued at the tick's
final mark, each cash transfer (fees, collateral, funding, haircuts, deposits) is counted once,
and the mark's move on the position held before the tick is its own line. Their sum is exactly
the change of the player's equity over the tick, because equity is ``cash + size * mark - cost``.
"""

from __future__ import annotations

from dataclasses import dataclass

from perpgame.engine import events as ev
from perpgame.engine.units import format_cash, format_price
from perpgame.session.frame import WhyLine, WhyView
from perpgame.session.numbers import coin_size, side_word
from perpgame.session.rules import rule


@dataclass(frozen=True, slots=True)
class Before:
    """The player's account at the start of a tick."""

    equity: int
    size: int
    mark: int


class _Builder:
    def __init__(self, pid: int, mark: int, name, before: Before) -> None:
        self.pid = pid
        self.mark = mark
        self.name = name
        self.facts: list[WhyLine] = []
        self.lines: list[WhyLine] = []
        self.size = before.size
        """The player's position as the events of the tick change it, one by one."""
        self.equity = before.equity + before.size * (mark - before.mark)
        """The player's equity at the final mark as the events change it, one by one."""

    def trade(self, label: str, qty: int, price: int, detail: str = "") -> None:
        """The player's position changed by ``qty`` lots at ``price``: its value at the mark."""
        amount = qty * (self.mark - price)
        self.lines.append(WhyLine(label, amount, detail))
        self.size += qty
        self.equity += amount

    def cash(self, label: str, amount: int, detail: str = "") -> None:
        if amount:
            self.lines.append(WhyLine(label, amount, detail))
            self.equity += amount

    def fact(self, label: str, detail: str = "") -> None:
        line = WhyLine(label, None, detail)
        if line not in self.facts:
            self.facts.append(line)


def explain(
    events: list[ev.Event],
    *,
    pid: int,
    before: Before,
    equity_after: int,
    mark: int,
    funding: int,
    name,
    tick: int,
    seconds: float,
    headlines: tuple[str, ...],
) -> WhyView:
    """The why? of one tick for account ``pid``; ``name(account_id)`` names the others."""
    b = _Builder(pid, mark, name, before)
    for e in events:
        teller = _TELLERS.get(e.type)
        if teller is not None:
            teller(b, e)
    if funding:
        b.cash("Funding " + ("received" if funding > 0 else "paid"), funding)
    if before.size and mark != before.mark:
        b.lines.insert(
            0,
            WhyLine(
                f"Mark moved on your {coin_size(before.size)} {side_word(before.size)}",
                before.size * (mark - before.mark),
                f"{format_price(before.mark)} → {format_price(mark)}",
            ),
        )
    total = equity_after - before.equity
    rest = total - sum(line.amount or 0 for line in b.lines)
    if rest:
        b.lines.append(WhyLine("Other transfers", rest, "cash moved without its own event"))
    b.facts.insert(
        0,
        WhyLine(
            "Equity",
            None,
            f"{format_cash(before.equity)} → {format_cash(equity_after)}; every trade below is "
            f"valued at the mark {format_price(mark)}",
        ),
    )
    return WhyView(
        tick, seconds, headlines, tuple(b.facts), tuple(b.lines), before.equity, equity_after
    )


def _fill(b: _Builder, e: ev.Fill) -> None:
    if b.pid not in (e.maker, e.taker):
        return
    taker = e.taker == b.pid
    qty = e.qty * e.taker_side * (1 if taker else -1)
    other = e.maker if taker else e.taker
    verb, towards = ("Bought", "from") if qty > 0 else ("Sold", "to")
    tag = ""
    if e.liquidation:
        tag = " (your liquidation order)" if taker else " (their liquidation order)"
    b.trade(
        f"{verb} {coin_size(qty)} at {format_price(e.price)} {towards} {b.name(other)}{tag}",
        qty,
        e.price,
    )
    fee = e.taker_fee if taker else e.maker_fee
    b.cash("Trading fee to the house" if fee > 0 else "Maker rebate", -fee)


def _liquidation(b: _Builder, e: ev.Liquidation) -> None:
    if e.account != b.pid:
        return
    # the event carries the equity and maintenance that triggered it; its fills are already
    # told, so the position then was what is left now plus what this slice sold
    size = b.size + (e.filled if e.qty > 0 else -e.filled)
    equity, maintenance = e.equity, e.maintenance
    if not any(f.label == "Liquidated" for f in b.facts):
        b.fact(
            "Liquidated",
            f"equity {format_cash(equity)} < maintenance {format_cash(maintenance)} "
            f"({coin_size(size)} {side_word(size)} at mark {format_price(e.mark)})",
        )
    took = (
        f"the book took {coin_size(e.filled)} of {coin_size(e.qty)} at {format_price(e.avg_price)}"
        if e.filled and e.avg_price
        else f"the book took none of {coin_size(e.qty)}"
    )
    bp = f"; bankruptcy price {format_price(e.bankruptcy_price)}" if e.bankruptcy_price else ""
    b.fact("Liquidation order", took + bp)
    b.cash("Liquidation fee to the vault", -e.fee)


def _backstop(b: _Builder, e: ev.Backstop) -> None:
    if e.account == b.pid:
        b.trade(
            f"The vault took your {coin_size(e.qty)} {side_word(e.qty)} at {format_price(e.price)}",
            -e.qty,
            e.price,
            "the vault's discount: the bankruptcy price against the mark",
        )
        b.cash("Your remaining collateral to the vault", -e.collateral)
    elif e.vault == b.pid:
        b.trade(
            f"You (the vault) took {b.name(e.account)}'s {coin_size(e.qty)} {side_word(e.qty)} "
            f"at {format_price(e.price)}",
            e.qty,
            e.price,
            "your discount: the bankruptcy price against the mark",
        )
        b.cash(f"{b.name(e.account)}'s remaining collateral", e.collateral)


def _deleverage(b: _Builder, e: ev.Deleverage) -> None:
    closing = -(1 if e.size_before > 0 else -1) * e.qty  # the winner's change
    score = getattr(e, "score", None)
    chosen = f"queue rank {e.rank} under the {rule(e.policy).short} rule" + (
        f" (score {score})" if score is not None else ""
    )
    if e.account == b.pid:
        b.fact("Auto-deleveraged", chosen)
        b.trade(
            f"{coin_size(e.qty)} of your {coin_size(e.size_before)} {side_word(e.size_before)} closed at "
            f"{format_price(e.price)} against {b.name(e.counterparty)}",
            closing,
            e.price,
            "the paper profit above that price is given up",
        )
    elif e.counterparty == b.pid:
        b.fact(f"Your position was closed against {b.name(e.account)}", chosen)
        b.trade(
            f"{coin_size(e.qty)} closed at {format_price(e.price)} against {b.name(e.account)} (ADL)",
            -closing,
            e.price,
        )


def _haircut(b: _Builder, e: ev.Haircut) -> None:
    if e.account == b.pid:
        b.cash(f"Profit haircut to cover {b.name(e.counterparty)}'s deficit", -e.amount)
    elif e.counterparty == b.pid:
        b.cash(f"Haircut paid in by {b.name(e.account)}", e.amount)


def _bad_debt(b: _Builder, e: ev.BadDebt) -> None:
    if e.account == b.pid:
        b.fact("Bad debt", f"you went {format_cash(e.amount)} below zero ({e.absorbed_by} paid)")
    elif b.pid in e.absorbers:
        b.fact("Bad debt", f"{b.name(e.account)} went {format_cash(e.amount)} below zero")


def _deposit(b: _Builder, e: ev.Deposit) -> None:
    if e.account == b.pid:
        b.cash("Margin added (fresh cash)", e.amount)


def _withdrawal(b: _Builder, e: ev.Withdrawal) -> None:
    if e.account == b.pid:
        b.cash("Margin taken out", -e.amount)


def _rejected(b: _Builder, e: ev.OrderRejected) -> None:
    if e.account == b.pid:
        b.fact("Order refused", str(e.reason))


_TELLERS = {
    "fill": _fill,
    "liquidation": _liquidation,
    "backstop": _backstop,
    "deleverage": _deleverage,
    "haircut": _haircut,
    "bad_debt": _bad_debt,
    "deposit": _deposit,
    "withdrawal": _withdrawal,
    "order_rejected": _rejected,
}


def touches(e: ev.Event, pid: int) -> bool:
    """True when event ``e`` involves account ``pid`` (funding is checked by amount instead)."""
    if e.type == "fill":
        return pid in (e.maker, e.taker)
    ids = (
        getattr(e, "account", None),
        getattr(e, "vault", None),
        getattr(e, "counterparty", None),
    )
    return pid in ids or pid in getattr(e, "absorbers", ())


def scan(events: list[ev.Event], pid: int) -> tuple[bool, bool]:
    """(any event :func:`touches` ``pid``, any event is funding), in one pass over a tick's events.

    The two commonest events are looked at inline (a cancel names one account, a fill two).
    """
    touched = funding = False
    for e in events:
        kind = e.type
        if kind == "order_cancelled":
            if not touched and e.account == pid:
                touched = True
        elif kind == "fill":
            if not touched and (e.maker == pid or e.taker == pid):
                touched = True
        elif kind == "funding":
            funding = True
        elif not touched and touches(e, pid):
            touched = True
    return touched, funding


__all__ = ["Before", "explain", "scan", "touches"]
