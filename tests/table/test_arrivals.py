"""A running table applies a seat's input on arrival, between ticks, and still replays bit for bit."""

from __future__ import annotations

import asyncio
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perpgame.level.loader import load_level
from perpgame.session.inputs import PlayerInput
from perpgame.table.core import Table, replay_table
from perpgame.table.log import read_log, replay_log, write_log
from perpgame.table.replica import SeatReplica
from perpgame.tui.seat import SeatApp

from .conftest import DUEL, join, served, step, until

SEATS = ["seat-1", "seat-2", "seat-3"]
_order = st.tuples(
    st.sampled_from(SEATS),
    st.sampled_from([1, -1]),
    st.integers(1, 30_000),
    st.one_of(st.none(), st.integers(5_900_000, 6_100_000).map(lambda p: p - p % 50)),
    st.sampled_from([None, 10, 50]),
    st.booleans(),  # on arrival (else at the next tick)
)


@settings(max_examples=25, deadline=None)
@given(ticks=st.lists(st.lists(_order, max_size=5), min_size=1, max_size=8))
def test_arrivals_keep_the_pile_law_replay_offline_and_in_a_seats_copy(ticks):
    level = load_level(DUEL)
    table = Table(level, 1, SEATS)
    copy = SeatReplica(level, 1, SEATS, "seat-2")
    table.step()
    copy.feed(1, [], [])
    copy.catch_up()
    for orders in ticks:
        for seat, side, qty, price, lev, now in orders:
            action = PlayerInput.order(0, side, qty, price, leverage=lev)
            table.submit(seat, action, now=now)
            if now:
                copy.arrive(table.arrivals[-1])
            assert table.session.pile_ok, table.session.pile_failure
        played = len(table.session.input_log)
        table.step()
        assert table.session.pile_ok, table.session.pile_failure
        copy.feed(table.tick, table.session.input_log[played:], [], len(table.arrivals))
        copy.catch_up()
        assert copy.session.state_hash() == table.state_hash()
    log = table.session.input_log
    again = replay_table(level, 1, SEATS, list(log), [], table.tick, list(table.arrivals))
    assert again.state_hash() == table.state_hash()


def test_a_seats_copy_that_missed_an_arrival_says_so():
    level = load_level(DUEL)
    copy = SeatReplica(level, 1, SEATS, "seat-2")
    copy.feed(1, [], [], 0)
    with pytest.raises(ValueError, match="missing"):
        copy.feed(2, [], [], 1)  # the table had applied one input on arrival; none came here


def test_an_arrival_fills_at_once_and_a_paused_table_waits_for_the_tick():
    table = Table(load_level(DUEL), 1, SEATS)
    table.step()
    table.submit("seat-2", PlayerInput.order(0, -1, 10_000, 6_000_000), now=True)
    assert table.submit("seat-1", PlayerInput.order(0, 1, 10_000), now=True) == 1
    acct = table.session.market.accounts[table.session.seats["seat-1"]]
    assert acct.size == 10_000 and table.tick == 1  # filled before the next tick
    assert [a.tick for a in table.arrivals] == [1, 1] and table.session.input_log == []
    assert table.submit("seat-1", PlayerInput.order(0, -1, 10_000)) == 2  # queued, as paused
    assert acct.size == 10_000
    table.step()
    assert [a.tick for a in table.session.input_log] == [2]  # applied inside tick 2
    tape = [e for e in table.events_since if e.type == "fill"]
    assert tape[0].qty == 10_000  # the arrival's fill is in the next tick's tape for everyone


async def test_a_running_table_shows_an_order_at_once_and_its_log_replays(duel, tmp_path):
    async with served(duel, 2, running=True, tps=0.2) as (server, clients):
        a = await join(server, clients, "seat-1")
        b = await join(server, clients, "seat-2")
        assert server.table.tick >= 1  # the ticker played tick 1 when it started
        await b.send({"type": "order", "side": "sell", "qty": "1", "price": "60000"})
        answer = await a.send({"type": "order", "side": "buy", "qty": "1"})
        assert answer["arrival"] == 2 and answer["tick"] == server.table.tick
        frame = await a.shown(timeout=2)  # the first frame that shows it
        assert frame["arrived"] == 2 and frame["account"]["size"] == 10_000
        assert frame["market"]["tick"] == answer["tick"]  # shown before the next tick
        host = await join(server, clients, None)
        await host.pause()
        await step(host, [b])
        assert b.account["size"] == -10_000
        assert [t["buyer"] for t in b.market["tape"]] == ["seat-1"]  # in everyone's tape
        path = tmp_path / "table.json"
        write_log(server.table, path)
        live = server.table.state_hash()
    log, level = read_log(path)
    assert len(log.arrivals) == 2 and log.inputs == []
    assert replay_log(log, level) == live


async def test_a_seats_game_screen_plays_the_arrivals_of_a_running_table(duel):
    async with served(duel, 2, running=True, tps=0.2) as (server, clients):
        host = await join(server, clients, None)
        other = await join(server, clients, "seat-2")
        assert server.table.tick >= 1
        await other.sell("5", "60000", leverage=50)  # an arrival before the screen joins
        app = SeatApp(server.url("seat-1"))
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + 10
            while app.replica is None or app.replica.session.player.size <= 0:
                if app.replica is not None and not server.table.arrivals[1:]:
                    await pilot.press("b")  # a market buy: applied on arrival, back as one
                    await until(pilot, lambda: server.table.arrivals[1:], deadline)
                assert time.monotonic() < deadline, "timed out"
                await pilot.pause(0.02)
            me = app.replica.session.player
            await until(pilot, lambda: "filled" in _feedback(app), deadline)  # told at once
            await host.pause()
            await step(host, [other])
            await until(pilot, lambda: app.replica.session.tick == server.table.tick, deadline)
            assert me.size > 0 and other.account["size"] == -me.size
            assert app.replica.session.state_hash() == server.table.state_hash()


def _feedback(app) -> str:
    return str(app.screen.query_one("#order-feedback").render())


async def test_a_plain_client_keeps_few_frames_and_a_replica_keeps_every_one(duel):
    from perpgame.client import FRAMES_KEPT, TableClient

    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        plain = await join(server, clients, "seat-1")
        copy = await TableClient.connect(server.url("seat-2"), replica=True)
        clients.append(copy)
        await step(host, [plain, copy], ticks=40)
        assert plain._frames.qsize() == FRAMES_KEPT < 40  # the newest, for next_frame
        assert copy._frames.qsize() == 40  # a replica needs every one
        assert (await plain.next_frame())["market"]["tick"] == 40 - FRAMES_KEPT + 1


async def test_every_headless_seat_hears_of_an_order_on_arrival_not_at_the_next_tick(duel):
    """A venue's market data: the other seats get the book as it stands after an order the table
    applied on arrival, without waiting for the tick (here 5 s away); its trades still come in
    the next tick's frame; a seat's copy of the game gets the input itself, the sender included."""
    from perpgame.client import TableClient

    async with served(duel, 3, running=True, tps=0.2) as (server, clients):
        a = await join(server, clients, "seat-1")
        b = await join(server, clients, "seat-2")
        copy = await TableClient.connect(server.url("seat-3"), replica=True)
        clients.append(copy)
        tick = server.table.tick
        assert await b.sell("1", "60100") == tick  # rests on the book
        market = await a.wait_market(lambda m: m.get("asks"), timeout=2)
        assert market["asks"][0] == [6_010_000, 10_000] and market["tick"] == tick
        assert market["arrivals"] == 1 and market["tape"] == []
        await a.buy("1")  # takes it: b hears the book emptied at once
        await b.wait_market(lambda m: m["arrivals"] == 2 and not m["asks"], timeout=2)
        arrival = await copy.next_frame(timeout=2)
        assert arrival["type"] == "arrival" and arrival["input"]["seat"] == "seat-2"
        assert (await copy.next_frame(timeout=2))["input"]["seat"] == "seat-1"
        assert server.table.tick == tick  # all of it before the next tick


class _StuckSocket:
    """A websocket whose reader is not reading: nothing is sent until ``go`` is set."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.go = asyncio.Event()

    async def send_str(self, text: str) -> None:
        await self.go.wait()
        self.sent.append(text)

    async def close(self) -> None:
        pass


async def test_a_seat_that_reads_slowly_at_a_busy_table_keeps_the_newest_book_and_its_seat():
    """Each ``book`` is the whole market, so one not yet sent gives way to the next: a program
    that stops reading for a while is not cut off for the market data alone (256 queued
    messages were 4 s of a 50-seat table's books)."""
    import json

    from perpgame.table.protocol import parse
    from perpgame.table.server import QUEUE, TableServer, _Conn

    table = Table(load_level(DUEL), 1, SEATS)
    server = TableServer(table, ticks_per_second=10, running=True)
    table.step()
    slow = _Conn(_StuckSocket())
    server.conns = {"seat-1": _Conn(_StuckSocket()), "seat-2": slow}
    trader = server.conns["seat-1"]
    trader.seat = "seat-1"
    for i in range(QUEUE + 20):  # seat-1 rests QUEUE + 20 offers, one above the other
        server._seat_input(trader, parse(json.dumps(_offer(i))))
    assert len(table.arrivals) == QUEUE + 20
    server._broadcast()  # a tick frame: the book before it keeps its place
    server._seat_input(trader, parse(json.dumps(_offer(999))))
    slow.ws.go.set()
    slow.close()
    await slow.sender
    sent = [json.loads(text) for text in slow.ws.sent]
    assert [m["type"] for m in sent] == ["book", "frame", "book"]  # not cut off
    assert [m["market"]["arrivals"] for m in sent] == [QUEUE + 20, QUEUE + 20, QUEUE + 21]
    trader.ws.go.set()
    trader.close()
    await trader.sender


def _offer(i: int) -> dict:
    return {"type": "order", "side": "sell", "qty": "0.01", "price": str(60_100 + i)}
