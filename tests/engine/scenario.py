"""A fixed, busy scenario used by the snapshot and determinism tests (and runnable as a script)."""

from __future__ import annotations

from perpgame.engine.book import BUY, SELL, OrderType
from perpgame.engine.config import MarketConfig
from perpgame.engine.market import Market
from perpgame.engine.rng import Rng


def run(seed: int = 7, ticks: int = 60, policy: str = "random") -> Market:
    """Forty traders, a market maker ladder, a 30% gap at tick 30: every stage of the waterfall."""
    rng = Rng(seed)
    cfg = MarketConfig(
        adl_policy=policy, funding_interval=8, seed=seed, max_leverage=50, maintenance_ppm=10_000
    )
    m = Market(cfg, start_price=6_000_000)
    m.deposit(m.vault.id, 20_000_000_000)
    traders = [
        m.open_account(
            "bot",
            "t",
            f"t{i}",
            cash=rng.between(500, 5_000) * 1_000_000,
            leverage=rng.between(2, 50),
        )
        for i in range(40)
    ]
    index = 6_000_000
    for t in range(1, ticks + 1):
        m.begin_tick()
        index = index * 7 // 10 if t == 30 else max(100, index + rng.between(-30_000, 30_000))
        m.set_index(index)
        for acct in traders:
            if rng.chance(400_000):
                side = BUY if rng.chance(500_000) else SELL
                qty = rng.between(1, 5_000)
                if rng.chance(300_000):
                    m.place_order(acct.id, side, qty, None, OrderType.MARKET)
                else:
                    m.place_order(acct.id, side, qty, index - side * rng.between(0, 60_000))
        m.end_tick()
        assert m.check_pile().ok
    return m


if __name__ == "__main__":
    print(run().state_hash())
