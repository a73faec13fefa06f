"""The level itself: the whole file as one model, and what the session reads from it.

Validating a :class:`Level` runs the sections' own checks, then the cross-section checks of
:mod:`perpgame.level.schema.checks` (every problem at once), then fills the defaults of
:mod:`perpgame.level.schema.defaults`, in that order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from perpgame.engine.config import MarketConfig
from perpgame.level.schema.base import LIMITS, FieldIssue, StrictModel
from perpgame.level.schema.checks import level_issues
from perpgame.level.schema.defaults import fill_defaults
from perpgame.level.schema.objectives import Objectives
from perpgame.level.schema.sections import (
    Accounts,
    Market,
    Meta,
    Oracle,
    Player,
    Population,
    Traders,
    Vault,
)
from perpgame.level.schema.timeline import Spawn, TimelineEntry


class Level(StrictModel):
    """A whole level file, validated; every amount in engine units."""

    meta: Meta
    market: Market = Field(default_factory=Market)
    vault: Vault = Field(default_factory=Vault)
    player: Player = Field(default_factory=Player)
    accounts: list[Accounts] = Field(default_factory=list, max_length=LIMITS["accounts"])
    traders: list[Traders] = Field(default_factory=list, max_length=LIMITS["populations"])
    oracle: Oracle = Field(default_factory=Oracle)
    timeline: list[TimelineEntry] = Field(default_factory=list, max_length=LIMITS["timeline"])
    objectives: Objectives = Field(default_factory=Objectives)

    _source: Any = PrivateAttr(default=None)
    _sha256: str = PrivateAttr(default="")

    # ------------------------------------------------------------ cross-section checks
    @model_validator(mode="after")
    def _whole(self) -> Level:
        issues = level_issues(self)
        if issues:
            raise FieldIssue.many(issues)
        fill_defaults(self)
        return self

    def populations(self) -> list[tuple[str, Population]]:
        """Every population with where the file sets it: [[traders]], then the timeline's spawns."""
        pops: list[tuple[str, Population]] = [
            (f"traders[{i}]", t) for i, t in enumerate(self.traders, 1)
        ]
        pops += [
            (f"timeline[{i}]", e) for i, e in enumerate(self.timeline, 1) if isinstance(e, Spawn)
        ]
        return pops

    # ------------------------------------------------------------ what the session uses
    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def source(self) -> Any:
        """The file this level was loaded from (a Path), or None for text."""
        return self._source

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes (hex), so a save can tell whether the level changed."""
        return self._sha256

    @property
    def tick_ms(self) -> int:
        return self.meta.tick_ms

    @property
    def tick_limit(self) -> int:
        """Ticks the level lasts: ``time_limit / tick_seconds``, rounded down."""
        return self.objectives.time_limit_ms // self.meta.tick_ms

    @property
    def player_is_vault(self) -> bool:
        return self.player.role == "vault"

    @property
    def total_traders(self) -> int:
        """Bot traders in all populations, spawned ones included."""
        return sum(p.count for _, p in self.populations())

    def ticks_for(self, seconds: float) -> int:
        """Game seconds -> ticks (rounded down)."""
        return int(Decimal(str(seconds)) * 1000) // self.meta.tick_ms

    def groups(self) -> dict[str, list[str]]:
        """Every group a timeline entry may address -> the bot archetypes in it."""
        names: dict[str, list[str]] = {}
        for a in self.accounts:
            bots = names.setdefault(a.group or a.bot or "preset", [])
            if a.bot and a.bot not in bots:
                bots.append(a.bot)
        for _, p in self.populations():
            bots = names.setdefault(p.group or p.archetype, [])
            if p.archetype not in bots:
                bots.append(p.archetype)
        if self.vault.unwinder and not self.player_is_vault:
            names.setdefault("vault", []).append("vault_unwinder")
        return names

    def market_config(self, seed: int) -> MarketConfig:
        """The engine's settings for this level (``seed`` feeds the market's own randomness)."""
        m, f, w, v = self.market, self.market.funding, self.market.waterfall, self.vault
        return MarketConfig(
            symbol=m.symbol,
            tick_size=m.tick_size,
            lot_size=m.lot_size,
            max_leverage=m.max_leverage,
            maintenance_ppm=m.maintenance,
            taker_fee_ppm=m.taker_fee,
            maker_fee_ppm=m.maker_fee,
            liquidation_fee_ppm=m.liquidation_fee,
            mark_method=m.mark,
            funding_interval=f.interval,
            funding_interest_ppm=f.interest,
            funding_clamp_ppm=f.clamp,
            funding_cap_ppm=f.cap,
            partial_liquidation_ppm=w.partial,
            partial_min_notional=w.partial_min_notional,
            backstop_ppm=w.backstop_threshold,
            adl_policy=w.adl_policy,
            adl_trigger=w.trigger,
            vault_leverage=v.leverage,
            vault_max_notional=v.max_notional,
            book_liquidation=w.book,
            seed=seed,
        )
