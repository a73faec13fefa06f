"""Seat-aware inputs: one-player games and their files are unchanged; a table is deterministic."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session.inputs import PlayerInput
from perpgame.table.core import Table, TableError, replay_table

from .conftest import DUEL


def test_an_input_is_seat_you_unless_said_and_files_leave_the_default_out():
    action = PlayerInput.order(3, 1, 100)
    assert action.seat == "you"
    assert "seat" not in action.to_dict()  # saves and replays written before tables read the same
    moved = PlayerInput.from_dict({**action.to_dict(), "seat": "seat-7"})
    assert moved.seat == "seat-7" and moved.to_dict()["seat"] == "seat-7"
    for bad in ("", "a b", "x" * 25, 7):
        with pytest.raises(ValueError, match="seat"):
            PlayerInput(1, "cancel_all", seat=bad)


def test_a_one_player_game_ignores_inputs_of_seats_it_does_not_have():
    level = load_level(DUEL)
    session = GameSession(level, 1)
    session.schedule([PlayerInput(1, "order", 1, 100, seat="seat-1"), PlayerInput.order(1, 1, 10)])
    session.step()
    assert [a.seat for a in session.input_log] == ["you"]
    with pytest.raises(ValueError):
        session.add_seat("late")  # seats are set before the first tick


def test_the_order_line_answers_only_the_players_own_orders():
    level = load_level(DUEL)
    session = GameSession(level, 1)
    session.add_seat("seat-1")
    session.schedule([PlayerInput(1, "order", 1, 100, seat="seat-1"), PlayerInput.order(2, 1, 10)])
    session.step()
    assert session.answers == []  # seat-1's order is not the player's to be told about
    session.step()
    assert len(session.answers) == 1


def test_a_table_refuses_picking_the_policy_the_solo_seat_and_unknown_seats():
    table = Table(load_level(DUEL), 1, ["seat-1"])
    with pytest.raises(TableError, match="pick policy"):
        table.submit("seat-1", PlayerInput(0, "pick_policy", policy="water_fill"))
    for seat in ("you", "seat-2"):
        with pytest.raises(TableError, match="no seat"):
            table.submit(seat, PlayerInput(0, "cancel_all"))
    with pytest.raises(TableError, match="seat name"):
        Table(load_level(DUEL), 1, ["you"])


def test_a_level_with_an_ending_on_the_players_numbers_runs_to_its_time_limit_at_a_table():
    level = load_level("levels/03-leverage.toml")  # ends "lost" at tick 150 if the player is flat
    table = Table(level, 1, ["seat-1"])
    while table.step():
        pass
    assert table.tick == level.tick_limit
    solo = GameSession(level, 1)
    solo.run()
    assert solo.tick == 151 and solo.status == "lost"  # the one-player game is unchanged


_order = st.tuples(
    st.sampled_from(["seat-1", "seat-2", "seat-3"]),
    st.sampled_from([1, -1]),
    st.integers(1, 30_000),
    st.one_of(st.none(), st.integers(5_900_000, 6_100_000).map(lambda p: p - p % 50)),
    st.sampled_from([None, 10, 50]),
)


@settings(max_examples=25, deadline=None)
@given(
    ticks=st.lists(st.lists(_order, max_size=4), min_size=1, max_size=8),
    fire_at=st.one_of(st.none(), st.integers(1, 8)),
)
def test_a_table_replays_to_the_same_state_and_keeps_the_pile_law(ticks, fire_at):
    level = load_level(DUEL)
    seats = ["seat-1", "seat-2", "seat-3"]
    table = Table(level, 1, seats)
    for i, orders in enumerate(ticks, 1):
        if i == fire_at:
            table.fire(1)
        for seat, side, qty, price, lev in orders:
            table.submit(seat, PlayerInput.order(0, side, qty, price, leverage=lev))
        table.step()
        assert table.session.pile_ok, table.session.pile_failure
    again = replay_table(
        level, 1, seats, list(table.session.input_log), list(table.fires), table.tick
    )
    assert again.state_hash() == table.state_hash()
