"""An account: the three integers of the pile law, and the margin arithmetic built on them.

``cash``, ``size`` and ``cost`` are the ledger (DESIGN.md, the pile law): ``cash`` changes only by
deposits, withdrawals and transfers (fees, funding, liquidation fees, haircuts); ``size`` and
``cost`` change only by trades, where the buyer's ``cost`` rises by ``qty * price`` exactly as much
as the seller's falls. Profit is never "realised" into cash by one side alone, because that would
create cash: equity at mark ``m`` is always ``cash + size * m - cost``.

``open_cost`` is bookkeeping, not ledger: the cost of the position that is open now (``size`` times
the average entry price), from which entry price, unrealised and realised PnL are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

HOUSE = "house"
VAULT = "vault"
PLAYER = "player"
BOT = "bot"
PRESET = "preset"
ACCOUNT_KINDS = (PLAYER, BOT, VAULT, HOUSE, PRESET)


@dataclass(slots=True)
class Account:
    """One participant: a trader, the backstop vault, or the house that collects fees."""

    id: int
    kind: str
    group: str
    name: str
    cash: int = 0
    size: int = 0
    cost: int = 0
    open_cost: int = 0
    leverage: int = 1

    def equity(self, mark: int) -> int:
        """Cash plus the position valued at ``mark``: what the account would own if it closed there."""
        return self.cash + self.size * mark - self.cost

    def unrealized(self, mark: int) -> int:
        """PnL of the open position at ``mark`` against its average entry."""
        return self.size * mark - self.open_cost

    def realized(self) -> int:
        """PnL of positions already closed (it still sits in ``cost``, not in ``cash``)."""
        return self.open_cost - self.cost

    def balance(self) -> int:
        """Collateral as a trader reads it: cash plus realised PnL."""
        return self.cash + self.open_cost - self.cost

    def entry_price(self) -> int | None:
        """Average entry, rounded to the nearest cent (display only); None when flat."""
        if self.size == 0:
            return None
        return (2 * self.open_cost + self.size) // (2 * self.size)

    def apply_trade(self, signed_qty: int, price: int) -> None:
        """Book a trade of ``signed_qty`` lots (> 0 bought) at ``price``: the ledger and the entry."""
        old = self.size
        new = old + signed_qty
        self.size = new
        self.cost += signed_qty * price
        if old == 0 or (old > 0) == (signed_qty > 0):
            self.open_cost += signed_qty * price
        elif new == 0:
            self.open_cost = 0
        elif (new > 0) == (old > 0):
            # reduced, same side: keep the average entry (truncate toward zero; display only)
            self.open_cost = _scale(self.open_cost, new, old)
        else:
            # flipped through zero: the rest opens a new position at this price
            self.open_cost = new * price


def _scale(value: int, num: int, den: int) -> int:
    """``value * num / den`` truncated toward zero, in integers."""
    q = abs(value * num) // abs(den)
    return q if (value * num >= 0) == (den > 0) else -q


__all__ = [
    "ACCOUNT_KINDS",
    "BOT",
    "HOUSE",
    "PLAYER",
    "PRESET",
    "VAULT",
    "Account",
]
