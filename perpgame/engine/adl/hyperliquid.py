"""Hyperliquid's ADL queue: profit ratio times notional over account value, winners first."""

from __future__ import annotations

from typing import ClassVar

from perpgame.engine.adl.base import Position, Score, ScoredPolicy, to_score


def _hyperliquid_ratio(p: Position) -> tuple[int, int, int]:
    """The profit ratio: mark/entry for a long, entry/mark for a short, as (tier, num, den)."""
    if p.size > 0:
        # mark / entry = size*mark / entry_cost. A cost basis <= 0 (entry price <= 0) is
        # infinitely profitable for a long.
        if p.entry_cost <= 0:
            return (1, 0, 1)
        return (0, p.size * p.mark, p.entry_cost)
    # entry / mark = entry_cost / (size*mark) = -entry_cost / notional (both signs flipped).
    return (0, -p.entry_cost, -p.size * p.mark)


def _hyperliquid_raw(p: Position) -> tuple[int, int, int]:
    tier, num, den = _hyperliquid_ratio(p)
    notional = abs(p.size) * p.mark
    if p.equity <= 0:
        # notional / account value is infinite: the index takes the ratio's sign.
        index = 1 if tier == 1 or num > 0 else (-1 if num < 0 else 0)
        return (index, 0, 1)
    if tier == 1:
        return (1, 0, 1)
    return (0, num * notional, den * p.equity)


def _hyperliquid_key(p: Position) -> tuple[int, int, int]:
    """Profitable positions (pnl > 0) form the upper group; the index orders within each group."""
    tier, num, den = _hyperliquid_raw(p)
    group = 3 if p.size * p.mark - p.entry_cost > 0 else 0
    return (group + tier, num, den)


def hyperliquid_index(position: Position) -> Score:
    """Hyperliquid's exact index ``profit_ratio * notional / account_value``."""
    return to_score(_hyperliquid_raw(position))


class HyperliquidPolicy(ScoredPolicy):
    """Hyperliquid: highest ``profit_ratio * notional / account_value`` first.

    Our reading of the docs (trading/auto-deleveraging): they give one sorting index,
    ``(mark_price / entry_price) * (notional_position / account_value)``, "to determine the
    affected users in profit", ranked "by unrealized pnl and leverage used". Taken literally
    ``mark / entry`` would put the best short last, so the ratio is ``mark / entry`` for a long and
    ``entry / mark`` for a short (above 1 exactly when in profit). ``account_value`` is the
    account's equity. Because the docs rank users in profit, positions with pnl > 0 all come
    before the others, each group ordered by the index; without this a loser at high leverage
    would be closed before a winner at low leverage. Equity <= 0 makes the leverage infinite:
    the index is then +infinity (first in its group, ties by account id) whenever the ratio is
    positive. A long whose entry price is <= 0 has an infinite ratio.
    """

    name: ClassVar[str] = "hyperliquid"
    closes_losers: ClassVar[bool] = False
    description: ClassVar[str] = (
        "Closes winners first, ranked by profit ratio times leverage on the whole account, "
        "like Hyperliquid."
    )
    raw_score = staticmethod(_hyperliquid_key)
