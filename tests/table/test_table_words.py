"""A seat is told about the game in table terms: its place and profit and the table's end, never
the level's one-player goal or a star result."""

from __future__ import annotations

from perpgame.engine.book import BUY, SELL
from perpgame.level.loader import load_level
from perpgame.session.inputs import PlayerInput
from perpgame.table.core import Table, seat_names
from perpgame.table.debrief import money
from perpgame.table.log import table_log
from perpgame.table.replica import SeatReplica

from .conftest import DUEL, join, served, step, until


def short_duel(tmp_path):
    """The duel, ten ticks long, with a one-player goal in its lesson."""
    short = tmp_path / "short.toml"
    text = DUEL.read_text().replace("time_limit = 1000", "time_limit = 1")
    text = text.replace("nobody else is here.", "Finish in profit without being liquidated.")
    short.write_text(text.replace("at = 9000", "at = 9").replace("at = 9500", "at = 10"))
    return load_level(short)


def play_to_the_end(level) -> Table:
    """Two seats trade 1 coin (seat-2 sells to seat-1) and the table plays to its time limit."""
    table = Table(level, 1, seat_names(2))
    table.submit("seat-2", PlayerInput.order(0, SELL, 10_000, 6_000_000))
    table.step()
    table.submit("seat-1", PlayerInput.order(0, BUY, 10_000), now=True)
    while table.step():
        pass
    return table


def seat_copy(table: Table, seat: str) -> SeatReplica:
    log = table_log(table)
    replica = SeatReplica(table.level, log.seed, list(log.seats), seat)
    replica.feed_log(list(log.inputs), list(log.fires), log.ticks, list(log.arrivals))
    replica.catch_up()
    return replica


def test_a_tables_narrator_opens_with_the_table_not_the_levels_one_player_summary():
    from perpgame.level.catalog import find_level

    table = Table(load_level(find_level("margin-call")), 1, seat_names(3))
    copy = seat_copy(table, "seat-2")
    for session in (table.session, copy.session):
        said = list(session.chronicle.narration)
        assert said == [
            'A table of 3 seats playing "Margin call": the level\'s market and bots, no goal and '
            "no stars. The board (l) ranks the seats by profit."
        ]  # not "A wick is coming for your 12x long": no seat has that long
        assert session.frame().narration == tuple(said)


def test_a_seats_copy_ends_with_its_place_and_the_tables_end_not_stars(tmp_path):
    table = play_to_the_end(short_duel(tmp_path))
    last = table.session.chronicle.narration[-1]
    assert last == "The table's game is over: time is up. The table debrief follows."
    for seat in ("seat-1", "seat-2"):
        replica = seat_copy(table, seat)
        session = replica.session
        assert session.state_hash() == table.state_hash()  # the words change, the game does not
        last = session.chronicle.narration[-1]
        assert "Stars" not in last and "Level complete" not in last
        assert last.startswith("The table's game is over: time is up. You finish ")
        assert " of 2 seats, " in last and last.endswith("The table debrief follows.")
    places = {seat: seat_copy(table, seat).session.chronicle.narration[-1] for seat in table.seats}
    assert ("1st" in places["seat-1"]) != ("1st" in places["seat-2"])  # one of them leads


async def test_a_seats_help_tells_the_table_not_the_one_players_goal(tmp_path):
    from textual.containers import VerticalScroll

    from perpgame.tui.screens.help import HelpScreen
    from perpgame.tui.seat import SeatApp, TableText
    from perpgame.tui.seat_screen import SeatScreen

    level = short_duel(tmp_path)
    assert "Finish in profit" in level.meta.lesson
    async with served(level, 2) as (server, clients):
        host = await join(server, clients, None)
        await step(host, [], ticks=1)
        app = SeatApp(server.url("seat-1"))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SeatScreen))
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            lesson = app.screen.lesson
            assert "Finish in profit" not in lesson
            assert "2 seats" in lesson and "no stars" in lesson and "$10,000.00" in lesson
            await pilot.press("escape")
            await step(host, [], ticks=9)  # the level ends at tick 10
            await until(pilot, lambda: isinstance(app.screen, TableText))
            debrief = app.screen
            first = "The table's game is over. You finish 1st of 2 seats, $0.00 since the start."
            assert debrief.text.startswith(first)  # in table terms, first
            rows = [line for line in debrief.text.splitlines() if ". seat-" in line]
            assert rows[0].startswith("you    1. seat-1 ") and rows[1].startswith(
                "       2. seat-2"
            )
            assert max(len(row) for row in rows) <= 72  # a row fits 80 columns, unwrapped
            said = app.replica.session.chronicle.narration[-1]
            assert "You finish 1st of 2 seats" in said and "Stars" not in said
            # taller than the screen (a real level's, at 80x24; this one's at 80x16): it scrolls
            await pilot.resize_terminal(80, 16)
            scroll = debrief.query_one(VerticalScroll)
            await until(pilot, lambda: scroll.max_scroll_y > 0)
            await pilot.press("end")
            await until(pilot, lambda: scroll.scroll_y == scroll.max_scroll_y)
            assert app.screen is debrief and "Who paid whom" in debrief.text


def test_the_account_nobody_plays_is_left_out_or_named_for_what_it_is(tmp_path):
    from perpgame.level.catalog import find_level
    from perpgame.table.debrief import table_debrief

    table = play_to_the_end(short_duel(tmp_path))
    groups = table_debrief(table.session, table.seats, [])["groups"]
    assert "player" not in groups and "idle" not in groups and "no_seat" not in groups
    assert sum(groups.values()) == 0 and "seats" in groups
    pile = seat_copy(table, "seat-1").session.frame().pile
    assert [s.group for s in pile.shares] == ["player", "seats", "vault", "house"]
    # level 5 gives its player a long: at a table that long is nobody's, but it is in the market
    margin_call = load_level(find_level("margin-call"))
    table = Table(margin_call, 1, seat_names(2))
    groups = {s.group: s for s in seat_copy(table, "seat-1").session.frame().pile.shares}
    assert "idle" not in groups and groups["no_seat"].accounts == 1
    assert "no_seat" in table_debrief(table.session, table.seats, [])["groups"]


async def test_a_seats_place_and_profit_follow_its_copy_every_tick_not_every_ten(duel):
    """The table sends its board every ten ticks; the seat's copy of the game knows every seat's
    profit each tick, so the top line and the board (l) never lag the position panel."""
    from perpgame.tui.seat import SeatApp, TableText, board_text
    from perpgame.tui.seat_screen import SeatScreen

    async with served(duel, 2) as (server, clients):
        host = await join(server, clients, None)
        other = await join(server, clients, "seat-2")
        await step(host, [other])
        app = SeatApp(server.url("seat-1"), name="Ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SeatScreen))
            screen = app.screen
            await other.sell("5", "60000", leverage=50)
            await pilot.press("b")  # a market buy of 0.2 from seat-2's offer
            await until(pilot, lambda: len(server.table.session._pending) == 2)
            await host.fire(0)  # -2.5% at the next tick: the long loses, the short wins
            await step(host, [other], ticks=2)
            await until(pilot, lambda: app.replica.session.tick == 3)
            assert other.board[0]["pnl"] == 0  # the table's last board (the welcome's): stale
            me = app.replica.session.player
            assert me.size == 2_000
            await until(pilot, lambda: "2nd of 2" in screen.status_bar.plain_lines()[0])
            top = screen.status_bar.plain_lines()[0]
            pnl = app.board()[1]["pnl"]
            assert pnl == me.equity(app.replica.session.market.mark) - 10_000 * 10**6 < 0
            assert money(pnl) in top
            await pilot.press("l")
            await until(pilot, lambda: isinstance(app.screen, TableText))
            assert app.screen.text.endswith(board_text(app.board(), "seat-1"))
            assert "seat-1 Ana" in app.screen.text and "2. seat-1" in app.screen.text


async def test_a_seats_copy_keeps_up_with_a_table_run_faster_than_ten_times_its_pace(tmp_path):
    """The table's clock sets the pace: a seat's screen plays every tick the table announced at
    once, even when the instructor runs the table faster than the screen's 10x (it fell behind
    and the seat traded on a market that was no longer there)."""
    from perpgame.tui.seat import SeatApp
    from perpgame.tui.seat_screen import SeatScreen

    slow = tmp_path / "slow.toml"  # half a second a tick: 10x is 20 ticks a second
    text = DUEL.read_text().replace("tick_seconds = 0.1", "tick_seconds = 0.5")
    slow.write_text(text.replace("at = 9000", "at = 1800").replace("at = 9500", "at = 1900"))
    async with served(load_level(slow), 2) as (server, clients):
        host = await join(server, clients, None)
        app = SeatApp(server.url("seat-1"))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SeatScreen))
            await host.step(50)  # 50 ticks at once: 2.5 s at the screen's old 10x
            await until(pilot, lambda: app.replica.known == 50)
            for _ in range(50):  # the screen's clock, with no time passing in between
                app.screen._on_clock()
                if app.replica.session.tick == 50:
                    break
            assert app.replica.session.tick == 50
            assert app.replica.session.state_hash() == server.table.state_hash()


def test_at_a_table_of_a_level_whose_player_is_the_vault_the_vault_stays_in_the_pile():
    from perpgame.level.catalog import find_level

    table = Table(load_level(find_level("be-the-vault")), 1, seat_names(2))
    for _ in range(3):
        table.step()
    session = seat_copy(table, "seat-1").session
    pile = session.frame().pile
    shares = {s.group: s for s in pile.shares}
    assert "vault" in shares and "no_seat" not in shares and shares["player"].accounts == 1
    assert pile.total == table.session.pile_report().expected == pile.equity_sum
    assert session.state_hash() == table.state_hash()
