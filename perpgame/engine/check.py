"""The per-tick audit: everything that must hold once the waterfall has run.

:func:`check_market` returns what is wrong (an empty list when all is well), in the spirit of
sortedcontainers' ``_check()``: the pile law, no position left below maintenance (bar an account
held in liquidation under the ``deficit`` trigger, and the vault under socialised loss), no
negative equity without a ``bad_debt`` event that covers it, no more owed out than was paid in,
every long someone's short, and the book's own invariants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from perpgame.engine.account import HOUSE, VAULT
from perpgame.engine.book import BUY, SELL
from perpgame.engine.risk import is_liquidatable

if TYPE_CHECKING:
    from perpgame.engine.account import Account
    from perpgame.engine.adl import AdlPolicy
    from perpgame.engine.book import OrderBook
    from perpgame.engine.config import MarketConfig
    from perpgame.engine.ledger import Ledger


class PileLaw(Protocol):
    """What ``check_pile`` answers: whether the pile law holds, and in words."""

    ok: bool

    def explain(self) -> str: ...


class AuditedMarket(Protocol):
    """The pieces of a market the audit reads (``Market`` has them; this module never imports
    it, so the market can audit itself without an import circle)."""

    mark: int
    config: MarketConfig
    accounts: dict[int, Account]
    ledger: Ledger
    policy: AdlPolicy
    deposits: int
    withdrawals: int
    book: OrderBook

    @property
    def vault(self) -> Account: ...

    def check_pile(self) -> PileLaw: ...


def check_market(m: AuditedMarket) -> list[str]:
    """Every broken invariant, one sentence each; [] when the market is sound."""
    problems: list[str] = []
    pile = m.check_pile()
    if not pile.ok:
        problems.append(pile.explain())
    longs = sum(a.size for a in m.accounts.values() if a.size > 0)
    shorts = sum(a.size for a in m.accounts.values() if a.size < 0)
    if longs + shorts:
        problems.append(f"longs {longs} and shorts {shorts} do not sum to zero")
    owed = _check_accounts(m, problems)
    if m.withdrawals > m.deposits:
        problems.append(f"withdrawals {m.withdrawals} exceed deposits {m.deposits}")
    paid_in = m.deposits - m.withdrawals
    vault_deficit = max(0, -m.vault.equity(m.mark))
    if owed > paid_in + vault_deficit:
        problems.append(f"the accounts are owed {owed} but only {paid_in} was paid in")
    problems += _check_book(m)
    return problems


def _check_accounts(m: AuditedMarket, problems: list[str]) -> int:
    """Each account's equity and maintenance, problems appended in id order; returns what the
    accounts are owed (the sum of positive equity)."""
    mark = m.mark
    cfg = m.config
    owed = 0
    for a in m.accounts.values():
        equity = a.equity(mark)
        owed += max(0, equity)
        if a.kind == VAULT:
            problems += _check_vault(m, a, equity)
            continue
        if equity < 0:
            problems.append(f"account {a.id} has equity {equity} below zero and no bad_debt event")
        held = cfg.adl_trigger == "deficit" and equity >= 0
        if a.kind != HOUSE and not held and is_liquidatable(a, mark, cfg.maintenance_ppm):
            problems.append(f"account {a.id} is still below maintenance after the waterfall")
    return owed


def _check_vault(m: AuditedMarket, vault: Account, equity: int) -> list[str]:
    """The vault may be below zero only by the bad debt it was named for, and below maintenance
    only where losses are pooled (a policy that closes no positions, or the deficit trigger)."""
    problems: list[str] = []
    cfg = m.config
    covered = m.ledger.vault_bad_debt
    if equity < 0 and -equity > covered:
        problems.append(
            f"vault equity {equity} is below zero by more than the {covered} of bad debt "
            "it was named for"
        )
    pooled = not m.policy.closes_positions or cfg.adl_trigger == "deficit"
    if is_liquidatable(vault, m.mark, cfg.maintenance_ppm) and equity >= 0 and not pooled:
        problems.append(f"vault below maintenance with equity {equity}")
    return problems


def _check_book(m: AuditedMarket) -> list[str]:
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
