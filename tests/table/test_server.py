"""Seats trading with each other through the real server, on loopback."""

from __future__ import annotations

import asyncio
import json

import pytest

from perpgame.client import TableClient, TableError
from perpgame.table.server import INSTRUCTOR

from .conftest import join, served, step, trade_five_at_50x


async def test_two_seats_trade_with_each_other(duel):
    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        a = await join(server, clients, "seat-1")
        b = await join(server, clients, "seat-2")
        assert (a.seat, b.seat, host.seat) == ("seat-1", "seat-2", INSTRUCTOR)
        t1 = await b.sell("1", "60000")
        t2 = await a.buy("1")
        assert t1 == t2 == 1  # both apply at the next tick of the paused table
        await step(host, [a, b])
        tape = a.market["tape"]
        # b's ask rested first; a's market buy took it: 1 coin = 10,000 lots at $60,000.00
        assert tape == [
            {
                "price": 6_000_000,
                "qty": 10_000,
                "buyer": "seat-1",
                "seller": "seat-2",
                "liquidation": False,
            }
        ]
        assert b.market["tape"] == tape
        assert (a.account["size"], b.account["size"]) == (10_000, -10_000)


async def test_ten_seats_trade_in_pairs_and_the_pile_holds(duel):
    async with served(duel, 10) as (server, clients):
        host = await join(server, clients, None)
        seats = [await join(server, clients, f"seat-{i}") for i in range(1, 11)]
        for i in range(0, 10, 2):  # seat 2k sells k+1 tenths at 60000 + k*10; seat 2k-1 buys it
            await seats[i + 1].sell(f"0.{i // 2 + 1}", f"{60000 + (i // 2) * 10}")
        for i in range(0, 10, 2):
            await seats[i].buy(f"0.{i // 2 + 1}")
        await step(host, seats)
        sizes = [s.account["size"] for s in seats]
        assert sizes == [1000, -1000, 2000, -2000, 3000, -3000, 4000, -4000, 5000, -5000]
        assert len(seats[0].market["tape"]) == 5
        assert server.table.session.pile_ok
        assert sum(sizes) == 0


async def test_a_seat_is_liquidated_into_another_seats_bid(duel):
    async with served(duel, 3) as (server, clients):
        host = await join(server, clients, None)
        a, b, c = [await join(server, clients, f"seat-{i}") for i in (1, 2, 3)]
        await trade_five_at_50x(a, b)  # long 5 at 60,000 with 10,000 cash: bankrupt at 58,000
        await c.buy("5", "58100", leverage=50)  # a bid above a's bankruptcy price
        await step(host, [a, b, c])
        assert await host.fire(0) == 2  # the -2.5% gap: index 58,500
        await step(host, [a, b, c])
        # a's equity 10,000 - 5 * 1,500 = 2,500 < maintenance 1% of 292,500 = 2,925: liquidated;
        # the book takes it: c's bid at 58,100 (above bankruptcy), no vault, no ADL.
        assert c.market["waterfall"] == [{"kind": "liquidation", "account": "seat-1"}]
        assert c.market["tape"] == [
            {
                "price": 5_810_000,
                "qty": 50_000,
                "buyer": "seat-3",
                "seller": "seat-1",
                "liquidation": True,
            }
        ]
        assert (a.account["size"], b.account["size"], c.account["size"]) == (0, -50_000, 50_000)


async def test_adl_hits_the_human_winner_at_another_seat_even_while_the_loser_is_away(duel):
    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        a = await join(server, clients, "seat-1")
        b = await join(server, clients, "seat-2")
        await trade_five_at_50x(a, b)
        await step(host, [a, b])
        await a.close()  # seat-1 drops; its long stays at the table
        clients.remove(a)
        await host.fire(1)  # the -5% gap: 57,000, past seat-1's bankruptcy price of 58,000
        await step(host, [b])
        # seat-1's equity 10,000 - 5 * 3,000 = -5,000: nobody bids, the vault is empty, so the
        # winner on the other side, seat-2, is closed against it at the bankruptcy price 58,000.
        # (How many liquidation events the waterfall tells on the way is the engine's business.)
        waterfall = b.market["waterfall"]
        assert {"kind": "liquidation", "account": "seat-1"} in waterfall
        assert [w for w in waterfall if w["kind"] != "liquidation"] == [
            {
                "kind": "deleverage",
                "account": "seat-2",
                "against": "seat-1",
                "qty": 50_000,
                "price": 5_800_000,
            },
        ]
        assert b.account["size"] == 0
        assert b.account["equity"] == 20_000 * 1_000_000  # 10,000 + 5 * (60,000 - 58,000)
        back = await join(server, clients, "seat-1")  # the dropped seat rejoins
        assert back.account["size"] == 0 and back.account["equity"] == 0
        assert back.welcome["tick"] == server.table.tick


async def test_a_dropped_client_rejoins_its_seat_with_its_position(duel):
    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        a = await join(server, clients, "seat-1")
        b = await join(server, clients, "seat-2")
        await b.sell("1", "60000")
        await a.buy("1")
        await step(host, [a, b])
        await a.close()
        clients.remove(a)
        await step(host, [b], ticks=3)
        again = await join(server, clients, "seat-1")
        assert again.account["size"] == 10_000
        await again.sell("1", "60100")
        await step(host, [again, b])
        assert again.account["orders"] == [
            {"id": again.account["orders"][0]["id"], "side": -1, "price": 6_010_000, "qty": 10_000}
        ]
        # joining the same seat from a second place: the newest link wins, the old one is told
        newer = await join(server, clients, "seat-1")
        await asyncio.wait_for(again.closed.wait(), 5)
        assert "another connection" in again.errors[-1]
        assert newer.account["size"] == 10_000


async def test_a_forged_token_is_refused(duel):
    async with served(duel, 2) as (server, clients):
        good = server.url("seat-1")
        forged = good.replace(server.tokens["seat-1"], server.tokens["seat-2"])
        with pytest.raises(TableError, match="token"):
            await TableClient.connect(forged, timeout=5)
        with pytest.raises(TableError, match="token"):
            await TableClient.connect(good.replace("seat=seat-1", f"seat={INSTRUCTOR}"), timeout=5)
        a = await join(server, clients, "seat-1")
        with pytest.raises(TableError, match="only the instructor"):
            await a.fire(0)
        with pytest.raises(TableError, match="only the instructor"):
            await a.step()


async def test_malformed_messages_get_an_error_and_change_nothing(duel):
    async with served(duel, 2) as (server, clients):
        a = await join(server, clients, "seat-1")
        before = server.table.state_hash()
        bad = [
            "{not json",
            json.dumps({"type": "order", "side": "buy", "qty": "-1"}),
            json.dumps({"type": "order", "side": "buy", "qty": "1", "seat": "seat-2"}),
            json.dumps({"type": "add_margin", "cash": "1000"}),
            json.dumps({"type": "order", "side": "buy", "qty": "1", "price": "x" * 3000}),
            json.dumps([1, 2, 3]),
        ]
        for text in bad:
            await a.send_raw(text)
        # a good message after them is answered, so every bad one has been read by then
        with pytest.raises(TableError, match="side"):
            await a.send({"type": "order", "side": "up", "qty": "1"})
        assert len(a.errors) == len(bad)
        assert "JSON" in a.errors[0] and "qty" in a.errors[1] and "seat" in a.errors[2]
        assert "at most 2048 bytes" in a.errors[4]
        assert server.table.state_hash() == before
        assert server.table.session._pending == []


async def test_a_running_table_ticks_and_answers_with_the_tick_of_the_fill(duel):
    async with served(duel, 2, running=True, tps=50) as (server, clients):
        a = await join(server, clients, "seat-1")
        b = await join(server, clients, "seat-2")
        await b.sell("1", "60000")
        tick = await a.buy("1")
        frame = await a.wait_for(lambda f: f["market"]["tick"] >= tick, timeout=5)
        assert frame["account"]["size"] == 10_000 or a.account["size"] == 10_000


async def test_a_seat_sending_too_fast_is_told_to_slow_down(duel):
    clock = [0.0]  # the table's clock stands still: the bucket never refills
    from perpgame.table.core import Table, seat_names
    from perpgame.table.server import TableServer

    server = TableServer(
        Table(duel, 1, seat_names(1)),
        ticks_per_second=10,
        running=False,
        clock=lambda: clock[0],
    )
    await server.start("127.0.0.1", 0)
    try:
        a = await TableClient.connect(server.url("seat-1"), timeout=5)
        order = json.dumps({"type": "order", "side": "buy", "qty": "0.1", "price": "50000"})
        for _ in range(44):  # the hello came in the URL; 40 more fit in the burst
            await a.send_raw(order)
        with pytest.raises(TableError, match="slow down"):
            await a.send({"type": "cancel_all"})
        assert a.errors.count("too many messages: slow down") == 4
        assert len(server.table.session._pending) == 40
        await a.close()
    finally:
        await server.stop()


async def test_a_connection_that_never_says_who_it_is_is_closed(duel):
    import aiohttp

    async with served(duel, 1) as (server, clients):
        server.hello_seconds = 0.2
        host, port = server.address
        async with aiohttp.ClientSession() as http, http.ws_connect(f"ws://{host}:{port}/ws") as ws:
            msg = await asyncio.wait_for(ws.receive(), 5)  # no hello: closed, not kept open
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        server.hello_seconds = 0  # the check runs right after the hello in the URL ...
        a = await join(server, clients, "seat-1")
        assert (await a.send({"type": "cancel_all"}))["type"] == "ack"  # ... and keeps the seat


async def test_the_instructor_hands_out_free_seats_for_a_booth(duel):
    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        first, second = await host.claim(), await host.claim()
        assert "seat=seat-1&token=" in first and "seat=seat-2&token=" in second
        seat = await TableClient.connect(first, timeout=5)  # the URL a claim gives works
        clients.append(seat)
        assert seat.seat == "seat-1"
        with pytest.raises(TableError, match="every seat"):
            await host.claim()  # both were handed out a moment ago
        with pytest.raises(TableError, match="only the instructor"):
            await seat.claim()


async def test_players_name_themselves_and_the_board_shows_it(duel):
    async with served(duel, 2) as (server, clients):
        ana = await TableClient.connect(server.url("seat-1"), timeout=5, name="Ana María")
        clients.append(ana)
        with pytest.raises(TableError, match="name"):
            await TableClient.connect(server.url("seat-2"), timeout=5, name="<script>")
        host = await join(server, clients, None)
        assert [(r["seat"], r["name"]) for r in host.welcome["board"]] == [
            ("seat-1", "Ana María"),
            ("seat-2", ""),
        ]
        assert server.table.session.market.accounts[server.table.session.seats["seat-1"]].name == (
            "seat-1"  # a name is shown, never part of the game (or its log)
        )
