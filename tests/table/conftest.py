"""A table served on a random loopback port, paused, so tests step it by hand (no sleeps)."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from perpgame.client import TableClient
from perpgame.level.loader import load_level
from perpgame.table.core import Table, seat_names
from perpgame.table.server import TableServer

DUEL = Path(__file__).with_name("duel.toml")


@pytest.fixture
def duel():
    return load_level(DUEL)


@asynccontextmanager
async def served(level, seats: int, *, running: bool = False, tps: float = 10.0):
    server = TableServer(Table(level, 1, seat_names(seats)), ticks_per_second=tps, running=running)
    await server.start("127.0.0.1", 0)
    clients: list[TableClient] = []
    try:
        yield server, clients
    finally:
        for client in clients:
            await client.close()
        await server.stop()


async def join(server: TableServer, clients: list[TableClient], seat: str | None) -> TableClient:
    client = await TableClient.connect(server.url(seat), timeout=5)
    clients.append(client)
    return client


async def step(host: TableClient, seats: list[TableClient], ticks: int = 1) -> int:
    """Step the paused table and wait until every seat has the frame of the last tick."""
    tick = await host.step(ticks)
    for seat in seats:
        await seat.wait_for(lambda f, t=tick: f["market"]["tick"] >= t, timeout=5)
    return tick


async def trade_five_at_50x(long: TableClient, short: TableClient) -> None:
    """``short`` offers 5 at 60,000 and ``long`` takes it, both at 50x: with the duel's 10,000
    cash each, the long is bankrupt at 58,000 (a 5% gap takes it past)."""
    await short.sell("5", "60000", leverage=50)
    await long.buy("5", leverage=50)


async def until(pilot, test, deadline: float | None = None) -> None:
    """Let the app run until ``test()`` holds: by ``deadline`` (a ``time.monotonic()`` shared by
    several waits), or within 10 s."""
    deadline = time.monotonic() + 10 if deadline is None else deadline
    while not test():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)
