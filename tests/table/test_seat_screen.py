"""`perpgame join URL`: the ordinary game screen on a seat, playing the table's game exactly."""

from __future__ import annotations

from perpgame.tui.seat import SeatApp

from .conftest import join, served, step, until


async def test_a_seat_trades_from_the_game_screen_and_its_copy_matches_the_table(duel):
    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        other = await join(server, clients, "seat-2")
        await other.sell("5", "60000", leverage=50)
        await step(host, [other], ticks=3)  # the seat joins a game already under way
        app = SeatApp(server.url("seat-1"))
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.replica is not None)
            replica = app.replica
            assert replica.session.tick == 3
            assert replica.session.state_hash() == server.table.state_hash()
            await pilot.press("b")  # a market buy of the screen's order size
            await until(pilot, lambda: server.table.session._pending)
            await step(host, [other])
            await until(pilot, lambda: replica.session.tick == 4)
            me = replica.session.player
            assert me.size > 0 and me.name == "seat-1"
            assert other.account["size"] == -me.size  # bought from the other seat's offer
            assert replica.session.state_hash() == server.table.state_hash()
            await host.fire(1)  # the -5% gap: the copy plays it too
            await step(host, [other], ticks=2)
            await until(pilot, lambda: replica.session.tick == 6)
            assert replica.session.state_hash() == server.table.state_hash()
            snap = replica.session.frame()
            assert snap.position.size == me.size
            # in the pile the seat is "you"; the level's own player, whom nobody plays at a
            # table, is not shown, and its cash is out of the total, which still adds up
            shares = {share.group: share for share in snap.pile.shares}
            assert shares["player"].equity == me.equity(replica.session.market.mark)
            assert shares["player"].accounts == 1 and shares["seats"].accounts == 1  # seat-2
            assert set(shares) == {"player", "seats", "vault", "house"}
            pile = snap.pile
            assert pile.total == pile.equity_sum == sum(s.equity for s in pile.shares)
            assert pile.total == server.table.session.pile_report().expected - 10_000 * 10**6
            assert pile.created == 0 and pile.law_ok


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
            await until(pilot, lambda: app.replica is not None)
            await pilot.press("l")  # the board, from the welcome
            await until(pilot, lambda: isinstance(app.screen, TableText))
            assert "seat-1 Ana" in app.screen.text and "◀ you" in app.screen.text
            await pilot.press("escape")
            await other.sell("1", "60000")
            await pilot.press("b")
            await until(pilot, lambda: len(server.table.session._pending) == 2)
            await step(host, [other], ticks=10)  # the level ends at tick 10
            await until(pilot, lambda: app.replica.session.tick == 10)
            # the table debrief, at once (a table has no level result to show first)
            await until(pilot, lambda: isinstance(app.screen, TableText))
            assert "Table debrief" in app.screen.text and "Who paid whom" in app.screen.text
            assert "seat-1 Ana" in app.screen.text


async def test_a_seats_screen_offers_only_what_a_table_does_and_shows_the_table_not_objectives(
    tmp_path,
):
    from perpgame.level.loader import load_level
    from perpgame.tui.screens.help import HelpScreen
    from perpgame.tui.seat import TableText
    from perpgame.tui.seat_screen import SeatScreen

    from .conftest import DUEL

    short = tmp_path / "short.toml"
    text = DUEL.read_text().replace("time_limit = 1000", "time_limit = 1")
    short.write_text(text.replace("at = 9000", "at = 9").replace("at = 9500", "at = 10"))
    async with served(load_level(short), 2) as (server, clients):
        host = await join(server, clients, None)
        await step(host, [], ticks=1)
        app = SeatApp(server.url("seat-1"), name="Ana")
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SeatScreen))
            screen = app.screen
            shown = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
            assert "pause" not in shown and not any(a.startswith("speed") for a in shown)
            assert "app.board" in shown and "market(1)" in shown and "margin(1)" in shown
            await pilot.press("space", "4")  # nothing: the table's clock is the table's
            assert not screen.paused and screen.speed == 10
            top = screen.status_bar.plain_lines()[0]
            assert "TABLE" in top and "PAUSED" not in top and "10x" not in top
            assert "Survive" not in top  # the one player's goal is not the table's
            await pilot.resize_terminal(80, 24)
            await until(pilot, lambda: "1st of 2" in screen.status_bar.plain_lines()[0])
            assert "…" not in screen.status_bar.plain_lines()[0]  # the place fits at 80 columns
            await pilot.resize_terminal(140, 42)  # wide: the panel where the objectives were
            await until(pilot, lambda: screen.objectives.plain_lines())
            panel = "\n".join(screen.objectives.plain_lines())
            assert "You are seat-1 Ana" in panel and "Time" in panel and "Survive" not in panel
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            rows = "\n".join(" ".join(r) for r in app.screen.rows)
            assert "Pause" not in rows and "speed" not in rows and "resumed" not in rows
            assert "Leave your seat" in rows and "every seat by profit" in rows
            assert not screen.paused  # help does not stop the table's game
            await pilot.press("escape")
            await step(host, [], ticks=9)  # the level ends at tick 10
            # straight to the table debrief: no level result, no stars (the table has none)
            await until(pilot, lambda: isinstance(app.screen, TableText))
            assert "debrief" in app.screen.text.lower() or "paid whom" in app.screen.text
