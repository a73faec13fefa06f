"""Defaults one section takes from another, filled in once the level is checked.

A field left unset in the file stays ``None`` through the checks; this pass then fills it from
the rest of the level: the player's cap and leverage from the market's ``max_leverage``, a preset
position's entry from the start price, a group's name from its bot archetype.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perpgame.level.schema.base import DEFAULT_LEVERAGE

if TYPE_CHECKING:
    from perpgame.level.schema.parts import LevelParts


def fill_defaults(level: LevelParts) -> None:
    """Fill every unset field of a checked ``level`` that depends on another section."""
    _fill_player(level)
    _fill_accounts(level)
    _fill_populations(level)


def _fill_player(level: LevelParts) -> None:
    p, m = level.player, level.market
    if p.max_leverage is None:
        p.max_leverage = m.max_leverage
    if p.leverage is None:
        p.leverage = min(DEFAULT_LEVERAGE, p.max_leverage)
    if p.position and p.entry is None:
        p.entry = m.start_price


def _fill_accounts(level: LevelParts) -> None:
    m = level.market
    for a in level.accounts:
        if a.group is None:
            a.group = a.bot or "preset"
        if a.leverage is None:
            a.leverage = min(DEFAULT_LEVERAGE, m.max_leverage)
        if a.position and a.entry is None:
            a.entry = m.start_price


def _fill_populations(level: LevelParts) -> None:
    leverage = min(DEFAULT_LEVERAGE, level.market.max_leverage)
    for _, pop in level.populations():
        if pop.group is None:
            pop.group = pop.archetype
        if pop.leverage is None:
            pop.leverage = (leverage, leverage)
