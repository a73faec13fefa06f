"""The director: when each kind of timeline trigger fires, and how the objectives end a game.

Driven with metrics written by hand, tick by tick, so each rule of the level language
(docs/levels.md: ``at``, ``when``, ``once``, ``every``) is seen on its own.
"""

from __future__ import annotations

from perpgame.level.loader import load_level_text
from perpgame.session.director import LOST, WON, Director, render

BASE = """
[meta]
id = "case-director"
title = "Director"
lesson = "When the timeline fires."

[market]
start_price = "60000"

[player]
cash = "10000"
"""


def director(timeline: str, objectives: str = "time_limit = 100\nsurvive = true") -> Director:
    return Director(load_level_text(f"{BASE}\n{timeline}\n[objectives]\n{objectives}\n"))


def fired_ticks(d: Director, marks: dict[int, int]) -> list[tuple[int, str]]:
    """(tick, text) of every entry due, ticks 1.. with the mark given for each."""
    out = []
    for tick, mark in sorted(marks.items()):
        out += [(tick, e.text) for e in d.due(tick, {"mark": mark * 100, "tick": tick})]
    return out


def narrate(trigger: str, text: str) -> str:
    return f'[[timeline]]\n{trigger}\ndo = "narrate"\ntext = "{text}"\n'


def test_at_fires_once_at_its_tick_and_at_with_every_repeats_from_there():
    d = director(narrate("at = 2", "two") + narrate("at = 3\nevery = 2", "odd"))
    got = fired_ticks(d, dict.fromkeys(range(1, 8), 60_000))
    assert got == [(2, "two"), (3, "odd"), (5, "odd"), (7, "odd")]
    assert d.fired == {0}  # the one-off is remembered (in the state hash); the repeat is not


def test_a_condition_fires_once_by_default_the_first_time_it_holds():
    d = director(narrate('when = "mark < 59000"', "dip"))
    marks = {1: 60_000, 2: 58_000, 3: 60_000, 4: 58_000}
    assert fired_ticks(d, marks) == [(2, "dip")]


def test_once_false_fires_on_each_rising_edge_not_while_it_holds():
    d = director(narrate('when = "mark < 59000"\nonce = false', "dip"))
    marks = {1: 60_000, 2: 58_000, 3: 58_000, 4: 60_000, 5: 58_000}
    # true at 2 (rises), still true at 3 (no), false at 4, rises again at 5
    assert fired_ticks(d, marks) == [(2, "dip"), (5, "dip")]


def test_a_condition_with_every_fires_while_it_holds_at_most_once_per_every_ticks():
    d = director(narrate('when = "mark < 59000"\nevery = 3', "low"))
    marks = {t: 58_000 for t in range(1, 9)}
    marks[5] = 60_000  # a break does not reset the clock: 1, 4, then 7 (not 6)
    assert fired_ticks(d, marks) == [(1, "low"), (4, "low"), (7, "low")]


def test_an_entry_fired_early_does_not_fire_again_at_its_tick():
    d = director(narrate("at = 2", "two"))
    d.fired.add(0)  # what GameSession.fire does before doing the entry
    assert fired_ticks(d, {1: 60_000, 2: 60_000}) == []


def reasons(label: str) -> str:
    return f"lost: {label}"


def timeout() -> str:
    return "time ran out"


def test_a_lose_goal_comes_before_the_win_goals_and_the_time_limit():
    d = director(
        "",
        'time_limit = 100\nlose = [{ when = "mark < 50000", text = "Crash" }]\n'
        'win = [{ when = "mark < 55000", text = "Dip" }]',
    )
    limit = d.level.tick_limit
    assert d.judge(1, {"mark": 60_000_00}, reasons, timeout) is None
    assert d.judge(1, {"mark": 54_000_00}, reasons, timeout) == (WON, "Dip")
    assert d.judge(limit, {"mark": 49_000_00}, reasons, timeout) == (LOST, "lost: Crash")
    assert d.judge(limit, {"mark": 60_000_00}, reasons, timeout) == (LOST, "time ran out")


def test_surviving_to_the_limit_wins_and_stars_count_on_top_of_the_one_for_winning():
    d = director(
        "",
        'time_limit = 100\nsurvive = true\nstars = [{ when = "mark > 1", text = "a" }, '
        '{ when = "mark < 1", text = "b" }]',
    )
    verdict = d.judge(d.level.tick_limit, {"mark": 60_000_00}, reasons, timeout)
    assert verdict == (WON, "you survived to the end")
    assert d.ending(WON, verdict[1], {"mark": 60_000_00}) == (
        2,
        "Level complete: you survived to the end. Stars: 2/3.",
    )


def test_render_fills_known_placeholders_and_leaves_unknown_ones():
    assert render("mark {mark}, {nope}", {"mark": "60,000.00"}) == "mark 60,000.00, {nope}"
