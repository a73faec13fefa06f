"""`perpgame join URL`: the ordinary game screen on a seat, playing the table's game exactly."""

from __future__ import annotations

import time

from perpgame.tui.seat import SeatApp

from .conftest import join, served, step


async def _until(pilot, test, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


async def test_a_seat_trades_from_the_game_screen_and_its_copy_matches_the_table(duel):
    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        other = await join(server, clients, "seat-2")
        await other.sell("5", "60000", leverage=50)
        await step(host, [other], ticks=3)  # the seat joins a game already under way
        app = SeatApp(server.url("seat-1"))
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(pilot, lambda: app.replica is not None)
            replica = app.replica
            assert replica.session.tick == 3
            assert replica.session.state_hash() == server.table.state_hash()
            await pilot.press("b")  # a market buy of the screen's order size
            await _until(pilot, lambda: server.table.session._pending)
            await step(host, [other])
            await _until(pilot, lambda: replica.session.tick == 4)
            me = replica.session.player
            assert me.size > 0 and me.name == "seat-1"
            assert other.account["size"] == -me.size  # bought from the other seat's offer
            assert replica.session.state_hash() == server.table.state_hash()
            await host.fire(1)  # the -5% gap: the copy plays it too
            await step(host, [other], ticks=2)
            await _until(pilot, lambda: replica.session.tick == 6)
            assert replica.session.state_hash() == server.table.state_hash()
            snap = replica.session.frame()
            assert snap.position.size == me.size
            # in the pile the seat is "you"; the level's own player, not at the table, is idle
            shares = {share.group: share for share in snap.pile.shares}
            assert shares["player"].equity == me.equity(replica.session.market.mark)
            assert shares["player"].accounts == 1 and shares["idle"].accounts == 1
            assert shares["seats"].accounts == 1  # seat-2


async def test_the_seat_sees_the_board_and_at_the_end_the_table_debrief(tmp_path):
    from perpgame.level.loader import load_level
    from perpgame.tui.seat import TableText

    from .conftest import DUEL

    short = tmp_path / "short.toml"
    text = DUEL.read_text().replace("time_limit = 1000", "time_limit = 1")
    short.write_text(text.replace("at = 9000", "at = 9").replace("at = 9500", "at = 10"))
    async with served(load_level(short), 2) as (server, clients):
        host = await join(server, clients, None)
        other = await join(server, clients, "seat-2")
        app = SeatApp(server.url("seat-1"), name="Ana")
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(pilot, lambda: app.replica is not None)
            await pilot.press("l")  # the board, from the welcome
            await _until(pilot, lambda: isinstance(app.screen, TableText))
            assert "seat-1 Ana" in app.screen.text and "◀ you" in app.screen.text
            await pilot.press("escape")
            await other.sell("1", "60000")
            await pilot.press("b")
            await _until(pilot, lambda: len(server.table.session._pending) == 2)
            await step(host, [other], ticks=10)  # the level ends at tick 10
            await _until(pilot, lambda: app.replica.session.tick == 10)
            for _ in range(3):  # the level's end notice, then the table debrief
                await _until(pilot, lambda: app.screen.__class__.__name__ != "GameScreen")
                if isinstance(app.screen, TableText) and "debrief" in app.screen.text:
                    break
                await pilot.press("enter")
            assert isinstance(app.screen, TableText)
            assert "Table debrief" in app.screen.text and "Who paid whom" in app.screen.text
            assert "seat-1 Ana" in app.screen.text
