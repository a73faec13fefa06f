"""Binance's ADL queue: LeveragePnL, profit on collateral times the margin ratio.

Binance's FAQ (https://www.binance.com/en/support/faq/360033525471) ranks positions "by their
margin ratio and unrealized PnL as a percentage of their collateral" ("LeveragePnL") and closes
them "at the bankruptcy price of the initial liquidated order". The formula, as quoted on
https://dev.binance.vision/t/how-to-caculating-leverage-pnl-quantile/17801:

* ``PnlPercent = max(0, uPnL) / max(1, WalletBalance)``
* ``MarginRatio = MaintMargin / (Wallet + uPnL)``, or 0 when that denominator is <= 0
* ``LeveragePnL = PnlPercent * MarginRatio``

Our reading (isolated margin, one flat maintenance rate that cancels out of the order): the wallet
is the account's collateral ``equity - pnl``, the floor ``1`` is one dollar, and the score is
``pnl+ / max($1, wallet) * notional / equity``. Unlike BitMEX it is 0, not infinite, for an account
whose equity is <= 0, and 0 for every position not in profit: those come last, by account id.
"""

from __future__ import annotations

from typing import ClassVar

from perpgame.engine.adl.base import Position, Score, ScoredPolicy, to_score
from perpgame.engine.units import CASH_SCALE


def _leverage_pnl_raw(p: Position) -> tuple[int, int, int]:
    pnl = p.pnl
    if pnl <= 0 or p.equity <= 0:
        return (0, 0, 1)
    wallet = max(CASH_SCALE, p.equity - pnl)
    return (0, pnl * p.notional, wallet * p.equity)


def leverage_pnl_score(position: Position) -> Score:
    """Binance's ``LeveragePnL`` with the flat maintenance rate left out (it does not reorder)."""
    return to_score(_leverage_pnl_raw(position))


class BinancePolicy(ScoredPolicy):
    """Binance: highest ``pnl+ / max($1, wallet) * notional / equity`` first, ties by account id."""

    name: ClassVar[str] = "binance"
    description: ClassVar[str] = (
        "Closes winners first, ranked by profit on collateral times margin ratio, like Binance."
    )
    raw_score = staticmethod(_leverage_pnl_raw)
