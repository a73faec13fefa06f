#!/usr/bin/env python3
"""A student's trading program on a seat of a shared table: a tiny mean-reversion bot.

    perpgame host happy-path --seats 4          # prints a URL per seat
    python examples/table_bot.py 'ws://127.0.0.1:8765/ws?seat=seat-1&token=...'

Every few ticks it compares the mark with the average of the last marks it saw: below the
average it buys a little, above it sells a little, and it never holds more than one coin. It
stops when the game at the table ends (or on Ctrl-C). Prices, sizes and cash in frames are
integers: cents, 1/10,000 coin and micro-dollars; orders take text as level files do.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections import deque

from perpgame.client import TableClient, TableError

MAX_LOTS = 10_000  # one coin
EVERY = 5  # ticks between decisions


async def run(url: str) -> None:
    async with await TableClient.connect(url) as seat:
        print(f"sitting at {seat.seat} of {seat.welcome['title']}")
        marks: deque[int] = deque(maxlen=20)
        while seat.market.get("status", "playing") == "playing":
            frame = await seat.next_frame(timeout=60)
            market = frame["market"]
            marks.append(market["mark"])
            if market["tick"] % EVERY or len(marks) < marks.maxlen:
                continue
            average = sum(marks) // len(marks)
            size = seat.account["size"]
            try:
                if market["mark"] < average and size < MAX_LOTS:
                    await seat.buy("0.1")
                elif market["mark"] > average and size > -MAX_LOTS:
                    await seat.sell("0.1")
            except TableError as exc:  # refused: say why, keep trading
                print(f"refused: {exc}")
            equity = seat.account["equity"] / 1_000_000
            print(f"tick {market['tick']}: mark {market['mark'] / 100:,.2f}, "
                  f"size {size / 10_000:+.4f}, equity ${equity:,.2f}")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(sys.argv[1]))
