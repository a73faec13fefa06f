"""The director of a game: the level's timeline (what is due when) and its objectives (who won).

It decides and remembers; the table does what it decides (moves the oracle, pulls the market
makers' quotes, ends the game). Which entries have fired, and when, is part of the game's state
(and of its state hash).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from perpgame.level.schema import Level

PLAYING, WON, LOST = "playing", "won", "lost"
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def render(text: str, values: dict[str, str]) -> str:
    """Fill ``{placeholders}`` from ``values``; an unknown one stays as written."""
    return _PLACEHOLDER.sub(lambda mt: values.get(mt.group(1), mt.group(0)), text)


class Director:
    """The timeline's memory and the objectives' judge for one game of ``level``."""

    def __init__(self, level: Level) -> None:
        self.level = level
        self.fired: set[int] = set()
        """Timeline entries that fire once and have fired (or were fired early)."""
        self.was_true: dict[int, bool] = {}
        """Whether each rising-edge condition held at its last look."""
        self.last_fire: dict[int, int] = {}
        """The tick each repeating condition last fired."""

    def due(self, tick: int, metrics: dict[str, int]) -> Iterator:
        """The timeline entries to do at ``tick``, in order (each looked at as the last is done)."""
        for i, entry in enumerate(self.level.timeline):
            if self._due(i, entry, tick, metrics):
                yield entry

    def _due(self, i: int, entry, tick: int, metrics: dict[str, int]) -> bool:
        if i in self.fired:
            return False
        every = entry.every
        if entry.at is not None:
            start = max(1, entry.at)
            if every is None:
                hit = tick == start
                if hit:
                    self.fired.add(i)
                return hit
            return tick >= start and (tick - start) % every == 0
        holds = entry.when.holds(metrics)
        if entry.once:
            if holds:
                self.fired.add(i)
            return holds
        if every is not None:
            last = self.last_fire.get(i)
            if holds and (last is None or tick - last >= every):
                self.last_fire[i] = tick
                return True
            return False
        rising = holds and not self.was_true.get(i, False)
        self.was_true[i] = holds
        return rising

    def judge(
        self,
        tick: int,
        metrics: dict[str, int],
        lose_reason: Callable[[str], str],
        time_out_reason: Callable[[], str],
    ) -> tuple[str, str] | None:
        """``(status, reason)`` when the objectives end the game at ``tick``, else None.

        A lost goal comes first, then all the win goals together, then the time limit (won when
        the level asks only to survive). The callables word a loss and a time-out with the game's
        numbers.
        """
        o = self.level.objectives
        for goal in o.lose:
            if goal.when.holds(metrics):
                return LOST, lose_reason(goal.label)
        if o.win and all(goal.when.holds(metrics) for goal in o.win):
            return WON, "; ".join(goal.label for goal in o.win)
        if tick >= self.level.tick_limit:
            if o.survive:
                return WON, "you survived to the end"
            return LOST, time_out_reason()
        return None

    def ending(self, status: str, reason: str, metrics: dict[str, int]) -> tuple[int, str]:
        """The stars earned and the narrator's last line for a game ending with ``status``."""
        o = self.level.objectives
        if status == WON:
            stars = 1 + sum(1 for goal in o.stars if goal.when.holds(metrics))
            return stars, f"Level complete: {reason}. Stars: {stars}/3."
        hint = f" Hint: {o.hint}" if o.hint else ""
        return 0, f"Level over: {reason}.{hint}"
