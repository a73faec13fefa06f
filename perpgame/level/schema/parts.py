"""What the cross-checks and the defaults pass read of a level: its sections, as a protocol.

``checks`` and ``defaults`` run inside ``Level``'s own validator, so they take the level through
this protocol rather than importing ``Level`` (which imports them): no import circle.
"""

from __future__ import annotations

from typing import Protocol

from perpgame.engine.config import MarketConfig
from perpgame.level.schema.objectives import Objectives
from perpgame.level.schema.sections import Accounts, Market, Meta, Player, Population, Vault
from perpgame.level.schema.timeline import TimelineEntry


class LevelParts(Protocol):
    """A level's sections and the three views of them the checks use."""

    meta: Meta
    market: Market
    vault: Vault
    player: Player
    accounts: list[Accounts]
    timeline: list[TimelineEntry]
    objectives: Objectives

    def populations(self) -> list[tuple[str, Population]]: ...

    def groups(self) -> dict[str, list[str]]: ...

    def market_config(self, seed: int) -> MarketConfig: ...
