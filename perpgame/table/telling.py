"""What a table tells its seats in table terms: the game's end and the rules of the table.

A table plays a level whose one player is not there (:func:`perpgame.table.core.table_level`),
so the level's one-player words (its goal, "Level complete ... Stars") would mislead a seat: a
table has no goal to reach and no stars, only a board ranked by profit and an end.
"""

from __future__ import annotations

from collections.abc import Callable

from perpgame.level.schema import Level
from perpgame.session.director import Director
from perpgame.table.debrief import money


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th`` .. ``11th`` .. ``21st``."""
    suffix = "th" if n % 100 // 10 == 1 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def standing_line(place: int, seats: int, pnl: int) -> str:
    """``You finish 2nd of 3 seats, -$12.76 since the start.``"""
    return f"You finish {ordinal(place)} of {seats} seats, {money(pnl)} since the start."


class TableDirector(Director):
    """The level's director at a table: the same timeline and the same verdict (so the same game
    and state hash), but the narrator's last line says the table's game is over, and, in a seat's
    copy of the game, the seat's place and profit (``standing``; empty elsewhere), never a level
    result or stars."""

    def __init__(self, level: Level, standing: Callable[[], str]) -> None:
        super().__init__(level)
        self.standing = standing

    def ending(self, status: str, reason: str, metrics: dict[str, int]) -> tuple[int, str]:
        stars, _ = super().ending(status, reason, metrics)  # kept: it is part of the state
        timed_out = metrics.get("tick", 0) >= self.level.tick_limit
        why = "time is up" if timed_out else "the level's script ends it here"
        line = f"The table's game is over: {why}. {self.standing()}".strip()
        return stars, f"{line} The table debrief follows."


def table_opening(level: Level, seats: int) -> str:
    """The narrator's first line at a table, in place of the level's summary to its one player
    (``You are the backstop vault``, ``A wick is coming for your 12x long``)."""
    return (
        f'A table of {seats} seats playing "{level.meta.title}": the level\'s market and bots, '
        "no goal and no stars. The board (l) ranks the seats by profit."
    )


def table_lesson(level: Level, seats: int) -> str:
    """The help's words for a seat, in place of the level's lesson to its one player."""
    p = level.player
    return (
        f"A shared table: {seats} seats trade this level's market with its bots, each seat "
        f"starting with {money(p.cash)} and up to {p.max_leverage}x leverage. There is "
        "no goal to reach and no stars: the board ranks the seats by profit since the start "
        "(l shows it), and when the time is up the table debrief shows every seat's place and "
        "where the money went."
    )
