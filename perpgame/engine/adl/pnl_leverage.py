"""BitMEX's ADL queue (Bybit's published rule too): profit percentage times effective leverage."""

from __future__ import annotations

from typing import ClassVar

from perpgame.engine.adl.base import Position, Score, ScoredPolicy, to_score

# Score (tier, numerator, denominator): higher tier first, then the rational, highest first.
# Tier 1 is +infinity, tier -1 is -infinity (their rational is 0/1 and unused).


def _pnl_leverage_raw(p: Position) -> tuple[int, int, int]:
    mark_value = p.size * p.mark
    notional = abs(mark_value)
    cost = abs(p.entry_cost)
    pnl = mark_value - p.entry_cost
    equity = p.equity
    if pnl > 0:
        # pnl_pct * eff_lev = (pnl / cost) * (notional / equity). Equity <= 0 is infinite
        # leverage and cost == 0 an infinite pnl_pct: both make the score +infinity.
        if equity <= 0 or cost == 0:
            return (1, 0, 1)
        return (0, pnl * notional, cost * equity)
    if pnl == 0 or equity <= 0:
        # Zero profit scores 0; a loss over infinite leverage tends to 0 (from below): also 0.
        return (0, 0, 1)
    if cost == 0:
        return (-1, 0, 1)  # a loss on a zero cost basis: -infinity percent, finite leverage
    # pnl_pct / eff_lev = (pnl / cost) / (notional / equity); notional > 0 as size, mark != 0.
    return (0, pnl * equity, cost * notional)


def pnl_leverage_score(position: Position) -> Score:
    """BitMEX's exact score: ``pnl_pct * eff_lev`` in profit, ``pnl_pct / eff_lev`` otherwise."""
    return to_score(_pnl_leverage_raw(position))


class PnlLeveragePolicy(ScoredPolicy):
    """BitMEX: highest ``pnl_pct * eff_lev`` first (https://www.bitmex.com/app/autoDeleveraging).

    Bybit words its rule the same way ("highest profit and effective leverage"), and Poloniex,
    MEXC, FameEX and AZX publish BitMEX's formula verbatim (Bybit's exact current formula is
    unverified; docs/mechanics.md). Binance ranks by a different score: the ``binance`` policy.

    ``pnl_pct = pnl / |entry_cost|``, ``eff_lev = |size * mark| / equity``; a position at a loss
    scores ``pnl_pct / eff_lev``, so losers come after every winner, least-losing first.
    Division by zero, explicitly: equity <= 0 is infinite leverage, so a profitable position there
    scores +infinity and goes first (ties among infinities by account id), and a losing one
    scores 0 (a loss divided by infinity). A zero cost basis is an infinite pnl_pct: +infinity in
    profit, -infinity at a loss.
    """

    name: ClassVar[str] = "pnl_leverage"
    description: ClassVar[str] = (
        "Closes the most profitable, most levered positions first, like BitMEX."
    )
    raw_score = staticmethod(_pnl_leverage_raw)
