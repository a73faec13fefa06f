"""The exchange for one symbol: orders in, fills settled, mark price, funding, fees, events out.

One tick, as DESIGN.md lays it out, is driven from outside::

    market.begin_tick()
    market.set_index(price)              # the oracle
    market.place_order(...)              # bots and the player; orders match as they arrive
    events = market.end_tick()           # mark, funding, the liquidation waterfall, the pile law

Every cent moves between accounts; nothing here creates or destroys cash.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from typing import Generic, TypeVar

from perpgame.engine import liquidation, risk
from perpgame.engine.account import (
    BOT,
    HOUSE,
    VAULT,
    Account,
)
from perpgame.engine.adl import AdlPolicy, get_policy
from perpgame.engine.book import BUY, SELL, OrderBook, OrderType
from perpgame.engine.check import check_market
from perpgame.engine.config import MarketConfig
from perpgame.engine.events import (
    Event,
    Fill,
    Funding,
    LeverageSet,
    OrderRejected,
)
from perpgame.engine.ledger import Ledger
from perpgame.engine.matching import LIQUIDATION_TAG, OrderOutcome, cancel, cancel_all, submit
from perpgame.engine.risk import (
    BEYOND_BANKRUPTCY,
    IN_LIQUIDATION,
    NO_LIQUIDITY,
    Refusal,
    initial_margin,
    is_liquidatable,
    maintenance_margin,
)
from perpgame.engine.rng import Rng
from perpgame.engine.state_text import dump_state, load_state
from perpgame.engine.units import PPM, apply_rate, format_cash

HOUSE_ID = 0
VAULT_ID = 1
_MARKET = int(OrderType.MARKET)


@dataclass(frozen=True, slots=True)
class PileReport:
    """The pile law, checked: cash in equals deposits, and every long is someone's short."""

    ok: bool
    pile: int
    expected: int
    size_sum: int
    cost_sum: int

    def explain(self) -> str:
        if self.ok:
            return f"pile law holds: {format_cash(self.pile)} in, nothing created or destroyed"
        return (
            f"pile law BROKEN: cash {self.pile} != deposits-withdrawals {self.expected}, "
            f"sum size {self.size_sum}, sum cost {self.cost_sum}"
        )


T = TypeVar("T")


class _OnLedger(Generic[T]):
    """An attribute of the market that is its ledger's: read and written through to the ledger."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, market: Market, owner: type | None = None) -> T:
        return getattr(market.ledger, self.name)

    def __set__(self, market: Market, value: T) -> None:
        setattr(market.ledger, self.name, value)


class Market:
    """A perpetual-futures exchange for one symbol, with a house account and a backstop vault."""

    def __init__(self, config: MarketConfig, *, start_price: int) -> None:
        if start_price <= 0:
            raise ValueError("start price must be positive")
        self.config = config
        self.book = OrderBook()
        self.ledger = Ledger()
        self.accounts: dict[int, Account] = self.ledger.accounts
        """The ledger's accounts by id (the same dict; write through the ledger)."""
        self.index = start_price
        self.mark = start_price
        self.rng = Rng(config.seed)
        self.stage = "calm"
        self.policy: AdlPolicy = get_policy(config.adl_policy)
        self.last_funding: dict[int, int] = {}
        """What each account received (negative: paid) at the last funding payment."""
        self.open_account(HOUSE, HOUSE, "house")
        self.open_account(VAULT, VAULT, "vault", leverage=config.vault_leverage)

    def reconfigure(self, config: MarketConfig) -> None:
        """New rules from the next order on (a level's timeline can change settings mid-game)."""
        self.policy = get_policy(config.adl_policy)
        self.config = config

    # ------------------------------------------------------- the ledger's state
    events: _OnLedger[list[Event]] = _OnLedger()
    tick: _OnLedger[int] = _OnLedger()
    deposits: _OnLedger[int] = _OnLedger()
    withdrawals: _OnLedger[int] = _OnLedger()
    next_order_id: _OnLedger[int] = _OnLedger()
    last_price: _OnLedger[int | None] = _OnLedger()

    @property
    def trades(self) -> deque[Fill]:
        return self.ledger.trades

    # ----------------------------------------------------------------- accounts
    @property
    def house(self) -> Account:
        return self.accounts[HOUSE_ID]

    @property
    def vault(self) -> Account:
        return self.accounts[VAULT_ID]

    def open_account(
        self, kind: str, group: str, name: str, *, cash: int = 0, leverage: int = 1
    ) -> Account:
        """A new account with id = the next integer; ``cash`` arrives as a deposit."""
        if any(c.isspace() for c in name + group + kind) or not name:
            raise ValueError("account kind, group and name must be non-empty words without spaces")
        acct = Account(len(self.accounts), kind, group, name, leverage=1)
        self.ledger.add(acct)
        acct.leverage = max(1, min(leverage, self._leverage_cap(acct)))
        if cash:
            self.deposit(acct.id, cash)
        return acct

    def _leverage_cap(self, acct: Account) -> int:
        return self.config.vault_leverage if acct.kind == VAULT else self.config.max_leverage

    def deposit(self, account_id: int, amount: int) -> None:
        """New cash enters the pile."""
        self.ledger.deposit(account_id, amount)

    def withdraw(self, account_id: int, amount: int) -> risk.Refusal | None:
        """Cash leaves the pile; refused (a reason code and its numbers) if it would breach
        initial margin."""
        acct = self.accounts[account_id]
        if amount <= 0:
            return risk.Refusal(risk.WITHDRAW_NOT_POSITIVE, amount=amount)
        equity = acct.equity(self.mark)
        need = self.margin_in_use(acct)
        free = equity - need
        if amount > free or amount > acct.balance():
            return risk.Refusal(
                risk.WITHDRAW_BELOW_MARGIN, amount=amount, available=equity, need=need
            )
        self.ledger.withdraw(account_id, amount)
        return None

    def transfer(self, source: int, dest: int, amount: int) -> None:
        """Move cash between two accounts (the only way cash moves besides deposit/withdraw)."""
        self.ledger.transfer(source, dest, amount)

    def set_leverage(self, account_id: int, leverage: int) -> risk.Refusal | None:
        """Choose leverage (capped by the market); refused (a reason code and its numbers) if the
        position would not be covered."""
        acct = self.accounts[account_id]
        cap = self._leverage_cap(acct)
        if not 1 <= leverage <= cap:
            return risk.Refusal(risk.LEVERAGE_OUT_OF_RANGE, leverage=leverage, cap=cap)
        need = initial_margin(acct.size, self.mark, leverage)
        equity = acct.equity(self.mark)
        if acct.size and equity < need:
            return risk.Refusal(
                risk.LEVERAGE_NOT_COVERED, leverage=leverage, available=equity, need=need
            )
        acct.leverage = leverage
        self._emit(LeverageSet(self.tick, account_id, leverage))
        return None

    def margin_in_use(self, acct: Account) -> int:
        """Initial margin for the worst case of the position plus every open order filling."""
        return risk.margin_in_use(acct, self.book, self.mark)

    def maintenance(self, acct: Account) -> int:
        return maintenance_margin(acct.size, self.mark, self.config.maintenance_ppm)

    def liquidatable(self, acct: Account) -> bool:
        return is_liquidatable(acct, self.mark, self.config.maintenance_ppm)

    # ------------------------------------------------------------------- orders
    def place_order(
        self,
        account_id: int,
        side: int,
        qty: int,
        price: int | None = None,
        kind: OrderType = OrderType.LIMIT,
        *,
        reduce_only: bool = False,
    ) -> OrderOutcome:
        """Check an order against the account's margin and the market's steps, then match it."""
        acct = self.accounts[account_id]
        refusal = self._validate(acct, side, qty, price, kind)
        if refusal is None and reduce_only:
            qty, refusal = self._reduce_only_qty(acct, side, qty)
        bounded = False
        size = acct.size
        if refusal is None and size and (size > 0) != (side == BUY):
            # it closes (part of) the position: it may not fill past the bankruptcy price
            price, kind, bounded, refusal = risk.bound_own_order(
                acct, self.config, side, price, kind
            )
        if refusal is None and not reduce_only:
            refusal = risk.margin_rejection(
                acct, self.book, self.config, self.mark, side, qty, price, kind
            )
            no_fill = refusal is not None and refusal.code == NO_LIQUIDITY
            if no_fill and bounded and self.book.sweep(side, qty, None)[0]:
                refusal = Refusal(BEYOND_BANKRUPTCY)
        if refusal is not None:
            self._reject(account_id, side, qty, price, refusal)
            return OrderOutcome(None, rejected=refusal.code)
        outcome = submit(
            self.ledger,
            self.book,
            self.config,
            account_id,
            side,
            qty,
            price,
            kind,
            reduce_only=reduce_only,
        )
        if bounded:  # what the bound kept from filling is refused
            refused = qty - outcome.filled - outcome.resting
            if refused > 0 and outcome.rejected is None:
                self._reject(account_id, side, refused, price, Refusal(BEYOND_BANKRUPTCY))
        return outcome

    def _reject(
        self, account_id: int, side: int, qty: int, price: int | None, refusal: Refusal
    ) -> None:
        r = refusal
        self._emit(
            OrderRejected(
                self.tick,
                account_id,
                side,
                qty,
                price,
                r.code,
                r.need,
                r.available,
                r.step,
                r.leverage,
            )
        )

    def _validate(
        self, acct: Account, side: int, qty: int, price: int | None, kind: OrderType
    ) -> Refusal | None:
        cfg = self.config
        if acct.kind == HOUSE:
            return Refusal("house_does_not_trade")
        if side not in (BUY, SELL):
            return Refusal("bad_side")
        if qty <= 0:
            return Refusal("qty_not_positive")
        if qty % cfg.lot_size:
            return Refusal("qty_not_lot_multiple", step=cfg.lot_size)
        if kind == _MARKET:  # a plain int: an enum attribute costs more than the comparison
            return None if price is None else Refusal("market_has_price")
        if price is None or price <= 0:
            return Refusal("limit_needs_price")
        if price % cfg.tick_size:
            return Refusal("price_not_tick_multiple", step=cfg.tick_size)
        return None

    def _reduce_only_qty(self, acct: Account, side: int, qty: int) -> tuple[int, Refusal | None]:
        if acct.size == 0 or (acct.size > 0) == (side == BUY):
            return qty, Refusal("reduce_only_would_not_reduce")
        resting = sum(
            o.qty for o in self.book.orders_of(acct.id) if o.reduce_only and o.side == side
        )
        room = abs(acct.size) - resting
        if room <= 0:
            return qty, Refusal("reduce_only_covered")
        return min(qty, room), None

    def cancel(self, account_id: int, order_id: int, reason: str = "cancelled") -> bool:
        """Cancel one of the account's resting orders; False if it is not there."""
        return cancel(self.ledger, self.book, account_id, order_id, reason)

    def cancel_all(self, account_id: int, reason: str = "cancelled") -> int:
        """Cancel every resting order of the account; returns how many."""
        return cancel_all(self.ledger, self.book, account_id, reason)

    # --------------------------------------------------------------------- tick
    def begin_tick(self) -> None:
        """Start a new tick: the event list starts empty."""
        self.tick += 1
        self.events = []
        self.stage = "calm"

    def set_index(self, price: int) -> None:
        """The oracle's price for this tick."""
        if price <= 0:
            raise ValueError("index price must be positive")
        self.index = price

    def end_tick(self) -> list[Event]:
        """Mark, funding, the waterfall. Returns this tick's events."""
        self.mark = self.compute_mark()
        interval = self.config.funding_interval
        if interval and self.tick % interval == 0:
            self.pay_funding()
        self.stage = liquidation.Waterfall(
            self.ledger,
            self.book,
            self.config,
            self.policy,
            mark=self.mark,
            rng=self.rng,
            stage=self.stage,
        ).run()
        return self.events

    def compute_mark(self) -> int:
        """The mark price by the configured method; falls back to the index when the book is bare.

        ``median`` is Hyperliquid's idea: the median of the index, the book's mid and the last
        trade, so no single source can move the mark alone.
        """
        method = self.config.mark_method
        mid = self.book.mid()
        if method == "index":
            return self.index
        if method == "mid":
            return mid if mid is not None else self.index
        if method == "last":
            return self.last_price if self.last_price is not None else self.index
        # median of index, mid and last; a missing mid or last counts as the index, so a bare or
        # one-sided book can never pin the mark to a stale trade
        index = self.index
        values = sorted((index, index if mid is None else mid, self.last_price or index))
        return values[1]

    def funding_rate(self) -> int:
        """Per-interval rate in ppm: premium + clamp(interest - premium), capped."""
        cfg = self.config
        premium = (self.mark - self.index) * PPM // self.index
        clamp = cfg.funding_clamp_ppm
        rate = premium + max(-clamp, min(clamp, cfg.funding_interest_ppm - premium))
        return max(-cfg.funding_cap_ppm, min(cfg.funding_cap_ppm, rate))

    def pay_funding(self) -> None:
        """Longs pay shorts (or the reverse), exactly: receivers split what payers paid.

        Each payer pays ``|size| * index * |rate|`` rounded down. The total is split among the
        receivers in proportion to their size, rounded down, and the units left over go one each
        to the receivers with the largest remainders (ties: lower account id).
        """
        rate = self.funding_rate()
        if rate == 0:
            return
        price = self.index
        payer_sign = 1 if rate > 0 else -1
        payers: list[tuple[Account, int]] = []
        receivers: list[Account] = []
        for acct in self.accounts.values():
            if acct.size == 0:
                continue
            if (acct.size > 0) == (payer_sign > 0):
                payers.append((acct, apply_rate(abs(acct.size) * price, abs(rate), round_up=False)))
            else:
                receivers.append(acct)
        total = sum(amount for _, amount in payers)
        if total == 0 or not receivers:
            return
        paid: dict[int, int] = {}
        for acct, amount in payers:
            paid[acct.id] = -amount
        weights = [abs(a.size) for a in receivers]
        for acct, share in zip(receivers, split_pro_rata(total, weights), strict=True):
            paid[acct.id] = share
        self.ledger.settle(paid.items())
        self.last_funding = paid
        self._emit(Funding(self.tick, rate, price, total, len(payers), len(receivers)))

    # ------------------------------------------------------------------ checks
    def check_pile(self) -> PileReport:
        """The pile law: cash == deposits - withdrawals, sum of sizes == 0, sum of costs == 0."""
        pile = size_sum = cost_sum = 0
        for acct in self.accounts.values():
            pile += acct.cash
            size_sum += acct.size
            cost_sum += acct.cost
        expected = self.deposits - self.withdrawals
        ok = pile == expected and size_sum == 0 and cost_sum == 0
        return PileReport(ok, pile, expected, size_sum, cost_sum)

    def check(self) -> list[str]:
        """Every broken invariant after a tick, [] when sound (see ``engine.check``)."""
        return check_market(self)

    def _emit(self, event: Event) -> None:
        self.ledger.emit(event)

    # --------------------------------------------------------- canonical state
    def to_text(self) -> str:
        """The whole exchange state as canonical text: the same state always gives the same bytes."""
        return dump_state(self)

    def state_hash(self) -> str:
        """SHA-256 of the canonical text."""
        return hashlib.sha256(self.to_text().encode()).hexdigest()

    @classmethod
    def from_text(cls, text: str, config: MarketConfig) -> Market:
        """Rebuild a market from ``to_text`` output (the config is not part of the state)."""
        return load_state(cls, text, config)


def split_pro_rata(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder, ties to the first)."""
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must have a positive sum")
    shares = []
    remainders = []
    for i, w in enumerate(weights):
        q, r = divmod(total * w, weight_sum)
        shares.append(q)
        remainders.append((-r, i))
    left = total - sum(shares)
    for _, i in sorted(remainders)[:left]:
        shares[i] += 1
    return shares


__all__ = [
    "BEYOND_BANKRUPTCY",
    "BOT",
    "BUY",
    "IN_LIQUIDATION",
    "LIQUIDATION_TAG",
    "SELL",
    "Market",
    "OrderOutcome",
    "OrderType",
    "PileReport",
]
