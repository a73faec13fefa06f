"""The liquidation waterfall: the book, then the backstop vault, then auto-deleveraging.

After each tick's trading, every account whose equity is below its maintenance margin at the mark
is liquidated, one at a time in account-id order, until no account is left below maintenance:

1. **Book.** Its orders are cancelled and reduce-only IOC orders go into the same book, limited to
   the bankruptcy price, so the book can never fill it into a deficit. With partial liquidation,
   a slice at a time. A liquidation fee (never more than the equity left) goes to the vault.
   Skipped once equity is below the backstop threshold (a fraction of maintenance).
2. **Backstop.** What the book did not take, the vault takes at the bankruptcy price, with what
   collateral is left, as far as its own equity covers the initial margin at its leverage (and
   its notional cap). Where the account's equity was already negative, the vault absorbs the
   deficit and a ``bad_debt`` event says so.
3. **ADL.** The rest is closed against positions on the other side, ranked by the market's ADL
   policy, at the bankruptcy price. Under ``socialized_loss`` the positions stay open instead: the
   vault takes the rest at the mark and the winners' unrealised profit pays the deficit, pro rata.
   The vault is then the exchange's pool (as in GMX or Drift): when it is below maintenance it
   unwinds what the book takes, keeps the rest open, and its own deficit is socialised the same
   way. It is the one account that can stay below maintenance, and only under this policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perpgame.engine.account import (
    HOUSE,
    VAULT,
    Account,
    bankruptcy_price,
    initial_margin,
    is_liquidatable,
)
from perpgame.engine.adl import AdlPolicy, Position
from perpgame.engine.book import BUY, SELL, OrderType
from perpgame.engine.events import Backstop, BadDebt, Deleverage, Haircut, Liquidation
from perpgame.engine.units import PPM, apply_rate, ceil_div, format_cash, format_price

if TYPE_CHECKING:
    from perpgame.engine.market import Market

STAGES = ("calm", "book", "vault", "adl")


def run_waterfall(market: Market) -> None:
    """Liquidate until no account is below maintenance margin at the mark."""
    run = _Run(market)
    limit = len(market.accounts) * 4 + 16
    for _ in range(limit):
        mark = market.mark
        mmr = market.config.maintenance_ppm
        victims = [
            a
            for a in market.accounts.values()
            if a.id not in run.pooled and is_liquidatable(a, mark, mmr)
        ]
        if not victims:
            return
        for acct in victims:
            if market.liquidatable(acct):
                run.liquidate(acct)
    raise AssertionError("the liquidation waterfall did not settle")  # pragma: no cover


class _Run:
    """One tick's waterfall: holds the ADL queues, ranked once per side per tick."""

    def __init__(self, market: Market) -> None:
        self.market = market
        self.queues: dict[int, list[tuple[int, int]]] = {}
        self.heads: dict[int, int] = {}
        self.pooled: set[int] = set()
        """Accounts whose positions stay open under socialised loss (the vault), done this tick."""

    def _raise_stage(self, stage: str) -> None:
        if STAGES.index(stage) > STAGES.index(self.market.stage):
            self.market.stage = stage

    # ------------------------------------------------------------------ driver
    def liquidate(self, acct: Account) -> None:
        m = self.market
        cfg = m.config
        mark = m.mark
        equity = acct.equity(mark)
        maintenance = m.maintenance(acct)
        reason = (
            f"equity {format_cash(equity)} < maintenance {format_cash(maintenance)} "
            f"at mark {format_price(mark)}"
        )
        m.cancel_all(acct.id, "liquidation")
        self._raise_stage("book")
        is_vault = acct.kind == VAULT
        below_backstop = equity * PPM < maintenance * cfg.backstop_ppm
        if cfg.book_liquidation and (is_vault or not below_backstop):
            self._book(acct, reason)
        else:
            why = "book liquidation off" if not cfg.book_liquidation else "below backstop threshold"
            self._emit_liquidation(acct, acct.size, 0, 0, 0, f"{reason}; {why}")
        if acct.size == 0 or not m.liquidatable(acct):
            return
        if not is_vault:
            self._backstop(acct, reason)
            if acct.size == 0:
                return
        self._deleverage(acct)

    # ----------------------------------------------------------- stage 1: book
    def _book(self, acct: Account, reason: str) -> None:
        m = self.market
        cfg = m.config
        while acct.size and m.liquidatable(acct):
            size = acct.size
            chunk = self._chunk(abs(size))
            limit = bankruptcy_price(acct) or cfg.tick_size
            side = SELL if size > 0 else BUY
            outcome = m._submit(
                acct, side, chunk, limit, OrderType.IOC, reduce_only=True, tag="liquidation"
            )
            fee = 0
            if outcome.filled:
                fee = min(
                    apply_rate(outcome.cash, cfg.liquidation_fee_ppm), max(0, acct.equity(m.mark))
                )
                m.transfer(acct.id, m.vault.id, fee)
            self._emit_liquidation(
                acct, (chunk if size > 0 else -chunk), outcome.filled, outcome.cash, fee, reason
            )
            if outcome.filled < chunk:
                return
            if acct.kind != VAULT:
                equity = acct.equity(m.mark)
                if equity * PPM < m.maintenance(acct) * cfg.backstop_ppm:
                    return

    def _chunk(self, size: int) -> int:
        cfg = self.market.config
        if cfg.partial_liquidation_ppm == 0 or size * self.market.mark <= cfg.partial_min_notional:
            return size
        part = ceil_div(size * cfg.partial_liquidation_ppm, PPM)
        part = ceil_div(part, cfg.lot_size) * cfg.lot_size
        return min(size, max(part, cfg.lot_size))

    def _emit_liquidation(
        self, acct: Account, qty: int, filled: int, cash: int, fee: int, reason: str
    ) -> None:
        m = self.market
        bp = bankruptcy_price(acct) if acct.size else None
        m._emit(
            Liquidation(
                m.tick,
                acct.id,
                qty,
                filled,
                cash // filled if filled else None,
                m.mark,
                acct.equity(m.mark),
                m.maintenance(acct),
                bp or 0,
                fee,
                reason,
            )
        )

    # ------------------------------------------------------- stage 2: backstop
    def _backstop(self, acct: Account, reason: str) -> None:
        m = self.market
        vault = m.vault
        price = bankruptcy_price(acct) or m.config.tick_size
        size = acct.size
        qty = self._vault_capacity(acct, price)
        if qty <= 0:
            return
        self._raise_stage("vault")
        sign = 1 if size > 0 else -1
        equity_before = acct.equity(m.mark)
        vault_before = vault.equity(m.mark)
        vault.apply_trade(sign * qty, price)
        acct.apply_trade(-sign * qty, price)
        collateral = 0
        if acct.size == 0:
            collateral = acct.equity(m.mark)
            m.transfer(acct.id, vault.id, collateral)
        m._emit(
            Backstop(
                m.tick,
                acct.id,
                vault.id,
                sign * qty,
                price,
                collateral,
                f"{reason}; the book could not take it, the vault took it at the bankruptcy price",
            )
        )
        absorbed = vault_before - vault.equity(m.mark)
        if equity_before < 0 and absorbed > 0:
            m._emit(BadDebt(m.tick, acct.id, absorbed, "vault", (vault.id,)))

    def _vault_capacity(self, acct: Account, price: int) -> int:
        """The most lots the vault can take at ``price`` and still cover its initial margin."""
        m = self.market
        vault = m.vault
        mark = m.mark
        cfg = m.config
        total = abs(acct.size)
        sign = 1 if acct.size > 0 else -1
        per_lot_gain = sign * (mark - price)
        vault_equity = vault.equity(mark)
        leftover = acct.equity(mark) - acct.size * (mark - price)  # what stays at B, all closed

        def fits(q: int) -> bool:
            new_size = vault.size + sign * q
            equity = vault_equity + q * per_lot_gain + (leftover if q == total else 0)
            cap = cfg.vault_max_notional
            if cap and abs(new_size) * mark > cap and abs(new_size) > abs(vault.size):
                return False
            return equity >= initial_margin(new_size, mark, vault.leverage)

        if fits(total):
            return total
        lot = cfg.lot_size
        lo, hi = 0, (total - 1) // lot  # in lots; lo always fits (0 lots)
        if not fits(0):
            return 0
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(mid * lot):
                lo = mid
            else:
                hi = mid - 1
        return lo * lot

    # ------------------------------------------------------------ stage 3: ADL
    def _deleverage(self, acct: Account) -> None:
        m = self.market
        policy = m.policy
        if not policy.closes_positions:
            if acct.kind == VAULT:
                self.pooled.add(acct.id)
                self._raise_stage("adl")
                self._haircut(acct, policy, 1 if acct.size > 0 else -1)
            else:
                self._socialize(acct, policy)
            return
        self._raise_stage("adl")
        mark = m.mark
        price = bankruptcy_price(acct) or m.config.tick_size
        equity_before = acct.equity(mark)
        sign = 1 if acct.size > 0 else -1
        absorbers: list[int] = []
        for account_id, qty, rank in self._allocations(acct, policy):
            winner = m.accounts[account_id]
            before = winner.equity(mark)
            size_before = winner.size
            m.cancel_all(winner.id, "auto-deleveraged")
            winner.apply_trade(sign * qty, price)
            acct.apply_trade(-sign * qty, price)
            absorbers.append(winner.id)
            m._emit(
                Deleverage(
                    m.tick,
                    winner.id,
                    acct.id,
                    size_before,
                    qty,
                    price,
                    rank,
                    policy.name,
                    mark,
                    before - winner.equity(mark),
                )
            )
            if acct.size == 0:
                break
        if equity_before < 0:
            m._emit(BadDebt(m.tick, acct.id, -equity_before, "adl", tuple(absorbers)))

    def _allocations(self, acct: Account, policy: AdlPolicy):
        """(account, qty, rank) to close, walking a queue ranked once this tick for this side."""
        m = self.market
        need = abs(acct.size)
        side = 1 if acct.size > 0 else -1
        if policy.proportional:
            positions = self._candidates(acct, side)
            for a in policy.allocate(positions, need, m.rng):
                yield a.account, a.qty, a.rank
            return
        for _ in range(2):
            queue = self.queues.get(side)
            if queue is None:
                ranked = policy.rank(self._candidates(None, side), m.rng)
                queue = [(p.account, i + 1) for i, p in enumerate(ranked)]
                self.queues[side] = queue
                self.heads[side] = 0
            # entries at the head that are used up stay used up this tick: skip them for good
            head = self.heads[side]
            while head < len(queue) and m.accounts[queue[head][0]].size * side >= 0:
                head += 1
            self.heads[side] = head
            for i in range(head, len(queue)):
                if need == 0:
                    return
                account_id, rank = queue[i]
                other = m.accounts[account_id]
                if account_id == acct.id or other.size * side >= 0:
                    continue
                qty = min(need, abs(other.size))
                need -= qty
                yield account_id, qty, rank
            if need == 0:
                return
            # positions opened since the queue was ranked (the vault's, after a backstop) are not
            # in it: rank everyone on that side again. Every long is someone's short, so the
            # fresh queue always covers what is left.
            del self.queues[side]
        raise AssertionError("ADL found no counterparty")  # pragma: no cover

    def _candidates(self, exclude: Account | None, side: int) -> list[Position]:
        """Every position opposite to ``side`` (the bankrupt side), as the ADL policies see them."""
        m = self.market
        mark = m.mark
        return [
            Position(a.id, a.size, a.open_cost, a.equity(mark), mark)
            for a in m.accounts.values()
            if a.size * side < 0 and a is not exclude and a.kind != HOUSE
        ]

    def _socialize(self, acct: Account, policy: AdlPolicy) -> None:
        """Socialised loss: the vault takes the rest at the mark; winners pay the deficit."""
        m = self.market
        self._raise_stage("adl")
        mark = m.mark
        vault = m.vault
        size = acct.size
        vault.apply_trade(size, mark)
        acct.apply_trade(-size, mark)
        m._emit(
            Backstop(
                m.tick,
                acct.id,
                vault.id,
                size,
                mark,
                0,
                "socialised loss: the vault takes the position at the mark; winners cover the deficit",
            )
        )
        self._haircut(acct, policy, 1 if size > 0 else -1)

    def _haircut(self, acct: Account, policy: AdlPolicy, side: int) -> None:
        """Charge ``acct``'s negative equity to the winners opposite ``side``, pro rata to profit."""
        m = self.market
        vault = m.vault
        deficit = -acct.equity(m.mark)
        if deficit <= 0:
            return
        absorbers: list[int] = []
        paid = 0
        for account_id, amount in policy.haircut(self._candidates(acct, side), deficit):
            if amount <= 0:
                continue
            m.transfer(account_id, acct.id, amount)
            paid += amount
            absorbers.append(account_id)
            m._emit(Haircut(m.tick, account_id, acct.id, amount))
        rest = deficit - paid
        if rest:
            # no winners' profit left: the vault carries it (for the vault itself, as negative equity)
            if acct is not vault:
                m.transfer(vault.id, acct.id, rest)
            m._emit(BadDebt(m.tick, acct.id, rest, "vault", (vault.id,)))
        if paid:
            m._emit(BadDebt(m.tick, acct.id, paid, "socialized_loss", tuple(absorbers)))
