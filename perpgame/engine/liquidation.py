"""The liquidation waterfall: the book, then the backstop vault, then auto-deleveraging.

It works on the :class:`Ledger` (the only writer of cash and positions), the book, the market's
rules and its ADL policy; it knows nothing of the market object. After each tick's trading, every
account whose equity is below maintenance at the mark is liquidated, in account-id order:

1. **Book.** Its orders are cancelled and reduce-only IOC orders go into the book, limited to the
   bankruptcy price, so the book can never fill it into a deficit (with partial liquidation, a
   slice at a time). A liquidation fee (never more than the equity left) goes to the vault.
   Skipped while equity is below the backstop threshold (a fraction of maintenance).
2. **Backstop.** What the book did not take, the vault takes at the bankruptcy price with the
   collateral left, as far as its own equity covers the initial margin at its leverage (and its
   notional cap). Where the account's equity was already negative, the vault absorbs the
   deficit and a ``bad_debt`` event says so.
3. **The book again.** What the vault could not take is offered to the book once more, whole,
   at the bankruptcy price: ADL never follows one unfilled slice.
4. **ADL**, by the market's ADL trigger (``MarketConfig.adl_trigger``):

   * ``deficit`` (Hyperliquid, dYdX v4): only an account whose equity at the mark is below zero is
     deleveraged. A solvent account stays in liquidation with its position (it cannot open new
     risk) and is offered to the book and the vault again on the following ticks.
   * ``takeover`` (BitMEX): the liquidation engine has taken the position at the bankruptcy
     price; what the book and the insurance fund (the vault) cannot close at or better than that
     price is deleveraged at once, solvent or not.

   The rest is closed against positions on the other side, in the policy's queue, at the
   bankruptcy price: first those that stay solvent fully closed there (dYdX v4's overlap
   condition), then the others, never so far that a winner's own equity goes below zero. Under
   ``socialized_loss`` the positions stay open instead: the vault takes the rest at the mark and
   the winners' unrealised profit pays the deficit, pro rata.

Anything else that leaves an account below zero (fees, funding, a gap, a maker fill) is covered in
the same tick: a flat account's deficit is paid by the vault and a ``bad_debt`` event says so.
Events carry reason codes and numbers; the session's storyteller puts them into words.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from perpgame.engine.account import HOUSE, VAULT, Account
from perpgame.engine.adl import AdlPolicy, Position
from perpgame.engine.adl.base import solvent_at
from perpgame.engine.book import BUY, SELL, OrderBook, OrderType
from perpgame.engine.config import MarketConfig
from perpgame.engine.events import Backstop, BadDebt, Deleverage, Haircut, Liquidation
from perpgame.engine.ledger import Ledger
from perpgame.engine.matching import LIQUIDATION_TAG, cancel_all, submit
from perpgame.engine.risk import (
    bankruptcy_price,
    initial_margin,
    is_liquidatable,
    maintenance_margin,
)
from perpgame.engine.rng import Rng
from perpgame.engine.units import PPM, apply_rate, ceil_div

STAGES = ("calm", "book", "vault", "adl")
TRIGGERS = ("deficit", "takeover")

# Reason codes on liquidation and backstop events (the storyteller words them).
BELOW_MAINTENANCE = "below_maintenance"
BELOW_BACKSTOP = "below_backstop"
BOOK_OFF = "book_off"
BOOK_AGAIN = "book_again"
HELD = "held"
VAULT_TOOK = "vault_took"
VAULT_FORCED = "vault_forced"
SOCIALIZED = "socialized"
FLAT_DEFICIT = "flat_deficit"

VAULT_ID = 1


def _below_maintenance(
    accounts: Iterable[Account], mark: int, mmr: int, done: set[int]
) -> list[Account]:
    """Every account that :func:`is_liquidatable` at ``mark``, bar ``done``, in id order.

    The same predicate written inline (flat accounts are skipped first, and ``e < ceil(x / PPM)``
    is ``e * PPM < x``): it runs over every account on every tick, so it avoids a call per account.
    """
    scale = mark * mmr
    return [
        a
        for a in accounts
        if (size := a.size)
        and (a.cash + size * mark - a.cost) * PPM < (size if size > 0 else -size) * scale
        and a.id not in done
    ]


class Waterfall:
    """One tick's waterfall: holds the ADL queues, ranked once per side per tick.

    ``Waterfall(ledger, book, config, policy, mark=, rng=).run()`` liquidates; ``stage`` is the
    stage the tick has reached before it (``calm`` unless told).
    """

    def __init__(
        self,
        ledger: Ledger,
        book: OrderBook,
        config: MarketConfig,
        policy: AdlPolicy,
        *,
        mark: int,
        rng: Rng,
        stage: str = "calm",
    ) -> None:
        self.ledger = ledger
        self.book = book
        self.config = config
        self.policy = policy
        self.mark = mark
        self.rng = rng
        self.stage = stage
        self.queues: dict[int, list[tuple[int, int, int]]] = {}
        self.heads: dict[int, int] = {}
        self.quiet = set(ledger.held)
        """Accounts already held in liquidation on an earlier tick: offering their position to
        the book again is told only when something fills."""
        self.held: set[int] = set()
        self.done: set[int] = set()
        """Accounts finished for this tick though still below maintenance: held in liquidation
        under ``deficit``, or the vault whose positions stay open under socialised loss."""

    def run(self) -> str:
        """Liquidate until no account is left below maintenance (bar those held under ``deficit``).

        Returns the deepest stage reached, at least the stage it started at.
        """
        ledger = self.ledger
        held = ledger.held
        accounts = ledger.accounts
        mark = self.mark
        mmr = self.config.maintenance_ppm
        limit = len(accounts) * 4 + 16
        done = self.done
        for _ in range(limit):
            victims = _below_maintenance(accounts.values(), mark, mmr, done)
            if not victims:
                if self.cover_flat_deficits() and is_liquidatable(self.vault, mark, mmr):
                    continue  # paying a flat deficit took the vault below maintenance
                held.clear()
                held.update(self.held)
                return self.stage
            for acct in victims:
                if acct.id not in done and is_liquidatable(acct, mark, mmr):
                    self.liquidate(acct)
        raise AssertionError("the liquidation waterfall did not settle")  # pragma: no cover

    @property
    def vault(self) -> Account:
        return self.ledger.accounts[VAULT_ID]

    def _raise_stage(self, stage: str) -> None:
        if STAGES.index(stage) > STAGES.index(self.stage):
            self.stage = stage

    def _maintenance(self, acct: Account) -> int:
        return maintenance_margin(acct.size, self.mark, self.config.maintenance_ppm)

    def _liquidatable(self, acct: Account) -> bool:
        return is_liquidatable(acct, self.mark, self.config.maintenance_ppm)

    def _below_backstop(self, acct: Account) -> bool:
        return acct.equity(self.mark) * PPM < self._maintenance(acct) * self.config.backstop_ppm

    # ------------------------------------------------------------------ driver
    def liquidate(self, acct: Account) -> None:
        cfg = self.config
        cancel_all(self.ledger, self.book, acct.id, "liquidation")
        self._raise_stage("book")
        is_vault = acct.kind == VAULT
        tried_whole = False
        if cfg.book_liquidation and (is_vault or not self._below_backstop(acct)):
            tried_whole = self._book(acct, BELOW_MAINTENANCE)
        else:
            code = BELOW_BACKSTOP if cfg.book_liquidation else BOOK_OFF
            self._emit_liquidation(acct, acct.size, 0, 0, 0, code)
        if acct.size == 0 or not self._liquidatable(acct):
            return
        if not is_vault:
            self._backstop(acct)
            if acct.size == 0:
                return
        if cfg.book_liquidation and not tried_whole:
            self._book_once(acct, abs(acct.size), BOOK_AGAIN)
            if acct.size == 0 or not self._liquidatable(acct):
                return
        if cfg.adl_trigger == "deficit" and acct.equity(self.mark) >= 0:
            # solvent: stays in liquidation, its position offered again next tick
            self.done.add(acct.id)
            self.held.add(acct.id)
            if acct.id not in self.quiet:
                self._emit_liquidation(acct, acct.size, 0, 0, 0, HELD)
            return
        self._deleverage(acct)

    # ----------------------------------------------------------- stage 1: book
    def _book(self, acct: Account, code: str) -> bool:
        """Slices into the book while the account stays liquidatable; True if the last slice
        offered the whole position."""
        whole = False
        while acct.size and self._liquidatable(acct):
            size = abs(acct.size)
            chunk = self._chunk(size)
            whole = chunk == size
            filled = self._book_once(acct, chunk, code)
            if filled < chunk:
                return whole
            if acct.kind != VAULT and self._below_backstop(acct):
                return False
        return whole

    def _book_once(self, acct: Account, chunk: int, code: str) -> int:
        """One reduce-only IOC of ``chunk`` lots limited to the bankruptcy price; lots filled."""
        cfg = self.config
        size = acct.size
        limit = bankruptcy_price(acct) or cfg.tick_size
        side = SELL if size > 0 else BUY
        trigger = (acct.equity(self.mark), self._maintenance(acct))  # the numbers before the sale
        outcome = submit(
            self.ledger,
            self.book,
            cfg,
            acct.id,
            side,
            chunk,
            limit,
            OrderType.IOC,
            reduce_only=True,
            tag=LIQUIDATION_TAG,
        )
        fee = 0
        if outcome.filled:
            fee = min(
                apply_rate(outcome.cash, cfg.liquidation_fee_ppm), max(0, acct.equity(self.mark))
            )
            self.ledger.transfer(acct.id, VAULT_ID, fee)
        signed = chunk if size > 0 else -chunk
        self._emit_liquidation(acct, signed, outcome.filled, outcome.cash, fee, code, trigger)
        return outcome.filled

    def _chunk(self, size: int) -> int:
        cfg = self.config
        if cfg.partial_liquidation_ppm == 0 or size * self.mark <= cfg.partial_min_notional:
            return size
        part = ceil_div(size * cfg.partial_liquidation_ppm, PPM)
        part = ceil_div(part, cfg.lot_size) * cfg.lot_size
        return min(size, max(part, cfg.lot_size))

    def _emit_liquidation(
        self,
        acct: Account,
        qty: int,
        filled: int,
        cash: int,
        fee: int,
        code: str,
        trigger: tuple[int, int] | None = None,
    ) -> None:
        """``trigger``: equity and maintenance when the slice was sent (default: now)."""
        if filled == 0 and acct.id in self.quiet:
            return
        bp = bankruptcy_price(acct) if acct.size else None
        equity, maintenance = trigger or (acct.equity(self.mark), self._maintenance(acct))
        self.ledger.emit(
            Liquidation(
                self.ledger.tick,
                acct.id,
                qty,
                filled,
                cash // filled if filled else None,
                self.mark,
                equity,
                maintenance,
                bp or 0,
                fee,
                code,
            )
        )

    # ------------------------------------------------------- stage 2: backstop
    def _backstop(self, acct: Account) -> None:
        price = bankruptcy_price(acct) or self.config.tick_size
        qty = self._vault_capacity(acct, price)
        if qty > 0:
            self._vault_takes(acct, qty, price, VAULT_TOOK)

    def _vault_takes(self, acct: Account, qty: int, price: int, code: str) -> None:
        """The vault takes ``qty`` lots of ``acct``'s position at ``price``, and its collateral
        when that closes it; a deficit it absorbs is reported as bad debt."""
        self._raise_stage("vault")
        vault = self.vault
        mark = self.mark
        sign = 1 if acct.size > 0 else -1
        equity_before = acct.equity(mark)
        vault_before = vault.equity(mark)
        self.ledger.trade_signed(vault.id, acct.id, sign * qty, price)
        collateral = 0
        if acct.size == 0:
            collateral = acct.equity(mark)
            self.ledger.transfer(acct.id, vault.id, collateral)
        self.ledger.emit(
            Backstop(self.ledger.tick, acct.id, vault.id, sign * qty, price, collateral, code)
        )
        absorbed = vault_before - vault.equity(mark)
        if equity_before < 0 and absorbed > 0:
            self.ledger.emit(BadDebt(self.ledger.tick, acct.id, absorbed, "vault", (vault.id,)))

    def _vault_capacity(self, acct: Account, price: int) -> int:
        """The most lots the vault can take at ``price`` and still cover its initial margin."""
        vault = self.vault
        mark = self.mark
        cfg = self.config
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
        policy = self.policy
        if not policy.closes_positions:
            if acct.kind == VAULT:
                self.done.add(acct.id)
                self._raise_stage("adl")
                self._haircut(acct, 1 if acct.size > 0 else -1)
            else:
                self._socialize(acct)
            return
        self._raise_stage("adl")
        mark = self.mark
        price = bankruptcy_price(acct) or self.config.tick_size
        equity_before = acct.equity(mark)
        sign = 1 if acct.size > 0 else -1
        # a winner's equity changes by this much per lot closed at ``price`` instead of the mark
        per_lot_loss = sign * (price - mark)
        absorbers: list[int] = []
        # first every candidate that stays solvent fully closed at ``price`` (dYdX's overlap
        # condition), in the policy's order; the others only as a last resort, capped at zero
        last_resort: dict[int, tuple[Account, int, int]] = {}
        for winner, rank, lights, share in self._queue(acct, price):
            if acct.size == 0:
                break
            if per_lot_loss > 0 and winner.equity(mark) < abs(winner.size) * per_lot_loss:
                last_resort.setdefault(winner.id, (winner, rank, share))
                continue
            if self._close_against(acct, winner, (rank, lights, share), price, equity_before):
                absorbers.append(winner.id)
        for winner, rank, share in last_resort.values():
            if acct.size == 0:
                break
            if self._close_against(acct, winner, (rank, 0, share), price, equity_before):
                absorbers.append(winner.id)
        self._after_adl(acct, price, equity_before, absorbers)

    def _after_adl(
        self, acct: Account, price: int, equity_before: int, absorbers: list[int]
    ) -> None:
        """Report the deficit the winners covered; what they could not take goes to the vault."""
        left = max(0, -acct.equity(self.mark))  # the deficit the winners did not cover
        if equity_before < 0 and absorbers and -equity_before > left:
            self.ledger.emit(
                BadDebt(self.ledger.tick, acct.id, -equity_before - left, "adl", tuple(absorbers))
            )
        if acct.size and acct.kind == VAULT:
            # nobody can take the vault's rest without going below zero: it keeps it, with its
            # deficit, below maintenance until the next tick (it cannot take over from itself)
            self.done.add(acct.id)
            if left:
                self.ledger.emit(BadDebt(self.ledger.tick, acct.id, left, "vault", (acct.id,)))
        elif acct.size:
            # no winner could absorb the rest without going below zero: the vault takes it
            self._vault_takes(acct, abs(acct.size), price, VAULT_FORCED)

    def _close_against(
        self,
        acct: Account,
        winner: Account,
        spot: tuple[int, int, int],
        price: int,
        equity_before: int,
    ) -> bool:
        """Close up to ``share`` of ``winner``'s lots against ``acct`` at ``price``, never taking
        the winner below zero; ``spot`` is (rank, lights, share). True if any lot closed."""
        mark = self.mark
        rank, lights, share = spot
        sign = 1 if acct.size > 0 else -1
        per_lot_loss = sign * (price - mark)
        before = winner.equity(mark)
        qty = min(abs(acct.size), abs(winner.size), share)
        if per_lot_loss > 0:
            qty = min(qty, max(0, before) // per_lot_loss)
        if qty <= 0:
            return False
        size_before = winner.size
        entry_cost = winner.open_cost
        cancel_all(self.ledger, self.book, winner.id, "auto-deleveraged")
        self.ledger.trade_signed(winner.id, acct.id, sign * qty, price)
        self.ledger.emit(
            Deleverage(
                self.ledger.tick,
                winner.id,
                acct.id,
                size_before,
                qty,
                price,
                rank,
                self.policy.name,
                mark,
                before - winner.equity(mark),
                lights=lights,
                entry_cost=entry_cost,
                equity=before,
                counterparty_equity=equity_before,
            )
        )
        return True

    def _queue(self, acct: Account, price: int) -> Iterator[tuple[Account, int, int, int]]:
        """(winner, rank, lights, most lots) in the policy's order, ranked once this tick for this
        side; a proportional policy's allocation (told the fill ``price``) sets the most lots, a
        queue walk does not."""
        side = 1 if acct.size > 0 else -1
        if self.policy.proportional:
            return self._shares(acct, side, price)
        return self._walk(acct, side)

    def _shares(
        self, acct: Account, side: int, price: int
    ) -> Iterator[tuple[Account, int, int, int]]:
        """A proportional policy's allocation: the policy's candidates first, then the rest,
        those that stay solvent closed at ``price`` before those that do not (dYdX v4's overlap
        condition holds in the last resort too)."""
        accounts = self.ledger.accounts
        positions = self._candidates(acct, side)
        eligible = [p for p in positions if self.policy.eligible(p, price)]
        rest = [p for p in positions if not self.policy.eligible(p, price)]
        rest_solvent = [p for p in rest if solvent_at(p, price)]
        rest_insolvent = [p for p in rest if not solvent_at(p, price)]
        for group in (eligible, rest_solvent, rest_insolvent):
            if not group or acct.size == 0:
                continue
            allocation = self.policy.allocate(group, abs(acct.size), self.rng, fill_price=price)
            for a in allocation:
                yield accounts[a.account], a.rank, 5 if group is eligible else 0, a.qty

    def _walk(self, acct: Account, side: int) -> Iterator[tuple[Account, int, int, int]]:
        """The tick's queue for ``side``, from its first entry not used up, then ranked afresh
        once if positions opened since it was ranked are needed."""
        accounts = self.ledger.accounts
        for _ in range(2):
            queue = self.queues.get(side)
            if queue is None:
                queue = self._rank(side)
                self.queues[side] = queue
                self.heads[side] = 0
            # entries at the head that are used up stay used up this tick: skip them for good
            head = self.heads[side]
            while head < len(queue) and accounts[queue[head][0]].size * side >= 0:
                head += 1
            self.heads[side] = head
            for i in range(head, len(queue)):
                if acct.size == 0:
                    return
                account_id, rank, lights = queue[i]
                other = accounts[account_id]
                if account_id == acct.id or other.size * side >= 0:
                    continue
                yield other, rank, lights, abs(other.size)
            if acct.size == 0:
                return
            # positions opened since the queue was ranked (the vault's, after a backstop) are not
            # in it: rank everyone on that side again.
            del self.queues[side]

    def _rank(self, side: int) -> list[tuple[int, int, int]]:
        """The queue for positions opposite ``side``: the policy's candidates first, with their
        lights, then the positions it would only close as a last resort (no lights)."""
        policy = self.policy
        positions = self._candidates(None, side)
        eligible = [p for p in positions if policy.eligible(p)]
        rest = [p for p in positions if not policy.eligible(p)]
        ranked = policy.rank(eligible, self.rng)
        spots = policy.queue_ranked(ranked)
        queue = [(p.account, spots[p.account].rank, spots[p.account].lights) for p in ranked]
        if rest:
            n = len(queue)
            queue += [(p.account, n + i, 0) for i, p in enumerate(policy.rank(rest, self.rng), 1)]
        return queue

    def _candidates(self, exclude: Account | None, side: int) -> list[Position]:
        """Every position opposite to ``side`` (the bankrupt side), as the ADL policies see them."""
        mark = self.mark
        return [
            Position(a.id, a.size, a.open_cost, a.equity(mark), mark)
            for a in self.ledger.accounts.values()
            if a.size * side < 0 and a is not exclude and a.kind != HOUSE
        ]

    def _socialize(self, acct: Account) -> None:
        """Socialised loss: the vault takes the rest at the mark; winners pay the deficit."""
        self._raise_stage("adl")
        mark = self.mark
        vault = self.vault
        size = acct.size
        self.ledger.trade_signed(vault.id, acct.id, size, mark)
        self.ledger.emit(Backstop(self.ledger.tick, acct.id, vault.id, size, mark, 0, SOCIALIZED))
        self._haircut(acct, 1 if size > 0 else -1)

    def _haircut(self, acct: Account, side: int) -> None:
        """Charge ``acct``'s negative equity to the winners opposite ``side``, pro rata to profit."""
        vault = self.vault
        tick = self.ledger.tick
        deficit = -acct.equity(self.mark)
        if deficit <= 0:
            return
        absorbers: list[int] = []
        paid = 0
        for account_id, amount in self.policy.haircut(self._candidates(acct, side), deficit):
            if amount <= 0:
                continue
            self.ledger.transfer(account_id, acct.id, amount)
            paid += amount
            absorbers.append(account_id)
            self.ledger.emit(Haircut(tick, account_id, acct.id, amount))
        rest = deficit - paid
        if rest:
            # no winners' profit left: the vault carries it (for the vault itself, as negative equity)
            if acct is not vault:
                self.ledger.transfer(vault.id, acct.id, rest)
            self.ledger.emit(BadDebt(tick, acct.id, rest, "vault", (vault.id,)))
        if paid:
            self.ledger.emit(BadDebt(tick, acct.id, paid, "socialized_loss", tuple(absorbers)))

    # ------------------------------------------------------- flat deficits
    def cover_flat_deficits(self) -> bool:
        """A flat account below zero (fees, funding, a maker fill past bankruptcy): the vault pays.

        Run once the waterfall has settled (a flat account is never liquidated, so nothing
        before it can change a flat account's deficit). True if it paid anything."""
        vault = self.vault
        paid = False
        for acct in self.ledger.accounts.values():
            # flat: equity is cash - cost
            if acct.size or acct.cash >= acct.cost or acct.kind in (HOUSE, VAULT):
                continue
            deficit = acct.cost - acct.cash
            self.ledger.transfer(vault.id, acct.id, deficit)
            self.ledger.emit(
                BadDebt(self.ledger.tick, acct.id, deficit, "vault", (vault.id,), FLAT_DEFICIT)
            )
            paid = True
        return paid
