"""The instructor's screen (Pilot): sees every seat, steps the table, fires the crash early."""

from __future__ import annotations

from perpgame.tui.instructor import InstructorApp

from .conftest import join, served, trade_five_at_50x, until


async def test_the_instructor_fires_the_crash_and_sees_who_paid_whom(duel):
    async with served(duel, 2) as (server, clients):
        a = await join(server, clients, "seat-1")
        b = await join(server, clients, "seat-2")
        await trade_five_at_50x(a, b)
        app = InstructorApp(server.url(None))
        async with app.run_test(size=(110, 30)) as pilot:
            await until(pilot, lambda: app.client is not None and app.client.welcome)
            await pilot.press("n")  # one tick: the trade
            await until(pilot, lambda: server.table.tick == 1)
            await step_seen(pilot, app, 1)
            seats = app.query_one("#seats")
            assert seats.row_count == 2
            assert "seat-1" in str(seats.get_row_at(0)) or "seat-1" in str(seats.get_row_at(1))
            await pilot.press("1")  # fire the -5% gap early (due at tick 9,500)
            await until(pilot, lambda: server.table._fire_queue == [1])
            await pilot.press("n")
            await step_seen(pilot, app, 2)
            assert app.paid == ["2: seat-2 deleveraged against seat-1: 5.0000 at 58,000.00"]
            assert server.table.fires == [(2, 1)]
            await pilot.press("1")  # again: refused, and said so
            await pilot.pause()
            await pilot.press("space")  # start the clock
            await until(pilot, lambda: server.running)
            await until(pilot, lambda: app.client.frame["market"]["tick"] >= 3)
            assert "running at" in str(app.query_one("#status").render())


async def step_seen(pilot, app, tick: int) -> None:
    await until(pilot, lambda: app.client.frame and app.client.frame["market"]["tick"] >= tick)
    await pilot.pause()
