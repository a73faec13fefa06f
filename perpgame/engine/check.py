"""The per-tick audit: everything that must hold once the waterfall has run.

:func:`check_market` returns what is wrong (an empty list when all is well), in the spirit of
sortedcontainers' ``_check()``: the pile law, no position left below maintenance (bar an account
held in liquidation under the ``deficit`` trigger, and the vault under socialised loss), no
negative equity without a ``bad_debt`` event that covers it, no more owed out than was paid in,
every long someone's short, and the book's own invariants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perpgame.engine.account import HOUSE, VAULT
from perpgame.engine.book import BUY, SELL
from perpgame.engine.risk import is_liquidatable

if TYPE_CHECKING:
    from perpgame.engine.market import Market


def check_market(m: Market) -> list[str]:
    """Every broken invariant, one sentence each; [] when the market is sound."""
    problems: list[str] = []
    mark = m.mark
    cfg = m.config
    pile = m.check_pile()
    if not pile.ok:
        problems.append(pile.explain())
    longs = sum(a.size for a in m.accounts.values() if a.size > 0)
    shorts = sum(a.size for a in m.accounts.values() if a.size < 0)
    if longs + shorts:
        problems.append(f"longs {longs} and shorts {shorts} do not sum to zero")
    covered = m.ledger.vault_bad_debt
    owed = 0
    for a in m.accounts.values():
        equity = a.equity(mark)
        owed += max(0, equity)
        if a.kind == VAULT:
            if equity < 0 and -equity > covered:
                problems.append(
                    f"vault equity {equity} is below zero by more than the {covered} of bad debt "
                    "it was named for"
                )
            pooled = not m.policy.closes_positions or cfg.adl_trigger == "deficit"
            if is_liquidatable(a, mark, cfg.maintenance_ppm) and equity >= 0 and not pooled:
                problems.append(f"vault below maintenance with equity {equity}")
            continue
        if equity < 0:
            problems.append(f"account {a.id} has equity {equity} below zero and no bad_debt event")
        held = cfg.adl_trigger == "deficit" and equity >= 0
        if a.kind != HOUSE and not held and is_liquidatable(a, mark, cfg.maintenance_ppm):
            problems.append(f"account {a.id} is still below maintenance after the waterfall")
    if m.withdrawals > m.deposits:
        problems.append(f"withdrawals {m.withdrawals} exceed deposits {m.deposits}")
    paid_in = m.deposits - m.withdrawals
    vault_deficit = max(0, -m.vault.equity(mark))
    if owed > paid_in + vault_deficit:
        problems.append(f"the accounts are owed {owed} but only {paid_in} was paid in")
    problems += _check_book(m)
    return problems


def _check_book(m: Market) -> list[str]:
    problems: list[str] = []
    book = m.book
    bid, ask = book.best_bid(), book.best_ask()
    if bid is not None and ask is not None and bid >= ask:
        problems.append(f"the book is crossed: bid {bid} >= ask {ask}")
    resting = book.resting()
    if len(resting) != len(book):
        problems.append("the book's order count disagrees with its levels")
    for side in (BUY, SELL):
        if book.total_qty(side) != sum(o.qty for o in resting if o.side == side):
            problems.append("a side's total quantity disagrees with its orders")
    room: dict[int, int] = {}
    for o in resting:
        if o.qty <= 0 or o.owner not in m.accounts:
            problems.append(f"order {o.id} has qty {o.qty} or an unknown owner {o.owner}")
        if o.reduce_only:
            room[o.owner] = room.get(o.owner, 0) + o.qty
    for owner, qty in room.items():
        if qty > abs(m.accounts[owner].size):
            problems.append(f"account {owner}'s reduce-only orders exceed its position")
    return problems
