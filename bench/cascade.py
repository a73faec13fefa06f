"""A 10,000-account cascade: a 30% index gap in one tick, the whole waterfall resolved.

Usage: python bench/cascade.py [--accounts N] [--policy NAME] [--trigger deficit|takeover] [--seed S]

Prints how many accounts went through each stage (book, vault, ADL), the pile-law check, and as
its last line ``cascade_seconds: X`` (the tick with the gap, set-up excluded).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perpgame.engine.book import BUY, SELL
from perpgame.engine.config import MarketConfig
from perpgame.engine.market import Market
from perpgame.engine.rng import Rng
from perpgame.engine.units import format_cash


def build(accounts: int, policy: str, seed: int, trigger: str = "takeover") -> Market:
    rng = Rng(seed)
    start = 6_000_000
    m = Market(
        MarketConfig(
            adl_policy=policy,
            adl_trigger=trigger,
            max_leverage=50,
            maintenance_ppm=10_000,
            seed=seed,
        ),
        start_price=start,
    )
    m.deposit(m.vault.id, 3_000_000_000_000)  # a $3M vault
    half = accounts // 2
    longs = [
        m.open_account(
            "bot", "longs", f"l{i}", cash=rng.between(1_000, 20_000) * 1_000_000, leverage=50
        )
        for i in range(half)
    ]
    shorts = [
        m.open_account(
            "bot", "shorts", f"s{i}", cash=rng.between(1_000, 20_000) * 1_000_000, leverage=20
        )
        for i in range(accounts - half)
    ]
    for acct in longs:  # 1x to 6x long, paired with a short of the same size
        lev_tenths = rng.between(10, 60)
        qty = acct.cash * lev_tenths // (10 * start)
        if qty:
            m.ledger.trade(acct.id, shorts[acct.id % len(shorts)].id, qty, start)
    # market makers: a book 15% deep below the gap price
    makers = [
        m.open_account("bot", "makers", f"mm{i}", cash=5_000_000_000_000, leverage=50)
        for i in range(10)
    ]
    gap = start * 7 // 10
    for i, mm in enumerate(makers):
        for level in range(40):
            m.place_order(mm.id, BUY, 2_000 + 100 * i, gap - level * 2_500 - i * 100)
            m.place_order(mm.id, SELL, 2_000, start + 5_000 + level * 2_500)
    return m


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--accounts", type=int, default=10_000)
    p.add_argument("--policy", default="pnl_leverage")
    p.add_argument("--trigger", choices=("deficit", "takeover"), default="takeover")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    m = build(a.accounts, a.policy, a.seed, a.trigger)
    assert m.check_pile().ok
    m.begin_tick()
    m.set_index(m.index * 7 // 10)
    t0 = time.perf_counter()
    events = m.end_tick()
    seconds = time.perf_counter() - t0
    report = m.check_pile()
    stages = {"liquidation": set(), "backstop": set(), "deleverage": set()}
    book_filled = set()
    for e in events:
        if e.type == "liquidation":
            stages["liquidation"].add(e.account)
            if e.filled:
                book_filled.add(e.account)
        elif e.type == "backstop":
            stages["backstop"].add(e.account)
        elif e.type == "deleverage":
            stages["deleverage"].add(e.counterparty)
    bad_debt = sum(e.amount for e in events if e.type == "bad_debt")
    print(
        f"accounts: {a.accounts}  policy: {a.policy}  trigger: {a.trigger}  gap: -30% in one tick"
    )
    print(f"liquidated: {len(stages['liquidation'])}")
    print(f"  stage 1, filled in the book: {len(book_filled)}")
    print(f"  stage 2, taken by the vault: {len(stages['backstop'])}")
    print(f"  stage 3, sent to ADL: {len(stages['deleverage'])}")
    print(f"deleverage events: {sum(1 for e in events if e.type == 'deleverage')}")
    print(f"bad debt absorbed: {format_cash(bad_debt)}")
    print(f"events: {len(events)}  final stage: {m.stage}")
    print(f"pile law: {'ok' if report.ok else 'BROKEN'} ({format_cash(report.pile)})")
    problems = m.check()
    print(f"check: {'ok' if not problems else problems[:3]}")
    print(f"cascade_seconds: {seconds:.3f}")


if __name__ == "__main__":
    main()
