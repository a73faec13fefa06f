"""A seat adds and takes out margin at a table, through the real server; refusals in words."""

from __future__ import annotations

import time

import pytest

from perpgame.client import TableError
from perpgame.session.limits import MAX_ADDED_MARGIN
from perpgame.table.log import replay_log, table_log
from perpgame.tui.seat import SeatApp

from .conftest import join, served, step, trade_five_at_50x, until

START = 10_000 * 1_000_000  # the duel's starting cash, in micro-dollars


async def test_seats_add_and_take_out_margin_each_within_its_own_cap(duel):
    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        a = await join(server, clients, "seat-1")
        b = await join(server, clients, "seat-2")
        await a.add_margin("500")
        await b.add_margin(str(MAX_ADDED_MARGIN // 1_000_000))  # the whole cap, for seat-2
        await step(host, [a, b])
        assert a.account["cash"] == START + 500_000_000
        assert a.account["notes"] == ["You added 500.00 of margin: fresh cash in the pile."]
        await step(host, [a, b], ticks=9)  # the board comes every ten ticks
        assert {r["seat"]: r["pnl"] for r in a.board} == {"seat-1": 0, "seat-2": 0}
        await a.add_margin("1000")  # seat-2's deposits do not count against seat-1's cap
        await b.add_margin("1")
        await step(host, [a, b])
        assert a.account["cash"] == START + 1_500_000_000
        assert b.account["notes"] == [
            "Refused: at most $10,000,000 of margin can be added in one game."
        ]
        await a.remove_margin("1500.000001")  # below the start: fine while flat
        await step(host, [a, b])
        assert a.account["cash"] == START - 1
        assert a.account["notes"] == ["You took 1,500.00 out of the pile."]
        doc = table_log(server.table)
        live = server.table.state_hash()
        assert server.table.session.pile_ok
    assert [i.kind for i in doc.inputs].count("add_margin") == 4
    assert replay_log(doc, server.table.level) == live


async def test_taking_out_margin_a_position_needs_is_refused_in_words(duel):
    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        a = await join(server, clients, "seat-1")
        b = await join(server, clients, "seat-2")
        await trade_five_at_50x(a, b)
        await step(host, [a, b])
        assert a.account["size"] == 50_000
        await a.remove_margin("9000")
        await step(host, [a, b])
        assert a.account["cash"] == START and len(a.account["notes"]) == 1
        assert "initial margin" in a.account["notes"][0]


async def test_margin_on_a_running_table_is_answered_at_once(duel):
    async with served(duel, 2, running=True, tps=0.2) as (server, clients):
        a = await join(server, clients, "seat-1")
        answer = await a.send({"type": "add_margin", "amount": "250.5"})
        frame = await a.wait_for(lambda f: f.get("arrived") == answer["arrival"], timeout=2)
        assert frame["account"]["cash"] == START + 250_500_000
        assert frame["account"]["notes"] == ["You added 250.50 of margin: fresh cash in the pile."]


async def test_the_game_screens_margin_keys_and_quick_order_work_on_a_seat(duel):
    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        app = SeatApp(server.url("seat-1"))
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + 10
            await until(pilot, lambda: app.replica is not None, deadline)
            await pilot.press("m")  # add margin: 10% of the start cash
            await until(pilot, lambda: server.table.session._pending, deadline)
            await step(host, [])
            await until(pilot, lambda: app.replica.session.tick == 1, deadline)
            me = app.replica.session.player
            assert me.cash == START + START // 10
            await pilot.press("colon", *"margin -300", "enter")
            await until(pilot, lambda: server.table.session._pending, deadline)
            await step(host, [])
            await until(pilot, lambda: app.replica.session.tick == 2, deadline)
            assert me.cash == START + START // 10 - 300_000_000
            assert app.replica.session.state_hash() == server.table.state_hash()
            told = [s.text for s in app.replica.session.player_stories]
            assert "You took 300.00 out of the pile." in told


async def test_a_bad_margin_message_is_refused_and_changes_nothing(duel):
    async with served(duel, 2) as (server, clients):
        a = await join(server, clients, "seat-1")
        before = server.table.state_hash()
        for amount in ("-5", "0.0000001", "1e400", None):
            msg = {"type": "add_margin"} | ({} if amount is None else {"amount": amount})
            with pytest.raises(TableError, match="amount"):
                await a.send(msg)
        assert server.table.state_hash() == before and server.table.session._pending == []
