"""A small world for tests: a market, an oracle, bots on desks, and a tick loop that checks the pile.

    w = World(seed=3)
    w.fund_vault(dollars(1_000_000))
    makers = w.add("market_maker", 5, cash=dollars(200_000), leverage=10)
    w.run(100)

Each tick is ``begin_tick``, ``set_index(oracle.step(t))``, every bot ``act()`` in account-id
order, ``end_tick``; the pile law is asserted after every tick. Run as a script it times the
standard ~200-bot population (``python -m tests.world.harness``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from perpgame.engine.config import MarketConfig
from perpgame.engine.events import Event
from perpgame.engine.market import Market
from perpgame.engine.rng import Rng
from perpgame.engine.units import CASH_SCALE
from perpgame.world.bots import ARCHETYPES, Bot
from perpgame.world.desk import Desk
from perpgame.world.oracle import Oracle

START = 6_000_000  # $60,000.00 in cents


def dollars(n: int) -> int:
    """Whole dollars as cash units (micro-dollars)."""
    return n * CASH_SCALE


class World:
    """One market, one oracle, a list of bots: everything a level's world would hold."""

    def __init__(
        self,
        *,
        seed: int = 1,
        start: int = START,
        volatility_ppm: int = 0,
        drift_ppm: int = 0,
        keyframes: Sequence[tuple[int, int]] = (),
        **config: Any,
    ) -> None:
        config.setdefault("seed", seed)
        self.market = Market(MarketConfig(**config), start_price=start)
        self.rng = Rng(seed)
        self.oracle = Oracle(
            start,
            self.rng.fork(1),
            volatility_ppm=volatility_ppm,
            drift_ppm=drift_ppm,
            keyframes=keyframes,
        )
        self.bots: list[Bot] = []
        self.events: list[Event] = []
        self.keep = ("liquidation", "backstop", "deleverage", "deposit", "bad_debt")

    def fund_vault(self, amount: int) -> None:
        self.market.deposit(self.market.vault.id, amount)

    def add(
        self,
        archetype: str,
        n: int = 1,
        *,
        cash: int = 0,
        leverage: int = 10,
        group: str | None = None,
        **params: Any,
    ) -> list[Bot]:
        """``n`` bots of ``archetype``, each on a new account with ``cash``, params from a table."""
        cls = ARCHETYPES[archetype]
        checked = cls.make_params(params)
        group = group or archetype
        out = []
        for _ in range(n):
            acct = self.market.open_account(
                "bot", group, f"{group}{len(self.market.accounts)}", cash=cash, leverage=leverage
            )
            bot = cls(Desk(self.market, acct.id), checked, self.rng.fork(1000 + acct.id))
            out.append(bot)
        self.bots.extend(out)
        self.bots.sort(key=lambda b: b.desk.account_id)
        return out

    def add_unwinder(self, **params: Any) -> Bot:
        """The vault unwinder, trading on the vault's own account."""
        cls = ARCHETYPES["vault_unwinder"]
        vault_id = self.market.vault.id
        bot = cls(Desk(self.market, vault_id), cls.make_params(params), self.rng.fork(vault_id))
        self.bots.append(bot)
        self.bots.sort(key=lambda b: b.desk.account_id)
        return bot

    def step(self) -> list[Event]:
        """One tick; returns its events (and keeps the waterfall's and deposits in ``events``)."""
        m = self.market
        m.begin_tick()
        m.set_index(self.oracle.step(m.tick))
        for bot in self.bots:
            bot.act()
        events = m.end_tick()
        report = m.check_pile()
        assert report.ok, report.explain()
        keep = self.keep
        self.events.extend(e for e in events if e.type in keep)
        return events

    def run(self, ticks: int) -> None:
        for _ in range(ticks):
            self.step()

    def of_type(self, kind: str, account: int | None = None) -> list[Any]:
        return [
            e
            for e in self.events
            if e.type == kind and (account is None or getattr(e, "account", None) == account)
        ]

    def resting(self, account: int) -> list:
        return self.market.book.orders_of(account)


def standard(seed: int = 1, **config: Any) -> World:
    """The benchmark population: 10 makers, 60 noise, 40 momentum, 40 degenerates, 30 dip
    buyers, 10 arbitrageurs, 1 whale and the vault's unwinder (192 bots), in a noisy market."""
    config.setdefault("max_leverage", 20)
    w = World(seed=seed, volatility_ppm=500, **config)
    w.fund_vault(dollars(2_000_000))
    w.add("market_maker", 10, cash=dollars(500_000), leverage=10)
    w.add("noise", 60, cash=dollars(20_000), leverage=5)
    w.add("momentum", 40, cash=dollars(10_000), leverage=10)
    w.add("degenerate", 20, cash=dollars(2_000), leverage=20, jitter=50)
    w.add("degenerate", 20, cash=dollars(2_000), leverage=20, jitter=50, side="short")
    w.add("dip_buyer", 30, cash=0, leverage=3, entries=3)
    w.add("arbitrageur", 10, cash=dollars(100_000), leverage=5)
    w.add("whale", 1, cash=dollars(1_000_000), leverage=10)
    w.add_unwinder()
    return w


def bench(ticks: int = 2_000, seed: int = 1) -> float:
    """Ticks per second of the standard population with a crash and a recovery in the middle."""
    w = standard(seed)
    whale = next(b for b in w.bots if b.archetype == "whale")
    began = time.perf_counter()
    for t in range(1, ticks + 1):
        if t == ticks // 3:
            w.oracle.move(-150_000, 40)
            whale.command("sell", qty=300_000, ticks=30)
        if t == ticks // 2:
            w.oracle.move_to(START, 200)
        w.step()
    return ticks / (time.perf_counter() - began)


if __name__ == "__main__":
    w = standard()
    print(f"{len(w.bots)} bots: {bench():.0f} ticks/s")
