"""The cast of a game: the accounts a level opens besides the player's, their groups, their bots.

Opening them draws on the game's random stream (a population's cash and leverage, each bot's own
fork), in the level's order, so the same level and seed always open the same cast.
"""

from __future__ import annotations

from perpgame.engine.account import BOT, PRESET
from perpgame.engine.market import Market
from perpgame.engine.rng import Rng
from perpgame.world.bots import ARCHETYPES
from perpgame.world.bots.base import Bot
from perpgame.world.desk import Desk


class Cast:
    """The bots of one game and the group each account counts in."""

    def __init__(self, market: Market, rng: Rng) -> None:
        self.market = market
        self.rng = rng
        self.bots: list[Bot] = []
        self.groups_of: dict[int, str] = {}
        """Account id -> the group it counts in, where the game names one."""
        self.spawned: dict[str, int] = {}
        """How many accounts each population group has opened (they are named ``group-N``)."""

    def attach(self, account_id: int, archetype: str, raw_params: dict) -> Bot:
        """Give account ``account_id`` a bot of ``archetype``, with its own random stream."""
        cls = ARCHETYPES[archetype]
        bot = cls(
            Desk(self.market, account_id), cls.make_params(raw_params), self.rng.fork(account_id)
        )
        self.bots.append(bot)
        return bot

    def open_presets(self, presets) -> None:
        """The level's exact accounts (``[[accounts]]``), with their positions and bots."""
        for preset in presets:
            acct = self.market.open_account(
                BOT if preset.bot else PRESET,
                preset.group,
                preset.name,
                cash=preset.cash,
                leverage=preset.leverage,
            )
            self.groups_of[acct.id] = preset.group
            if preset.position:
                acct.apply_trade(preset.position, preset.entry)
            if preset.bot:
                self.attach(acct.id, preset.bot, preset.params)

    def spawn(self, population) -> list[int]:
        """Open ``count`` accounts with fresh cash and a bot each; returns their ids."""
        ids = []
        lo_cash, hi_cash = population.cash
        lo_lev, hi_lev = population.leverage
        group = population.group
        for _ in range(population.count):
            n = self.spawned.get(group, 0) + 1
            self.spawned[group] = n
            cash = self.rng.between(lo_cash, hi_cash)
            leverage = self.rng.between(lo_lev, hi_lev)
            acct = self.market.open_account(
                BOT, group, f"{group}-{n}", cash=cash, leverage=leverage
            )
            self.groups_of[acct.id] = group
            self.attach(acct.id, population.archetype, population.params)
            ids.append(acct.id)
        return ids

    def bots_in(self, group: str | None, default: str | None = None) -> list[Bot]:
        """The bots of accounts in ``group``; with no group, the bots of archetype ``default``."""
        if group is None:
            return [b for b in self.bots if b.archetype == default] if default else []
        return [b for b in self.bots if self.groups_of.get(b.desk.account_id) == group]
